import { describe, expect, it } from 'vitest';
import { ConsumerCache } from '../../../src/domain/consumers/consumer-cache.js';
import type { Consumer } from '../../../src/domain/consumers/consumer.js';
import { ManualClock } from '../../helpers/clock.js';
import { MemoryConsumers } from '../../helpers/in-memory.js';

const KEY = 'a'.repeat(32);

function setUp() {
  const rows = new MemoryConsumers();
  rows.rows.push({ id: 1, key: KEY, name: 'App', stage: 'approved' } as unknown as Consumer);
  const clock = new ManualClock(0);
  let loads = 0;
  const cache = new ConsumerCache(
    (key) => {
      loads++;
      return rows.findByKey(key);
    },
    { ttlMs: 3000, clock: clock.now },
  );
  return { rows, clock, cache, loads: () => loads };
}

describe('ConsumerCache', () => {
  it('answers from memory within its lifetime and reloads after it, by the injected clock', async () => {
    const { rows, clock, cache, loads } = setUp();
    expect((await cache.get(KEY))?.stage).toBe('approved');
    // Changed behind the cache's back (another instance): still the old answer for now.
    await rows.update(1, { stage: 'disabled' });
    clock.advance(2999);
    expect((await cache.get(KEY))?.stage).toBe('approved');
    expect(loads()).toBe(1);
    clock.advance(2);
    expect((await cache.get(KEY))?.stage).toBe('disabled');
    expect(loads()).toBe(2);
  });

  it('forgets everything when a write goes through the repository it watches', async () => {
    const { rows, cache } = setUp();
    const watched = cache.watching(rows);
    expect((await cache.get(KEY))?.stage).toBe('approved');
    await watched.update(1, { stage: 'disabled' });
    expect((await cache.get(KEY))?.stage).toBe('disabled');
    expect(await watched.updateIf(1, { stage: 'disabled' }, { stage: 'approved' })).toBe(true);
    expect((await cache.get(KEY))?.stage).toBe('approved');
    await watched.delete(1);
    expect(await cache.get(KEY)).toBeUndefined();
  });

  it('does not keep a failed lookup', async () => {
    let fail = true;
    const cache = new ConsumerCache(async () => {
      if (fail) throw new Error('database down');
      return undefined;
    });
    await expect(cache.get(KEY)).rejects.toThrow('database down');
    fail = false;
    expect(await cache.get(KEY)).toBeUndefined();
  });
});
