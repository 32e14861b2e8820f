import { describe, expect, it } from 'vitest';
import { DEFAULT_RESTRICTIONS } from '../../src/domain/consumers/consumer-service.js';
import type { NewConsumer } from '../../src/domain/consumers/consumer.js';
import { SqlAccountRepository } from '../../src/storage/sql/sql-account-repository.js';
import { SqlAuthorizationRepository } from '../../src/storage/sql/sql-authorization-repository.js';
import { SqlConsumerRepository } from '../../src/storage/sql/sql-consumer-repository.js';
import { SqlManagementLog } from '../../src/storage/sql/sql-management-log.js';
import { DIGIT_KEY, MEDIAWIKI_ROWS, TS, ZERO_TS } from '../fixtures/mediawiki-rows.js';
import { SQL_DIALECTS } from '../helpers/databases.js';
import { useMigratedDatabase } from '../helpers/migrated.js';
import { MemoryAccounts, MemoryAuthorizations, MemoryConsumers, MemoryLog } from '../helpers/in-memory.js';
import { columnTypes } from '../helpers/schema.js';
import { consumerInput as anyConsumerInput, repositoriesContract } from './repositories.js';

const TS_MW = /^\d{14}$/;
const HEX32 = /^[0-9a-f]{32}$/;

describe.each(SQL_DIALECTS)('raw columns on %s', (_dialect, open) => {
  const ctx = useMigratedDatabase(open);

  it.each(MEDIAWIKI_ROWS.map((t) => [t.table, t] as const))('%s round-trips every column unchanged', async (table, { key, rows }) => {
    const { db } = ctx;
    // A column added by a migration must be added to the fixture too.
    expect(Object.keys(rows[0]!).sort()).toEqual(Object.keys(await columnTypes(db, table)).sort());
    await db(table).insert(rows);
    for (const row of rows) {
      const where = Object.fromEntries(key.map((column) => [column, row[column]]));
      expect(await db(table).where(where).first()).toEqual(row);
    }
  });

  it('finds digit-only and padded values by their exact string', async () => {
    const { db } = ctx;
    expect(await db('user').where('user_name', '0123').first('user_id')).toEqual({ user_id: 7 });
    expect(await db('user').where('user_name', '123').first()).toBeUndefined();
    expect(await db('oauth_registered_consumer').where('oarc_consumer_key', DIGIT_KEY).first('oarc_id')).toEqual({ oarc_id: 3 });
    expect(await db('user').where('user_touched', ZERO_TS).first('user_id')).toEqual({ user_id: 8 });
  });
});

/** The digit-only key and name MediaWiki's tables must keep as strings. */
function consumerInput(overrides: Partial<NewConsumer> = {}): NewConsumer {
  return anyConsumerInput({ key: DIGIT_KEY, name: '0123', ...overrides });
}

describe.each(SQL_DIALECTS)('SqlAccountRepository on %s', (_dialect, open) => {
  const ctx = useMigratedDatabase(open);
  const input = { name: '0123', passwordHash: ':pbkdf2:sha512:30000:64:c2FsdA==:aGFzaA==', email: 'a@example.org', emailAuthenticated: TS, realName: 'Zoë' };

  it('creates and finds a user named 0123', async () => {
    const accounts = new SqlAccountRepository(ctx.db);
    const created = await accounts.create(input);
    expect(created).toEqual({
      id: expect.any(Number), name: '0123', realName: 'Zoë', email: 'a@example.org', emailAuthenticated: TS,
      registration: expect.stringMatching(TS_MW), editCount: 0, touched: expect.stringMatching(TS_MW), passwordHash: input.passwordHash, isTemp: false,
    });
    expect(await accounts.findByName('0123')).toEqual(created);
    expect(await accounts.findById(created.id)).toEqual(created);
    expect(await accounts.findByName('123')).toBeUndefined();
    expect(await ctx.db('user').where('user_id', created.id).first('user_token', 'user_newpassword')).toEqual({ user_token: '', user_newpassword: '' });
  });

  it('changes password and email', async () => {
    const accounts = new SqlAccountRepository(ctx.db);
    const { id } = (await accounts.findByName('0123'))!;
    await accounts.setPassword(id, ':B:0123:abc');
    await accounts.setEmail(id, 'b@example.org', null);
    expect(await accounts.findById(id)).toMatchObject({ passwordHash: ':B:0123:abc', email: 'b@example.org', emailAuthenticated: null });
  });

  it('adds groups idempotently and ignores expired memberships', async () => {
    const accounts = new SqlAccountRepository(ctx.db);
    const { id } = (await accounts.findByName('0123'))!;
    await accounts.addGroups(id, ['sysop', '0123']);
    await accounts.addGroups(id, ['sysop']);
    await ctx.db('user_groups').insert([
      { ug_user: id, ug_group: 'expired', ug_expiry: '20000101000000' },
      { ug_user: id, ug_group: 'temporary', ug_expiry: '20991231235959' },
    ]);
    expect((await accounts.groups(id)).sort()).toEqual(['0123', 'sysop', 'temporary']);
  });

  it('puts, replaces and removes a block', async () => {
    const accounts = new SqlAccountRepository(ctx.db);
    const { id } = (await accounts.findByName('0123'))!;
    expect(await accounts.findBlock(id)).toBeUndefined();
    await accounts.putBlock({ userId: id, by: 0, reason: 'first', timestamp: ZERO_TS, expiry: 'infinity' });
    const blocker = (await accounts.findByName('0123'))!;
    await accounts.putBlock({ userId: id, by: blocker.id, reason: 'second', timestamp: TS, expiry: '20991231235959' });
    expect(await accounts.findBlock(id)).toEqual({
      id,
      userId: id,
      by: blocker.id,
      byName: '0123',
      reason: 'second',
      timestamp: TS,
      expiry: '20991231235959',
      sitewide: true,
      hidden: false,
      noCreate: false,
    });
    expect(await accounts.removeBlock(id)).toBe(true);
    expect(await accounts.removeBlock(id)).toBe(false);
    expect(await accounts.findBlock(id)).toBeUndefined();
  });
});

describe.each(SQL_DIALECTS)('SqlConsumerRepository on %s', (_dialect, open) => {
  const ctx = useMigratedDatabase(open);

  it('round-trips an OAuth 2 consumer, storing legacy grant names', async () => {
    const consumers = new SqlConsumerRepository(ctx.db);
    const input = consumerInput();
    const created = await consumers.create(input);
    expect(created).toEqual({ id: expect.any(Number), ...input });
    expect(await consumers.findByKey(DIGIT_KEY)).toEqual(created);
    expect(await consumers.findById(created.id)).toEqual(created);
    const raw = await ctx.db('oauth_registered_consumer').where('oarc_id', created.id).first();
    expect(raw).toMatchObject({ oarc_grants: '["useoauth","authonly","editpage"]', oarc_callback_is_prefix: '', oarc_stage: 1 });
  });

  it('round-trips a proposed owner-only OAuth 1.0a consumer without secret', async () => {
    const consumers = new SqlConsumerRepository(ctx.db);
    const input = consumerInput({
      key: '00000000000000000000000000000000', version: '1.1', callbackIsPrefix: true, ownerOnly: true, stage: 'proposed',
      secretKey: null, rsaKey: '-----BEGIN PUBLIC KEY-----\nMII\n-----END PUBLIC KEY-----', oauthVersion: 1, oauth2AllowedGrants: [],
      oauth2IsConfidential: false, emailAuthenticated: null, developerAgreement: false, grants: ['mwoauth-authonlyprivate'], metadata: {}, trusted: false, requireTwoFactor: false,
    });
    const created = await consumers.create(input);
    expect(created).toEqual({ id: expect.any(Number), ...input });
    const raw = await ctx.db('oauth_registered_consumer').where('oarc_id', created.id).first();
    expect(raw).toMatchObject({ oarc_grants: '["authonlyprivate"]', oarc_callback_is_prefix: '1', oarc_stage: 0 });
  });

  it('reads legacy grant names written by MediaWiki as API names', async () => {
    const [id] = await ctx.db('oauth_registered_consumer').insert({
      oarc_consumer_key: 'ffffffffffffffffffffffffffffffff', oarc_name: 'Legacy', oarc_user_id: 9, oarc_version: '1',
      oarc_callback_url: 'https://legacy.example/', oarc_description: 'old', oarc_email: 'l@example.org', oarc_wiki: '*',
      oarc_grants: '["useoauth","authonly","authonlyprivate","editpage"]', oarc_registration: TS, oarc_restrictions: DEFAULT_RESTRICTIONS,
      oarc_stage_timestamp: TS,
    });
    const consumer = await new SqlConsumerRepository(ctx.db).findById(Number(id));
    expect(consumer).toMatchObject({
      grants: ['basic', 'mwoauth-authonly', 'mwoauth-authonlyprivate', 'editpage'], metadata: {}, callbackIsPrefix: false,
      stage: 'proposed', oauthVersion: 1, oauth2AllowedGrants: [], oauth2IsConfidential: true,
    });
  });

  it('updates columns and metadata (inserting a missing metadata row)', async () => {
    const consumers = new SqlConsumerRepository(ctx.db);
    const legacy = (await consumers.findByKey('ffffffffffffffffffffffffffffffff'))!;
    await consumers.update(legacy.id, {
      stage: 'disabled', stageTimestamp: ZERO_TS, grants: ['basic', 'mwoauth-authonly'], secretKey: '0123', metadata: { id_token_signed_response_alg: 'RS256' },
    });
    expect(await consumers.findById(legacy.id)).toMatchObject({
      stage: 'disabled', stageTimestamp: ZERO_TS, grants: ['basic', 'mwoauth-authonly'], secretKey: '0123', metadata: { id_token_signed_response_alg: 'RS256' },
    });
    expect(await ctx.db('oauth_registered_consumer').where('oarc_id', legacy.id).first('oarc_grants')).toEqual({ oarc_grants: '["useoauth","authonly"]' });
    await consumers.update(legacy.id, { metadata: { require_auth_time: false } });
    expect((await consumers.findById(legacy.id))!.metadata).toEqual({ require_auth_time: false });
  });

  it('finds the latest version of a name per owner', async () => {
    const consumers = new SqlConsumerRepository(ctx.db);
    expect(await consumers.latestVersion('0123', 7)).toBe('1.1');
    expect(await consumers.latestVersion('0123', 8)).toBeUndefined();
    expect(await consumers.latestVersion('123', 7)).toBeUndefined();
  });

  it('lists with filters, totals and paging; deleted ones only on request', async () => {
    const consumers = new SqlConsumerRepository(ctx.db);
    const owned = await consumers.list({ ownerId: 7 });
    expect(owned.total).toBe(2);
    expect(owned.consumers.map((c) => c.version).sort()).toEqual(['1.0', '1.1']);
    expect((await consumers.list({ stage: 'approved' })).consumers.map((c) => c.key)).toEqual([DIGIT_KEY]);
    expect((await consumers.list({ oauthVersion: 1, ownerId: 7 })).total).toBe(1);
    expect((await consumers.list({ name: '0123', limit: 1, offset: 1 })).consumers).toHaveLength(1);
    const legacy = (await consumers.findByKey('ffffffffffffffffffffffffffffffff'))!;
    await consumers.update(legacy.id, { deleted: true });
    expect((await consumers.list({})).total).toBe(2);
    expect((await consumers.list({ includeDeleted: true })).total).toBe(3);
  });

  it('deletes a consumer with its metadata', async () => {
    const consumers = new SqlConsumerRepository(ctx.db);
    const { id } = (await consumers.findByKey(DIGIT_KEY))!;
    await consumers.delete(id);
    expect(await consumers.findById(id)).toBeUndefined();
    expect(await ctx.db('wikiauth_consumer_meta').where('wcm_consumer_id', id).first()).toBeUndefined();
  });
});

describe.each(SQL_DIALECTS)('SqlAuthorizationRepository on %s', (_dialect, open) => {
  const ctx = useMigratedDatabase(open);

  it('upserts one row per (user, consumer, wiki): a fresh token and secret when created or renewed, kept when authorized again', async () => {
    const authorizations = new SqlAuthorizationRepository(ctx.db);
    const first = await authorizations.upsert({ wiki: '*', userId: 7, consumerId: 3, grants: ['basic', 'mwoauth-authonly'], oauthVersion: 2 });
    expect(first).toEqual({
      id: expect.any(Number), wiki: '*', userId: 7, consumerId: 3, accessToken: expect.stringMatching(HEX32),
      accessSecret: expect.stringMatching(HEX32), grants: ['basic', 'mwoauth-authonly'], accepted: expect.stringMatching(TS_MW), oauthVersion: 2,
    });
    expect(await ctx.db('oauth_accepted_consumer').where('oaac_id', first.id).first('oaac_grants')).toEqual({ oaac_grants: '["useoauth","authonly"]' });

    // Authorizing again updates the grants and keeps token and secret (MediaWiki's confirmUpdate).
    const second = await authorizations.upsert({ wiki: '*', userId: 7, consumerId: 3, grants: ['basic', 'editpage'], oauthVersion: 2 });
    expect(second).toEqual({ ...first, grants: ['basic', 'editpage'] });
    // An owner-only consumer's secret reset renews them.
    const renewed = await authorizations.upsert({ wiki: '*', userId: 7, consumerId: 3, grants: ['basic', 'editpage'], oauthVersion: 2 }, { renewCredentials: true });
    expect(renewed.id).toBe(first.id);
    expect(renewed.accessToken).not.toBe(first.accessToken);
    expect(renewed.accessSecret).not.toBe(first.accessSecret);
    expect(await authorizations.findByAccessToken(first.accessToken)).toBeUndefined();
    expect(await authorizations.findByAccessToken(renewed.accessToken)).toEqual(renewed);
    expect(await authorizations.find(7, 3, '*')).toEqual(renewed);
    expect(await authorizations.findById(second.id)).toEqual(renewed);
    expect(await authorizations.find(7, 3, 'otherwiki')).toBeUndefined();
  });

  it('reads legacy grant names written by MediaWiki', async () => {
    const [id] = await ctx.db('oauth_accepted_consumer').insert({
      oaac_wiki: '*', oaac_user_id: 7, oaac_consumer_id: 4, oaac_access_token: DIGIT_KEY, oaac_access_secret: '0123',
      oaac_grants: '["useoauth","authonly","authonlyprivate"]', oaac_accepted: TS,
    });
    expect(await new SqlAuthorizationRepository(ctx.db).findById(Number(id))).toEqual({
      id: Number(id), wiki: '*', userId: 7, consumerId: 4, accessToken: DIGIT_KEY, accessSecret: '0123',
      grants: ['basic', 'mwoauth-authonly', 'mwoauth-authonlyprivate'], accepted: TS, oauthVersion: 1,
    });
  });

  it('lists a user\'s authorizations newest first', async () => {
    const list = await new SqlAuthorizationRepository(ctx.db).listByUser(7);
    expect(list.map((a) => a.consumerId)).toEqual([4, 3]);
  });

  it('deletes authorizations with their grants and grant artifacts, and revokes their registered access tokens', async () => {
    const { db } = ctx;
    const authorizations = new SqlAuthorizationRepository(db);
    const doomed = (await authorizations.find(7, 3, '*'))!;
    const kept = (await authorizations.find(7, 4, '*'))!;
    await db('wikiauth_grant').insert([
      { wg_id: 'grant-doomed', wg_acceptance_id: doomed.id, wg_payload: '{}', wg_expires: null },
      { wg_id: 'grant-kept', wg_acceptance_id: kept.id, wg_payload: '{}', wg_expires: null },
    ]);
    await db('wikiauth_artifact').insert([
      { wa_model: 'AccessToken', wa_id: 'at-doomed', wa_payload: '{}', wa_grant_id: 'grant-doomed' },
      { wa_model: 'RefreshToken', wa_id: 'rt-doomed', wa_payload: '{}', wa_grant_id: 'grant-doomed' },
      { wa_model: 'AccessToken', wa_id: 'at-kept', wa_payload: '{}', wa_grant_id: 'grant-kept' },
      { wa_model: 'Session', wa_id: 'session', wa_payload: '{}', wa_grant_id: null },
    ]);
    await db('oauth2_access_tokens').insert([
      { oaat_identifier: 'jti-doomed', oaat_expires: TS, oaat_acceptance_id: doomed.id },
      { oaat_identifier: 'jti-kept', oaat_expires: TS, oaat_acceptance_id: kept.id },
    ]);

    expect(await authorizations.delete({ consumerId: 3 })).toEqual({ count: 1, grantIds: ['grant-doomed'] });
    expect(await authorizations.findById(doomed.id)).toBeUndefined();
    expect((await db('wikiauth_grant').pluck('wg_id')).sort()).toEqual(['grant-kept']);
    expect((await db('wikiauth_artifact').pluck('wa_id')).sort()).toEqual(['at-kept', 'session']);
    const revoked = async () => (await db('oauth2_access_tokens').where('oaat_revoked', 1).pluck('oaat_identifier')).sort();
    expect(await revoked()).toEqual(['jti-doomed']);
    expect(await authorizations.findById(kept.id)).toEqual(kept);

    expect(await authorizations.delete({ id: 999_999 })).toEqual({ count: 0, grantIds: [] });
    expect(await authorizations.delete({ userId: 7 })).toEqual({ count: 1, grantIds: ['grant-kept'] });
    expect(await revoked()).toEqual(['jti-doomed', 'jti-kept']);
    await expect(authorizations.delete({})).rejects.toThrow(TypeError);
  });
});

describe.each(SQL_DIALECTS)('SqlManagementLog on %s', (_dialect, open) => {
  const ctx = useMigratedDatabase(open);

  it('appends entries and reads them back per consumer, newest first', async () => {
    const log = new SqlManagementLog(ctx.db);
    await log.append({ action: 'propose', actor: 0, targetUser: 7, consumerKey: DIGIT_KEY, comment: 'Zoë’s tool', timestamp: ZERO_TS });
    await log.append({ action: 'approve', actor: 8, targetUser: 7, consumerKey: DIGIT_KEY, comment: '', timestamp: TS, params: { '0123': 1 } });
    await log.append({ action: 'propose', actor: 0, targetUser: 9, consumerKey: '0123', comment: 'other', timestamp: TS });
    expect(await log.forConsumer(DIGIT_KEY)).toEqual([
      { id: expect.any(Number), action: 'approve', actor: 8, targetUser: 7, consumerKey: DIGIT_KEY, comment: '', timestamp: TS, params: { '0123': 1 } },
      { id: expect.any(Number), action: 'propose', actor: 0, targetUser: 7, consumerKey: DIGIT_KEY, comment: 'Zoë’s tool', timestamp: ZERO_TS, params: {} },
    ]);
    expect(await ctx.db('wikiauth_log').distinct('wl_type').pluck('wl_type')).toEqual(['mwoauthconsumer']);
  });
});

repositoriesContract('in memory (the unit tests\' fakes)', async () => ({
  accounts: new MemoryAccounts(), consumers: new MemoryConsumers(), authorizations: new MemoryAuthorizations(), log: new MemoryLog(),
}));

describe.each(SQL_DIALECTS)('repositories on %s', (dialect, open) => {
  const ctx = useMigratedDatabase(open);
  repositoriesContract(`SQL on ${dialect}`, async () => ({
    accounts: new SqlAccountRepository(ctx.db), consumers: new SqlConsumerRepository(ctx.db), authorizations: new SqlAuthorizationRepository(ctx.db), log: new SqlManagementLog(ctx.db),
  }));
});
