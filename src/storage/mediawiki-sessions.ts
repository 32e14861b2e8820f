import { createHash } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import knex, { type Knex } from 'knex';
import { unserialize } from 'php-serialize';
import { ConfigError } from '../config/config.js';
import { toMwTimestamp } from '../domain/mw-timestamp.js';
import { UNDECODABLE, type StoredWikiSession, type WikiSessionSource, type WikiSessionUser } from '../domain/accounts/wiki-session.js';
import { unavailableOnDriverErrors } from './driver-errors.js';
import { connectRedis, createRedis } from './redis/create-redis.js';
import { realTableName } from './sql/table-prefix.js';

/** A stored session is a few hundred bytes; anything far larger is not read. */
const MAX_STORED_BYTES = 64 * 1024;
const MAX_INFLATED_BYTES = 256 * 1024;

/**
 * The wiki's session store (docs/sign-in.md, "The wiki's session"), read only, opened where the
 * composition root says the wiki keeps it (src/compose-storage.ts). `close` ends what was opened
 * for it.
 */
export interface OpenedWikiSessions {
  readonly source: WikiSessionSource;
  readonly readinessChecks: Record<string, () => Promise<void>>;
  close(): void;
}

/** MediaWiki's CACHE_DB: the `objectcache` table in the wiki's own database. */
export async function objectCacheWikiSessions(db: Knex, keyspace: string): Promise<OpenedWikiSessions> {
  if (!(await db.schema.hasTable(realTableName(db, 'objectcache')))) {
    throw new ConfigError('MEDIAWIKI_SESSION_STORE', "the wiki's database has no objectcache table (a SQLite wiki keeps its object cache in a separate file: sqlite:<path>/wikicache.sqlite)");
  }
  return { source: unavailableOnDriverErrors(new SqlWikiSessions(db, keyspace)), readinessChecks: {}, close: () => undefined };
}

/** A SQLite wiki's CACHE_DB: `objectcache` in its separate cache file; users from the wiki's database. */
export async function cacheFileWikiSessions(filename: string, keyspace: string, db: Knex): Promise<OpenedWikiSessions> {
  const cache = openCacheFile(filename);
  if (!(await cache.schema.hasTable('objectcache'))) {
    await cache.destroy();
    throw new ConfigError('MEDIAWIKI_SESSION_STORE', `${filename} has no objectcache table`);
  }
  const source: WikiSessionSource = {
    async load(sessionId, userId) {
      const [stored, user] = await Promise.all([storedValue(cache, keyspace, sessionId), findUser(db, userId)]);
      return { stored, user };
    },
  };
  return { source: unavailableOnDriverErrors(source, "the wiki's session store"), readinessChecks: {}, close: () => void cache.destroy() };
}

/** RedisBagOStuff: the wiki's Redis; users from the wiki's database. */
export async function redisWikiSessions(url: string, keyspace: string, db: Knex): Promise<OpenedWikiSessions> {
  const redis = createRedis(url);
  await connectRedis(redis);
  const fromRedis = unavailableOnDriverErrors({ get: (key: string) => redis.getBuffer(key), ping: () => redis.ping() }, "the wiki's session store");
  const source: WikiSessionSource = {
    async load(sessionId, userId) {
      const [value, user] = await Promise.all([fromRedis.get(genericKey(keyspace, sessionId)), unavailableOnDriverErrors({ findUser }).findUser(db, userId)]);
      return { stored: value === null ? undefined : decodePhp(value), user };
    },
  };
  return { source, readinessChecks: { wikiSessions: async () => void (await fromRedis.ping()) }, close: () => redis.disconnect() };
}

/**
 * CACHE_DB (SqlBagOStuff): the user row and the unexpired session in one query. The value is
 * selected as hex because the connection decodes binary columns as UTF-8 text.
 */
class SqlWikiSessions implements WikiSessionSource {
  readonly #db: Knex;
  readonly #keyspace: string;

  constructor(db: Knex, keyspace: string) {
    this.#db = db;
    this.#keyspace = keyspace;
  }

  async load(sessionId: string, userId: number) {
    const db = this.#db;
    const row = (await db('user')
      .leftJoin('objectcache', (join) => {
        join.onVal('objectcache.keyname', '=', objectCacheKey(this.#keyspace, sessionId)).andOnVal('objectcache.exptime', '>', toMwTimestamp());
      })
      .where('user.user_id', userId)
      .first('user.user_name as name', 'user.user_token as token', ...valueColumns(db))) as ({ name: unknown; token: unknown } & ValueColumns) | undefined;
    if (!row) return { stored: undefined, user: undefined };
    return { stored: decodeRow(row), user: toUser(row) };
  }
}

interface ValueColumns {
  readonly size: number | null;
  readonly hex: string | null;
}

/** The value's size, and the value as hex when it is small enough to read. */
function valueColumns(db: Knex): Knex.Raw[] {
  return [db.raw('length(??) as size', ['objectcache.value']), db.raw('case when length(??) <= ? then hex(??) end as hex', ['objectcache.value', MAX_STORED_BYTES, 'objectcache.value'])];
}

function decodeRow(row: ValueColumns): StoredWikiSession | typeof UNDECODABLE | undefined {
  if (row.size === null || row.size === undefined) return undefined;
  return row.hex === null ? UNDECODABLE : decodeSqlBagValue(Buffer.from(row.hex, 'hex'));
}

/** The unexpired session in the `objectcache` table of a cache database of its own. */
async function storedValue(cache: Knex, keyspace: string, sessionId: string): Promise<StoredWikiSession | typeof UNDECODABLE | undefined> {
  const row = (await cache('objectcache').where('keyname', objectCacheKey(keyspace, sessionId)).andWhere('exptime', '>', toMwTimestamp()).first(...valueColumns(cache))) as ValueColumns | undefined;
  return row ? decodeRow(row) : undefined;
}

/**
 * A SQLite wiki's cache file (`$wgObjectCaches[CACHE_DB]` in the installer's settings), opened for
 * reading; the wiki's PHP processes write it, so only a busy timeout is set, no journal mode.
 */
function openCacheFile(filename: string): Knex {
  return knex({
    client: 'better-sqlite3',
    connection: { filename, options: { readonly: true } },
    useNullAsDefault: true,
    pool: {
      min: 0,
      max: 1,
      afterCreate(conn: { pragma(sql: string): unknown }, done: (err: Error | null, conn: unknown) => void) {
        conn.pragma('busy_timeout = 2000');
        done(null, conn);
      },
    },
  });
}

async function findUser(db: Knex, userId: number): Promise<WikiSessionUser | undefined> {
  const row = (await db('user').where('user_id', userId).first('user_name as name', 'user_token as token')) as { name: unknown; token: unknown } | undefined;
  return row && toUser(row);
}

function toUser(row: { name: unknown; token: unknown }): WikiSessionUser | undefined {
  const text = (v: unknown) => (typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('utf8') : undefined);
  const name = text(row.name);
  const token = text(row.token);
  return name === undefined || token === undefined ? undefined : { name, token: token.replace(/\0+$/, '') };
}

/** SqlBagOStuff::makeKeyInternal: `:` escaped in components, long ones replaced by `#<md5>`, 205 characters at most. */
export function objectCacheKey(keyspace: string, sessionId: string): string {
  const space = keyspace.replace(/ /g, '_');
  const components = ['MWSession', sessionId];
  let left = 205 - Buffer.byteLength(space) - components.length;
  const encoded = components.map((component) => {
    let c = component.replace(/ /g, '_').replace(/:/g, '%3A');
    if (left > 33 && Buffer.byteLength(c) > left) c = `#${md5(c)}`;
    left -= Buffer.byteLength(c);
    return c;
  });
  return left < 0 ? `${space}:BagOStuff-long-key:##${md5(encoded.join(':'))}` : `${space}:${encoded.join(':')}`;
}

/** BagOStuff::genericKeyFromComponents (RedisBagOStuff): every component with `%` and `:` escaped. */
export function genericKey(keyspace: string, sessionId: string): string {
  return [keyspace, 'MWSession', sessionId].map((c) => c.replace(/%/g, '%25').replace(/:/g, '%3A')).join(':');
}

/** SqlBagOStuff::unserialize: gzinflate when the value inflates, else the value itself; then PHP's unserialize. */
export function decodeSqlBagValue(bytes: Buffer): StoredWikiSession | typeof UNDECODABLE {
  let inflated = bytes;
  try {
    inflated = inflateRawSync(bytes, { maxOutputLength: MAX_INFLATED_BYTES });
  } catch {
    // Not deflated (or too large once inflated: then unserialize fails on the raw bytes).
  }
  return decodePhp(inflated);
}

/**
 * PHP's unserialize, as data only: objects become plain records of their fields (no class is
 * looked up or constructed), anything malformed is UNDECODABLE.
 */
export function decodePhp(bytes: Buffer): StoredWikiSession | typeof UNDECODABLE {
  if (bytes.length > MAX_INFLATED_BYTES) return UNDECODABLE;
  try {
    return unserialize(bytes, Object.create(null) as Record<string, never>, { strict: false });
  } catch {
    return UNDECODABLE;
  }
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}
