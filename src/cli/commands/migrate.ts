import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import { migrateLatest } from '../../storage/sql/migrate.js';
import { parse } from '../parse.js';

const LOCK_WAIT_MS = 60_000;

/**
 * Bring the schema up to date. Idempotent; when another instance holds knex's migration lock we
 * wait for it (up to a minute) and then find nothing left to do.
 */
export async function migrate(db: Knex, args: string[], out: (line: string) => void): Promise<void> {
  parse(args, {}, 'migrate');
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const applied = await migrateLatest(db);
      out(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'The database schema is up to date.');
      return;
    } catch (err) {
      if ((err as Error).name !== 'MigrationLocked' || Date.now() > deadline) throw err;
      await sleep(500);
    }
  }
}
