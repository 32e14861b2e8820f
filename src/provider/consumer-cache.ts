import type { Consumer } from '../domain/consumers/consumer.js';
import type { ConsumerService } from '../domain/consumers/consumer-service.js';

const TTL_MS = 3000;
const MAX_ENTRIES = 5000;

/**
 * Per-process memo of consumer lookups: the client is read on every token, userinfo and authorize
 * request. Entries live a few seconds, so a consumer disabled through another instance is refused
 * here within seconds (issue 4: per-process caches expire within seconds).
 */
export class ConsumerCache {
  readonly #consumers: ConsumerService;
  readonly #entries = new Map<string, { value: Promise<Consumer | undefined>; expires: number }>();

  constructor(consumers: ConsumerService) {
    this.#consumers = consumers;
  }

  get(key: string): Promise<Consumer | undefined> {
    const now = Date.now();
    const hit = this.#entries.get(key);
    if (hit && hit.expires > now) return hit.value;
    if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
    const value = this.#consumers.findByKey(key);
    this.#entries.set(key, { value, expires: now + TTL_MS });
    value.catch(() => this.#entries.delete(key));
    return value;
  }

  forget(key: string): void {
    this.#entries.delete(key);
  }
}
