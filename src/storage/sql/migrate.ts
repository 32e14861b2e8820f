import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import type { DatabaseConfig } from '../../config/config.js';
import { createKnex } from './create-knex.js';
import { MIGRATIONS, migrationSource } from '../../../migrations/index.js';
import { withDatabaseLock } from './database-lock.js';

const TABLE = 'wikiauth_migrations';
const LOCK_TABLE = `${TABLE}_lock`;

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
      await repairLockTable(db);
      const [, applied] = (await db.migrate.latest({ migrationSource, tableName: TABLE })) as [number, string[]];
      return applied;
    },
    waitSeconds,
  );
}

/** Under the named lock no migration runs, so the lock table should hold exactly one free row. */
async function repairLockTable(db: Knex): Promise<void> {
  if (!(await db.schema.hasTable(LOCK_TABLE))) return;
  const rows = (await db(LOCK_TABLE).select('index').orderBy('index')) as Array<{ index: number }>;
  if (rows.length <= 1) return;
  await db(LOCK_TABLE).where('index', '>', rows[0]!.index).delete();
  await db(LOCK_TABLE).update({ is_locked: 0 });
}

export async function migrateRollbackAll(db: Knex): Promise<void> {
  await db.migrate.rollback({ migrationSource, tableName: TABLE }, true);
}

/** Names of migrations not yet applied. */
export async function pendingMigrations(db: Knex): Promise<string[]> {
  // knex returns the pending entries of our migrationSource as they came from it, not as names.
  const [, pending] = (await db.migrate.list({ migrationSource, tableName: TABLE })) as [unknown[], Array<(typeof MIGRATIONS)[number]>];
  return pending.map((entry) => migrationSource.getMigrationName(entry));
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
