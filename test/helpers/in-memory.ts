import type { SessionGenerations } from '../../src/domain/accounts/session-generations.js';
import type { ArtifactIndex, ProviderArtifactStore } from '../../src/domain/artifacts/provider-artifacts.js';
import type { ClaimOnce, Counters, Marks, PendingSignInRecord, PendingSignInStore, RequestTokenRecord, RequestTokenRecords, SiteSessionRecord, SiteSessionStore } from '../../src/domain/artifacts/stores.js';
import type { PendingOathKeys } from '../../src/domain/accounts/two-factor-setup.js';
import type { Account, AccountBlock, AccountRepository, NewAccount, NewBlock } from '../../src/domain/accounts/account.js';
import { STAGE_NUMBER, type Consumer, type ConsumerChanges, type ConsumerQuery, type ConsumerRepository, type NewConsumer } from '../../src/domain/consumers/consumer.js';
import type { ConsumerLogEntry, ManagementLog } from '../../src/domain/consumers/management-log.js';
import type { AccessTokenRegistry, GrantRecordRepository } from '../../src/domain/grants/access-token-registry.js';
import type { Authorization, AuthorizationRepository } from '../../src/domain/grants/authorization.js';
import { toMwTimestamp } from '../../src/domain/mw-timestamp.js';
import { generateHex32 } from '../../src/domain/random.js';
import type { Enrolment, EnrolmentRepository, UsedTotpSteps } from '../../src/domain/accounts/two-factor-service.js';
import { formatOathData, parseOathData, type OathKey } from '../../src/domain/accounts/two-factor.js';

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
  async setPassword(id: number, passwordHash: string) {
    this.#change(id, { passwordHash });
  }
  async setEmail(id: number, email: string, emailAuthenticated: string | null) {
    this.#change(id, { email, emailAuthenticated });
  }
  #change(id: number, changes: Partial<Account>) {
    const i = this.rows.findIndex((a) => a.id === id);
    if (i >= 0) this.rows[i] = { ...this.rows[i]!, ...changes };
  }
  async groups(id: number) {
    return this.groupRows.get(id) ?? [];
  }
  async addGroups(id: number, groups: readonly string[]) {
    this.groupRows.set(id, [...new Set([...(this.groupRows.get(id) ?? []), ...groups])]);
  }
  async findBlock(id: number) {
    return this.blocks.get(id);
  }
  async putBlock(block: NewBlock) {
    const byName = this.rows.find((a) => a.id === block.by)?.name ?? '';
    this.blocks.set(block.userId, { ...block, id: block.userId, byName, sitewide: true, hidden: false, noCreate: false });
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
    this.entries.push({ params: {}, ...entry, id: this.entries.length + 1 });
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
  async revokeAll(identifiers: readonly string[]) {
    for (const identifier of identifiers) await this.revoke(identifier);
  }
  async revokeByAcceptance(acceptanceId: number) {
    for (const row of this.rows.values()) if (row.acceptanceId === acceptanceId) row.revoked = true;
  }
}

/** Entries with an expiry (epoch ms), as the short-lived stores keep them. */
class Expiring<T> {
  readonly #rows = new Map<string, { value: T; expires: number | undefined }>();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }
  get(id: string): T | undefined {
    const row = this.#rows.get(id);
    if (row && row.expires !== undefined && row.expires <= this.#now()) this.#rows.delete(id);
    return this.#rows.get(id)?.value;
  }
  set(id: string, value: T, expiresIn: number | undefined): void {
    this.#rows.set(id, { value, expires: expiresIn === undefined ? undefined : this.#now() + expiresIn * 1000 });
  }
  /** Change the value and keep the expiry. */
  update(id: string, value: T): void {
    const row = this.#rows.get(id);
    if (row) row.value = value;
  }
  delete(id: string): void {
    this.#rows.delete(id);
  }
  entries(): Array<[string, T]> {
    return [...this.#rows.keys()].flatMap((id) => {
      const value = this.get(id);
      return value === undefined ? [] : [[id, value] as [string, T]];
    });
  }
}

interface MemoryArtifact {
  readonly payload: object;
  readonly index: ArtifactIndex;
  readonly consumed?: number;
}

export class MemoryProviderArtifacts implements ProviderArtifactStore {
  readonly #rows: Expiring<MemoryArtifact>;
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
    this.#rows = new Expiring(now);
  }
  async upsert(kind: string, id: string, payload: object, expiresIn: number | undefined, index: ArtifactIndex = {}) {
    this.#rows.set(`${kind}\n${id}`, { payload: structuredClone(payload), index }, expiresIn);
  }
  async find(kind: string, id: string) {
    const row = this.#rows.get(`${kind}\n${id}`);
    if (!row) return undefined;
    const payload = structuredClone(row.payload) as Record<string, unknown>;
    return row.consumed === undefined ? payload : { ...payload, consumed: row.consumed };
  }
  findByUid(kind: string, uid: string) {
    return this.#findBy(kind, (index) => index.uid === uid);
  }
  findByUserCode(kind: string, userCode: string) {
    return this.#findBy(kind, (index) => index.userCode === userCode);
  }
  async consume(kind: string, id: string) {
    const row = this.#rows.get(`${kind}\n${id}`);
    if (!row || row.consumed !== undefined) return false;
    this.#rows.update(`${kind}\n${id}`, { ...row, consumed: Math.floor(this.#now() / 1000) });
    return true;
  }
  async destroy(kind: string, id: string) {
    this.#rows.delete(`${kind}\n${id}`);
  }
  async revokeByGrantId(kind: string, grantId: string) {
    for (const id of await this.idsByGrantId(kind, grantId)) this.#rows.delete(`${kind}\n${id}`);
  }
  async idsByGrantId(kind: string, grantId: string) {
    return this.#rows.entries().filter(([key, row]) => key.startsWith(`${kind}\n`) && row.index.grantId === grantId).map(([key]) => key.slice(kind.length + 1));
  }
  #findBy(kind: string, match: (index: ArtifactIndex) => boolean) {
    const found = this.#rows.entries().find(([key, row]) => key.startsWith(`${kind}\n`) && match(row.index));
    return found ? this.find(kind, found[0].slice(kind.length + 1)) : Promise.resolve(undefined);
  }
}

export class MemoryCounters implements Counters {
  readonly #counts: Expiring<number>;

  constructor(now: () => number = Date.now) {
    this.#counts = new Expiring(now);
  }
  async increment(id: string, windowSeconds: number) {
    const count = (this.#counts.get(id) ?? 0) + 1;
    if (count === 1) this.#counts.set(id, count, windowSeconds);
    else this.#counts.update(id, count);
    return count;
  }
  async giveBack(id: string) {
    const count = this.#counts.get(id);
    if (count) this.#counts.update(id, count - 1);
  }
  async count(id: string) {
    return this.#counts.get(id) ?? 0;
  }
  async reset(id: string) {
    this.#counts.delete(id);
  }
}

/** Every short-lived port in memory, for unit tests and the contract suites (test/contracts). */
export function memoryArtifactStores(now: () => number = Date.now) {
  const sessions = new Expiring<SiteSessionRecord>(now);
  const claimed = new Expiring<true>(now);
  const requestTokens = new MemoryProviderArtifacts(now);
  const marks = new Expiring<number>(now);
  const generations = new MemoryCounters(now);
  const siteSessions: SiteSessionStore = {
    save: async (id, session, ttl) => sessions.set(id, { ...session }, ttl),
    find: async (id) => sessions.get(id),
    destroy: async (id) => sessions.delete(id),
  };
  const oauth1Nonces: ClaimOnce = {
    async claim(id, rememberSeconds) {
      if (claimed.get(id)) return false;
      claimed.set(id, true, rememberSeconds);
      return true;
    },
  };
  const requestTokenRecords: RequestTokenRecords = {
    save: (key, token, ttl) => requestTokens.upsert('RequestToken', key, token, ttl),
    async find(key) {
      const found = await requestTokens.find('RequestToken', key);
      if (!found) return undefined;
      const { consumed, ...token } = found;
      return { ...(token as unknown as RequestTokenRecord), used: consumed !== undefined };
    },
    consume: (key) => requestTokens.consume('RequestToken', key),
  };
  const signIns = new Expiring<PendingSignInRecord>(now);
  const pendingSignIns: PendingSignInStore = {
    save: async (id, pending, ttl) => signIns.set(id, { ...pending }, ttl),
    find: async (id) => signIns.get(id),
    destroy: async (id) => signIns.delete(id),
  };
  const oathKeys = new Expiring<OathKey>(now);
  const pendingOathKeys: PendingOathKeys = {
    find: async (userId) => oathKeys.get(String(userId)),
    keep: async (userId, key, ttl) => oathKeys.set(String(userId), structuredClone(key), ttl),
    forget: async (userId) => oathKeys.delete(String(userId)),
  };
  const reauthenticationRequests: Marks = {
    mark: async (id, atMs, ttl) => marks.set(id, atMs, ttl),
    find: async (id) => marks.get(id),
  };
  const sessionGenerations: SessionGenerations = {
    current: (userId) => generations.count(String(userId)),
    bump: async (userId) => void (await generations.increment(String(userId), 10 * 365 * 24 * 3600)),
  };
  return {
    providerArtifacts: new MemoryProviderArtifacts(now),
    siteSessions,
    oauth1Nonces,
    requestTokens: requestTokenRecords,
    rateLimitCounters: new MemoryCounters(now),
    loginThrottleCounters: new MemoryCounters(now),
    sessionGenerations,
    reauthenticationRequests,
    usedTotpSteps: new MemoryTotpSteps(),
    pendingSignIns,
    pendingOathKeys,
  };
}

/** Enrolments as OATHAuth's rows would hold them; `revision` is the stored JSON. */
export class MemoryEnrolments implements EnrolmentRepository {
  readonly rows = new Map<number, string>();

  async find(userId: number): Promise<Enrolment | undefined> {
    const data = this.rows.get(userId);
    return data === undefined ? undefined : { userId, key: parseOathData(data), revision: data };
  }
  async save(userId: number, key: OathKey) {
    this.rows.set(userId, formatOathData(key));
  }
  async replace(previous: Enrolment, key: OathKey) {
    if (this.rows.get(previous.userId) !== previous.revision) return false;
    this.rows.set(previous.userId, formatOathData(key));
    return true;
  }
  async delete(userId: number) {
    return this.rows.delete(userId);
  }
}

export class MemoryTotpSteps implements UsedTotpSteps {
  readonly claimed = new Set<string>();
  readonly lastSteps = new Map<number, number>();

  async last(userId: number) {
    return this.lastSteps.get(userId);
  }
  async claim(userId: number, step: number) {
    if (this.claimed.has(`${userId}:${step}`)) return false;
    this.claimed.add(`${userId}:${step}`);
    this.lastSteps.set(userId, Math.max(step, this.lastSteps.get(userId) ?? step));
    return true;
  }
}
