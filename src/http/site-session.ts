import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import type { SiteSessionRecord, SiteSessionStore } from '../domain/artifacts/stores.js';
import type { SessionGenerations } from '../domain/accounts/session-generations.js';
import { PASSWORD_ONLY } from '../domain/accounts/assurance.js';

export const SITE_SESSION_COOKIE = 'wikiauth_session';
const LOGIN_NONCE_COOKIE = 'wikiauth_login';

export interface SiteSession {
  readonly id: string;
  readonly userId: number;
  /** Epoch seconds of the last password entry (OIDC `auth_time`). */
  readonly loginTs: number;
  /** The same in milliseconds, to tell a password entered just now from one entered a moment before. */
  readonly loginMs: number;
  /**
   * The factors given at that sign-in, as RFC 8176 names them: `pwd`, and `otp` after a TOTP code or
   * scratch token (docs/sign-in.md, "Two-factor authentication").
   */
  readonly amr: readonly string[];
  /** Started from the wiki's session (src/http/wiki-session.ts): it ends when that one does. */
  readonly fromWiki?: boolean;
}

/** Where a site session came from, when not from a sign-in on this site just now. */
export interface SessionOrigin {
  readonly fromWiki?: boolean;
  /** When the user authenticated (epoch ms); default now. */
  readonly loginMs?: number;
}


/**
 * The one site sign-in (docs/architecture.md §2), shared by OIDC interactions, Special:OAuth and the management
 * pages: a random id in an HttpOnly, SameSite=Lax cookie, the session itself in the site-session
 * store (so every instance sees it). CSRF tokens are HMACs bound to the session (or, before sign-in, to a
 * login nonce cookie).
 */
export class SiteSessions {
  readonly #store: SiteSessionStore;
  readonly #ttl: number;
  readonly #csrfKey: Buffer;
  readonly #generations: SessionGenerations;
  readonly #lockedOut: (userId: number) => Promise<boolean>;
  readonly #wikiSignedIn: ((ctx: Context, userId: number) => Promise<boolean>) | undefined;

  /**
   * `generations`: a session from before the user's generation moved on is over; `lockedOut`: a user
   * who may no longer be signed in (blocked under `$wgBlockDisablesLogin`); their sessions end;
   * `wikiSignedIn`: whether the wiki session a session came from still holds, asked on each use.
   */
  constructor(
    store: SiteSessionStore,
    ttlSeconds: number,
    secretKey: string,
    generations: SessionGenerations,
    lockedOut: (userId: number) => Promise<boolean> = async () => false,
    wikiSignedIn?: (ctx: Context, userId: number) => Promise<boolean>,
  ) {
    this.#store = store;
    this.#generations = generations;
    this.#ttl = ttlSeconds;
    this.#csrfKey = createHmac('sha256', secretKey).update('wikiauth csrf').digest();
    this.#lockedOut = lockedOut;
    this.#wikiSignedIn = wikiSignedIn;
  }

  async current(ctx: Context): Promise<SiteSession | undefined> {
    if (ctx.state.siteSession !== undefined) return ctx.state.siteSession ?? undefined;
    const id = ctx.cookies.get(SITE_SESSION_COOKIE);
    let session: SiteSession | undefined;
    if (id && /^[A-Za-z0-9_-]{43}$/.test(id)) {
      const payload = await this.#store.find(id);
      // A session from before the user's password change, two-factor disabling or block is over.
      if (payload && (payload.generation !== (await this.#generations.current(payload.userId)) || (await this.#lockedOut(payload.userId)) || (await this.#wikiSignedOut(ctx, payload)))) {
        await this.#store.destroy(id);
        ctx.cookies.set(SITE_SESSION_COOKIE, null, { overwrite: true });
      } else if (payload) {
        const { userId, loginMs, fromWiki } = payload;
        session = { id, userId, loginMs, loginTs: Math.floor(loginMs / 1000), amr: payload.amr ?? PASSWORD_ONLY, ...(fromWiki ? { fromWiki } : {}) };
      }
    }
    ctx.state.siteSession = session ?? null;
    return session;
  }

  /** Sign in: always a new id (session fixation), the old session dropped; `amr` names the factors given. */
  async start(ctx: Context, userId: number, amr: readonly string[] = PASSWORD_ONLY, origin: SessionOrigin = {}): Promise<SiteSession> {
    const old = await this.current(ctx);
    if (old) await this.#store.destroy(old.id);
    const loginMs = origin.loginMs ?? Date.now();
    const fromWiki = origin.fromWiki ? { fromWiki: true } : {};
    const session: SiteSession = { id: randomBytes(32).toString('base64url'), userId, loginMs, loginTs: Math.floor(loginMs / 1000), amr: [...amr], ...fromWiki };
    const generation = await this.#generations.current(userId);
    await this.#store.save(session.id, { userId, loginMs, generation, amr: session.amr, ...fromWiki }, this.#ttl);
    ctx.cookies.set(SITE_SESSION_COOKIE, session.id, { httpOnly: true, sameSite: 'lax', secure: ctx.secure, maxAge: this.#ttl * 1000, signed: false, overwrite: true });
    ctx.cookies.set(LOGIN_NONCE_COOKIE, null, { overwrite: true });
    ctx.state.siteSession = session;
    return session;
  }

  async end(ctx: Context): Promise<void> {
    const session = await this.current(ctx);
    if (session) await this.#store.destroy(session.id);
    ctx.cookies.set(SITE_SESSION_COOKIE, null, { overwrite: true });
    ctx.state.siteSession = null;
  }

  /** A session that came from the wiki's session ends with it (docs/sign-in.md, "The wiki's session"). */
  async #wikiSignedOut(ctx: Context, record: SiteSessionRecord): Promise<boolean> {
    if (!record.fromWiki) return false;
    return !this.#wikiSignedIn || !(await this.#wikiSignedIn(ctx, record.userId));
  }

  /** CSRF token for forms of a signed-in user. */
  csrfToken(session: SiteSession): string {
    return this.#mac(`session:${session.id}`);
  }

  checkCsrf(session: SiteSession | undefined, token: unknown): boolean {
    return session !== undefined && typeof token === 'string' && safeEqual(token, this.csrfToken(session));
  }

  /** Login forms are protected too (login CSRF): the token is bound to a nonce cookie. */
  loginCsrfToken(ctx: Context): string {
    let nonce = ctx.cookies.get(LOGIN_NONCE_COOKIE);
    if (!nonce || !/^[A-Za-z0-9_-]{22}$/.test(nonce)) {
      nonce = randomBytes(16).toString('base64url');
      ctx.cookies.set(LOGIN_NONCE_COOKIE, nonce, { httpOnly: true, sameSite: 'lax', secure: ctx.secure, signed: false, overwrite: true });
    }
    return this.#mac(`login:${nonce}`);
  }

  checkLoginCsrf(ctx: Context, token: unknown): boolean {
    const nonce = ctx.cookies.get(LOGIN_NONCE_COOKIE);
    return !!nonce && typeof token === 'string' && safeEqual(token, this.#mac(`login:${nonce}`));
  }

  #mac(data: string): string {
    return createHmac('sha256', this.#csrfKey).update(data).digest('base64url');
  }
}

/** Constant-time comparison of two tokens. */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
