/*
 * Default group rights: core's `$wgGroupPermissions` default (MainConfigSchema::GroupPermissions)
 * plus the OAuth extension's rights as docs/architecture.md §4 grants them. MediaWiki's OAuth extension
 * itself gives only `user → mwoauthmanagemygrants` (extension.json GroupPermissions) and leaves
 * the rest to site config; we ship the usual site setup instead.
 */

const OAUTH_USER_RIGHTS = ['mwoauthproposeconsumer', 'mwoauthupdateownconsumer', 'mwoauthmanagemygrants'];
const OAUTH_SYSOP_RIGHTS = ['mwoauthmanageconsumer', 'mwoauthviewprivate'];
const OAUTH_BUREAUCRAT_RIGHTS = ['mwoauthsuppress', 'mwoauthviewsuppressed'];

/**
 * `*`, `user` and `autoconfirmed` are implicit (MainConfigSchema::ImplicitGroups). MediaWiki
 * promotes to `autoconfirmed` by edit count and account age (both 0 by default); we keep no
 * edit history, so every registered user counts as autoconfirmed.
 */
export const IMPLICIT_GROUPS: readonly string[] = Object.freeze(['*', 'user', 'autoconfirmed']);

export const GROUP_RIGHTS: Readonly<Record<string, readonly string[]>> = freezeTable({
  '*': [
    'createaccount', 'read', 'edit', 'createpage', 'createtalk',
    'viewmyprivateinfo', 'editmyprivateinfo', 'editmyoptions',
  ],
  user: [
    'move', 'move-subpages', 'move-rootuserpages', 'move-categorypages', 'movefile',
    'read', 'edit', 'createpage', 'createtalk', 'upload', 'reupload', 'reupload-shared',
    'minoredit', 'editmyusercss', 'editmyuserjson', 'editmyuserjs', 'editmyuserjsredirect',
    'sendemail', 'applychangetags', 'changetags', 'editcontentmodel',
    'viewmywatchlist', 'editmywatchlist',
    ...OAUTH_USER_RIGHTS,
  ],
  autoconfirmed: ['autoconfirmed', 'editsemiprotected'],
  bot: [
    'bot', 'autoconfirmed', 'editsemiprotected', 'nominornewtalk', 'autopatrol',
    'suppressredirect', 'apihighlimits',
  ],
  sysop: [
    'block', 'createaccount', 'delete', 'bigdelete', 'deletedhistory', 'deletedtext', 'undelete',
    'editinterface', 'editsitejson', 'edituserjson', 'import', 'importupload',
    'move', 'move-subpages', 'move-rootuserpages', 'move-categorypages',
    'patrol', 'autopatrol', 'protect', 'editprotected', 'rollback',
    'upload', 'reupload', 'reupload-shared', 'unwatchedpages', 'autoconfirmed',
    'editsemiprotected', 'ipblock-exempt', 'blockemail', 'markbotedits', 'apihighlimits',
    'browsearchive', 'noratelimit', 'movefile', 'unblockself', 'suppressredirect',
    'mergehistory', 'managechangetags', 'deletechangetags',
    ...OAUTH_SYSOP_RIGHTS,
  ],
  'interface-admin': [
    'editinterface', 'editsitecss', 'editsitejson', 'editsitejs',
    'editusercss', 'edituserjson', 'edituserjs',
  ],
  bureaucrat: ['userrights', 'noratelimit', 'renameuser', ...OAUTH_BUREAUCRAT_RIGHTS],
  suppress: [
    'hideuser', 'suppressrevision', 'viewsuppressed', 'suppressionlog',
    'deleterevision', 'deletelogentry',
  ],
});

/** Implicit groups first (so `*` leads), then the `user_groups` rows, without duplicates. */
export function effectiveGroups(explicitGroups: readonly string[]): string[] {
  return [...new Set([...IMPLICIT_GROUPS, ...explicitGroups])];
}

/** Union of the groups' rights, sorted; unknown groups add nothing. */
export function rightsForGroups(groups: readonly string[]): string[] {
  const rights = new Set<string>();
  for (const group of groups) {
    for (const right of Object.hasOwn(GROUP_RIGHTS, group) ? (GROUP_RIGHTS[group] ?? []) : []) {
      rights.add(right);
    }
  }
  return [...rights].sort();
}

function freezeTable(table: Record<string, string[]>): Readonly<Record<string, readonly string[]>> {
  const frozen: Record<string, readonly string[]> = {};
  for (const [group, rights] of Object.entries(table)) {
    frozen[group] = Object.freeze([...new Set(rights)]);
  }
  return Object.freeze(frozen);
}
