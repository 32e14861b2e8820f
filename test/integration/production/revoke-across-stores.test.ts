import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openServices, type Services } from '../../../src/services.js';
import { migrateLatest } from '../../../src/storage/sql/migrate.js';
import { createKnex } from '../../../src/storage/sql/create-knex.js';
import { testConfig } from '../../helpers/config.js';
import { mariadbRedisDatabase, type TestDatabase } from '../../helpers/databases.js';
import { ALICE, seedClient, seedUsers } from '../../helpers/fixtures.js';

/**
 * Revoking an authorization (consumer deleted, password changed, user revoked it) removes its
 * grants and tokens from SQL and its grants' short-lived artifacts from Redis.
 */
describe('revoking an authorization on MariaDB + Redis', () => {
  let database: TestDatabase;
  let services: Services;

  beforeAll(async () => {
    database = await mariadbRedisDatabase();
    const db = createKnex(database.config);
    await migrateLatest(db).finally(() => db.destroy());
    services = await openServices(testConfig(database));
    await seedUsers(services);
  });
  afterAll(async () => {
    await services?.close();
    await database?.drop();
  });

  async function authorizedGrant(consumerId: number, userId: number, grantId: string) {
    const authorization = await services.authorizations.upsert({ wiki: '*', userId, consumerId, grants: ['basic'], oauthVersion: 2 });
    await services.grantRecords.save(grantId, authorization.id, { accountId: String(userId) }, undefined);
    await services.providerArtifacts.upsert('AuthorizationCode', `code-${grantId}`, { grantId }, 600, { grantId });
    await services.providerArtifacts.upsert('RefreshToken', `rt-${grantId}`, { grantId }, 3600, { grantId });
  }
  const left = async (grantId: string) => ({
    grant: (await services.grantRecords.find(grantId)) !== undefined,
    code: (await services.providerArtifacts.find('AuthorizationCode', `code-${grantId}`)) !== undefined,
    refreshToken: (await services.providerArtifacts.find('RefreshToken', `rt-${grantId}`)) !== undefined,
  });

  it('when the consumer is deleted', async () => {
    const app = await seedClient(services);
    const alice = (await services.accounts.findByName(ALICE.name))!;
    await authorizedGrant(app.id, alice.id, 'grant-consumer');
    expect(await left('grant-consumer')).toEqual({ grant: true, code: true, refreshToken: true });
    await services.consumers.delete(app.key);
    expect(await left('grant-consumer')).toEqual({ grant: false, code: false, refreshToken: false });
  });

  it('when the user’s authorizations are deleted directly (a password change)', async () => {
    const app = await seedClient(services);
    const alice = (await services.accounts.findByName(ALICE.name))!;
    await authorizedGrant(app.id, alice.id, 'grant-user');
    await services.authorizations.delete({ userId: alice.id });
    expect(await left('grant-user')).toEqual({ grant: false, code: false, refreshToken: false });
  });
});
