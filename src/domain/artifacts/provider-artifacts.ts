/**
 * What the OAuth 2 / OpenID provider keeps between requests (sessions, interactions, codes, tokens,
 * replay caches …), each under a kind the provider names. Storage does not know the kinds: which
 * kinds are durable is the provider's knowledge, and where durable and short-lived ones live is
 * decided in the composition root (docs/architecture.md §3).
 */
export interface ArtifactIndex {
  readonly grantId?: string;
  readonly uid?: string;
  readonly userCode?: string;
}

export interface ProviderArtifactStore {
  /** `expiresIn` in seconds; undefined = no expiry. */
  upsert(kind: string, id: string, payload: object, expiresIn: number | undefined, index?: ArtifactIndex): Promise<void>;
  /** The payload, with `consumed` set (epoch seconds) once consumed; expired entries are not found. */
  find(kind: string, id: string): Promise<Record<string, unknown> | undefined>;
  findByUid(kind: string, uid: string): Promise<Record<string, unknown> | undefined>;
  findByUserCode(kind: string, userCode: string): Promise<Record<string, unknown> | undefined>;
  /** Atomic one-time use: true for exactly one caller, false if already consumed or gone. */
  consume(kind: string, id: string): Promise<boolean>;
  destroy(kind: string, id: string): Promise<void>;
  revokeByGrantId(kind: string, grantId: string): Promise<void>;
  /** The ids of a kind's artifacts under a grant, as stored (for kinds whose ids are not hashed). */
  idsByGrantId(kind: string, grantId: string): Promise<string[]>;
}
