import type { Knex } from 'knex';
import { describe, expect, it } from 'vitest';
import { createKnex } from '../../src/storage/sql/create-knex.js';
import { SqlArtifactStore } from '../../src/storage/sql/sql-artifact-store.js';
import { SQL_DIALECTS } from '../helpers/databases.js';
import { useMigratedDatabase } from '../helpers/migrated.js';

const PAST = () => Math.floor(Date.now() / 1000) - 10;

describe.each(SQL_DIALECTS)('SqlArtifactStore on %s', (_dialect, open) => {
  const ctx = useMigratedDatabase(open);
  const store = () => new SqlArtifactStore(ctx.db);

  /** Stores on separate connections (separate knex instances), as several processes would have. */
  async function withConnections(n: number, use: (stores: SqlArtifactStore[]) => Promise<void>): Promise<void> {
    const connections: Knex[] = Array.from({ length: n }, () => createKnex(ctx.database.config));
    try {
      await use(connections.map((db) => new SqlArtifactStore(db)));
    } finally {
      await Promise.all(connections.map((db) => db.destroy()));
    }
  }

  it('stores payloads with their indexes and finds them by id, uid and user code', async () => {
    const payload = { accountId: '0123', jti: '0123', nested: { scope: 'openid' } };
    await store().upsert('Session', '0123', payload, 60, { uid: '00123', grantId: 'g-1', userCode: '0000-1111' });
    expect(await store().find('Session', '0123')).toEqual(payload);
    expect(await store().findByUid('Session', '00123')).toEqual(payload);
    expect(await store().findByUserCode('Session', '0000-1111')).toEqual(payload);
    expect(await store().find('Interaction', '0123')).toBeUndefined();
    expect(await store().findByUid('Interaction', '00123')).toBeUndefined();
    expect(await store().find('Session', '123')).toBeUndefined();
  });

  it('keeps entries without expiry and hides expired ones', async () => {
    await store().upsert('Grant', 'forever', { a: 1 }, undefined);
    await store().upsert('Session', 'expired', { a: 2 }, -10, { uid: 'expired-uid' });
    expect(await store().find('Grant', 'forever')).toEqual({ a: 1 });
    expect(await store().find('Session', 'expired')).toBeUndefined();
    expect(await store().findByUid('Session', 'expired-uid')).toBeUndefined();
  });

  it('replaces a payload on upsert and clears its consumed mark', async () => {
    await store().upsert('AuthorizationCode', 'code-1', { v: 1 }, 60);
    expect(await store().consume('AuthorizationCode', 'code-1')).toBe(true);
    await store().upsert('AuthorizationCode', 'code-1', { v: 2 }, 60);
    expect(await store().find('AuthorizationCode', 'code-1')).toEqual({ v: 2 });
  });

  it('consumes once and reports when', async () => {
    await store().upsert('AuthorizationCode', 'code-2', { v: 1 }, 60);
    const before = Math.floor(Date.now() / 1000);
    expect(await store().consume('AuthorizationCode', 'code-2')).toBe(true);
    expect(await store().consume('AuthorizationCode', 'code-2')).toBe(false);
    const found = await store().find('AuthorizationCode', 'code-2');
    expect(found).toEqual({ v: 1, consumed: expect.any(Number) });
    expect(found!.consumed).toBeGreaterThanOrEqual(before);
    expect(await store().consume('AuthorizationCode', 'missing')).toBe(false);
  });

  it('lets exactly one of 50 concurrent consumers, over several connections, win', async () => {
    await store().upsert('RefreshToken', 'race', { v: 1 }, 60);
    await withConnections(5, async (stores) => {
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => stores[i % stores.length]!.consume('RefreshToken', 'race')));
      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });

  it('destroys one entry and revokes by grant id within one model', async () => {
    await store().upsert('AccessToken', 'at-1', {}, 60, { grantId: 'g-2' });
    await store().upsert('AccessToken', 'at-2', {}, 60, { grantId: 'g-2' });
    await store().upsert('AccessToken', 'at-3', {}, 60, { grantId: 'g-3' });
    await store().upsert('RefreshToken', 'rt-1', {}, 60, { grantId: 'g-2' });
    await store().destroy('AccessToken', 'at-1');
    expect(await store().find('AccessToken', 'at-1')).toBeUndefined();
    await store().revokeByGrantId('AccessToken', 'g-2');
    expect(await store().find('AccessToken', 'at-2')).toBeUndefined();
    expect(await store().find('AccessToken', 'at-3')).toEqual({});
    expect(await store().find('RefreshToken', 'rt-1')).toEqual({});
  });

  it('adds once, per model, and lets an expired leftover be added again', async () => {
    expect(await store().addOnce('Nonce', '0123', 60)).toBe(true);
    expect(await store().addOnce('Nonce', '0123', 60)).toBe(false);
    expect(await store().addOnce('OtherNonce', '0123', 60)).toBe(true);
    expect(await store().addOnce('Nonce', 'stale', -10)).toBe(true);
    expect(await store().addOnce('Nonce', 'stale', 60)).toBe(true);
    expect(await store().addOnce('Nonce', 'stale', 60)).toBe(false);
  });

  it('counts within a window and starts again once it has passed', async () => {
    expect(await store().increment('Throttle', 'user:0123', 60)).toBe(1);
    expect(await store().increment('Throttle', 'user:0123', 60)).toBe(2);
    expect(await store().increment('Throttle', 'user:0123', 60)).toBe(3);
    await ctx.db('wikiauth_artifact').where({ wa_model: 'Throttle', wa_id: 'user:0123' }).update({ wa_expires: PAST() });
    expect(await store().increment('Throttle', 'user:0123', 60)).toBe(1);
  });

  it('counts 20 concurrent hits over several connections without losing or failing one', async () => {
    await withConnections(5, async (stores) => {
      const counts = await Promise.all(Array.from({ length: 20 }, (_, i) => stores[i % stores.length]!.increment('Throttle', 'ip:0123', 60)));
      expect(counts.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    });
  });

  it('collects expired entries only', async () => {
    await store().upsert('Session', 'old-1', {}, -10);
    await store().upsert('Session', 'old-2', {}, -10);
    const removed = await store().collectGarbage();
    expect(removed).toBeGreaterThanOrEqual(2);
    expect(await ctx.db('wikiauth_artifact').where('wa_expires', '<=', PAST() + 10).count({ n: '*' })).toEqual([{ n: 0 }]);
    expect(await store().find('Grant', 'forever')).toEqual({ a: 1 });
    expect(await store().find('Session', '0123')).toBeDefined();
  });
});
