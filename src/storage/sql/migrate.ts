import type { Knex } from 'knex';
import { MIGRATIONS, migrationSource } from '../../../migrations/index.js';
import { isMysql } from './create-knex.js';

const TABLE = 'wikiauth_migrations';

export async function migrateLatest(db: Knex): Promise<string[]> {
  if (!isMysql(db)) return latest(db);
  // knex creates its bookkeeping tables outside its own lock: two first runs at once fail ("table
  // already exists") or leave two lock rows, which keep migrations locked for good. A named lock
  // per database, held on a connection of its own while the run uses others, serializes runs.
  return db.transaction(async (trx) => {
    const lockName = trx.raw("LEFT(CONCAT('wikiauth-migrate:', DATABASE()), 64)");
    const [[{ got }]] = await trx.raw('SELECT GET_LOCK(?, 60) AS got', [lockName]);
    if (Number(got) !== 1) throw new Error('timed out waiting for another `wikiauth migrate` to finish');
    try {
      return await latest(db);
    } finally {
      await trx.raw('SELECT RELEASE_LOCK(?)', [lockName]);
    }
  });
}

async function latest(db: Knex): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({ migrationSource, tableName: TABLE })) as [number, string[]];
  return applied;
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
