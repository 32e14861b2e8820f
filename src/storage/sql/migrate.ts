import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import type { DatabaseConfig } from '../../config/config.js';
import { MIGRATIONS, type Migration } from '../../../migrations/index.js';
import { MEDIAWIKI_MIGRATIONS } from '../../../migrations/mediawiki.js';
import { createKnex } from './create-knex.js';
import { withDatabaseLock } from './database-lock.js';
import { inspectMediaWikiSchema } from './mediawiki-schema.js';
import { isMediaWikiDatabase, realTableName } from './table-prefix.js';

const TABLE = 'wikiauth_migrations';

/**
 * knex's migrator asks for its tables by value (hasTable), which the prefix hook never sees, so it
 * gets their real names; a wiki's database gets its own migration list (migrations/mediawiki.ts).
 */
function migratorConfig(db: Knex): Knex.MigratorConfig {
  const list = isMediaWikiDatabase(db) ? MEDIAWIKI_MIGRATIONS : MIGRATIONS;
  const migrationSource: Knex.MigrationSource<readonly [string, Migration]> = {
    getMigrations: async () => [...list],
    getMigrationName: ([name]) => name,
    getMigration: async ([, migration]) => migration,
  };
  return { migrationSource, tableName: realTableName(db, TABLE) };
}

/**
 * Apply pending migrations. On MariaDB/MySQL two instances may run this at once: knex's own lock
 * lives in a table that knex creates and seeds on first use, and two processes doing that together
 * leave two rows, after which knex reports "already locked" forever. A named lock around the whole
 * run serializes them (the second waits, then finds nothing to do) and repairs such a lock table.
 */
export async function migrateLatest(db: Knex, waitSeconds = 60): Promise<string[]> {
  return withDatabaseLock(
    db,
    'wikiauth_migrate',
    async () => {
      // A wiki's database must hold the MediaWiki tables wikiauth adopts; nothing is created before that is known.
      if (isMediaWikiDatabase(db)) await inspectMediaWikiSchema(db);
      await repairLockTable(db);
      const [, applied] = (await db.migrate.latest(migratorConfig(db))) as [number, string[]];
      return applied;
    },
    waitSeconds,
  );
}

/** Under the named lock no migration runs, so the lock table should hold exactly one free row. */
async function repairLockTable(db: Knex): Promise<void> {
  const lockTable = realTableName(db, `${TABLE}_lock`);
  if (!(await db.schema.hasTable(lockTable))) return;
  const rows = (await db(lockTable).select('index').orderBy('index')) as Array<{ index: number }>;
  if (rows.length <= 1) return;
  await db(lockTable).where('index', '>', rows[0]!.index).delete();
  await db(lockTable).update({ is_locked: 0 });
}

export async function migrateRollbackAll(db: Knex): Promise<void> {
  await db.migrate.rollback(migratorConfig(db), true);
}

/** Names of migrations not yet applied. */
export async function pendingMigrations(db: Knex): Promise<string[]> {
  // knex returns the pending entries of our migrationSource as they came from it, not as names.
  const config = migratorConfig(db);
  const [, pending] = (await db.migrate.list(config)) as [unknown[], Array<(typeof MIGRATIONS)[number]>];
  return pending.map((entry) => config.migrationSource!.getMigrationName(entry));
}

const LOCK_WAIT_MS = 60_000;

/**
 * `wikiauth migrate`: bring the schema up to date. Idempotent; when another instance holds knex's
 * migration lock we wait for it (up to a minute) and then find nothing left to do.
 */
export async function migrateDatabase(database: DatabaseConfig): Promise<string[]> {
  const db = createKnex(database);
  try {
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        return await migrateLatest(db);
      } catch (err) {
        if ((err as Error).name !== 'MigrationLocked' || Date.now() > deadline) throw err;
        await sleep(500);
      }
    }
  } finally {
    await db.destroy();
  }
}
