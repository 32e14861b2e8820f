/** The site's own sign-in pages (MediaWiki's special page names), linked from every edge that needs a user. */
export const LOGIN_PATH = '/wiki/Special:UserLogin';
export const LOGOUT_PATH = '/wiki/Special:UserLogout';
/** Where a user manages two-factor authentication (OATHAuth's special page). */
export const TWO_FACTOR_PATH = '/wiki/Special:OATHManage';
