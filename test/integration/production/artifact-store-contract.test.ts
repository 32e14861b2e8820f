import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArtifactStore } from '../../../src/domain/artifacts/artifact-store.js';
import { ArtifactRouter } from '../../../src/storage/artifact-router.js';
import { connectRedis, createRedis } from '../../../src/storage/redis/create-redis.js';
import { RedisArtifactStore } from '../../../src/storage/redis/redis-artifact-store.js';
import { createKnex } from '../../../src/storage/sql/create-knex.js';
import { migrateLatest } from '../../../src/storage/sql/migrate.js';
import { SqlArtifactStore } from '../../../src/storage/sql/sql-artifact-store.js';
import { deleteRedisKeys, mariadbDatabase, REDIS_URL, sqliteDatabase, type TestDatabase } from '../../helpers/databases.js';

interface Backend {
  readonly store: ArtifactStore;
  readonly redis?: Redis;
  readonly prefix?: string;
  readonly db?: Knex;
  close(): Promise<void>;
}

async function sqlBackend(open: () => Promise<TestDatabase>): Promise<Backend> {
  const database = await open();
  const db = createKnex(database.config);
  await migrateLatest(db);
  const close = async () => {
    await db.destroy();
    await database.drop();
  };
  return { store: new SqlArtifactStore(db), db, close };
}

async function redisBackend(): Promise<Backend> {
  const redis = createRedis(REDIS_URL);
  expect(await connectRedis(redis)).toBe(true);
  const prefix = `wikiauth_t_${randomBytes(6).toString('hex')}:`;
  const close = async () => {
    redis.disconnect();
    await deleteRedisKeys(REDIS_URL, prefix);
  };
  return { store: new RedisArtifactStore(redis, prefix), redis, prefix, close };
}

async function routerBackend(): Promise<Backend> {
  const sql = await sqlBackend(async () => sqliteDatabase());
  const redis = await redisBackend();
  const close = async () => {
    await sql.close();
    await redis.close();
  };
  return { ...redis, db: sql.db, store: new ArtifactRouter(sql.store, redis.store), close };
}

const BACKENDS: Array<[string, () => Promise<Backend>]> = [
  ['SQL on SQLite', () => sqlBackend(async () => sqliteDatabase())],
  ['SQL on MariaDB', () => sqlBackend(mariadbDatabase)],
  ['Redis', redisBackend],
  ['SQL + Redis router', routerBackend],
];

const id = () => randomBytes(12).toString('base64url');

describe.each(BACKENDS)('ArtifactStore contract: %s', (_name, open) => {
  let backend: Backend;
  let store: ArtifactStore;

  beforeAll(async () => {
    backend = await open();
    store = backend.store;
  });
  afterAll(async () => backend?.close());

  it('stores, replaces and destroys payloads, and finds them by uid and user code', async () => {
    const key = id();
    expect(await store.find('Session', key)).toBeUndefined();
    await store.upsert('Session', key, { uid: 'u-1', accountId: '7', nested: { a: [1, 2] } }, 60, { uid: `uid-${key}` });
    expect(await store.find('Session', key)).toEqual({ uid: 'u-1', accountId: '7', nested: { a: [1, 2] } });
    expect(await store.findByUid('Session', `uid-${key}`)).toMatchObject({ accountId: '7' });
    expect(await store.findByUid('Interaction', `uid-${key}`)).toBeUndefined();
    expect(await store.find('Interaction', key)).toBeUndefined();

    await store.upsert('DeviceCode', key, { userCode: 'ABCD' }, 60, { userCode: `code-${key}` });
    expect(await store.findByUserCode('DeviceCode', `code-${key}`)).toEqual({ userCode: 'ABCD' });

    await store.upsert('Session', key, { accountId: '8' }, 60);
    expect(await store.find('Session', key)).toEqual({ accountId: '8' });
    await store.destroy('Session', key);
    expect(await store.find('Session', key)).toBeUndefined();
  });

  it('consumes a one-time artifact exactly once among 50 concurrent callers, and marks it consumed', async () => {
    for (const model of ['AuthorizationCode', 'RefreshToken', 'OAuth1RequestToken']) {
      const key = id();
      await store.upsert(model, key, { grantId: 'g' }, 60, { grantId: 'g' });
      const results = await Promise.all(Array.from({ length: 50 }, () => store.consume(model, key)));
      expect(results.filter(Boolean)).toHaveLength(1);
      const found = await store.find(model, key);
      expect(found).toMatchObject({ grantId: 'g' });
      expect(typeof found!.consumed).toBe('number');
      // A fresh upsert under the same id is a new, unconsumed artifact.
      await store.upsert(model, key, { grantId: 'g' }, 60);
      expect((await store.find(model, key))!.consumed).toBeUndefined();
    }
    expect(await store.consume('AuthorizationCode', id())).toBe(false);
  });

  it('revokes by grant id only the artifacts of that model and grant', async () => {
    const [grant, other] = [id(), id()];
    const [a, b, c, d] = [id(), id(), id(), id()];
    await store.upsert('AuthorizationCode', a, { grantId: grant }, 60, { grantId: grant });
    await store.upsert('AuthorizationCode', b, { grantId: grant }, 60, { grantId: grant });
    await store.upsert('AuthorizationCode', c, { grantId: other }, 60, { grantId: other });
    await store.upsert('AccessToken', d, { grantId: grant }, 60, { grantId: grant });
    await store.revokeByGrantId('AuthorizationCode', grant);
    expect(await store.find('AuthorizationCode', a)).toBeUndefined();
    expect(await store.find('AuthorizationCode', b)).toBeUndefined();
    expect(await store.find('AuthorizationCode', c)).toBeDefined();
    expect(await store.find('AccessToken', d)).toBeDefined();
    await store.revokeByGrantId('AccessToken', grant);
    expect(await store.find('AccessToken', d)).toBeUndefined();
  });

  it('adds once among concurrent callers and counts concurrent increments', async () => {
    const nonce = id();
    const added = await Promise.all(Array.from({ length: 20 }, () => store.addOnce('OAuth1Nonce', nonce, 60)));
    expect(added.filter(Boolean)).toHaveLength(1);

    const counter = id();
    const counts = await Promise.all(Array.from({ length: 20 }, () => store.increment('LoginThrottle', counter, 60)));
    expect([...counts].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(await store.find('LoginThrottle', counter)).toEqual({ count: 20 });
  });

  it('forgets artifacts, nonces and counters when they expire', async () => {
    const [key, nonce, counter] = [id(), id(), id()];
    await store.upsert('Interaction', key, { x: 1 }, 1);
    expect(await store.addOnce('OAuth1Nonce', nonce, 1)).toBe(true);
    expect(await store.increment('LoginThrottle', counter, 1)).toBe(1);
    await sleep(2100);
    expect(await store.find('Interaction', key)).toBeUndefined();
    expect(await store.addOnce('OAuth1Nonce', nonce, 60)).toBe(true);
    expect(await store.increment('LoginThrottle', counter, 60)).toBe(1);
    await store.collectGarbage();
  });
});

describe('RedisArtifactStore', () => {
  let backend: Backend;
  let store: ArtifactStore;
  let redis: Redis;

  beforeAll(async () => {
    backend = await redisBackend();
    store = backend.store;
    redis = backend.redis!;
  });
  afterAll(async () => backend?.close());

  it('puts a TTL on every key it writes, indexes included', async () => {
    const [key, grant] = [id(), id()];
    await store.upsert('Session', key, {}, 600, { uid: id(), grantId: grant, userCode: id() });
    await store.upsert('AuthorizationCode', key, {}, 60, { grantId: grant });
    await store.consume('AuthorizationCode', key);
    await store.addOnce('OAuth1Nonce', key, 300);
    await store.increment('LoginThrottle', key, 300);
    const keys = await redis.keys(`${backend.prefix}*`);
    expect(keys).toHaveLength(8);
    const ttls = await Promise.all(keys.map((k) => redis.ttl(k)));
    expect(ttls.filter((ttl) => ttl <= 0)).toEqual([]);
    // A grant index lives as long as its longest-lived member.
    expect(await redis.ttl(`${backend.prefix}grant:Session:${grant}`)).toBeGreaterThan(590);
  });

  it('keeps a grant index from growing with artifacts that are gone', async () => {
    const grant = id();
    const gone = Array.from({ length: 150 }, id);
    for (const key of gone) await store.upsert('Interaction', key, {}, 60, { grantId: grant });
    for (const key of gone) await store.destroy('Interaction', key);
    for (let i = 0; i < 30; i++) await store.upsert('Interaction', id(), {}, 60, { grantId: grant });
    expect(await redis.scard(`${backend.prefix}grant:Interaction:${grant}`)).toBeLessThanOrEqual(110);
  });

  it('answers UnavailableError, quickly, when Redis is gone', async () => {
    const client = createRedis('redis://127.0.0.1:1');
    await connectRedis(client, 300);
    const dead = new RedisArtifactStore(client, 'x:');
    const started = Date.now();
    await expect(dead.find('Session', 'x')).rejects.toMatchObject({ name: 'UnavailableError', code: 'temporarily_unavailable' });
    await expect(dead.consume('AuthorizationCode', 'x')).rejects.toMatchObject({ name: 'UnavailableError' });
    await expect(dead.ping()).rejects.toMatchObject({ name: 'UnavailableError' });
    expect(Date.now() - started).toBeLessThan(1000);
    client.disconnect();
  });
});

describe('ArtifactRouter: durable models in SQL, the rest in Redis', () => {
  let backend: Backend;
  let router: ArtifactRouter;

  beforeAll(async () => {
    backend = await routerBackend();
    router = backend.store as ArtifactRouter;
  });
  afterAll(async () => backend?.close());

  const inSql = async (model: string, key: string) => (await backend.db!('wikiauth_artifact').where({ wa_model: model, wa_id: key }).first()) !== undefined;
  const inRedis = async (model: string, key: string) => (await backend.redis!.exists(`${backend.prefix}artifact:${model}:${key}`)) === 1;

  it('routes by model name', async () => {
    for (const model of ['AccessToken', 'RefreshToken', 'RegistrationAccessToken']) {
      const key = id();
      await router.upsert(model, key, {}, 3600);
      expect([model, await inSql(model, key), await inRedis(model, key)]).toEqual([model, true, false]);
    }
    for (const model of ['Session', 'Interaction', 'AuthorizationCode', 'ReplayDetection', 'PushedAuthorizationRequest', 'ClientCredentials', 'SiteSession', 'OAuth1RequestToken']) {
      const key = id();
      await router.upsert(model, key, {}, 3600);
      expect([model, await inSql(model, key), await inRedis(model, key)]).toEqual([model, false, true]);
    }
    const nonce = id();
    await router.addOnce('OAuth1Nonce', nonce, 300);
    await router.increment('LoginThrottle', nonce, 300);
    expect(await inRedis('OAuth1Nonce', nonce)).toBe(true);
    expect(await inRedis('LoginThrottle', nonce)).toBe(true);
  });

  it('keeps a token that never expires in SQL and still finds and destroys it', async () => {
    const key = id();
    await router.upsert('ClientCredentials', key, { clientId: 'owner-only' }, undefined);
    expect(await inSql('ClientCredentials', key)).toBe(true);
    expect(await router.find('ClientCredentials', key)).toEqual({ clientId: 'owner-only' });
    await router.destroy('ClientCredentials', key);
    expect(await router.find('ClientCredentials', key)).toBeUndefined();
  });

  it('drops the short-lived artifacts of deleted grants from Redis', async () => {
    const grant = id();
    const [code, interaction] = [id(), id()];
    await router.upsert('AuthorizationCode', code, { grantId: grant }, 600, { grantId: grant });
    await router.upsert('Interaction', interaction, { grantId: grant }, 600, { grantId: grant });
    await router.revokeGrants([grant]);
    expect(await router.find('AuthorizationCode', code)).toBeUndefined();
    expect(await router.find('Interaction', interaction)).toBeUndefined();
  });
});
