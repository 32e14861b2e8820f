import type { Context } from 'koa';

/**
 * The paths of wikiauth's own pages: the sign-in and sign-out pages, the steps of an OAuth 2
 * authorization, the management special pages (docs/mediawiki-compat.md §7), the home page and the
 * stylesheet. They carry MediaWiki's special page names, so on a wiki's own host some of them
 * would shadow the wiki's pages; `PAGE_PATH_PREFIX` moves all of them below one prefix (README,
 * "Running beside a MediaWiki wiki"). Protocol paths (Special:OAuth, rest.php/oauth2, api.php,
 * discovery) are what clients are configured with and never move.
 */
export interface PagePaths {
  /** The prefix itself ('' by default): every path below starts with it. */
  readonly prefix: string;
  readonly home: string;
  readonly stylesheet: string;
  /** Where page requests show the signed-in user's name in the header. */
  readonly articleRoot: string;
  readonly login: string;
  readonly logout: string;
  /** oidc-provider's interactions (sign-in and consent steps), `<interaction>/<uid>`. */
  readonly interaction: string;
  readonly registration: string;
  readonly manageConsumers: string;
  readonly listConsumers: string;
  readonly myGrants: string;
  readonly listGrants: string;
  /** Where a user turns two-factor authentication on or off (OATHAuth's special page name). */
  readonly twoFactor: string;
}

/** Every own page's path below `prefix` ('' or a path such as `/auth`, without a trailing slash). */
export function pagePaths(prefix: string): PagePaths {
  const special = (name: string) => `${prefix}/wiki/Special:${name}`;
  return {
    prefix,
    home: `${prefix}/`,
    stylesheet: `${prefix}/static/wikiauth.css`,
    articleRoot: `${prefix}/wiki/`,
    login: special('UserLogin'),
    logout: special('UserLogout'),
    interaction: special('OAuthInteraction'),
    registration: special('OAuthConsumerRegistration'),
    manageConsumers: special('OAuthManageConsumers'),
    listConsumers: special('OAuthListConsumers'),
    myGrants: special('OAuthManageMyGrants'),
    listGrants: special('ListGrants'),
    twoFactor: special('OATHManage'),
  };
}

/** The paths without a prefix: the default layout. */
export const DEFAULT_PAGE_PATHS = pagePaths('');

/**
 * The paths of the app serving this request, for the page templates (set once per request by
 * `src/app.ts`); a page rendered outside the app uses the default layout.
 */
export function pagesOf(ctx: Pick<Context, 'state'>): PagePaths {
  return (ctx.state.pages as PagePaths | undefined) ?? DEFAULT_PAGE_PATHS;
}

/** The sign-in page, returning to `returnTo` (a local path) afterwards. */
export function loginUrl(pages: PagePaths, returnTo: string): string {
  return `${pages.login}?returnto=${encodeURIComponent(returnTo)}`;
}

/** A wiki's own OATHAuth page, where its users manage two-factor authentication (MediaWiki database mode). */
export const WIKI_TWO_FACTOR_PATH = '/wiki/Special:OATHManage';
