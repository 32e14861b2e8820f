import type { Consumer } from '../domain/consumers/consumer.js';
import type { ConsumerService } from '../domain/consumers/consumer-service.js';
import { ShortMemo } from './short-memo.js';

/**
 * Consumer lookups by key, memoized for 3 s: a consumer disabled through another instance is
 * refused here within seconds (issue 4: per-process caches expire within seconds).
 */
export class ConsumerCache extends ShortMemo<string, Consumer | undefined> {
  constructor(consumers: ConsumerService) {
    super((key) => consumers.findByKey(key));
  }
}
