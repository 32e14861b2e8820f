import { basename, resolve } from 'node:path';
import { ConfigError, type DatabaseConfig, type MediaWikiMode, type WikiSessionConfig } from './config.js';
import { parseBoolean, value, type Env } from './env.js';

/**
 * MEDIAWIKI_SESSION=1: a user signed in to the wiki is signed in here (docs/sign-in.md, "The wiki's
 * session"). Off unless set, and only beside a wiki (MEDIAWIKI_DB=1). The defaults are MediaWiki's:
 * `$wgCookiePrefix` from the database name and prefix, `$wgSessionName` from the cookie prefix, the
 * object cache's keyspace from `$wgCachePrefix` or the wiki id.
 */
export function parseWikiSession(env: Env, mediawiki: MediaWikiMode | undefined, database: DatabaseConfig, cwd: string): WikiSessionConfig | undefined {
  const names = ['MEDIAWIKI_COOKIE_PREFIX', 'MEDIAWIKI_SESSION_NAME', 'MEDIAWIKI_CACHE_PREFIX', 'MEDIAWIKI_SESSION_STORE', 'MEDIAWIKI_AUTH_TOKEN_VERSION'];
  if (!parseBoolean(env, 'MEDIAWIKI_SESSION', false)) {
    const stray = names.find((name) => value(env, name) !== undefined);
    if (stray) throw new ConfigError(stray, 'only applies with MEDIAWIKI_SESSION=1');
    return undefined;
  }
  if (!mediawiki) throw new ConfigError('MEDIAWIKI_SESSION', "needs MEDIAWIKI_DB=1: the wiki's users and sessions live in its database");
  const dbName = database.client === 'mysql' ? decodeURIComponent(new URL(database.url).pathname.slice(1)) : basename(database.filename).replace(/\.sqlite$/, '');
  // SetupDynamicConfig.php: `$wgCookiePrefix` false → `<dbname>[_<dbprefix>]`, then these characters → `_`.
  const cookiePrefix = (value(env, 'MEDIAWIKI_COOKIE_PREFIX') ?? (mediawiki.tablePrefix ? `${dbName}_${mediawiki.tablePrefix}` : dbName)).replace(/[=,; +."'\\[]/g, '_');
  const sessionCookie = value(env, 'MEDIAWIKI_SESSION_NAME') ?? `${cookiePrefix}_session`;
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(sessionCookie)) throw new ConfigError('MEDIAWIKI_SESSION_NAME', `"${sessionCookie}" is not a cookie name`);
  return {
    cookiePrefix,
    sessionCookie,
    keyspace: value(env, 'MEDIAWIKI_CACHE_PREFIX') ?? mediawiki.wikiId,
    store: parseStore(value(env, 'MEDIAWIKI_SESSION_STORE'), cwd),
    tokenVersion: value(env, 'MEDIAWIKI_AUTH_TOKEN_VERSION'),
  };
}

/**
 * `database` (the wiki's `objectcache` table, MediaWiki's CACHE_DB), `sqlite:<path>` (a SQLite wiki's
 * CACHE_DB file, `wikicache.sqlite` beside its database) or the Redis server of `$wgObjectCaches`.
 */
function parseStore(raw: string | undefined, cwd: string): WikiSessionConfig['store'] {
  if (raw === undefined || raw === 'database') return { kind: 'database' };
  if (raw.startsWith('sqlite:') && raw.length > 'sqlite:'.length) return { kind: 'sqlite', filename: resolve(cwd, raw.slice('sqlite:'.length)) };
  if (/^rediss?:\/\/[^/]/.test(raw)) return { kind: 'redis', url: raw };
  throw new ConfigError('MEDIAWIKI_SESSION_STORE', `expected database (the objectcache table), sqlite:<path>/wikicache.sqlite or redis://host:port[/db] (the value is not repeated: it may hold a password)`);
}
