import type { ProviderArtifactStore } from '../domain/artifacts/provider-artifacts.js';

/**
 * Storage's own layout for short-lived state: payloads by (namespace, id) with expiry, one-time use,
 * indexes, add-once marks and counters; the provider's kinds are namespaces. `wikiauth_artifact` in
 * SQL, TTL'd hashes in Redis. The typed ports of src/domain/artifacts are built on it
 * (artifact-stores.ts); nothing outside storage sees it.
 */
export interface ArtifactTable extends ProviderArtifactStore {
  /** Add only if absent: true if this call added it. */
  addOnce(namespace: string, id: string, expiresIn: number): Promise<boolean>;
  /** Increment a counter that expires `windowSeconds` after its first hit; returns the new count. */
  increment(namespace: string, id: string, windowSeconds: number): Promise<number>;
  /** Take one back from a live counter, never below zero; a missing or expired counter stays so. */
  decrement(namespace: string, id: string): Promise<void>;
  /** Drop expired entries; returns how many. */
  collectGarbage(): Promise<number>;
}
