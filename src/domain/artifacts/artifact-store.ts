/**
 * Short-lived artifacts: oidc-provider models (sessions, interactions, codes, tokens …), OAuth 1.0a
 * request tokens and nonces, the site session and rate-limit counters. SQL when there is no Redis;
 * Redis (with TTLs) otherwise.
 */
export interface ArtifactIndex {
  readonly grantId?: string;
  readonly uid?: string;
  readonly userCode?: string;
}

export interface ArtifactStore {
  /** `expiresIn` in seconds; undefined = no expiry. */
  upsert(model: string, id: string, payload: object, expiresIn: number | undefined, index?: ArtifactIndex): Promise<void>;
  /** The payload, with `consumed` set (epoch seconds) once consumed; expired entries are not found. */
  find(model: string, id: string): Promise<Record<string, unknown> | undefined>;
  findByUid(model: string, uid: string): Promise<Record<string, unknown> | undefined>;
  findByUserCode(model: string, userCode: string): Promise<Record<string, unknown> | undefined>;
  /** Atomic one-time use: true for exactly one caller, false if already consumed or gone. */
  consume(model: string, id: string): Promise<boolean>;
  destroy(model: string, id: string): Promise<void>;
  revokeByGrantId(model: string, grantId: string): Promise<void>;
  /** Add only if absent (replay caches, nonces): true if this call added it. */
  addOnce(model: string, id: string, expiresIn: number): Promise<boolean>;
  /** Increment a counter that expires `windowSeconds` after its first hit; returns the new count. */
  increment(model: string, id: string, windowSeconds: number): Promise<number>;
  /** Drop expired entries; returns how many. */
  collectGarbage(): Promise<number>;
}
