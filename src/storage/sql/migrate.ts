import type { Knex } from 'knex';
import { MIGRATIONS, migrationSource } from '../../../migrations/index.js';

const TABLE = 'wikiauth_migrations';

export async function migrateLatest(db: Knex): Promise<string[]> {
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
