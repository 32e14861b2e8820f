import type { RightsPolicy } from '../domain/accounts/rights.js';

/**
 * The one configuration object; built once from the environment by `loadConfig`. `mediawiki`: the
 * database is a wiki's own (MediaWiki database mode), `tablePrefix` its `$wgDBprefix`, put before
 * every table name.
 */
export type DatabaseConfig = (
  | { readonly client: 'sqlite'; readonly filename: string }
  | { readonly client: 'mysql'; readonly url: string }
) & { readonly tablePrefix?: string; readonly mediawiki?: boolean };

/** MediaWiki database mode: wikiauth runs on a wiki's own database (docs/mediawiki-compat.md). */
export interface MediaWikiMode {
  /** `$wgDBprefix`. */
  readonly tablePrefix: string;
  /** WikiMap::getCurrentWikiId(): `<dbname>` or `<dbname>-<prefix>`; stored `oaac_wiki`/`oarc_wiki` may name it. */
  readonly wikiId: string;
}

/**
 * MEDIAWIKI_SESSION=1: the wiki's own sign-in counts here (docs/sign-in.md, "The wiki's session").
 * Cookie names and the store key are MediaWiki's (CookieSessionProvider, SessionManager).
 */
export interface WikiSessionConfig {
  /** `$wgCookiePrefix`, with the characters MediaWiki replaces already replaced: `<prefix>UserID`, `<prefix>UserName`. */
  readonly cookiePrefix: string;
  /** `$wgSessionName`, else `<cookiePrefix>_session`. */
  readonly sessionCookie: string;
  /** The object cache's keyspace (`$wgCachePrefix`, else the wiki id): keys are `<keyspace>:MWSession:<id>`. */
  readonly keyspace: string;
  /**
   * `$wgSessionCacheType`: CACHE_DB (the `objectcache` table in the wiki's database, or in a SQLite
   * wiki's cache file) or a Redis server.
   */
  readonly store: { readonly kind: 'database' } | { readonly kind: 'sqlite'; readonly filename: string } | { readonly kind: 'redis'; readonly url: string };
  /** `$wgAuthenticationTokenVersion`; undefined = MediaWiki's default (null: the raw `user_token`). */
  readonly tokenVersion: string | undefined;
}

export interface TokenLifetimes {
  /** Seconds; MediaWiki's `$wgOAuth2GrantExpirationInterval` (PT1H). */
  readonly accessToken: number;
  readonly idToken: number;
  /** MediaWiki's `$wgOAuth2RefreshTokenTTL` (P1M). */
  readonly refreshToken: number;
  /** MediaWiki keeps codes for 10 minutes. */
  readonly authorizationCode: number;
  /** How long a site sign-in lasts. */
  readonly session: number;
}

export interface Config {
  readonly port: number;
  readonly host: string | undefined;
  /** Issuer URL without a trailing slash; discovery lives under `${issuer}/.well-known/`. */
  readonly issuer: string;
  readonly database: DatabaseConfig;
  /** Where embedded-mode files live (SQLite database, generated secret key). */
  readonly dataDir: string;
  readonly redis: { readonly url: string; readonly prefix: string } | undefined;
  /** MediaWiki's `$wgOAuthSecretKey`: HMAC key for client-facing secrets, root of derived keys. */
  readonly secretKey: string;
  /** Which proxies may tell us the client's address and scheme (`TRUST_PROXY`, docs/security.md). */
  readonly trustProxy: ProxyTrust;
  readonly tls: { readonly cert: string; readonly key: string } | undefined;
  /** MediaWiki's `$wgScriptPath` (`/w`); REST paths hang below it. */
  readonly scriptPath: string;
  /**
   * `PAGE_PATH_PREFIX`: put before the path of every page of wikiauth's own ('' = none), so that on
   * a wiki's host they do not shadow the wiki's (src/http/site-paths.ts).
   */
  readonly pagePathPrefix: string;
  /** `oarc_wiki` / `oaac_wiki` value for this site (`*` = every wiki, MediaWiki's default). */
  readonly wikiId: string;
  readonly ttl: TokenLifetimes;
  /** MediaWiki's `$wgOAuthAutoApprove`: a proposal meeting any one condition is approved at once. */
  readonly autoApprove: readonly AutoApproveCondition[];
  /** MediaWiki's `$wgMWOAuthRequestExpirationAge` in seconds (30 days); 0 = proposals never expire. */
  readonly requestExpirationAge: number;
  readonly registration: RegistrationPolicy;
  /**
   * The wiki's `$wgOAuth2PrivateKey` (PEM) signing OAuth 2 access tokens, from
   * OAUTH2_PRIVATE_KEY_FILE; undefined = a key pair generated and kept in the database.
   */
  readonly oauth2PrivateKey: string | undefined;
  /** MediaWiki's `$wgOAuth2RefreshTokenGracePeriod` in seconds: a just-used refresh token still works this long. */
  readonly refreshTokenGracePeriod: number;
  /** `REQUIRE_PKCE`: every authorization code request needs PKCE, confidential clients too (RFC 9700 §2.1.1). */
  readonly requirePkce: boolean;
  /** `RATE_LIMITS`, MediaWiki's `$wgRateLimits` for this service's expensive or guessable endpoints. */
  readonly rateLimits: RateLimits;
  /** `RATE_LIMITS_EXEMPT`: addresses never limited (MediaWiki's `$wgRateLimitsExcludedIPs`). */
  readonly rateLimitExempt: readonly string[];
  /** `PASSWORD_PBKDF2` (`algo:rounds:bytes`), MediaWiki's `$wgPasswordConfig['pbkdf2']` for new hashes. */
  readonly passwordPbkdf2: { readonly algo: string; readonly rounds: number; readonly length: number };
  /** Set when wikiauth shares a MediaWiki wiki's database (MEDIAWIKI_DB=1). */
  readonly mediawiki: MediaWikiMode | undefined;
  /** Set when the wiki's signed-in users are signed in here too (MEDIAWIKI_SESSION=1). */
  readonly wikiSession: WikiSessionConfig | undefined;
  /** Rights per group, as the wiki's settings (MEDIAWIKI_RIGHTS_FILE) or the built-in defaults give them. */
  readonly rights: RightsPolicy;
  /** MediaWiki's `$wgBlockDisablesLogin`: a blocked user can neither sign in nor use anything signed in before. */
  readonly blockDisablesLogin: boolean;
}

/** At most `count` hits per `seconds` (one `$wgRateLimits` entry, `[count, seconds]`). */
export interface Limit {
  readonly count: number;
  readonly seconds: number;
}

/**
 * `token`: the OAuth 2 token endpoint; `oauth1`: OAuth 1.0a initiate and token; `register`: dynamic
 * client registration; `propose`: consumer proposals (Special:OAuthConsumerRegistration, REST).
 */
export type RateLimitAction = 'token' | 'oauth1' | 'register' | 'propose';
export type RateLimits = Readonly<Record<RateLimitAction, Readonly<Partial<Record<'ip' | 'client' | 'user', Limit>>>>>;

/**
 * `{ hops: n }`: the n nearest hops are trusted proxies (0 = none); `{ ranges }`: proxies inside these
 * addresses or CIDR ranges are trusted.
 */
export type ProxyTrust = { readonly hops: number } | { readonly ranges: readonly string[] };

/** One `$wgOAuthAutoApprove` condition; every rule given must hold (Workflow::consumerCanBeAutoApproved). */
export interface AutoApproveCondition {
  /** Every grant of the consumer must be in this list (`basic` included). */
  readonly grants?: readonly string[];
  /** The callback URL's scheme must be one of these (`https`, …). */
  readonly protocols?: readonly string[];
}

/**
 * Dynamic client registration (RFC 7591/7592): `off`, `open` (anyone may register) or `token`
 * (a Bearer initial access token is required). Registered clients become consumers owned by the
 * system account, approved at once when `approve` is set, else proposed for an administrator.
 */
export interface RegistrationPolicy {
  readonly mode: 'off' | 'open' | 'token';
  readonly initialAccessToken: string | undefined;
  readonly approve: boolean;
}

/** A bad setting; its message is one line naming the variable. */
export class ConfigError extends Error {
  readonly variable: string;

  constructor(variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}
