import { ReplyError, type Redis } from 'ioredis';
import type { ArtifactIndex } from '../../domain/artifacts/provider-artifacts.js';
import type { ArtifactTable } from '../artifact-table.js';
import { UnavailableError } from '../../domain/errors.js';

type Script = (numberOfKeys: number, ...keysAndArgs: Array<string | number>) => Promise<unknown>;

/*
 * Every artifact is a hash {p: payload JSON, c: consumed epoch} with a TTL, so one-time use is a
 * single HSETNX. Index keys carry a TTL at least as long as what they point at. The scripts run
 * atomically on the server; ioredis sends them by SHA and re-sends the source after a Redis restart.
 */
const SCRIPTS = {
  // KEYS[1] artifact, KEYS[2..] index keys; ARGV: payload, ttl, id, then one kind per index key:
  // 'member' (a set of artifact keys: the grant index) or 'pointer' (a string holding the id).
  upsert: `
    local ttl = tonumber(ARGV[2])
    redis.call('DEL', KEYS[1])
    redis.call('HSET', KEYS[1], 'p', ARGV[1])
    redis.call('EXPIRE', KEYS[1], ttl)
    for i = 2, #KEYS do
      if ARGV[i + 2] == 'member' then
        redis.call('SADD', KEYS[i], KEYS[1])
        if redis.call('TTL', KEYS[i]) < ttl then redis.call('EXPIRE', KEYS[i], ttl) end
        -- A long-lived grant collects members that expired or were destroyed: prune a sample.
        if redis.call('SCARD', KEYS[i]) > 100 then
          for _, member in ipairs(redis.call('SRANDMEMBER', KEYS[i], 10)) do
            if redis.call('EXISTS', member) == 0 then redis.call('SREM', KEYS[i], member) end
          end
        end
      else
        redis.call('SET', KEYS[i], ARGV[3], 'EX', ttl)
      end
    end
    return 1`,
  // The check and the mark are one step: of concurrent callers exactly one gets 1 (docs/architecture.md §3).
  consume: `
    if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
    return redis.call('HSETNX', KEYS[1], 'c', ARGV[1])`,
  revokeMembers: `
    local members = redis.call('SMEMBERS', KEYS[1])
    for _, key in ipairs(members) do redis.call('DEL', key) end
    redis.call('DEL', KEYS[1])
    return #members`,
  addOnce: `
    if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
    redis.call('HSET', KEYS[1], 'p', '{}')
    redis.call('EXPIRE', KEYS[1], ARGV[1])
    return 1`,
  // The window starts at the first hit; the payload mirrors the count so `find` reads it like SQL's.
  increment: `
    local n = redis.call('HINCRBY', KEYS[1], 'n', 1)
    if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
    redis.call('HSET', KEYS[1], 'p', '{"count":' .. n .. '}')
    return n`,
  decrement: `
    local n = tonumber(redis.call('HGET', KEYS[1], 'n'))
    if not n or n <= 0 then return 0 end
    n = redis.call('HINCRBY', KEYS[1], 'n', -1)
    redis.call('HSET', KEYS[1], 'p', '{"count":' .. n .. '}')
    return n`,
} as const;

const now = () => Math.floor(Date.now() / 1000);

/**
 * Short-lived artifacts in Redis (MediaWiki's "object cache"): TTLs on every key, a configurable
 * prefix so several wikis can share one Redis, atomic one-time use. Not for Redis Cluster: the
 * grant index deletes keys from several hash slots in one script.
 */
export class RedisArtifactStore implements ArtifactTable {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #scripts: Record<keyof typeof SCRIPTS, Script>;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#scripts = Object.fromEntries(
      Object.entries(SCRIPTS).map(([name, lua]) => {
        const command = `wikiauth_${name}`;
        if (!(command in redis)) redis.defineCommand(command, { lua });
        const run = (redis as unknown as Record<string, Script>)[command]!;
        return [name, run.bind(redis)];
      }),
    ) as Record<keyof typeof SCRIPTS, Script>;
  }

  async upsert(model: string, id: string, payload: object, expiresIn: number | undefined, index: ArtifactIndex = {}): Promise<void> {
    if (expiresIn === undefined) throw new TypeError(`${model}: a Redis artifact needs an expiry`);
    const indexes: Array<[key: string, kind: 'member' | 'pointer']> = [];
    if (index.grantId) indexes.push([this.#key('grant', model, index.grantId), 'member']);
    if (index.uid) indexes.push([this.#key('uid', model, index.uid), 'pointer']);
    if (index.userCode) indexes.push([this.#key('user-code', model, index.userCode), 'pointer']);
    const keys = [this.#key('artifact', model, id), ...indexes.map(([key]) => key)];
    await reach(this.#scripts.upsert(keys.length, ...keys, JSON.stringify(payload), ttl(expiresIn), id, ...indexes.map(([, kind]) => kind)));
  }

  async find(model: string, id: string): Promise<Record<string, unknown> | undefined> {
    const [payload, consumed] = await reach(this.#redis.hmget(this.#key('artifact', model, id), 'p', 'c'));
    if (!payload) return undefined;
    const parsed = JSON.parse(payload) as Record<string, unknown>;
    return consumed ? { ...parsed, consumed: Number(consumed) } : parsed;
  }

  findByUid(model: string, uid: string) {
    return this.#findByPointer(model, this.#key('uid', model, uid));
  }

  findByUserCode(model: string, userCode: string) {
    return this.#findByPointer(model, this.#key('user-code', model, userCode));
  }

  async #findByPointer(model: string, pointer: string): Promise<Record<string, unknown> | undefined> {
    const id = await reach(this.#redis.get(pointer));
    return id === null ? undefined : this.find(model, id);
  }

  async consume(model: string, id: string): Promise<boolean> {
    return (await reach(this.#scripts.consume(1, this.#key('artifact', model, id), now()))) === 1;
  }

  async destroy(model: string, id: string): Promise<void> {
    await reach(this.#redis.del(this.#key('artifact', model, id)));
  }

  async revokeByGrantId(model: string, grantId: string): Promise<void> {
    await reach(this.#scripts.revokeMembers(1, this.#key('grant', model, grantId)));
  }

  async idsByGrantId(model: string, grantId: string): Promise<string[]> {
    const members = await reach(this.#redis.smembers(this.#key('grant', model, grantId)));
    const artifact = this.#key('artifact', model, '');
    return members.filter((key) => key.startsWith(artifact)).map((key) => key.slice(artifact.length));
  }

  async addOnce(model: string, id: string, expiresIn: number): Promise<boolean> {
    return (await reach(this.#scripts.addOnce(1, this.#key('artifact', model, id), ttl(expiresIn)))) === 1;
  }

  async increment(model: string, id: string, windowSeconds: number): Promise<number> {
    return Number(await reach(this.#scripts.increment(1, this.#key('artifact', model, id), ttl(windowSeconds))));
  }

  async decrement(model: string, id: string): Promise<void> {
    await reach(this.#scripts.decrement(1, this.#key('artifact', model, id)));
  }

  /** Redis expires keys itself. */
  async collectGarbage(): Promise<number> {
    return 0;
  }

  /** Readiness: Redis answers. */
  async ping(): Promise<void> {
    await reach(this.#redis.ping());
  }

  #key(kind: string, model: string, id: string): string {
    // Model names never contain ':', so `<kind>:<model>:` cannot collide across models.
    return `${this.#prefix}${kind}:${model}:${id}`;
  }
}

/** EXPIRE takes whole seconds > 0; an already-expired artifact lives one second. */
function ttl(seconds: number): number {
  return Math.max(1, Math.ceil(seconds));
}

/**
 * Redis not answering (closed connection, no offline queue, command timeout, retries used up) is an
 * outage: UnavailableError, which the HTTP edge answers with 503. A reply error (a bug) stays as is.
 */
async function reach<T>(command: Promise<T>): Promise<T> {
  try {
    return await command;
  } catch (err) {
    if (err instanceof ReplyError) throw err;
    throw new UnavailableError('Redis', { cause: err });
  }
}
