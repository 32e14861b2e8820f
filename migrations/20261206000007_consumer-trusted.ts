import type { Knex } from 'knex';

/**
 * Trusted consumers (docs/mediawiki-compat.md "Trusted consumers"): an administrator's mark that
 * lets a consumer skip the consent page. wikiauth's own table; MediaWiki's are never altered.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('wikiauth_consumer_meta', (table) => {
    table.tinyint('wcm_trusted').notNullable().defaultTo(0);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('wikiauth_consumer_meta', (table) => {
    table.dropColumn('wcm_trusted');
  });
}
