import type { Context } from 'koa';
import type { WikiSessionAuthenticator, WikiSessionCookies } from '../domain/accounts/wiki-session.js';
import { UnavailableError } from '../domain/errors.js';
import type { SiteSession, SiteSessions } from './site-session.js';

/** Cookie names of the wiki (MEDIAWIKI_SESSION settings). */
export interface WikiCookieNames {
  readonly sessionCookie: string;
  readonly cookiePrefix: string;
}

/** A cookie value longer than this is not MediaWiki's and is ignored. */
const MAX_COOKIE_LENGTH = 512;

/**
 * The wiki's session on this site (docs/sign-in.md, "The wiki's session"): where the browser sends
 * the wiki's cookies (a shared cookie domain), a valid wiki session signs the user in here, and the
 * site session it started lasts only as long as that wiki session does.
 */
export class WikiSessions {
  readonly #authenticator: WikiSessionAuthenticator;
  readonly #names: WikiCookieNames;
  readonly #amr: (userId: number) => Promise<readonly string[]>;

  /** `amr`: the authentication methods the wiki's sign-in required of this user (RFC 8176). */
  constructor(authenticator: WikiSessionAuthenticator, names: WikiCookieNames, amr: (userId: number) => Promise<readonly string[]>) {
    this.#authenticator = authenticator;
    this.#names = names;
    this.#amr = amr;
  }

  /**
   * A new site session from the wiki's session, or undefined (no wiki session, an invalid one, or the
   * wiki's store unreachable: then the password form is the way in).
   */
  async signIn(ctx: Context, sessions: SiteSessions): Promise<SiteSession | undefined> {
    let signIn;
    try {
      signIn = await this.#authenticator.authenticate(this.#cookies(ctx));
    } catch (err) {
      if (err instanceof UnavailableError) return undefined;
      throw err;
    }
    if (!signIn) return undefined;
    return sessions.start(ctx, signIn.userId, await this.#amr(signIn.userId), { fromWiki: true, loginMs: signIn.authTime * 1000 });
  }

  /** The wiki session this request carries is still valid and still this user's (a sign-out there ends ours). */
  async stillSignedIn(ctx: Context, userId: number): Promise<boolean> {
    const signIn = await this.#authenticator.authenticate(this.#cookies(ctx));
    return signIn?.userId === userId;
  }

  /** The cookies as PHP's `$_COOKIE` has them: URL-decoded, MediaWiki's `deleted` marker as absent. */
  #cookies(ctx: Context): WikiSessionCookies {
    const read = (name: string): string | undefined => {
      const raw = ctx.cookies.get(name, { signed: false });
      if (raw === undefined || raw.length > MAX_COOKIE_LENGTH) return undefined;
      let decoded = raw;
      try {
        decoded = decodeURIComponent(raw.replace(/\+/g, ' '));
      } catch {
        // PHP decodes what it can; a broken escape stays in the value, which then matches nothing.
      }
      return decoded === 'deleted' ? undefined : decoded;
    };
    const prefix = this.#names.cookiePrefix;
    return { sessionId: read(this.#names.sessionCookie), userId: read(`${prefix}UserID`), userName: read(`${prefix}UserName`), token: read(`${prefix}Token`) };
  }
}
