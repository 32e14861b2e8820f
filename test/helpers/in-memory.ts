import type { Account, AccountBlock, AccountRepository, NewAccount, NewBlock } from '../../src/domain/accounts/account.js';
import { STAGE_NUMBER, type Consumer, type ConsumerChanges, type ConsumerQuery, type ConsumerRepository, type NewConsumer } from '../../src/domain/consumers/consumer.js';
import type { ConsumerLogEntry, ManagementLog } from '../../src/domain/consumers/management-log.js';
import type { AccessTokenRegistry, GrantRecordRepository } from '../../src/domain/grants/access-token-registry.js';
import type { Authorization, AuthorizationRepository } from '../../src/domain/grants/authorization.js';
import { toMwTimestamp } from '../../src/domain/mw-timestamp.js';
import { generateHex32 } from '../../src/domain/random.js';

/*
 * In-memory implementations of the domain's storage ports, for unit tests of domain services
 * (no I/O). The SQL implementations are tested against real databases in test/integration.
 */

export class MemoryAccounts implements AccountRepository {
  readonly rows: Account[] = [];
  readonly groupRows = new Map<number, string[]>();
  readonly blocks = new Map<number, AccountBlock>();

  async findById(id: number) {
    return this.rows.find((a) => a.id === id);
  }
  async findByName(name: string) {
    return this.rows.find((a) => a.name === name);
  }
  async create(account: NewAccount): Promise<Account> {
    const row: Account = { ...account, id: this.rows.length + 1, registration: toMwTimestamp(), editCount: 0, touched: toMwTimestamp(), isTemp: false };
    this.rows.push(row);
    return row;
  }
  async setPassword() {}
  async setEmail() {}
  async groups(id: number) {
    return this.groupRows.get(id) ?? [];
  }
  async addGroups(id: number, groups: readonly string[]) {
    this.groupRows.set(id, [...(this.groupRows.get(id) ?? []), ...groups]);
  }
  async findBlock(id: number) {
    return this.blocks.get(id);
  }
  async putBlock(block: NewBlock) {
    this.blocks.set(block.userId, { ...block, id: block.userId, byName: '', sitewide: true, hidden: false, noCreate: false });
  }
  async removeBlock(id: number) {
    return this.blocks.delete(id);
  }
}

export class MemoryConsumers implements ConsumerRepository {
  readonly rows: Consumer[] = [];

  async findByKey(key: string) {
    return this.rows.find((c) => c.key === key);
  }
  async findById(id: number) {
    return this.rows.find((c) => c.id === id);
  }
  async latestVersion(name: string, ownerId: number) {
    return this.rows.filter((c) => c.name === name && c.ownerId === ownerId).at(-1)?.version;
  }
  async create(consumer: NewConsumer): Promise<Consumer> {
    const row = { ...consumer, id: this.rows.length + 1 };
    this.rows.push(row);
    return row;
  }
  async update(id: number, changes: ConsumerChanges) {
    const i = this.rows.findIndex((c) => c.id === id);
    if (i >= 0) this.rows[i] = { ...this.rows[i]!, ...changes };
  }
  async updateIf(id: number, expected: ConsumerChanges, changes: ConsumerChanges) {
    const row = await this.findById(id);
    if (!row || Object.entries(expected).some(([k, v]) => JSON.stringify(row[k as keyof Consumer]) !== JSON.stringify(v))) return false;
    await this.update(id, changes);
    return true;
  }
  async delete(id: number) {
    const i = this.rows.findIndex((c) => c.id === id);
    if (i >= 0) this.rows.splice(i, 1);
  }
  async list(query: ConsumerQuery) {
    const matching = this.rows.filter(
      (c) =>
        (query.ownerId === undefined || c.ownerId === query.ownerId) &&
        (query.stage === undefined || STAGE_NUMBER[c.stage] === STAGE_NUMBER[query.stage]) &&
        (query.name === undefined || c.name === query.name) &&
        (query.oauthVersion === undefined || c.oauthVersion === query.oauthVersion) &&
        (query.includeDeleted || !c.deleted) &&
        (query.stageTimestampBefore === undefined || c.stageTimestamp < query.stageTimestampBefore),
    );
    const offset = query.offset ?? 0;
    return { consumers: matching.slice(offset, offset + (query.limit ?? 50)), total: matching.length };
  }
}

export class MemoryLog implements ManagementLog {
  readonly entries: ConsumerLogEntry[] = [];

  async append(entry: ConsumerLogEntry) {
    this.entries.push({ ...entry, id: this.entries.length + 1 });
  }
  async forConsumer(consumerKey: string) {
    return this.entries.filter((e) => e.consumerKey === consumerKey).reverse();
  }
}

export class MemoryAuthorizations implements AuthorizationRepository {
  readonly rows: Authorization[] = [];
  /** grant id → authorization id, as wikiauth_grant would hold it. */
  readonly grants = new Map<string, number>();

  async findById(id: number) {
    return this.rows.find((a) => a.id === id);
  }
  async findByAccessToken(token: string) {
    return this.rows.find((a) => a.accessToken === token);
  }
  async find(userId: number, consumerId: number, wiki: string) {
    return this.rows.find((a) => a.userId === userId && a.consumerId === consumerId && a.wiki === wiki);
  }
  async listByUser(userId: number) {
    return this.rows.filter((a) => a.userId === userId).reverse();
  }
  async countByConsumer(consumerId: number) {
    return this.rows.filter((a) => a.consumerId === consumerId).length;
  }
  async upsert(input: Omit<Authorization, 'id' | 'accessToken' | 'accessSecret' | 'accepted'>, opts: { renewCredentials?: boolean } = {}): Promise<Authorization> {
    const existing = await this.find(input.userId, input.consumerId, input.wiki);
    const kept = existing && !opts.renewCredentials ? { accessToken: existing.accessToken, accessSecret: existing.accessSecret, accepted: existing.accepted } : {};
    const row: Authorization = { ...input, id: existing?.id ?? this.rows.length + 1, accessToken: generateHex32(), accessSecret: generateHex32(), accepted: toMwTimestamp(), ...kept };
    if (existing) this.rows[this.rows.indexOf(existing)] = row;
    else this.rows.push(row);
    return row;
  }
  async delete(where: { id?: number; userId?: number; consumerId?: number }) {
    const doomed = this.rows.filter(
      (a) => (where.id === undefined || a.id === where.id) && (where.userId === undefined || a.userId === where.userId) && (where.consumerId === undefined || a.consumerId === where.consumerId),
    );
    const ids = new Set(doomed.map((a) => a.id));
    const grantIds = [...this.grants].filter(([, acceptance]) => ids.has(acceptance)).map(([grantId]) => grantId);
    for (const grantId of grantIds) this.grants.delete(grantId);
    for (const row of doomed) this.rows.splice(this.rows.indexOf(row), 1);
    return { count: doomed.length, grantIds };
  }
}

export class MemoryGrantRecords implements GrantRecordRepository {
  readonly rows = new Map<string, { payload: Record<string, unknown>; acceptanceId: number; expiresAt: number | undefined }>();

  async save(id: string, acceptanceId: number, payload: object, expiresAt: number | undefined) {
    this.rows.set(id, { payload: { ...payload }, acceptanceId, expiresAt });
  }
  async find(id: string) {
    const row = this.rows.get(id);
    return row && { payload: row.payload, acceptanceId: row.acceptanceId };
  }
  async destroy(id: string) {
    this.rows.delete(id);
  }
  async collectGarbage() {
    return 0;
  }
}

export class MemoryAccessTokens implements AccessTokenRegistry {
  readonly rows = new Map<string, { expiresAt: number | undefined; acceptanceId: number; revoked?: true }>();

  async register(identifier: string, expiresAt: number | undefined, acceptanceId: number) {
    this.rows.set(identifier, { expiresAt, acceptanceId });
  }
  async find(identifier: string) {
    const row = this.rows.get(identifier);
    return row && { acceptanceId: row.acceptanceId, revoked: row.revoked === true };
  }
  async revoke(identifier: string) {
    const row = this.rows.get(identifier);
    if (row) row.revoked = true;
  }
  async revokeByGrant() {
    // Grant-indexed tokens live in the artifact store, which this double does not join.
  }
}
