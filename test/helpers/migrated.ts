import type { Knex } from 'knex';
import { afterAll, beforeAll } from 'vitest';
import { createKnex } from '../../src/storage/sql/create-knex.js';
import { migrateLatest } from '../../src/storage/sql/migrate.js';
import type { TestDatabase } from './databases.js';

export interface MigratedDatabase {
  readonly database: TestDatabase;
  /** Opened through createKnex, so dialect quirks (mysql2 Buffer decoding) are in play. */
  readonly db: Knex;
}

/** Inside a describe: a fresh, migrated database for its tests, dropped afterwards. */
export function useMigratedDatabase(open: () => Promise<TestDatabase>): MigratedDatabase {
  const state = {} as { database: TestDatabase; db: Knex };
  beforeAll(async () => {
    state.database = await open();
    state.db = createKnex(state.database.config);
    await migrateLatest(state.db);
  });
  afterAll(async () => {
    await state.db?.destroy();
    await state.database?.drop();
  });
  return state;
}
