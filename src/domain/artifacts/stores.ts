/**
 * The short-lived state the edges keep between requests, one port per need (docs/architecture.md
 * §3). Storage implements each on SQL and on Redis; the composition root decides which backend
 * holds which. Every method of every port may throw UnavailableError while its backend is down.
 */

/** A signed-in browser (src/http/site-session.ts). `generation`: see SessionGenerations. */
export interface SiteSessionRecord {
  readonly userId: number;
  readonly loginMs: number;
  readonly generation: number;
  /** The factors given at sign-in (RFC 8176 `amr`); absent in sessions from before it was recorded. */
  readonly amr?: readonly string[];
  /** Started from the wiki's session (src/http/wiki-session.ts): it lasts only as long as that one. */
  readonly fromWiki?: boolean;
}

export interface SiteSessionStore {
  save(id: string, session: SiteSessionRecord, ttlSeconds: number): Promise<void>;
  find(id: string): Promise<SiteSessionRecord | undefined>;
  destroy(id: string): Promise<void>;
}

/** Replay caches: a value may be claimed once while it is remembered (OAuth 1.0a nonces, RFC 5849 §3.3). */
export interface ClaimOnce {
  /** True if this call claimed `id`; false if it was claimed before and is still remembered. */
  claim(id: string, rememberSeconds: number): Promise<boolean>;
}

/** An OAuth 1.0a request token as stored (src/oauth1/request-tokens.ts holds its rules). */
export interface RequestTokenRecord {
  readonly secret: string;
  readonly consumerKey: string;
  readonly callback: string;
  readonly verifier?: string;
  readonly accessKey?: string;
}

export interface RequestTokenRecords {
  save(key: string, token: RequestTokenRecord, ttlSeconds: number): Promise<void>;
  /** The token and whether it was consumed; expired tokens are not found. */
  find(key: string): Promise<(RequestTokenRecord & { readonly used: boolean }) | undefined>;
  /** Atomic one-time use: true for exactly one caller. */
  consume(key: string): Promise<boolean>;
}

/** Timestamps by key with a lifetime: when a login interaction asked for the password again. */
export interface Marks {
  mark(id: string, atMs: number, ttlSeconds: number): Promise<void>;
  /** Milliseconds given to `mark`, unless expired. */
  find(id: string): Promise<number | undefined>;
}

/** Counters shared by every instance; `increment` is atomic and starts a window on its first hit. */
export interface Counters {
  increment(id: string, windowSeconds: number): Promise<number>;
  /** Take one hit back within the current window (never below zero; nothing when there is no window). */
  giveBack(id: string): Promise<void>;
  /** The count in the current window; 0 when there is none. */
  count(id: string): Promise<number>;
  reset(id: string): Promise<void>;
}

/** A password accepted for a user with two-factor authentication, waiting for the code (src/http/pending-sign-in.ts). */
export interface PendingSignInRecord {
  readonly userId: number;
  /** As typed, for the sign-in throttle's account counter. */
  readonly userName: string;
}

export interface PendingSignInStore {
  save(id: string, pending: PendingSignInRecord, ttlSeconds: number): Promise<void>;
  find(id: string): Promise<PendingSignInRecord | undefined>;
  destroy(id: string): Promise<void>;
}
