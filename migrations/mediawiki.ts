import type { Knex } from 'knex';
import { createConsumerMetaTable, createRegisteredConsumerTable } from './20261124000002_create-consumers.js';
import { createAccessTokensTable, createAcceptedConsumerTable, createGrantTable } from './20261124000003_create-authorizations.js';
import * as createKeys from './20261124000004_create-keys.js';
import * as createArtifacts from './20261124000006_create-artifacts.js';
import * as consumerTrusted from './20261206000007_consumer-trusted.js';
import { createOathauthUsersTable } from './20261206000008_oathauth-users.js';
import * as consumerTwoFactor from './20261206000009_consumer-two-factor.js';
import { realTableName } from '../src/storage/sql/table-prefix.js';
import type { Migration } from './index.js';

/**
 * MediaWiki database mode (docs/mediawiki-compat.md): the wiki's tables are adopted, never created,
 * altered or dropped. Extension:OAuth's three tables are created exactly as the extension's schema
 * has them when the extension is not installed (so it can be installed later and find its data);
 * a table that exists is left alone, and rolling back never drops one.
 */
const OAUTH_TABLES: ReadonlyArray<readonly [string, (db: Knex) => Promise<void>]> = [
  ['oauth_registered_consumer', createRegisteredConsumerTable],
  ['oauth_accepted_consumer', createAcceptedConsumerTable],
  ['oauth2_access_tokens', createAccessTokensTable],
];

const oauthTables: Migration = {
  async up(db) {
    for (const [table, create] of OAUTH_TABLES) {
      // The identifier hook does not see hasTable's value: ask for the prefixed name.
      if (!(await db.schema.hasTable(realTableName(db, table)))) await create(db);
    }
  },
  async down() {
    // The extension may own these tables by now: they stay.
  },
};

/** wikiauth's own tables; blocks and the management log live in the wiki's tables in this mode. */
const ownTables: Migration = {
  async up(db) {
    await createConsumerMetaTable(db);
    await createGrantTable(db);
    await createKeys.up(db);
    await createArtifacts.up(db);
  },
  async down(db) {
    await createArtifacts.down(db);
    await createKeys.down(db);
    for (const table of ['wikiauth_grant', 'wikiauth_consumer_meta']) await db.schema.dropTable(table);
  },
};

/**
 * Extension:OATHAuth's enrolment table belongs to OATHAuth: where the wiki has either of its layouts
 * (`oathauth_users`, or `oathauth_devices` from 1.41) it is read as it is; otherwise `oathauth_users`
 * is created exactly as OATHAuth 1.39's schema has it, so the extension finds its rows once installed.
 */
const oathauthTable: Migration = {
  async up(db) {
    for (const table of ['oathauth_users', 'oathauth_devices']) if (await db.schema.hasTable(realTableName(db, table))) return;
    await createOathauthUsersTable(db);
  },
  async down() {
    // OATHAuth may own the table by now: it stays.
  },
};

export const MEDIAWIKI_MIGRATIONS: ReadonlyArray<readonly [string, Migration]> = [
  ['20261206000001_mediawiki-oauth-tables', oauthTables],
  ['20261206000002_mediawiki-wikiauth-tables', ownTables],
  ['20261206000003_consumer-trusted', consumerTrusted],
  ['20261206000004_oathauth-users', oathauthTable],
  ['20261206000005_consumer-two-factor', consumerTwoFactor],
];
