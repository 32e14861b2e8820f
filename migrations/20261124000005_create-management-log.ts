import type { Knex } from 'knex';
import { columnTypes, tableOptions } from './column-types.js';

/**
 * Consumer management log. MediaWiki writes these to core's `logging` table with log type
 * `mwoauthconsumer` (actions propose, update, approve, reject, disable, reenable …); we keep
 * the same vocabulary in a table of our own.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('wikiauth_log', (table) => {
    const t = columnTypes(db, table);
    tableOptions(db, table);
    table.increments('wl_id').unsigned().primary();
    t.varbinary('wl_type', 32).notNullable();
    t.varbinary('wl_action', 32).notNullable();
    t.uint('wl_actor').notNullable();
    t.uint('wl_target_user').notNullable();
    t.varbinary('wl_consumer_key', 32).notNullable().index('wl_consumer_key');
    t.blob('wl_comment').notNullable();
    t.blob('wl_params').notNullable();
    t.binary('wl_timestamp', 14).notNullable().index('wl_timestamp');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('wikiauth_log');
}
