import { beforeEach, describe, expect, it } from 'vitest';
import { actorFromProfile, type Actor } from '../../../src/domain/accounts/actor.js';
import { AccountService } from '../../../src/domain/accounts/account-service.js';
import { ConsumerService } from '../../../src/domain/consumers/consumer-service.js';
import { checkReason, ConsumerWorkflow } from '../../../src/domain/consumers/consumer-workflow.js';
import { changeToken } from '../../../src/domain/consumers/consumer-visibility.js';
import { PermissionError } from '../../../src/domain/errors.js';
import { AuthorizationService } from '../../../src/domain/grants/authorization-service.js';
import { toMwTimestamp } from '../../../src/domain/mw-timestamp.js';
import { hmacDBSecret } from '../../../src/domain/random.js';
import { MemoryAccounts, MemoryAuthorizations, MemoryConsumers, MemoryLog } from '../../helpers/in-memory.js';

const SECRET = 'unit-test-secret-key-0123456789abcdef';
const DAY = 86_400_000;

describe('ConsumerWorkflow', () => {
  let accounts: MemoryAccounts;
  let consumers: MemoryConsumers;
  let authorizations: MemoryAuthorizations;
  let log: MemoryLog;
  let workflow: ConsumerWorkflow;
  let dev: Actor;
  let admin: Actor;
  let suppressor: Actor;
  let autoApprove: { grants?: string[]; protocols?: string[] }[];

  const actorNamed = async (name: string) => actorFromProfile((await new AccountService(accounts).profile((await accounts.findByName(name))!.id))!);

  beforeEach(async () => {
    accounts = new MemoryAccounts();
    consumers = new MemoryConsumers();
    authorizations = new MemoryAuthorizations();
    log = new MemoryLog();
    autoApprove = [];
    const service = new ConsumerService({ consumers, accounts, authorizations, log, secretKey: SECRET, autoApprove });
    workflow = new ConsumerWorkflow({ consumers, service, authorizations, log, secretKey: SECRET, requestExpirationAge: 30 * 86400 });
    const people = new AccountService(accounts);
    await people.create({ name: 'Dev', password: 'x', email: 'dev@example.org' });
    await people.create({ name: 'Admin', password: 'admin-password-1', email: 'admin@example.org', groups: ['sysop'] });
    await people.create({ name: 'Crat', password: 'crat-password-1', email: 'crat@example.org', groups: ['sysop', 'bureaucrat'] });
    [dev, admin, suppressor] = [await actorNamed('Dev'), await actorNamed('Admin'), await actorNamed('Crat')];
  });

  const propose = (overrides: Record<string, unknown> = {}) =>
    workflow.propose(dev, { name: 'Tool', version: '1.0', description: 'Does things', callbackUrl: 'https://tool.example/cb', grants: ['editpage'], oauthVersion: 2, ...overrides });

  it('proposes a consumer owned by the actor and logs "propose" with the description', async () => {
    const { consumer, secret } = await propose();
    expect(consumer).toMatchObject({ stage: 'proposed', ownerId: dev.id, grants: ['basic', 'editpage'] });
    expect(secret).toBe(hmacDBSecret(consumer.secretKey!, SECRET));
    expect(log.entries).toMatchObject([{ action: 'propose', actor: dev.id, targetUser: dev.id, consumerKey: consumer.key, comment: 'Does things' }]);
  });

  it('refuses a proposal whose email differs from the account\'s', async () => {
    await expect(workflow.propose(dev, { name: 'T', version: '1', description: 'd', callbackUrl: 'https://t.example/', grants: [], oauthVersion: 2 }, { email: 'other@example.org' })).rejects.toMatchObject({ code: 'email_mismatched' });
  });

  it('auto-approves a proposal meeting a condition and logs "propose-autoapproved"', async () => {
    autoApprove.push({ grants: ['mwoauth-authonly'], protocols: ['https'] });
    const { consumer } = await propose({ grants: ['mwoauth-authonly'] });
    expect(consumer.stage).toBe('approved');
    expect(log.entries.map((e) => e.action)).toEqual(['propose-autoapproved']);
    const { consumer: other } = await propose({ name: 'Other', grants: ['editpage'] });
    expect(other.stage).toBe('proposed');
  });

  it('approves with a reason and the change token, logging who, when and why', async () => {
    const { consumer } = await propose();
    const approved = await workflow.review(admin, consumer.key, { action: 'approve', reason: 'Looks fine', changeToken: workflow.changeToken(admin, consumer) });
    expect(approved.stage).toBe('approved');
    const entry = log.entries.at(-1)!;
    expect(entry).toMatchObject({ action: 'approve', actor: admin.id, targetUser: dev.id, consumerKey: consumer.key, comment: 'Looks fine' });
    expect(entry.timestamp).toMatch(/^\d{14}$/);
  });

  it('refuses a stale change token (someone changed the consumer meanwhile) and leaves it unchanged', async () => {
    const { consumer } = await propose();
    const token = workflow.changeToken(admin, consumer);
    await workflow.review(suppressor, consumer.key, { action: 'reject', reason: 'No', changeToken: workflow.changeToken(suppressor, consumer) });
    await expect(workflow.review(admin, consumer.key, { action: 'approve', reason: 'Yes', changeToken: token })).rejects.toMatchObject({ code: 'change_conflict' });
    expect((await consumers.findByKey(consumer.key))!.stage).toBe('rejected');
    expect(log.entries.map((e) => e.action)).toEqual(['propose', 'reject']);
  });

  it('binds change tokens to the viewer', async () => {
    const { consumer } = await propose();
    await expect(workflow.review(admin, consumer.key, { action: 'approve', reason: 'x', changeToken: changeToken(consumer, suppressor) })).rejects.toMatchObject({ code: 'change_conflict' });
  });

  it('requires a one-line reason of at most 255 characters for reviews', async () => {
    const { consumer } = await propose();
    const token = workflow.changeToken(admin, consumer);
    await expect(workflow.review(admin, consumer.key, { action: 'approve', reason: '  ', changeToken: token })).rejects.toMatchObject({ code: 'reason_required' });
    await expect(workflow.review(admin, consumer.key, { action: 'approve', reason: 'x'.repeat(256), changeToken: token })).rejects.toMatchObject({ code: 'invalid_reason' });
    await expect(workflow.review(admin, consumer.key, { action: 'approve', reason: 'two\nlines', changeToken: token })).rejects.toMatchObject({ code: 'invalid_reason' });
    expect(checkReason('é'.repeat(255), { required: true })).toHaveLength(255);
  });

  it('suppresses on reject only for mwoauthsuppress holders; then only they can see or change it', async () => {
    const { consumer } = await propose();
    await expect(workflow.review(admin, consumer.key, { action: 'reject', suppress: true, reason: 'spam', changeToken: workflow.changeToken(admin, consumer) })).rejects.toMatchObject({ right: 'mwoauthsuppress' });
    const rejected = await workflow.review(suppressor, consumer.key, { action: 'reject', suppress: true, reason: 'spam', changeToken: workflow.changeToken(suppressor, consumer) });
    expect(rejected).toMatchObject({ stage: 'rejected', deleted: true });
    await expect(workflow.view(admin, consumer.key)).rejects.toMatchObject({ right: 'mwoauthviewsuppressed' });
    await expect(workflow.view(dev, consumer.key)).rejects.toMatchObject({ right: 'mwoauthviewsuppressed' });
    expect((await workflow.view(suppressor, consumer.key)).deleted).toBe(true);
    await expect(workflow.review(admin, consumer.key, { action: 'approve', reason: 'ok', changeToken: workflow.changeToken(admin, rejected) })).rejects.toMatchObject({ right: 'mwoauthsuppress' });
  });

  it('lets the owner reset the secret: a new secret once, the old one gone, an "update" entry', async () => {
    const { consumer, secret } = await propose();
    const updated = await workflow.update(dev, consumer.key, { changeToken: workflow.changeToken(dev, consumer), resetSecret: true, reason: 'leaked' });
    expect(updated.secret).toMatch(/^[0-9a-f]{40}$/);
    expect(updated.secret).not.toBe(secret);
    expect(updated.secret).toBe(hmacDBSecret(updated.consumer.secretKey!, SECRET));
    expect(log.entries.at(-1)).toMatchObject({ action: 'update', actor: dev.id, comment: 'leaked' });
  });

  it('refuses updates by anyone but the owner, naming mwoauthupdateownconsumer', async () => {
    const { consumer } = await propose();
    const err = await workflow.update(admin, consumer.key, { changeToken: workflow.changeToken(admin, consumer), resetSecret: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermissionError);
    expect((err as PermissionError).right).toBe('mwoauthupdateownconsumer');
  });

  it('validates restrictions and writes nothing when nothing changed', async () => {
    const { consumer } = await propose();
    const token = workflow.changeToken(dev, consumer);
    await expect(workflow.update(dev, consumer.key, { changeToken: token, restrictions: '{"IPAddresses":["300.1.1.1"]}' })).rejects.toMatchObject({ code: 'invalid_restrictions' });
    const same = await workflow.update(dev, consumer.key, { changeToken: token, restrictions: consumer.restrictions });
    expect(same.secret).toBeUndefined();
    expect(log.entries.map((e) => e.action)).toEqual(['propose']);
    const changed = await workflow.update(dev, consumer.key, { changeToken: token, restrictions: '{"IPAddresses":["192.0.2.0/24"],"Pages":[]}' });
    expect(changed.consumer.restrictions).toBe('{"IPAddresses":["192.0.2.0/24"]}');
  });

  it('gives an owner-only OAuth 1.0a consumer a new access token with a secret reset', async () => {
    const created = await propose({ oauthVersion: 1, ownerOnly: true, callbackUrl: '' });
    expect(created.consumer.stage).toBe('approved');
    expect(log.entries.map((e) => e.action)).toEqual(['create-owner-only']);
    const reset = await workflow.update(dev, created.consumer.key, { changeToken: workflow.changeToken(dev, created.consumer), resetSecret: true });
    expect(reset.ownerAccess?.token).toMatch(/^[0-9a-f]{32}$/);
    expect(reset.ownerAccess?.token).not.toBe(created.ownerAccess?.token);
  });

  it('expires proposals idle longer than the expiration age, logging "expire"', async () => {
    const old = (await propose({ name: 'Old' })).consumer;
    const fresh = (await propose({ name: 'Fresh' })).consumer;
    const approved = (await propose({ name: 'Approved' })).consumer;
    await workflow.review(admin, approved.key, { action: 'approve', reason: 'ok', changeToken: workflow.changeToken(admin, approved) });
    const now = new Date();
    await consumers.update(old.id, { stageTimestamp: toMwTimestamp(new Date(now.getTime() - 31 * DAY)) });
    await consumers.update(fresh.id, { stageTimestamp: toMwTimestamp(new Date(now.getTime() - 29 * DAY)) });
    await consumers.update(approved.id, { stageTimestamp: toMwTimestamp(new Date(now.getTime() - 90 * DAY)) });
    expect(await workflow.expireIdleProposals(now)).toBe(1);
    expect((await consumers.findById(old.id))!.stage).toBe('expired');
    expect((await consumers.findById(fresh.id))!.stage).toBe('proposed');
    expect((await consumers.findById(approved.id))!.stage).toBe('approved');
    expect(log.entries.at(-1)).toMatchObject({ action: 'expire', actor: 0, consumerKey: old.key, comment: 'Not reviewed for 31 days' });
    expect(await workflow.expireIdleProposals(now)).toBe(0);
    // An expired proposal can still be approved.
    const expired = (await consumers.findById(old.id))!;
    expect((await workflow.review(admin, old.key, { action: 'approve', reason: 'late', changeToken: workflow.changeToken(admin, expired) })).stage).toBe('approved');
  });
});

describe('AuthorizationService', () => {
  it('revokes one of my authorizations (and reports its grants), never someone else\'s', async () => {
    const authorizations = new MemoryAuthorizations();
    const consumers = new MemoryConsumers();
    const service = new AuthorizationService({ authorizations, consumers });
    const consumer = await consumers.create({ key: 'k'.repeat(32), name: 'App' } as never);
    const mine = await authorizations.upsert({ wiki: '*', userId: 1, consumerId: consumer.id, grants: ['basic'], oauthVersion: 2 });
    const theirs = await authorizations.upsert({ wiki: '*', userId: 2, consumerId: consumer.id, grants: ['basic'], oauthVersion: 2 });
    authorizations.grants.set('grant-1', mine.id);
    const me: Actor = { id: 1, name: 'Me', email: '', emailConfirmed: false, blocked: false, rights: new Set(['mwoauthmanagemygrants']) };
    expect((await service.list(me)).map((a) => a.authorization.id)).toEqual([mine.id]);
    await expect(service.revoke(me, theirs.id)).rejects.toMatchObject({ code: 'not_found' });
    await service.revoke(me, mine.id);
    expect(authorizations.rows.map((a) => a.id)).toEqual([theirs.id]);
    const err = await service.revokeAll({ ...me, rights: new Set() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermissionError);
    expect((err as PermissionError).right).toBe('mwoauthmanagemygrants');
    await expect(service.countForConsumer(me, consumer.id)).rejects.toMatchObject({ right: 'mwoauthviewprivate' });
    expect(await service.countForConsumer({ ...me, rights: new Set(['mwoauthviewprivate']) }, consumer.id)).toBe(1);
  });
});
