import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountRepository } from '../../src/domain/accounts/account.js';
import { DEFAULT_RESTRICTIONS } from '../../src/domain/consumers/consumer-service.js';
import type { ConsumerRepository, NewConsumer } from '../../src/domain/consumers/consumer.js';
import type { ManagementLog } from '../../src/domain/consumers/management-log.js';
import type { AuthorizationRepository } from '../../src/domain/grants/authorization.js';
import { TS, ZERO_TS } from '../fixtures/mediawiki-rows.js';

/** The durable ports of the domain, as one implementation provides them. */
export interface Repositories {
  readonly accounts: AccountRepository;
  readonly consumers: ConsumerRepository;
  readonly authorizations: AuthorizationRepository;
  readonly log: ManagementLog;
}

const TS_MW = /^\d{14}$/;
const HEX32 = /^[0-9a-f]{32}$/;
const hex32 = () => randomBytes(16).toString('hex');
const word = () => `0${randomBytes(5).toString('hex')}`;

/** A consumer with every column set to a value that must round-trip; random key and name. */
export function consumerInput(overrides: Partial<NewConsumer> = {}): NewConsumer {
  return {
    key: hex32(), name: word(), ownerId: 7, version: '1.0', callbackUrl: 'https://app.example/cb', callbackIsPrefix: false,
    description: 'A tool — ünïcode', email: 'owner@example.org', emailAuthenticated: TS, developerAgreement: true, ownerOnly: false,
    wiki: '*', grants: ['basic', 'mwoauth-authonly', 'editpage'], registration: TS, secretKey: '98765432109876543210987654321098',
    rsaKey: null, restrictions: DEFAULT_RESTRICTIONS, stage: 'approved', stageTimestamp: TS, deleted: false, oauthVersion: 2,
    oauth2AllowedGrants: ['authorization_code', 'refresh_token'], oauth2IsConfidential: true,
    metadata: { post_logout_redirect_uris: ['https://app.example/bye'], require_auth_time: true }, trusted: true, requireTwoFactor: true,
    ...overrides,
  };
}

/**
 * What every implementation of the durable ports promises: the SQL repositories and the in-memory
 * fakes the unit tests of domain services use. Each test makes its own rows, so the tests do not
 * depend on each other's order.
 */
export function repositoriesContract(name: string, open: () => Promise<Repositories>): void {
  describe(`repositories contract: ${name}`, () => {
    let repos: Repositories;
    beforeAll(async () => {
      repos = await open();
    });

    it('accounts: creates, finds by exact name and id, changes password and email', async () => {
      const name = word();
      const input = { name, passwordHash: ':pbkdf2:sha512:30000:64:c2FsdA==:aGFzaA==', email: 'a@example.org', emailAuthenticated: TS, realName: 'Zoë' };
      const created = await repos.accounts.create(input);
      expect(created).toEqual({
        id: expect.any(Number), name, realName: 'Zoë', email: 'a@example.org', emailAuthenticated: TS,
        registration: expect.stringMatching(TS_MW), editCount: 0, touched: expect.stringMatching(TS_MW), passwordHash: input.passwordHash, isTemp: false,
      });
      expect(await repos.accounts.findByName(name)).toEqual(created);
      expect(await repos.accounts.findById(created.id)).toEqual(created);
      expect(await repos.accounts.findByName(name.slice(1))).toBeUndefined();
      await repos.accounts.setPassword(created.id, ':B:0123:abc');
      await repos.accounts.setEmail(created.id, 'b@example.org', null);
      expect(await repos.accounts.findById(created.id)).toMatchObject({ passwordHash: ':B:0123:abc', email: 'b@example.org', emailAuthenticated: null });
    });

    it('accounts: adds groups idempotently; puts, replaces and removes a block', async () => {
      const { id } = await repos.accounts.create({ name: word(), passwordHash: '', email: '', emailAuthenticated: null, realName: '' });
      const blocker = await repos.accounts.create({ name: word(), passwordHash: '', email: '', emailAuthenticated: null, realName: '' });
      expect(await repos.accounts.groups(id)).toEqual([]);
      await repos.accounts.addGroups(id, ['sysop', '0123']);
      await repos.accounts.addGroups(id, ['sysop']);
      expect((await repos.accounts.groups(id)).sort()).toEqual(['0123', 'sysop']);
      expect(await repos.accounts.findBlock(id)).toBeUndefined();
      await repos.accounts.putBlock({ userId: id, by: 0, reason: 'first', timestamp: ZERO_TS, expiry: 'infinity' });
      expect(await repos.accounts.findBlock(id)).toMatchObject({ userId: id, by: 0, byName: '', reason: 'first', expiry: 'infinity' });
      await repos.accounts.putBlock({ userId: id, by: blocker.id, reason: 'second', timestamp: TS, expiry: '20991231235959' });
      expect(await repos.accounts.findBlock(id)).toEqual({
        id: expect.any(Number), userId: id, by: blocker.id, byName: blocker.name, reason: 'second', timestamp: TS, expiry: '20991231235959',
        sitewide: true, hidden: false, noCreate: false,
      });
      expect(await repos.accounts.removeBlock(id)).toBe(true);
      expect(await repos.accounts.removeBlock(id)).toBe(false);
      expect(await repos.accounts.findBlock(id)).toBeUndefined();
    });

    it('consumers: round-trip, compare-and-set update, latest version, delete', async () => {
      const ownerId = 100 + Math.floor(Math.random() * 1e6);
      const input = consumerInput({ ownerId });
      const created = await repos.consumers.create(input);
      expect(created).toEqual({ id: expect.any(Number), ...input });
      expect(await repos.consumers.findByKey(input.key)).toEqual(created);
      expect(await repos.consumers.findById(created.id)).toEqual(created);
      const newer = await repos.consumers.create(consumerInput({ ownerId, name: input.name, version: '1.1', oauthVersion: 1, oauth2AllowedGrants: [], metadata: {}, trusted: false, requireTwoFactor: false }));
      expect(await repos.consumers.latestVersion(input.name, ownerId)).toBe('1.1');
      expect(await repos.consumers.latestVersion(input.name, ownerId + 1)).toBeUndefined();

      await repos.consumers.update(created.id, { stage: 'disabled', stageTimestamp: ZERO_TS, grants: ['basic', 'mwoauth-authonly'], metadata: { require_auth_time: false } });
      expect(await repos.consumers.findById(created.id)).toMatchObject({ stage: 'disabled', stageTimestamp: ZERO_TS, grants: ['basic', 'mwoauth-authonly'], metadata: { require_auth_time: false } });
      expect(await repos.consumers.updateIf(created.id, { stage: 'approved' }, { stage: 'rejected' })).toBe(false);
      expect(await repos.consumers.updateIf(created.id, { stage: 'disabled' }, { stage: 'approved' })).toBe(true);
      expect((await repos.consumers.findById(created.id))!.stage).toBe('approved');

      expect((await repos.consumers.list({ ownerId })).total).toBe(2);
      expect((await repos.consumers.list({ ownerId, oauthVersion: 1 })).consumers.map((c) => c.id)).toEqual([newer.id]);
      expect((await repos.consumers.list({ ownerId, limit: 1, offset: 1 })).consumers).toHaveLength(1);
      await repos.consumers.update(newer.id, { deleted: true });
      expect((await repos.consumers.list({ ownerId })).total).toBe(1);
      expect((await repos.consumers.list({ ownerId, includeDeleted: true })).total).toBe(2);

      await repos.consumers.delete(created.id);
      expect(await repos.consumers.findById(created.id)).toBeUndefined();
      expect(await repos.consumers.findByKey(input.key)).toBeUndefined();
    });

    it('authorizations: one row per (user, consumer, wiki), credentials kept when authorized again and renewed on request', async () => {
      const userId = 100 + Math.floor(Math.random() * 1e6);
      const first = await repos.authorizations.upsert({ wiki: '*', userId, consumerId: 3, grants: ['basic', 'mwoauth-authonly'], oauthVersion: 2 });
      expect(first).toEqual({
        id: expect.any(Number), wiki: '*', userId, consumerId: 3, accessToken: expect.stringMatching(HEX32),
        accessSecret: expect.stringMatching(HEX32), grants: ['basic', 'mwoauth-authonly'], accepted: expect.stringMatching(TS_MW), oauthVersion: 2,
      });
      const second = await repos.authorizations.upsert({ wiki: '*', userId, consumerId: 3, grants: ['basic', 'editpage'], oauthVersion: 2 });
      expect(second).toEqual({ ...first, grants: ['basic', 'editpage'] });
      const renewed = await repos.authorizations.upsert({ wiki: '*', userId, consumerId: 3, grants: ['basic', 'editpage'], oauthVersion: 2 }, { renewCredentials: true });
      expect(renewed.id).toBe(first.id);
      expect(renewed.accessToken).not.toBe(first.accessToken);
      expect(await repos.authorizations.findByAccessToken(first.accessToken)).toBeUndefined();
      expect(await repos.authorizations.findByAccessToken(renewed.accessToken)).toEqual(renewed);
      expect(await repos.authorizations.find(userId, 3, '*')).toEqual(renewed);
      expect(await repos.authorizations.find(userId, 3, 'otherwiki')).toBeUndefined();

      const other = await repos.authorizations.upsert({ wiki: '*', userId, consumerId: 4, grants: ['basic'], oauthVersion: 1 });
      expect((await repos.authorizations.listByUser(userId)).map((a) => a.consumerId)).toEqual([4, 3]);
      expect(await repos.authorizations.countByConsumer(4)).toBeGreaterThanOrEqual(1);
      expect(await repos.authorizations.delete({ id: other.id })).toEqual({ count: 1, grantIds: [] });
      expect(await repos.authorizations.delete({ userId })).toEqual({ count: 1, grantIds: [] });
      expect(await repos.authorizations.listByUser(userId)).toEqual([]);
    });

    it('management log: entries per consumer, newest first', async () => {
      const key = hex32();
      await repos.log.append({ action: 'propose', actor: 0, targetUser: 7, consumerKey: key, comment: 'Zoë’s tool', timestamp: ZERO_TS });
      await repos.log.append({ action: 'approve', actor: 8, targetUser: 7, consumerKey: key, comment: '', timestamp: TS, params: { '0123': 1 } });
      await repos.log.append({ action: 'propose', actor: 0, targetUser: 9, consumerKey: hex32(), comment: 'other', timestamp: TS });
      expect(await repos.log.forConsumer(key)).toEqual([
        { id: expect.any(Number), action: 'approve', actor: 8, targetUser: 7, consumerKey: key, comment: '', timestamp: TS, params: { '0123': 1 } },
        { id: expect.any(Number), action: 'propose', actor: 0, targetUser: 7, consumerKey: key, comment: 'Zoë’s tool', timestamp: ZERO_TS, params: {} },
      ]);
    });
  });
}
