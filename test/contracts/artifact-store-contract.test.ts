import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { placeStores, type PlacedStores } from '../../src/compose-storage.js';
import { ProviderArtifacts } from '../../src/provider/artifact-placement.js';
import type { ArtifactTable } from '../../src/storage/artifact-table.js';
import { connectRedis, createRedis } from '../../src/storage/redis/create-redis.js';
import { RedisArtifactStore } from '../../src/storage/redis/redis-artifact-store.js';
import { openRedisArtifactStores, sqlArtifactStores } from '../../src/storage/short-lived-storage.js';
import { createKnex } from '../../src/storage/sql/create-knex.js';
import { migrateLatest } from '../../src/storage/sql/migrate.js';
import { testConfig } from '../helpers/config.js';
import { deleteRedisKeys, mariadbDatabase, mariadbRedisDatabase, REDIS_URL, sqliteDatabase, type TestDatabase } from '../helpers/databases.js';
import { memoryArtifactStores } from '../helpers/in-memory.js';
import { shortLivedStoresContract, type ShortLivedBackend } from './short-lived-stores.js';

const id = () => randomBytes(12).toString('base64url');

async function migrated(database: TestDatabase): Promise<Knex> {
  const db = createKnex(database.config);
  await migrateLatest(db);
  return db;
}

async function sqlBackend(open: () => Promise<TestDatabase>): Promise<ShortLivedBackend> {
  const database = await open();
  const db = await migrated(database);
  return {
    stores: sqlArtifactStores(db),
    close: async () => {
      await db.destroy();
      await database.drop();
    },
  };
}

async function redisBackend(): Promise<ShortLivedBackend> {
  const prefix = `wikiauth_t_${randomBytes(6).toString('hex')}:`;
  const redis = await openRedisArtifactStores({ url: REDIS_URL, prefix });
  return {
    stores: redis.stores,
    close: async () => {
      redis.close();
      await deleteRedisKeys(REDIS_URL, prefix);
    },
  };
}

/** What the composition root builds on MariaDB + Redis: the placed ports, the provider's router over its places. */
async function placedBackend(): Promise<ShortLivedBackend & { placed: PlacedStores; providerArtifacts: ProviderArtifacts; db: Knex; prefix: string }> {
  const database = await mariadbRedisDatabase();
  const db = await migrated(database);
  const config = testConfig(database);
  const placed = await placeStores(config, db);
  const providerArtifacts = new ProviderArtifacts(placed.providerArtifacts);
  return {
    placed,
    providerArtifacts,
    db,
    prefix: config.redis!.prefix,
    stores: { ...placed, providerArtifacts },
    close: async () => {
      placed.close();
      await db.destroy();
      await database.drop();
    },
  };
}

shortLivedStoresContract('in memory (the unit tests\' fakes)', async () => ({ stores: memoryArtifactStores(), close: async () => undefined }));
shortLivedStoresContract('SQL on SQLite', () => sqlBackend(async () => sqliteDatabase()));
shortLivedStoresContract('SQL on MariaDB', () => sqlBackend(mariadbDatabase));
shortLivedStoresContract('Redis', redisBackend);
shortLivedStoresContract('placed on MariaDB + Redis', placedBackend);

describe('RedisArtifactStore', () => {
  const prefix = `wikiauth_t_${randomBytes(6).toString('hex')}:`;
  const backend = { prefix };
  let store: ArtifactTable;
  let redis: Redis;

  beforeAll(async () => {
    redis = createRedis(REDIS_URL);
    expect(await connectRedis(redis)).toBe(true);
    store = new RedisArtifactStore(redis, prefix);
  });
  afterAll(async () => {
    redis?.disconnect();
    await deleteRedisKeys(REDIS_URL, prefix);
  });

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

describe('placement on MariaDB + Redis: durable provider models in SQL, the rest in Redis', () => {
  let backend: Awaited<ReturnType<typeof placedBackend>>;
  let router: ProviderArtifacts;

  beforeAll(async () => {
    backend = await placedBackend();
    router = backend.providerArtifacts;
  });
  afterAll(async () => backend?.close());

  const inSql = async (model: string, key: string) => (await backend.db('wikiauth_artifact').where({ wa_model: model, wa_id: key }).first()) !== undefined;
  const inRedis = async (model: string, key: string) => (await redisExists(`${backend.prefix}artifact:${model}:${key}`)) === 1;
  let client: Redis | undefined;
  async function redisExists(key: string): Promise<number> {
    client ??= createRedis(REDIS_URL);
    await connectRedis(client);
    return client.exists(key);
  }
  afterAll(() => client?.disconnect());

  it('routes provider artifacts by the provider\'s models, and every other port to Redis', async () => {
    for (const model of ['AccessToken', 'RegistrationAccessToken']) {
      const key = id();
      await router.upsert(model, key, {}, 3600);
      expect([model, await inSql(model, key), await inRedis(model, key)]).toEqual([model, true, false]);
    }
    for (const model of ['Session', 'Interaction', 'ReplayDetection', 'PushedAuthorizationRequest', 'ClientCredentials']) {
      const key = id();
      await router.upsert(model, key, {}, 3600);
      expect([model, await inSql(model, key), await inRedis(model, key)]).toEqual([model, false, true]);
    }
    // Credential ids are stored hashed; where they go is what counts here.
    const [refresh, code] = [id(), id()];
    await router.upsert('RefreshToken', refresh, {}, 3600);
    await router.upsert('AuthorizationCode', code, {}, 3600);
    expect(await backend.db('wikiauth_artifact').where({ wa_model: 'RefreshToken' }).count({ n: '*' })).toEqual([{ n: 1 }]);
    expect(await backend.db('wikiauth_artifact').where({ wa_model: 'AuthorizationCode' }).count({ n: '*' })).toEqual([{ n: 0 }]);

    const { placed } = backend;
    const key = id();
    await placed.requestTokens.save(key, { secret: 's', consumerKey: 'c', callback: 'oob' }, 3600);
    expect([await inSql('OAuth1RequestToken', key), await inRedis('OAuth1RequestToken', key)]).toEqual([false, true]);
    await placed.siteSessions.save(key, { userId: 1, loginMs: 1, generation: 0 }, 3600);
    expect(await backend.db('wikiauth_artifact').where({ wa_model: 'SiteSession' }).count({ n: '*' })).toEqual([{ n: 0 }]);
    expect(await placed.siteSessions.find(key)).toEqual({ userId: 1, loginMs: 1, generation: 0 });
    const nonce = id();
    await placed.oauth1Nonces.claim(nonce, 300);
    await placed.loginThrottleCounters.increment(nonce, 300);
    await placed.rateLimitCounters.increment(nonce, 300);
    await placed.sessionGenerations.bump(424242);
    await placed.reauthenticationRequests.mark(nonce, 1, 300);
    expect(await inRedis('OAuth1Nonce', nonce)).toBe(true);
    expect(await inRedis('LoginThrottle', nonce)).toBe(true);
    expect(await inRedis('RateLimit', nonce)).toBe(true);
    expect(await inRedis('SessionGeneration', '424242')).toBe(true);
    expect(await inRedis('ReauthenticationRequest', nonce)).toBe(true);
    await placed.usedTotpSteps.claim(424242, 7);
    expect(await inRedis('OathTotpStep', '424242:7')).toBe(true);
    await placed.pendingOathKeys.keep(424242, { secret: 'JBSWY3DPEHPK3PXP', scratchTokens: [] }, 300);
    expect(await inRedis('PendingOathKey', '424242')).toBe(true);
    await placed.pendingSignIns.save(nonce, { userId: 1, userName: 'A' }, 300);
    expect(await backend.db('wikiauth_artifact').where({ wa_model: 'PendingSignIn' }).count({ n: '*' })).toEqual([{ n: 0 }]);
    expect(await placed.pendingSignIns.find(nonce)).toEqual({ userId: 1, userName: 'A' });
    expect(await backend.db('wikiauth_artifact').whereNotIn('wa_model', ['AccessToken', 'RegistrationAccessToken', 'RefreshToken']).count({ n: '*' })).toEqual([{ n: 0 }]);
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
    await router.dropGrants([grant]);
    expect(await router.find('AuthorizationCode', code)).toBeUndefined();
    expect(await router.find('Interaction', interaction)).toBeUndefined();
  });
});

describe('placement without Redis: everything in the database', () => {
  it('puts every port in SQL and reads its own writes', async () => {
    const database = sqliteDatabase();
    const db = await migrated(database);
    try {
      const placed = await placeStores(testConfig(database), db);
      const router = new ProviderArtifacts(placed.providerArtifacts);
      const key = id();
      await router.upsert('Session', key, { a: 1 }, 60);
      await router.upsert('AccessToken', key, { a: 2 }, 60);
      await placed.oauth1Nonces.claim(key, 60);
      expect(await router.find('Session', key)).toEqual({ a: 1 });
      expect((await db('wikiauth_artifact').pluck('wa_model')).sort()).toEqual(['AccessToken', 'OAuth1Nonce', 'Session']);
      expect(placed.separateShortLived).toBe(false);
      expect(placed.readinessChecks).toEqual({});
    } finally {
      await db.destroy();
      await database.drop();
    }
  });
});
