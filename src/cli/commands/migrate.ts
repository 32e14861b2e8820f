import type { DatabaseConfig } from '../../config/config.js';
import { migrateDatabase } from '../../storage/sql/migrate.js';
import { parse } from '../parse.js';

/** Bring the schema up to date (waits for another instance's migration, then finds nothing to do). */
export async function migrate(database: DatabaseConfig, args: string[], out: (line: string) => void): Promise<void> {
  parse(args, {}, 'migrate');
  const applied = await migrateDatabase(database);
  out(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'The database schema is up to date.');
}
