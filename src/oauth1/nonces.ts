import { createHash } from 'node:crypto';
import type { ClaimOnce } from '../domain/artifacts/stores.js';
import { TIMESTAMP_THRESHOLD_SECONDS } from './checks.js';

/**
 * RFC 5849 §3.3 replay protection as `MWOAuthDataStore::lookup_nonce` does it: a nonce is
 * single-use per (consumer, token) and remembered until its timestamp + 300 s, by which time
 * the timestamp check refuses the request anyway.
 */
export class NonceStore {
  readonly #used: ClaimOnce;

  constructor(used: ClaimOnce) {
    this.#used = used;
  }

  /** True if this call claimed the nonce; false if it was used before. */
  claim(consumerKey: string, tokenKey: string, nonce: string, timestamp: number, nowSeconds: number): Promise<boolean> {
    // Hashed: the nonce is the client's free-form text, the store's keys are bounded.
    const id = createHash('sha256').update(`${consumerKey}\n${tokenKey}\n${nonce}`).digest('hex');
    const expiresIn = Math.max(1, timestamp + TIMESTAMP_THRESHOLD_SECONDS - nowSeconds);
    return this.#used.claim(id, expiresIn);
  }
}
