import type { Knex } from 'knex';
import { columnTypes, tableOptions } from './column-types.js';

/**
 * Users' authorizations (`oauth_accepted_consumer`), MediaWiki's access-token registry
 * (`oauth2_access_tokens`) and oidc-provider Grants pointing at an authorization (docs/architecture.md §3).
 */
export async function up(db: Knex): Promise<void> {
  await createAcceptedConsumerTable(db);
  await createAccessTokensTable(db);
  await createGrantTable(db);
}

/** Exactly Extension:OAuth's table (MediaWiki mode creates it where the extension is not installed yet). */
export async function createAcceptedConsumerTable(db: Knex): Promise<void> {
  await db.schema.createTable('oauth_accepted_consumer', (table) => {
    const t = columnTypes(db, table);
    tableOptions(db, table);
    table.increments('oaac_id').unsigned().primary();
    t.varbinary('oaac_wiki', 255).notNullable();
    t.uint('oaac_user_id').notNullable();
    t.uint('oaac_consumer_id').notNullable();
    t.varbinary('oaac_access_token', 32).notNullable().unique('oaac_access_token');
    t.varbinary('oaac_access_secret', 32).notNullable();
    t.blob('oaac_grants').notNullable();
    t.binary('oaac_accepted', 14).notNullable();
    t.tinyint('oaac_oauth_version').notNullable().defaultTo(1);
    table.unique(['oaac_user_id', 'oaac_consumer_id', 'oaac_wiki'], { indexName: 'oaac_user_consumer_wiki' });
    table.index(['oaac_consumer_id', 'oaac_user_id'], 'oaac_consumer_user');
    table.index(['oaac_user_id', 'oaac_id'], 'oaac_user_id');
  });
}

/** Exactly Extension:OAuth's table (MediaWiki mode creates it where the extension is not installed yet). */
export async function createAccessTokensTable(db: Knex): Promise<void> {
  await db.schema.createTable('oauth2_access_tokens', (table) => {
    const t = columnTypes(db, table);
    tableOptions(db, table);
    table.increments('oaat_id').unsigned().primary();
    table.string('oaat_identifier', 255).notNullable().unique('oaat_identifier');
    t.varbinary('oaat_expires', 14).notNullable();
    t.uint('oaat_acceptance_id').notNullable().index('oaat_acceptance_id');
    t.tinyint('oaat_revoked').notNullable().defaultTo(0);
  });
}

export async function createGrantTable(db: Knex): Promise<void> {
  await db.schema.createTable('wikiauth_grant', (table) => {
    const t = columnTypes(db, table);
    tableOptions(db, table);
    t.varbinary('wg_id', 255).notNullable().primary();
    t.uint('wg_acceptance_id').notNullable().index('wg_acceptance_id');
    t.blob('wg_payload').notNullable();
    t.epoch('wg_expires').nullable();
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('wikiauth_grant');
  await db.schema.dropTable('oauth2_access_tokens');
  await db.schema.dropTable('oauth_accepted_consumer');
}
