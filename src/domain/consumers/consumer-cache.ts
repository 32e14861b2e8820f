import { ShortMemo, type MemoOptions } from '../short-memo.js';
import type { Consumer, ConsumerRepository } from './consumer.js';

/** What edges need of consumers on hot paths: a lookup by key. */
export interface ConsumerLookup {
  get(key: string): Promise<Consumer | undefined>;
}

/**
 * Consumer lookups by key, memoized for a few seconds: a consumer changed through another
 * instance is refused here within seconds. Changes made through this process never wait: the
 * repository the consumer services write through (`watching`) clears the memo on every write.
 */
export class ConsumerCache extends ShortMemo<string, Consumer | undefined> implements ConsumerLookup {
  constructor(load: (key: string) => Promise<Consumer | undefined>, options: MemoOptions = {}) {
    super(load, options);
  }

  /** The repository with every write clearing this memo (writes are rare: management actions). */
  watching(repository: ConsumerRepository): ConsumerRepository {
    const written = <A extends unknown[], R>(write: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
      try {
        return await write(...args);
      } finally {
        this.clear();
      }
    };
    return {
      findByKey: (key) => repository.findByKey(key),
      findById: (id) => repository.findById(id),
      latestVersion: (name, ownerId) => repository.latestVersion(name, ownerId),
      list: (query) => repository.list(query),
      create: written((consumer) => repository.create(consumer)),
      update: written((id, changes) => repository.update(id, changes)),
      updateIf: written((id, expected, changes) => repository.updateIf(id, expected, changes)),
      delete: written((id) => repository.delete(id)),
    };
  }
}
