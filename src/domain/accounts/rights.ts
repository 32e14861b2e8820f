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

/**
 * The wiki's rights settings: `$wgGroupPermissions`, `$wgRevokePermissions`, `$wgImplicitGroups`
 * and the `autoconfirmed` promotion (`$wgAutoConfirmAge` seconds, `$wgAutoConfirmCount` edits).
 * Permission maps keep only the rights set to true.
 */
export interface RightsPolicy {
  readonly groupPermissions: Readonly<Record<string, readonly string[]>>;
  readonly revokePermissions: Readonly<Record<string, readonly string[]>>;
  readonly implicitGroups: readonly string[];
  readonly autoConfirmAge: number;
  readonly autoConfirmCount: number;
}

/** Standalone wikiauth: the table above, every registered user autoconfirmed. */
export const STANDALONE_RIGHTS: RightsPolicy = Object.freeze({
  groupPermissions: GROUP_RIGHTS,
  revokePermissions: Object.freeze({}),
  implicitGroups: IMPLICIT_GROUPS,
  autoConfirmAge: 0,
  autoConfirmCount: 0,
});

/** Who the implicit promotion looks at (UserGroupManager::checkCondition APCOND_EDITCOUNT/APCOND_AGE). */
export interface PromotionFacts {
  readonly editCount: number;
  /** Seconds since registration; Infinity for accounts without a registration time. */
  readonly age: number;
}

/**
 * UserGroupManager::getUserEffectiveGroups for a registered user: `*`, `user`, `autoconfirmed`
 * when the account is old and active enough, then the unexpired `user_groups` rows; implicit
 * groups come first (so `*` leads), without duplicates.
 */
export function effectiveGroups(explicitGroups: readonly string[], policy: RightsPolicy = STANDALONE_RIGHTS, facts?: PromotionFacts): string[] {
  const promoted = facts === undefined || (facts.editCount >= policy.autoConfirmCount && facts.age >= policy.autoConfirmAge);
  const implicit = ['*', 'user', ...(promoted && policy.implicitGroups.includes('autoconfirmed') ? ['autoconfirmed'] : [])];
  return [...new Set([...implicit, ...explicitGroups])];
}

/**
 * GroupPermissionsLookup::getGroupPermissions: the union of the groups' rights minus every right
 * revoked for any of them, sorted; unknown groups add nothing.
 */
export function rightsForGroups(groups: readonly string[], policy: RightsPolicy = STANDALONE_RIGHTS): string[] {
  const listed = (table: Readonly<Record<string, readonly string[]>>, group: string) => (Object.hasOwn(table, group) ? (table[group] ?? []) : []);
  const rights = new Set<string>(groups.flatMap((group) => listed(policy.groupPermissions, group)));
  for (const group of groups) for (const right of listed(policy.revokePermissions, group)) rights.delete(right);
  return [...rights].sort();
}

function freezeTable(table: Record<string, string[]>): Readonly<Record<string, readonly string[]>> {
  const frozen: Record<string, readonly string[]> = {};
  for (const [group, rights] of Object.entries(table)) {
    frozen[group] = Object.freeze([...new Set(rights)]);
  }
  return Object.freeze(frozen);
}
