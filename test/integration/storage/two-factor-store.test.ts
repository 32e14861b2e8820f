import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, createRedis } from '../../../src/storage/redis/create-redis.js';
import { RedisArtifactStore } from '../../../src/storage/redis/redis-artifact-store.js';
import { SqlArtifactStore } from '../../../src/storage/sql/sql-artifact-store.js';
import { enrolmentLayout, SqlDevicesEnrolmentRepository, SqlUsersEnrolmentRepository } from '../../../src/storage/sql/sql-enrolment-repository.js';
import { artifactStores } from '../../../src/storage/artifact-stores.js';
import { deleteRedisKeys, REDIS_URL, SQL_DIALECTS } from '../../helpers/databases.js';
import { useMigratedDatabase } from '../../helpers/migrated.js';

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEH';
const KEY = { secret: SECRET, scratchTokens: ['ABCDEFGHIJKLMNOP', 'QRSTUVWXYZ234567'] };

describe.each(SQL_DIALECTS)("enrolments in OATHAuth's tables on %s", (dialect, open) => {
  const ctx = useMigratedDatabase(open);

  it("reads and writes oathauth_users rows in OATHAuth 1.39's shape", async () => {
    expect(await enrolmentLayout(ctx.db)).toBe('users');
    const repo = new SqlUsersEnrolmentRepository(ctx.db);
    // A row as OATHAuth 1.39 writes it (json_encode of its keys).
    await ctx.db('oathauth_users').insert({ id: 3, module: 'totp', data: `{"keys":[{"secret":"${SECRET}","scratch_tokens":["ABCDEFGHIJKLMNOP","QRSTUVWXYZ234567"]}]}` });
    expect((await repo.find(3))?.key).toEqual(KEY);
    expect(await repo.find(4)).toBeUndefined();

    await repo.save(4, KEY);
    await repo.save(4, { ...KEY, scratchTokens: ['AAAAAAAAAAAAAAAA'] });
    const row = await ctx.db('oathauth_users').where('id', 4).first();
    expect({ module: String(row.module), data: JSON.parse(String(row.data)) }).toEqual({ module: 'totp', data: { keys: [{ secret: SECRET, scratch_tokens: ['AAAAAAAAAAAAAAAA'] }] } });

    expect(await repo.delete(4)).toBe(true);
    expect(await repo.delete(4)).toBe(false);
    expect(await repo.find(4)).toBeUndefined();
  });

  it('replaces an enrolment only if it is unchanged since it was read (one scratch token, one winner)', async () => {
    const repo = new SqlUsersEnrolmentRepository(ctx.db);
    await repo.save(5, KEY);
    const read = (await repo.find(5))!;
    const spent = { ...KEY, scratchTokens: ['QRSTUVWXYZ234567'] };
    const results = await Promise.all([repo.replace(read, spent), repo.replace(read, spent)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await repo.find(5))?.key).toEqual(spent);
  });

  it('counts a row of another module as enrolled, with no key it can check', async () => {
    await ctx.db('oathauth_users').insert({ id: 6, module: 'webauthn', data: '{"keys":[]}' });
    expect(await new SqlUsersEnrolmentRepository(ctx.db).find(6)).toMatchObject({ userId: 6, key: undefined });
  });

  describe('oathauth_devices (OATHAuth 1.41+)', () => {
    beforeAll(async () => {
      // OATHAuth 1.41's sql/tables.json, as its generated SQL creates the tables.
      await ctx.db.schema.createTable('oathauth_types', (table) => {
        table.increments('oat_id').primary();
        table.string('oat_name', 255).notNullable().unique('oat_name');
      });
      await ctx.db.schema.createTable('oathauth_devices', (table) => {
        table.increments('oad_id').primary();
        table.integer('oad_user').notNullable().index('oad_user');
        table.integer('oad_type').notNullable();
        table.string('oad_name', 255).nullable();
        table.string('oad_created', 14).nullable();
        table.binary('oad_data').nullable();
      });
    });
    afterAll(async () => {
      await ctx.db.schema.dropTable('oathauth_devices');
      await ctx.db.schema.dropTable('oathauth_types');
    });

    it('is preferred once it exists, and reads, saves, spends and deletes the totp device', async () => {
      expect(await enrolmentLayout(ctx.db)).toBe('devices');
      const repo = new SqlDevicesEnrolmentRepository(ctx.db);
      const [webauthn] = await ctx.db('oathauth_types').insert({ oat_name: 'webauthn' });
      expect(await repo.find(10)).toBeUndefined();

      await repo.save(10, KEY);
      const row = await ctx.db('oathauth_devices').where('oad_user', 10).first();
      expect(JSON.parse(String(row.oad_data))).toEqual({ secret: SECRET, scratch_tokens: KEY.scratchTokens });
      expect(String(row.oad_created)).toMatch(/^\d{14}$/);
      const read = (await repo.find(10))!;
      expect(read.key).toEqual(KEY);
      expect(await repo.replace(read, { ...KEY, scratchTokens: [] })).toBe(true);
      expect(await repo.replace(read, { ...KEY, scratchTokens: [] })).toBe(false);

      // A WebAuthn device beside it does not hide the TOTP device; alone it counts as enrolled, uncheckable.
      await ctx.db('oathauth_devices').insert({ oad_user: 10, oad_type: webauthn, oad_data: '{}' });
      expect((await repo.find(10))?.key).toEqual({ ...KEY, scratchTokens: [] });
      // Disabling removes every device, as OATHAuth's own removal does: nothing is left that counts as enrolled.
      expect(await repo.delete(10)).toBe(true);
      expect(await repo.find(10)).toBeUndefined();
    });

    it('counts an encrypted secret (OATHAuth 1.45+) as enrolled, with no key it can check', async () => {
      const repo = new SqlDevicesEnrolmentRepository(ctx.db);
      await repo.save(11, KEY);
      await ctx.db('oathauth_devices').where('oad_user', 11).update({ oad_data: '{"secret":"ABCD","format":"encrypted","nonce":"EFGH"}' });
      expect(await repo.find(11)).toMatchObject({ userId: 11, key: undefined });
    });
  });

  it(`claims a TOTP step once among parallel callers (SQL artifact store on ${dialect})`, async () => {
    const steps = artifactStores(new SqlArtifactStore(ctx.db)).usedTotpSteps;
    expect(await steps.last(1)).toBeUndefined();
    const results = await Promise.all(Array.from({ length: 10 }, () => steps.claim(1, 100)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await steps.claim(1, 99)).toBe(true);
    expect(await steps.last(1)).toBe(100);
  });
});

describe('used TOTP steps in Redis', () => {
  const prefix = `wikiauth_t_${randomBytes(6).toString('hex')}:`;
  const redis = createRedis(REDIS_URL);
  afterAll(async () => {
    redis.disconnect();
    await deleteRedisKeys(REDIS_URL, prefix);
  });

  it('claims a step once among parallel callers, seen through another client', async () => {
    expect(await connectRedis(redis)).toBe(true);
    const steps = artifactStores(new RedisArtifactStore(redis, prefix)).usedTotpSteps;
    const results = await Promise.all(Array.from({ length: 10 }, () => steps.claim(1, 100)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const other = createRedis(REDIS_URL);
    try {
      expect(await connectRedis(other)).toBe(true);
      expect(await artifactStores(new RedisArtifactStore(other, prefix)).usedTotpSteps.last(1)).toBe(100);
      const [key] = await redis.keys(`${prefix}*OathTotpLastStep*`);
      expect(await redis.ttl(key!)).toBeGreaterThan(200);
    } finally {
      other.disconnect();
    }
  });
});
