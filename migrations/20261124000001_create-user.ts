import type { Knex } from 'knex';
import { columnTypes, tableOptions } from './column-types.js';

/** MediaWiki core's `user` and `user_groups` (sql/mysql/tables-generated.sql), plus our block list. */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('user', (table) => {
    const t = columnTypes(db, table);
    tableOptions(db, table);
    table.increments('user_id').unsigned().primary();
    t.varbinary('user_name', 255).notNullable().defaultTo('').unique('user_name');
    t.varbinary('user_real_name', 255).notNullable().defaultTo('');
    t.tinyblob('user_password').notNullable();
    t.tinyblob('user_newpassword').notNullable();
    t.binary('user_newpass_time', 14).nullable();
    t.tinytext('user_email').notNullable();
    t.binary('user_touched', 14).notNullable();
    t.binary('user_token', 32).notNullable().defaultTo('');
    t.binary('user_email_authenticated', 14).nullable();
    t.binary('user_email_token', 32).nullable().index('user_email_token');
    t.binary('user_email_token_expires', 14).nullable();
    t.binary('user_registration', 14).nullable();
    t.uint('user_editcount').nullable();
    t.varbinary('user_password_expires', 14).nullable();
    t.tinyint('user_is_temp').notNullable().defaultTo(0);
  });
  // MediaWiki indexes a 50-byte prefix of the email; SQLite indexes whole values.
  await db.schema.raw(
    db.client.config.client === 'mysql2'
      ? 'CREATE INDEX user_email ON `user` (user_email(50))'
      : 'CREATE INDEX user_email ON "user" (user_email)',
  );

  await db.schema.createTable('user_groups', (table) => {
    const t = columnTypes(db, table);
    tableOptions(db, table);
    t.uint('ug_user').notNullable().defaultTo(0);
    t.varbinary('ug_group', 255).notNullable().defaultTo('');
    t.varbinary('ug_expiry', 14).nullable();
    table.primary(['ug_user', 'ug_group']);
    table.index(['ug_group'], 'ug_group');
    table.index(['ug_expiry'], 'ug_expiry');
  });

  // MediaWiki keeps blocks in `block` + `block_target`; a site-wide account block is all we need.
  await db.schema.createTable('wikiauth_user_block', (table) => {
    const t = columnTypes(db, table);
    tableOptions(db, table);
    t.uint('wub_user').notNullable().primary();
    t.uint('wub_by').notNullable().defaultTo(0);
    t.blob('wub_reason').notNullable();
    t.binary('wub_timestamp', 14).notNullable();
    t.varbinary('wub_expiry', 14).notNullable();
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('wikiauth_user_block');
  await db.schema.dropTable('user_groups');
  await db.schema.dropTable('user');
}
