import type { Knex } from 'knex';
import { columnTypes, tableOptions } from './column-types.js';

/**
 * Signing keys (JWKS) and cookie keys, shared by every instance. Private parts are encrypted with a
 * key derived from SECRET_KEY, so a database dump alone cannot sign tokens.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('wikiauth_key', (table) => {
    const t = columnTypes(db, table);
    tableOptions(db, table);
    table.increments('wk_id').unsigned().primary();
    t.varbinary('wk_kid', 64).notNullable().unique('wk_kid');
    t.varbinary('wk_use', 16).notNullable();
    t.varbinary('wk_alg', 16).notNullable();
    t.blob('wk_public').nullable();
    t.blob('wk_private').notNullable();
    t.binary('wk_created', 14).notNullable();
    t.binary('wk_activated', 14).nullable();
    t.binary('wk_retired', 14).nullable();
    table.index(['wk_use', 'wk_retired'], 'wk_use_retired');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('wikiauth_key');
}
