import { timingSafeEqual } from 'node:crypto';

/**
 * The wiki's own session as proof of sign-in (docs/sign-in.md, "The wiki's session"): the cookies
 * MediaWiki's CookieSessionProvider reads, checked against the session MediaWiki stored and the
 * user's row as MediaWiki's SessionManager checks them (loadSessionInfoFromStore). A cookie alone
 * proves nothing: the session must exist in the wiki's store.
 */

/** What the browser sent, as MediaWiki reads it (a `deleted` value counts as absent). */
export interface WikiSessionCookies {
  /** `$wgSessionName` / `<prefix>_session`. */
  readonly sessionId: string | undefined;
  readonly userId: string | undefined;
  readonly userName: string | undefined;
  /** Remember-me token, sent only when the user ticked "Keep me logged in". */
  readonly token: string | undefined;
}

/**
 * The session as the wiki stored it, decoded from PHP: arrays as plain objects (or JS arrays when
 * their keys are 0…n-1), objects as instances of some other class, so the two stay apart as they
 * do in PHP (`is_array`).
 */
export type StoredWikiSession = unknown;
export const UNDECODABLE = Symbol('undecodable');

/** A `user` row, as far as sessions are concerned. */
export interface WikiSessionUser {
  readonly name: string;
  /** `user_token`: the secret behind the session's `userToken` and the remember-me cookie. */
  readonly token: string;
}

/** Storage port: one session and one user, where the wiki keeps them. */
export interface WikiSessionSource {
  /**
   * The unexpired session stored under `<keyspace>:MWSession:<sessionId>` (undefined when there is
   * none) and the `user` row of `userId` (undefined when there is none).
   */
  load(sessionId: string, userId: number): Promise<{ readonly stored: StoredWikiSession | typeof UNDECODABLE | undefined; readonly user: WikiSessionUser | undefined }>;
}

/** The wiki session of a user, valid now. */
export interface WikiSignIn {
  readonly userId: number;
  /** Epoch seconds of the user's sign-in on the wiki (`AuthManager:lastAuthTimestamp`), else now. */
  readonly authTime: number;
}

export interface WikiSessionRules {
  readonly source: WikiSessionSource;
  /** User::getToken: what a session's `userToken` must be for this `user_token`; undefined = no valid token. */
  readonly derivedToken: (userToken: string) => Promise<string | undefined>;
  /** Blocked under `$wgBlockDisablesLogin`: no session of theirs counts. */
  readonly lockedOut: (userId: number) => Promise<boolean>;
  readonly now?: () => number;
}

/** MediaWiki's session ids: 32 characters from SessionManager::generateSessionId; at most 128 accepted here. */
const SESSION_ID = /^[a-zA-Z0-9_-]{32,128}$/;
const USER_ID = /^[1-9][0-9]{0,9}$/;
const COOKIE_PROVIDER = 'MediaWiki\\Session\\CookieSessionProvider';

export class WikiSessionAuthenticator {
  readonly #rules: WikiSessionRules;

  constructor(rules: WikiSessionRules) {
    this.#rules = rules;
  }

  /**
   * The signed-in user of these cookies, or undefined. Like MediaWiki: without a UserID cookie the
   * session is anonymous; UserName and Token, when sent, must match the user; the stored session must
   * name the same user and carry the token derived from the user's current `user_token` (a changed
   * token ends every session). Stricter than MediaWiki: a session without a user token, a session of
   * another session provider (bot passwords), or one logged out after its last sign-in is refused,
   * and UserID + Token cookies without a stored session (remember-me) are not enough.
   */
  async authenticate(cookies: WikiSessionCookies): Promise<WikiSignIn | undefined> {
    const { sessionId, userId: rawUserId } = cookies;
    if (sessionId === undefined || !SESSION_ID.test(sessionId) || rawUserId === undefined || !USER_ID.test(rawUserId)) return undefined;
    const userId = Number(rawUserId);
    const { stored, user } = await this.#rules.source.load(sessionId, userId);
    if (!user || stored === undefined || stored === UNDECODABLE) return undefined;
    if (cookies.userName !== undefined && cookies.userName !== user.name) return undefined;
    const token = await this.#rules.derivedToken(user.token);
    if (token === undefined) return undefined;
    if (cookies.token !== undefined && !sameString(cookies.token, token)) return undefined;

    const blob = phpArray(stored);
    const data = phpArray(blob && own(blob, 'data'));
    const metadata = phpArray(blob && own(blob, 'metadata'));
    if (!data || !metadata) return undefined;
    if (own(metadata, 'provider') !== COOKIE_PROVIDER) return undefined;
    if (own(metadata, 'userId') !== userId) return undefined;
    const storedName = own(metadata, 'userName');
    if (storedName !== null && storedName !== user.name) return undefined;
    const storedToken = own(metadata, 'userToken');
    if (typeof storedToken !== 'string' || !sameString(storedToken, token)) return undefined;

    const now = Math.floor((this.#rules.now?.() ?? Date.now()) / 1000);
    const expires = own(metadata, 'expires');
    if (typeof expires === 'number' && expires <= now) return undefined;
    const lastAuth = own(data, 'AuthManager:lastAuthTimestamp');
    const authTime = typeof lastAuth === 'number' && Number.isSafeInteger(lastAuth) && lastAuth > 0 && lastAuth <= now ? lastAuth : now;
    const loggedOut = own(metadata, 'loggedOut');
    if (typeof loggedOut === 'number' && loggedOut > 0 && !(typeof lastAuth === 'number' && lastAuth > loggedOut)) return undefined;
    if (await this.#rules.lockedOut(userId)) return undefined;
    return { userId, authTime };
  }
}

/** A PHP array (MediaWiki checks `is_array` on the blob, its data and its metadata); objects are not. */
function phpArray(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === Array.prototype ? (value as Record<string, unknown>) : undefined;
}

/** Own properties only: decoded data may name `__proto__` or `constructor`. */
function own(object: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/** Equal strings, compared in constant time (MediaWiki's hash_equals). */
function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
