import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import knex, { type Knex } from 'knex';
import type { DatabaseConfig } from '../../config/config.js';
import { prefixingIdentifiers, rememberShape } from './table-prefix.js';

/**
 * One knex instance per process. Dialect quirks live here:
 * - SQLite: WAL + busy timeout so CLI processes and the server can share the file.
 * - A table prefix (`$wgDBprefix`) is added to table names by the identifier hook (table-prefix.ts).
 * - MariaDB/MySQL: fail fast (docs/architecture.md §10: the defaults wait 10–73 s), and MediaWiki's binary
 *   columns (VARBINARY/BINARY/BLOB) come back from mysql2 as Buffers: decode them to strings
 *   once here and strip BINARY(n)'s NUL padding, so repositories only ever see strings.
 */
export function createKnex(database: DatabaseConfig): Knex {
  const prefix = database.tablePrefix ?? '';
  return rememberShape(openKnex(database, prefixingIdentifiers(prefix)), { prefix, mediawiki: database.mediawiki ?? false });
}

function openKnex(database: DatabaseConfig, wrapIdentifier: Knex.Config['wrapIdentifier']): Knex {
  if (database.client === 'sqlite') {
    // A wiki's SQLite file is the wiki's: its owner and mode are for the wiki's web server to keep.
    if (!database.mediawiki) createPrivately(database.filename);
    return knex({
      client: 'better-sqlite3',
      connection: { filename: database.filename },
      useNullAsDefault: true,
      ...(wrapIdentifier ? { wrapIdentifier } : {}),
      pool: {
        min: 1,
        max: 1,
        afterCreate(conn: { pragma(sql: string): unknown }, done: (err: Error | null, conn: unknown) => void) {
          conn.pragma('journal_mode = WAL');
          // In WAL mode NORMAL still survives a crash of the process; only a power loss may drop
          // the last commits, and it saves an fsync per commit (sqlite.org/pragma.html#pragma_synchronous).
          conn.pragma('synchronous = NORMAL');
          conn.pragma('busy_timeout = 5000');
          conn.pragma('foreign_keys = ON');
          done(null, conn);
        },
      },
    });
  }
  const url = new URL(database.url);
  return knex({
    client: 'mysql2',
    connection: {
      host: url.hostname,
      port: url.port ? Number(url.port) : 3306,
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      database: decodeURIComponent(url.pathname.slice(1)),
      connectTimeout: 2000,
      charset: 'utf8mb4',
      supportBigNumbers: true,
      bigNumberStrings: false,
      typeCast: decodeBinaryColumns,
    },
    acquireConnectionTimeout: 2000,
    ...(wrapIdentifier ? { wrapIdentifier } : {}),
    pool: { min: 0, max: 10 },
  });
}

/**
 * A stolen copy of the database file holds password hashes and consumer secrets, so only the
 * service's own user may read it (docs/security.md, "Files at rest"). SQLite gives its -wal and
 * -shm files the mode of the database file, so creating that one 0600 covers all three; files an
 * older version left readable are tightened.
 */
function createPrivately(filename: string): void {
  mkdirSync(dirname(filename), { recursive: true, mode: 0o700 });
  if (!existsSync(filename)) closeSync(openSync(filename, 'a', 0o600));
  for (const file of [filename, `${filename}-wal`, `${filename}-shm`]) {
    try {
      if (existsSync(file)) chmodSync(file, 0o600);
    } catch {
      // Not ours to change (another owner, a read-only mount): SQLite reports real problems itself.
    }
  }
}

interface Mysql2Field {
  type: string;
  buffer(): Buffer | null;
}

const BINARY_TYPES = new Set(['STRING', 'VAR_STRING', 'BLOB', 'TINY_BLOB', 'MEDIUM_BLOB', 'LONG_BLOB']);

function decodeBinaryColumns(field: Mysql2Field, next: () => unknown): unknown {
  if (!BINARY_TYPES.has(field.type)) return next();
  const bytes = field.buffer();
  if (bytes === null) return null;
  const text = bytes.toString('utf8');
  // BINARY(n) pads with NUL bytes (MediaWiki's BINARY(14) timestamps, BINARY(32) tokens).
  return field.type === 'STRING' ? text.replace(/\0+$/, '') : text;
}

export function isMysql(db: Knex): boolean {
  return db.client.config.client === 'mysql2';
}
