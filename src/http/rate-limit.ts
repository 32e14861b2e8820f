import { createHash } from 'node:crypto';
import type { Counters } from '../domain/artifacts/stores.js';
import type { RateLimitAction, RateLimits } from '../config/config.js';
import { UnavailableError } from '../domain/errors.js';
import { addressIn } from './client-address.js';

/** MediaWiki's `actionthrottledtext`, the message every rate-limited answer carries. */
export const THROTTLED_TEXT =
  'As an anti-abuse measure, you are limited from performing this action too many times in a short space of time, and you have exceeded this limit. Please try again in a few minutes.';

/** Over a limit: each edge answers 429 with `Retry-After` in its protocol's format. */
export class RateLimitedError extends Error {
  readonly retryAfter: number;

  constructor(retryAfter: number) {
    super(THROTTLED_TEXT);
    this.name = 'RateLimitedError';
    this.retryAfter = retryAfter;
  }
}

export type RateLimitKeys = Partial<Record<'ip' | 'client' | 'user', string | undefined>>;

/**
 * MediaWiki's `$wgRateLimits` (User::pingLimiter): per action, at most N hits per T seconds for
 * each kind of key (address, client, user). Fixed windows aligned on the clock, so every instance
 * agrees on where a window ends and `Retry-After` is exact. Counters live in a shared store —
 * Redis when configured (shared by instances), else the database — with the window as their TTL.
 */
export class RateLimiter {
  readonly #store: Counters;
  readonly #limits: RateLimits;
  readonly #exempt: readonly string[];
  readonly #now: () => number;

  constructor(store: Counters, config: { rateLimits: RateLimits; rateLimitExempt: readonly string[] }, now: () => number = () => Date.now() / 1000) {
    this.#store = store;
    this.#limits = config.rateLimits;
    this.#exempt = config.rateLimitExempt;
    this.#now = now;
  }

  /** Count one hit on every bucket; throws RateLimitedError when one is over its limit. */
  async hit(action: RateLimitAction, keys: RateLimitKeys): Promise<void> {
    // `$wgRateLimitsExcludedIPs`: nothing is counted for these addresses.
    if (keys.ip !== undefined && addressIn(this.#exempt, keys.ip)) return;
    const rules = this.#limits[action];
    const now = this.#now();
    let retryAfter = 0;
    await Promise.all(
      Object.entries(rules).map(async ([kind, limit]) => {
        const key = keys[kind as keyof RateLimitKeys];
        if (!limit || key === undefined || key === '') return;
        const window = Math.floor(now / limit.seconds);
        const left = Math.max(1, Math.ceil((window + 1) * limit.seconds - now));
        // Hashed: keys are client-supplied text of any length; the store's ids are bounded.
        const id = `${action}:${kind}:${window}:${createHash('sha256').update(key).digest('base64url')}`;
        const count = await this.#count(id, left);
        if (count > limit.count) retryAfter = Math.max(retryAfter, left);
      }),
    );
    if (retryAfter > 0) throw new RateLimitedError(retryAfter);
  }

  /**
   * Counters live with the short-lived artifacts (Redis when configured). While that store is
   * down nothing is counted: a refresh or a client_credentials request needs only durable storage
   * and keeps working through the outage (docs/architecture.md §3), so the limit must not turn it
   * into a 503.
   */
  async #count(id: string, windowSeconds: number): Promise<number> {
    try {
      return await this.#store.increment(id, windowSeconds);
    } catch (err) {
      if (err instanceof UnavailableError) return 0;
      throw err;
    }
  }
}
