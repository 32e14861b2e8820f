import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteRedisKeys } from '../../bench/targets.js';
import knex from 'knex';
import type { DatabaseConfig } from '../../src/config/config.js';

/** MariaDB on these machines (docs/architecture.md §10); override with TEST_MYSQL_URL. */
export const MYSQL_SERVER = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestDatabase {
  readonly name: 'sqlite' | 'mariadb' | 'mariadb+redis';
  readonly config: DatabaseConfig;
  /** DATABASE_URL spelling of the same database, for child processes. */
  readonly url: string;
  /** More environment for a server on this backend (REDIS_URL, REDIS_PREFIX). */
  readonly env?: Readonly<Record<string, string>>;
  drop(): Promise<void>;
}

/** A fresh, empty SQLite file in a temporary folder. */
export function sqliteDatabase(): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'wikiauth-test-'));
  const filename = join(dir, 'test.sqlite');
  return {
    name: 'sqlite',
    config: { client: 'sqlite', filename },
    url: `sqlite:${filename}`,
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A fresh MariaDB database with a unique name, dropped afterwards. */
export async function mariadbDatabase(): Promise<TestDatabase> {
  const name = `wikiauth_t_${randomBytes(6).toString('hex')}`;
  const admin = knex({ client: 'mysql2', connection: `${MYSQL_SERVER}/test` });
  try {
    await admin.raw(`CREATE DATABASE \`${name}\``);
  } finally {
    await admin.destroy();
  }
  const url = `${MYSQL_SERVER}/${name}`;
  return {
    name: 'mariadb',
    config: { client: 'mysql', url },
    url,
    drop: async () => {
      const db = knex({ client: 'mysql2', connection: `${MYSQL_SERVER}/test` });
      try {
        await db.raw(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await db.destroy();
      }
    },
  };
}

/**
 * MariaDB for durable data plus Redis for short-lived artifacts (docs/architecture.md §3), under a key prefix of
 * its own; the keys go with the database.
 */
export async function mariadbRedisDatabase(): Promise<TestDatabase> {
  const mariadb = await mariadbDatabase();
  const prefix = `wikiauth_t_${randomBytes(6).toString('hex')}:`;
  return {
    ...mariadb,
    name: 'mariadb+redis',
    env: { REDIS_URL, REDIS_PREFIX: prefix },
    drop: async () => {
      await mariadb.drop();
      await deleteRedisKeys(REDIS_URL, prefix);
    },
  };
}

export { deleteRedisKeys };

export const DIALECTS = [
  ['sqlite', async () => sqliteDatabase()],
  ['mariadb', mariadbDatabase],
  ['mariadb+redis', mariadbRedisDatabase],
] as const;

/** For suites of the SQL layer alone, where Redis plays no part. */
export const SQL_DIALECTS = [
  ['sqlite', async () => sqliteDatabase()],
  ['mariadb', mariadbDatabase],
] as const;
