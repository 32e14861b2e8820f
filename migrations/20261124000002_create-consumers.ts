import type { Knex } from 'knex';
import { columnTypes, tableOptions } from './column-types.js';

/** The extension's `oauth_registered_consumer` (schema/tables.json), plus OIDC client metadata. */
export async function up(db: Knex): Promise<void> {
  await createRegisteredConsumerTable(db);
  await createConsumerMetaTable(db);
}

/** Exactly Extension:OAuth's table (MediaWiki mode creates it where the extension is not installed yet). */
export async function createRegisteredConsumerTable(db: Knex): Promise<void> {
  await db.schema.createTable('oauth_registered_consumer', (table) => {
    const t = columnTypes(db, table);
    tableOptions(db, table);
    table.increments('oarc_id').unsigned().primary();
    t.varbinary('oarc_consumer_key', 32).notNullable().unique('oarc_consumer_key');
    t.varbinary('oarc_name', 128).notNullable();
    t.uint('oarc_user_id').notNullable();
    t.varbinary('oarc_version', 32).notNullable();
    t.blob('oarc_callback_url').notNullable();
    t.tinyblob('oarc_callback_is_prefix').nullable();
    t.blob('oarc_description').notNullable();
    t.varbinary('oarc_email', 255).notNullable();
    t.binary('oarc_email_authenticated', 14).nullable();
    t.tinyint('oarc_developer_agreement').notNullable().defaultTo(0);
    t.tinyint('oarc_owner_only').notNullable().defaultTo(0);
    t.varbinary('oarc_wiki', 32).notNullable();
    t.blob('oarc_grants').notNullable();
    t.binary('oarc_registration', 14).notNullable();
    t.varbinary('oarc_secret_key', 32).nullable();
    t.blob('oarc_rsa_key').nullable();
    t.blob('oarc_restrictions').notNullable();
    t.tinyint('oarc_stage').unsigned().notNullable().defaultTo(0);
    t.binary('oarc_stage_timestamp', 14).notNullable();
    t.tinyint('oarc_deleted').unsigned().notNullable().defaultTo(0);
    t.tinyint('oarc_oauth_version').notNullable().defaultTo(1);
    t.blob('oarc_oauth2_allowed_grants').nullable();
    t.tinyint('oarc_oauth2_is_confidential').notNullable().defaultTo(1);
    table.unique(['oarc_name', 'oarc_user_id', 'oarc_version'], { indexName: 'oarc_name_version_user' });
    table.index(['oarc_user_id'], 'oarc_user_id');
    table.index(['oarc_stage', 'oarc_stage_timestamp'], 'oarc_stage_timestamp');
  });
}

export async function createConsumerMetaTable(db: Knex): Promise<void> {
  // OIDC client metadata MediaWiki has no column for (post-logout URIs, id_token alg, DCR fields),
  // one JSON document per consumer so new fields need no migration.
  await db.schema.createTable('wikiauth_consumer_meta', (table) => {
    const t = columnTypes(db, table);
    tableOptions(db, table);
    t.uint('wcm_consumer_id').notNullable().primary();
    t.blob('wcm_metadata').notNullable();
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('wikiauth_consumer_meta');
  await db.schema.dropTable('oauth_registered_consumer');
}
