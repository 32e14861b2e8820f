import { createHash } from 'node:crypto';
import type { ArtifactStore } from '../domain/artifacts/artifact-store.js';
import type { RateLimitAction, RateLimits } from '../config/config.js';
import { UnavailableError } from '../domain/errors.js';
import { addressIn } from './client-address.js';

const MODEL = 'RateLimit';

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
 * agrees on where a window ends and `Retry-After` is exact. Counters live in the artifact store —
 * Redis when configured (shared by instances), else the database — with the window as their TTL.
 */
export class RateLimiter {
  readonly #store: ArtifactStore;
  readonly #limits: RateLimits;
  readonly #exempt: readonly string[];
  readonly #now: () => number;

  constructor(store: ArtifactStore, config: { rateLimits: RateLimits; rateLimitExempt: readonly string[] }, now: () => number = () => Date.now() / 1000) {
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
        const count = await this.#store.increment(MODEL, id, left).catch((err: unknown) => {
          // Fail open: with the counters' store down, requests that need nothing else from it (a
          // refresh with durable tokens in SQL) keep working; the rest answer 503 on their own.
          if (err instanceof UnavailableError) return 0;
          throw err;
        });
        if (count > limit.count) retryAfter = Math.max(retryAfter, left);
      }),
    );
    if (retryAfter > 0) throw new RateLimitedError(retryAfter);
  }
}
