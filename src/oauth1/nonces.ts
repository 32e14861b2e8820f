import { createHash } from 'node:crypto';
import type { ArtifactStore } from '../domain/artifacts/artifact-store.js';
import { TIMESTAMP_THRESHOLD_SECONDS } from './checks.js';

const MODEL = 'OAuth1Nonce';

/**
 * RFC 5849 §3.3 replay protection as `MWOAuthDataStore::lookup_nonce` does it: a nonce is
 * single-use per (consumer, token) and remembered until its timestamp + 300 s, by which time
 * the timestamp check refuses the request anyway.
 */
export class NonceStore {
  readonly #artifacts: ArtifactStore;

  constructor(artifacts: ArtifactStore) {
    this.#artifacts = artifacts;
  }

  /** True if this call claimed the nonce; false if it was used before. */
  claim(consumerKey: string, tokenKey: string, nonce: string, timestamp: number, nowSeconds: number): Promise<boolean> {
    // Hashed: the nonce is the client's free-form text, the store's keys are bounded.
    const id = createHash('sha256').update(`${consumerKey}\n${tokenKey}\n${nonce}`).digest('hex');
    const expiresIn = Math.max(1, timestamp + TIMESTAMP_THRESHOLD_SECONDS - nowSeconds);
    return this.#artifacts.addOnce(MODEL, id, expiresIn);
  }
}
