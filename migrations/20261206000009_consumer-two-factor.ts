import type { Knex } from 'knex';

/**
 * Consumers that demand two-factor sign-in (docs/sign-in.md, "Authentication levels"): an
 * administrator's setting in wikiauth's own table; MediaWiki's are never altered.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('wikiauth_consumer_meta', (table) => {
    table.tinyint('wcm_two_factor').notNullable().defaultTo(0);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('wikiauth_consumer_meta', (table) => {
    table.dropColumn('wcm_two_factor');
  });
}
