/** The site's own sign-in pages (MediaWiki's special page names), linked from every edge that needs a user. */
export const LOGIN_PATH = '/wiki/Special:UserLogin';
export const LOGOUT_PATH = '/wiki/Special:UserLogout';
