import type { Knex } from 'knex';
import { columnTypes, tableOptions } from './column-types.js';

/**
 * oidc-provider's short-lived artifacts (sessions, interactions, codes, tokens …) and the OAuth 1.0a
 * request tokens and nonces, when no Redis is configured. Expiry is enforced on read and rows are
 * garbage-collected; `wa_consumed` makes one-time use an atomic conditional update.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('wikiauth_artifact', (table) => {
    const t = columnTypes(db, table);
    tableOptions(db, table);
    t.varbinary('wa_model', 64).notNullable();
    t.varbinary('wa_id', 255).notNullable();
    t.mediumblob('wa_payload').notNullable();
    t.varbinary('wa_grant_id', 255).nullable();
    t.varbinary('wa_uid', 255).nullable();
    t.varbinary('wa_user_code', 255).nullable();
    t.epoch('wa_expires').nullable();
    t.epoch('wa_consumed').nullable();
    table.primary(['wa_model', 'wa_id']);
    table.index(['wa_grant_id'], 'wa_grant_id');
    table.index(['wa_model', 'wa_uid'], 'wa_model_uid');
    table.index(['wa_model', 'wa_user_code'], 'wa_model_user_code');
    table.index(['wa_expires'], 'wa_expires');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('wikiauth_artifact');
}
