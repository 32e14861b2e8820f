import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrationSource } from '../../migrations/index.js';
import { createKnex } from '../../src/storage/sql/create-knex.js';
import { migrateLatest, migrateRollbackAll, pendingMigrations } from '../../src/storage/sql/migrate.js';
import { SQL_DIALECTS, type TestDatabase } from '../helpers/databases.js';
import { columnTypes, listTables } from '../helpers/schema.js';

const TABLE = 'wikiauth_migrations';
const KNEX_TABLES = [TABLE, `${TABLE}_lock`];

/** What each migration creates, in order. */
const CREATES: Record<string, string[]> = {
  '20261124000001_create-user': ['user', 'user_groups', 'wikiauth_user_block'],
  '20261124000002_create-consumers': ['oauth_registered_consumer', 'wikiauth_consumer_meta'],
  '20261124000003_create-authorizations': ['oauth2_access_tokens', 'oauth_accepted_consumer', 'wikiauth_grant'],
  '20261124000004_create-keys': ['wikiauth_key'],
  '20261124000005_create-management-log': ['wikiauth_log'],
  '20261124000006_create-artifacts': ['wikiauth_artifact'],
  '20261206000007_consumer-trusted': [],
  '20261206000008_oathauth-users': ['oathauth_users'],
  '20261206000009_consumer-two-factor': [],
};
const ALL_TABLES = Object.values(CREATES).flat().sort();

/** MediaWiki's types for a sample of columns; MariaDB must get exactly these. */
const MEDIAWIKI_TYPES: Array<[table: string, column: string, type: string]> = [
  ['user', 'user_name', 'varbinary(255)'],
  ['user', 'user_password', 'tinyblob'],
  ['user', 'user_touched', 'binary(14)'],
  ['user', 'user_token', 'binary(32)'],
  ['user', 'user_password_expires', 'varbinary(14)'],
  ['user_groups', 'ug_group', 'varbinary(255)'],
  ['oauth_registered_consumer', 'oarc_consumer_key', 'varbinary(32)'],
  ['oauth_registered_consumer', 'oarc_grants', 'blob'],
  ['oauth_registered_consumer', 'oarc_registration', 'binary(14)'],
  ['oauth_registered_consumer', 'oarc_callback_is_prefix', 'tinyblob'],
  ['oauth_accepted_consumer', 'oaac_access_token', 'varbinary(32)'],
  ['oauth_accepted_consumer', 'oaac_accepted', 'binary(14)'],
  ['oauth2_access_tokens', 'oaat_expires', 'varbinary(14)'],
  ['wikiauth_artifact', 'wa_payload', 'mediumblob'],
  ['oathauth_users', 'data', 'blob'],
];

describe.each(SQL_DIALECTS)('migrations on %s', (dialect, open) => {
  let database: TestDatabase;
  let db: Knex;
  const config = { migrationSource, tableName: TABLE };

  beforeAll(async () => {
    database = await open();
    db = createKnex(database.config);
  });

  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  it('lists every migration, in order', () => {
    expect(MIGRATIONS.map(([name]) => name)).toEqual(Object.keys(CREATES));
  });

  it('runs each migration up, then each down, each creating and dropping its own tables', async () => {
    const expected: string[] = [];
    for (const name of Object.keys(CREATES)) {
      await db.migrate.up(config);
      expected.push(...CREATES[name]!);
      expect(await listTables(db)).toEqual([...KNEX_TABLES, ...expected].sort());
    }
    expect(await pendingMigrations(db)).toEqual([]);
    for (const name of Object.keys(CREATES).reverse()) {
      await db.migrate.down(config);
      expected.splice(expected.length - CREATES[name]!.length);
      expect(await listTables(db)).toEqual([...KNEX_TABLES, ...expected].sort());
    }
    expect(await pendingMigrations(db)).toHaveLength(MIGRATIONS.length);
  });

  it('migrates to latest, rolls all back, and migrates again', async () => {
    expect(await migrateLatest(db)).toEqual(Object.keys(CREATES));
    expect(await listTables(db)).toEqual([...KNEX_TABLES, ...ALL_TABLES].sort());
    expect(await migrateLatest(db)).toEqual([]);

    await migrateRollbackAll(db);
    expect(await listTables(db)).toEqual(KNEX_TABLES);

    expect(await migrateLatest(db)).toHaveLength(MIGRATIONS.length);
    expect(await listTables(db)).toEqual([...KNEX_TABLES, ...ALL_TABLES].sort());
  });

  if (dialect === 'sqlite') {
    it('gives SQLite TEXT, never VARBINARY (numeric affinity would turn "0123" into 123)', async () => {
      for (const table of ALL_TABLES) {
        for (const [column, type] of Object.entries(await columnTypes(db, table))) {
          expect(`${table}.${column} ${type}`).not.toMatch(/BINARY|BLOB/i);
        }
      }
      for (const [table, column] of MEDIAWIKI_TYPES) expect((await columnTypes(db, table))[column]).toBe('TEXT');
    });
  } else {
    it("gives MariaDB MediaWiki's VARBINARY/BINARY/BLOB types and binary tables", async () => {
      for (const [table, column, type] of MEDIAWIKI_TYPES) {
        expect(`${table}.${column} ${(await columnTypes(db, table))[column]}`).toBe(`${table}.${column} ${type}`);
      }
      const textual = await db('information_schema.columns')
        .where('table_schema', db.raw('DATABASE()'))
        .whereIn('table_name', ALL_TABLES)
        .whereNotNull('character_set_name')
        .select({ table: 'table_name', column: 'column_name', type: 'column_type' });
      // The binary table charset makes even MediaWiki's VARCHAR oaat_identifier a VARBINARY, as on a wiki.
      expect(textual).toEqual([]);
      expect((await columnTypes(db, 'oauth2_access_tokens')).oaat_identifier).toBe('varbinary(255)');
      // OATHAuth 1.39's oathauth_users: id INT, module VARCHAR(255) (binary charset), data BLOB.
      expect(await columnTypes(db, 'oathauth_users')).toEqual({ id: 'int(11)', module: 'varbinary(255)', data: 'blob' });
      const engines = await db('information_schema.tables')
        .where('table_schema', db.raw('DATABASE()'))
        .whereIn('table_name', ALL_TABLES)
        .distinct({ engine: 'engine' });
      expect(engines).toEqual([{ engine: 'InnoDB' }]);
    });
  }
});
