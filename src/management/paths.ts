/** The management special pages (docs/mediawiki-compat.md §7). */
export const REGISTRATION_PATH = '/wiki/Special:OAuthConsumerRegistration';
export const MANAGE_CONSUMERS_PATH = '/wiki/Special:OAuthManageConsumers';
export const LIST_CONSUMERS_PATH = '/wiki/Special:OAuthListConsumers';
export const MY_GRANTS_PATH = '/wiki/Special:OAuthManageMyGrants';
export const LIST_GRANTS_PATH = '/wiki/Special:ListGrants';
/** Extension:OATHAuth's page: enable or disable two-factor authentication for oneself. */
export const OATH_MANAGE_PATH = '/wiki/Special:OATHManage';
