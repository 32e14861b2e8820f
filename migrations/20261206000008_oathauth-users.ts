import type { Knex } from 'knex';
import { columnTypes, tableOptions } from './column-types.js';

/**
 * Two-factor enrolments (docs/sign-in.md, "Two-factor authentication") in Extension:OATHAuth 1.39's
 * own table, exactly as its schema has it: `id` (the user id), `module` (`totp`), `data` (JSON).
 * MediaWiki database mode creates it only where OATHAuth is not installed (migrations/mediawiki.ts).
 */
export async function createOathauthUsersTable(db: Knex): Promise<void> {
  await db.schema.createTable('oathauth_users', (table) => {
    const t = columnTypes(db, table);
    tableOptions(db, table);
    table.integer('id').notNullable().primary();
    // VARCHAR in a binary-charset table, as MediaWiki creates it.
    table.string('module', 255).notNullable();
    t.blob('data').nullable();
  });
}

export async function up(db: Knex): Promise<void> {
  await createOathauthUsersTable(db);
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('oathauth_users');
}
