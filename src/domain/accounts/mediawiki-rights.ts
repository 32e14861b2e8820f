/*
 * MediaWiki 1.39's default `$wgGroupPermissions` (MainConfigSchema::GroupPermissions), as the wiki
 * reports it at runtime, plus what Extension:OAuth's extension.json adds by itself: only
 * `user → mwoauthmanagemygrants`. Who may propose or review consumers is left to the wiki's own
 * settings, which wikiauth reads from MEDIAWIKI_RIGHTS_FILE (docs/mediawiki-compat.md).
 */
export const MEDIAWIKI_GROUP_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  '*': [
    'createaccount', 'read', 'edit', 'createpage', 'createtalk', 'writeapi', 'viewmywatchlist',
    'editmywatchlist', 'viewmyprivateinfo', 'editmyprivateinfo', 'editmyoptions',
  ],
  user: [
    'move', 'move-subpages', 'move-rootuserpages', 'move-categorypages', 'movefile', 'read', 'edit',
    'createpage', 'createtalk', 'writeapi', 'upload', 'reupload', 'reupload-shared', 'minoredit',
    'editmyusercss', 'editmyuserjson', 'editmyuserjs', 'editmyuserjsredirect', 'purge', 'sendemail',
    'applychangetags', 'changetags', 'editcontentmodel',
    'mwoauthmanagemygrants',
  ],
  autoconfirmed: ['autoconfirmed', 'editsemiprotected'],
  bot: ['bot', 'autoconfirmed', 'editsemiprotected', 'nominornewtalk', 'autopatrol', 'suppressredirect', 'apihighlimits', 'writeapi'],
  sysop: [
    'block', 'createaccount', 'delete', 'bigdelete', 'deletedhistory', 'deletedtext', 'undelete',
    'editinterface', 'editsitejson', 'edituserjson', 'import', 'importupload', 'move', 'move-subpages',
    'move-rootuserpages', 'move-categorypages', 'patrol', 'autopatrol', 'protect', 'editprotected',
    'rollback', 'upload', 'reupload', 'reupload-shared', 'unwatchedpages', 'autoconfirmed',
    'editsemiprotected', 'ipblock-exempt', 'blockemail', 'markbotedits', 'apihighlimits',
    'browsearchive', 'noratelimit', 'movefile', 'unblockself', 'suppressredirect', 'mergehistory',
    'managechangetags', 'deletechangetags',
  ],
  'interface-admin': ['editinterface', 'editsitecss', 'editsitejson', 'editsitejs', 'editusercss', 'edituserjson', 'edituserjs'],
  bureaucrat: ['userrights', 'noratelimit'],
  suppress: ['hideuser', 'suppressrevision', 'viewsuppressed', 'suppressionlog', 'deleterevision', 'deletelogentry'],
};
