import { createHash } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import type { Knex } from 'knex';
import { unserialize } from 'php-serialize';
import { ConfigError, type WikiSessionConfig } from '../config/config.js';
import { toMwTimestamp } from '../domain/mw-timestamp.js';
import { UNDECODABLE, type StoredWikiSession, type WikiSessionSource, type WikiSessionUser } from '../domain/accounts/wiki-session.js';
import { unavailableOnDriverErrors } from './driver-errors.js';
import { connectRedis, createRedis } from './redis/create-redis.js';
import { realTableName } from './sql/table-prefix.js';

/** A stored session is a few hundred bytes; anything far larger is not read. */
const MAX_STORED_BYTES = 64 * 1024;
const MAX_INFLATED_BYTES = 256 * 1024;

/**
 * The wiki's session store (docs/sign-in.md, "The wiki's session"): MediaWiki's CACHE_DB (the
 * `objectcache` table in the wiki's database) or a Redis server, read only. `close` ends what was
 * opened for it.
 */
export async function openWikiSessionSource(config: WikiSessionConfig, db: Knex): Promise<{ source: WikiSessionSource; readinessChecks: Record<string, () => Promise<void>>; close(): void }> {
  if (config.store.kind === 'database') {
    if (!(await db.schema.hasTable(realTableName(db, 'objectcache')))) {
      throw new ConfigError('MEDIAWIKI_SESSION_STORE', "the wiki's database has no objectcache table (a SQLite wiki keeps its object cache in a separate file)");
    }
    return { source: unavailableOnDriverErrors(new SqlWikiSessions(db, config.keyspace)), readinessChecks: {}, close: () => undefined };
  }
  const redis = createRedis(config.store.url);
  await connectRedis(redis);
  const source: WikiSessionSource = {
    async load(sessionId, userId) {
      const [value, user] = await Promise.all([
        unavailableOnDriverErrors({ get: () => redis.getBuffer(genericKey(config.keyspace, sessionId)) }, "the wiki's session store").get(),
        unavailableOnDriverErrors({ get: () => findUser(db, userId) }).get(),
      ]);
      return { stored: value === null ? undefined : decodePhp(value), user };
    },
  };
  return {
    source,
    readinessChecks: { wikiSessions: async () => void (await unavailableOnDriverErrors({ ping: () => redis.ping() }, "the wiki's session store").ping()) },
    close: () => redis.disconnect(),
  };
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
      .first(
        'user.user_name as name',
        'user.user_token as token',
        db.raw('length(??) as size', ['objectcache.value']),
        db.raw('case when length(??) <= ? then hex(??) end as hex', ['objectcache.value', MAX_STORED_BYTES, 'objectcache.value']),
      )) as { name: unknown; token: unknown; size: number | null; hex: string | null } | undefined;
    if (!row) return { stored: undefined, user: undefined };
    const user = toUser(row);
    if (row.size === null) return { stored: undefined, user };
    return { stored: row.hex === null ? UNDECODABLE : decodeSqlBagValue(Buffer.from(row.hex, 'hex')), user };
  }
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
