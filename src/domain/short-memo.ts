import { systemClock, type Clock } from './clock.js';

const MAX_ENTRIES = 5000;

export interface MemoOptions {
  /** How long an entry is served (3 s unless told). */
  readonly ttlMs?: number;
  readonly clock?: Clock;
}

/**
 * A per-process memo whose entries live a few seconds: lookups made on every token, userinfo and
 * authorize request (consumers, user profiles). Short enough that a change made through another
 * instance (a disabled consumer, a blocked user) is seen within seconds (docs/architecture.md
 * "Caches").
 */
export class ShortMemo<K, V> {
  readonly #load: (key: K) => Promise<V>;
  readonly #ttlMs: number;
  readonly #clock: Clock;
  readonly #entries = new Map<K, { value: Promise<V>; expires: number }>();

  constructor(load: (key: K) => Promise<V>, options: MemoOptions = {}) {
    this.#load = load;
    this.#ttlMs = options.ttlMs ?? 3000;
    this.#clock = options.clock ?? systemClock;
  }

  get(key: K): Promise<V> {
    const now = this.#clock();
    const hit = this.#entries.get(key);
    if (hit && hit.expires > now) return hit.value;
    if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
    const value = this.#load(key);
    this.#entries.set(key, { value, expires: now + this.#ttlMs });
    value.catch(() => this.#entries.delete(key));
    return value;
  }

  forget(key: K): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}
