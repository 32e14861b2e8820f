const MAX_ENTRIES = 5000;

/**
 * A per-process memo whose entries live a few seconds: lookups made on every token, userinfo and
 * authorize request (consumers, user profiles, grants). Short enough that a change made through
 * another instance (a disabled consumer, a blocked user) is seen within seconds.
 */
export class ShortMemo<K, V> {
  readonly #load: (key: K) => Promise<V>;
  readonly #ttlMs: number;
  readonly #entries = new Map<K, { value: Promise<V>; expires: number }>();

  constructor(load: (key: K) => Promise<V>, ttlMs = 3000) {
    this.#load = load;
    this.#ttlMs = ttlMs;
  }

  get(key: K): Promise<V> {
    const now = Date.now();
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
}
