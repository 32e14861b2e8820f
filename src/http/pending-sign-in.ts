import { createHmac, randomBytes } from 'node:crypto';
import type { Context } from 'koa';
import type { Counters, PendingSignInStore } from '../domain/artifacts/stores.js';
import { safeEqual } from './site-session.js';

const COOKIE = 'wikiauth_2fa';
/** Time to type the code after the password; then the password is asked again. */
const LIFETIME_SECONDS = 600;

/** A password accepted for an enrolled user, waiting for the second factor (docs/sign-in.md). */
export interface PendingSignIn {
  readonly id: string;
  readonly userId: number;
  /** As typed, for the sign-in throttle's account counter. */
  readonly userName: string;
}

/**
 * The state between the password and the code: a random id in an HttpOnly cookie, the user in the
 * short-lived store (every instance sees it). No site session exists until the code is accepted; the
 * code form's CSRF token is bound to this id.
 */
export class PendingSignIns {
  readonly #store: PendingSignInStore;
  readonly #attempts: Counters;
  readonly #csrfKey: Buffer;

  /** `attempts`: counters for the codes typed per pending sign-in (kept apart by an `oath-pending:` prefix). */
  constructor(store: PendingSignInStore, attempts: Counters, secretKey: string) {
    this.#store = store;
    this.#attempts = attempts;
    this.#csrfKey = createHmac('sha256', secretKey).update('wikiauth second factor').digest();
  }

  async begin(ctx: Context, userId: number, userName: string): Promise<PendingSignIn> {
    await this.end(ctx);
    const pending: PendingSignIn = { id: randomBytes(32).toString('base64url'), userId, userName };
    await this.#store.save(pending.id, { userId, userName }, LIFETIME_SECONDS);
    ctx.cookies.set(COOKIE, pending.id, { httpOnly: true, sameSite: 'lax', secure: ctx.secure, maxAge: LIFETIME_SECONDS * 1000, signed: false, overwrite: true });
    return pending;
  }

  async current(ctx: Context): Promise<PendingSignIn | undefined> {
    const id = ctx.cookies.get(COOKIE);
    if (!id || !/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
    const record = await this.#store.find(id);
    return record && { id, ...record };
  }

  /** Counts a code typed for this sign-in; returns how many so far. */
  async countAttempt(pending: PendingSignIn): Promise<number> {
    return this.#attempts.increment(`oath-pending:${pending.id}`, LIFETIME_SECONDS);
  }

  async end(ctx: Context): Promise<void> {
    const id = ctx.cookies.get(COOKIE);
    if (id && /^[A-Za-z0-9_-]{43}$/.test(id)) await this.#store.destroy(id);
    ctx.cookies.set(COOKIE, null, { overwrite: true });
  }

  csrfToken(pending: PendingSignIn): string {
    return createHmac('sha256', this.#csrfKey).update(pending.id).digest('base64url');
  }

  checkCsrf(pending: PendingSignIn, token: unknown): boolean {
    return typeof token === 'string' && safeEqual(token, this.csrfToken(pending));
  }
}
