import { DomainError } from '../errors.js';

/*
 * MediaWiki's grants (= OAuth 2 scopes): core MainConfigSchema::GrantPermissions,
 * GrantPermissionGroups and GrantRiskGroups, the OAuth extension's `oauthmanageownclient`
 * (extension.json) and its two pseudo-grants Consumer::AUTH_ONLY_GRANTS
 * (docs/mediawiki-compat.md §8). Descriptions are the English `grant-<name>` messages.
 */

/** GrantsInfo::RISK_* — informative only, shown on consent and registration pages. */
export type GrantRisk = 'low' | 'vandalism' | 'security' | 'internal';

export interface GrantInfo {
  readonly name: string;
  readonly rights: readonly string[];
  /** GrantPermissionGroups value (`hidden`, `page-interaction`, …). */
  readonly group: string;
  readonly risk: GrantRisk;
  readonly description: string;
}

/** Core's "edit set", shared by every grant that edits pages. */
const EDIT = ['edit', 'minoredit', 'applychangetags', 'changetags', 'editcontentmodel'];

type Row = [name: string, group: string, risk: GrantRisk, description: string, rights: string[]];

const ROWS: Row[] = [
  ['basic', 'hidden', 'low', 'Basic rights', [
    'autocreateaccount', 'autoconfirmed', 'autopatrol', 'editsemiprotected', 'ipblock-exempt',
    'nominornewtalk', 'patrolmarks', 'read', 'unwatchedpages',
  ]],
  ['highvolume', 'high-volume', 'low', 'High-volume (bot) access',
    ['bot', 'apihighlimits', 'noratelimit', 'markbotedits']],
  ['import', 'administration', 'security', 'Import revisions', ['import', 'importupload']],
  ['editpage', 'page-interaction', 'low', 'Edit existing pages', [...EDIT, 'pagelang']],
  ['editprotected', 'page-interaction', 'vandalism', 'Edit protected pages', [...EDIT, 'editprotected']],
  ['editmycssjs', 'customization', 'security', 'Edit your user CSS/JSON/JavaScript',
    [...EDIT, 'editmyusercss', 'editmyuserjson', 'editmyuserjs']],
  ['editmyoptions', 'customization', 'security', 'Edit your user preferences and JSON configuration',
    ['editmyoptions', 'editmyuserjson']],
  ['editinterface', 'administration', 'vandalism', 'Edit the MediaWiki namespace and sitewide/user JSON',
    [...EDIT, 'editinterface', 'edituserjson', 'editsitejson']],
  ['editsiteconfig', 'administration', 'security', 'Edit sitewide and user CSS/JS', [
    ...EDIT, 'editinterface', 'edituserjson', 'editsitejson', 'editusercss', 'edituserjs',
    'editsitecss', 'editsitejs',
  ]],
  ['createeditmovepage', 'page-interaction', 'low', 'Create, edit, and move pages', [
    ...EDIT, 'createpage', 'createtalk', 'delete-redirect', 'move', 'move-rootuserpages',
    'move-subpages', 'move-categorypages', 'suppressredirect',
  ]],
  ['uploadfile', 'file-interaction', 'low', 'Upload new files', ['upload', 'reupload-own']],
  ['uploadeditmovefile', 'file-interaction', 'low', 'Upload, replace, and move files', [
    'upload', 'reupload-own', 'reupload', 'reupload-shared', 'upload_by_url', 'movefile',
    'suppressredirect',
  ]],
  ['patrol', 'page-interaction', 'low', 'Patrol changes to pages', ['patrol']],
  ['rollback', 'administration', 'low', 'Rollback changes to pages', ['rollback']],
  ['blockusers', 'administration', 'vandalism', 'Block and unblock users', ['block', 'blockemail']],
  ['viewdeleted', 'administration', 'vandalism', 'View deleted files and pages',
    ['browsearchive', 'deletedhistory', 'deletedtext']],
  ['viewrestrictedlogs', 'administration', 'security', 'View restricted log entries', ['suppressionlog']],
  ['delete', 'administration', 'vandalism', 'Delete pages, revisions, and log entries', [
    ...EDIT, 'browsearchive', 'deletedhistory', 'deletedtext', 'delete', 'bigdelete',
    'deletelogentry', 'deleterevision', 'undelete',
  ]],
  ['oversight', 'administration', 'security', 'Hide users and suppress revisions',
    ['suppressrevision', 'viewsuppressed']],
  ['protect', 'administration', 'vandalism', 'Protect and unprotect pages', [...EDIT, 'editprotected', 'protect']],
  ['viewmywatchlist', 'watchlist-interaction', 'low', 'View your watchlist', ['viewmywatchlist']],
  // Upstream keys the group and risk as `editviewmywatchlist`, so core files this grant under
  // `other` with risk `unknown`; we use what that key evidently meant.
  ['editmywatchlist', 'watchlist-interaction', 'low', 'Edit your watchlist', ['editmywatchlist']],
  ['sendemail', 'email', 'security', 'Send email to other users', ['sendemail']],
  ['createaccount', 'administration', 'low', 'Create accounts', ['createaccount']],
  ['privateinfo', 'private-information', 'low', 'Access your private information', ['viewmyprivateinfo']],
  ['mergehistory', 'administration', 'vandalism', 'Merge page histories', ['mergehistory']],
  // The OAuth extension's own grant (extension.json GrantPermissions / Groups / RiskGroups).
  ['oauthmanageownclient', 'administration', 'internal', 'Manage your OAuth clients',
    ['mwoauthproposeconsumer', 'mwoauthupdateownconsumer', 'mwoauthmanagemygrants']],
  // Consumer::AUTH_ONLY_GRANTS: identify/profile only, no rights. MediaWiki offers them as a
  // registration "grant type" outside the grants matrix, so they have no upstream group or risk.
  ['mwoauth-authonly', 'identity', 'low',
    "User identity verification only, no ability to read pages or act on a user's behalf.", []],
  ['mwoauth-authonlyprivate', 'identity', 'low',
    "User identity verification only with access to real name and email address, no ability to read pages or act on a user's behalf.",
    []],
];

export const GRANTS: ReadonlyMap<string, GrantInfo> = new Map(
  ROWS.map(([name, group, risk, description, rights]) => [
    name,
    Object.freeze({ name, rights: Object.freeze(rights), group, risk, description }),
  ]),
);

/** GrantsInfo::getHiddenGrants: group `hidden`, always implied and forced on in forms. */
export const HIDDEN_GRANTS: readonly string[] = Object.freeze(['basic']);
export const AUTH_ONLY_GRANTS: readonly string[] = Object.freeze(['mwoauth-authonly', 'mwoauth-authonlyprivate']);
/** SubmitControl::getIrrevocableGrants: a user cannot drop these from an authorization. */
export const IRREVOCABLE_GRANTS: readonly string[] = Object.freeze([...HIDDEN_GRANTS, ...AUTH_ONLY_GRANTS]);

/**
 * Consumer::$mapBackCompatGrants (old DB name → API name). The DB JSON of `oarc_grants` and
 * `oaac_grants` keeps the old names so other wikis of a farm can still read it.
 */
const STORED_TO_API: ReadonlyMap<string, string> = new Map([
  ['useoauth', 'basic'],
  ['authonly', 'mwoauth-authonly'],
  ['authonlyprivate', 'mwoauth-authonlyprivate'],
]);
const API_TO_STORED: ReadonlyMap<string, string> = new Map([...STORED_TO_API].map(([stored, api]) => [api, stored]));

export function isKnownGrant(name: string): boolean {
  return GRANTS.has(name);
}

/** GrantsInfo::getGrantRights: union of the grants' rights; unknown names add nothing. */
export function grantRights(grants: Iterable<string>): Set<string> {
  const rights = new Set<string>();
  for (const grant of grants) {
    for (const right of GRANTS.get(grant)?.rights ?? []) {
      rights.add(right);
    }
  }
  return rights;
}

/** What a token may do: the user's rights ∩ its grants' rights. Granting what the user lacks does nothing. */
export function effectiveRights(userRights: Iterable<string>, grants: Iterable<string>): string[] {
  const granted = grantRights(grants);
  return [...new Set(userRights)].filter((right) => granted.has(right)).sort();
}

/** The private-info gate (docs/architecture.md §4): email and real name are released only under it. */
export function releasesPrivateInfo(grants: Iterable<string>): boolean {
  const list = [...grants];
  return list.includes('mwoauth-authonlyprivate') || grantRights(list).has('viewmyprivateinfo');
}

/** Consumer::encodeRow: API names → the names kept in the database. */
export function toStoredGrantNames(grants: Iterable<string>): string[] {
  return [...grants].map((grant) => API_TO_STORED.get(grant) ?? grant);
}

/** Consumer::decodeRow: names read from the database → API names. */
export function fromStoredGrantNames(stored: Iterable<string>): string[] {
  return [...stored].map((grant) => STORED_TO_API.get(grant) ?? grant);
}

export type GrantType = 'authonly' | 'authonlyprivate' | 'normal';

/**
 * The grants a registration form stores (ConsumerSubmitControl, propose): an auth-only grant
 * type stores just its pseudo-grant; `normal` stores the hidden grants plus the selection.
 * Every selected name must be known (Utils::grantsAreValid, which accepts the auth-only names).
 */
export function grantsForm(granttype: GrantType, selected: readonly string[]): string[] {
  const unknown = selected.filter((grant) => !isKnownGrant(grant));
  if (unknown.length > 0) {
    throw new DomainError('invalid_grant_name', `Unknown grant name(s): ${unknown.join(', ')}`);
  }
  switch (granttype) {
    case 'authonly':
      return ['mwoauth-authonly'];
    case 'authonlyprivate':
      return ['mwoauth-authonlyprivate'];
    case 'normal':
      return [...new Set([...HIDDEN_GRANTS, ...selected])];
    default:
      throw new DomainError('invalid_grant_type', `Unknown grant type: ${String(granttype)}`);
  }
}
