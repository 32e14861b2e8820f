import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, REPO_ROOT } from '../../helpers/cli.js';
import { BLOCK_CASES, schemaDump, TestWiki, WIKI_ADMIN } from '../../helpers/mediawiki.js';
import type { TestServer } from '../../helpers/server.js';

// Issue 11: MediaWiki 1.42 moved blocks from `ipblocks` to `block` + `block_target` (and 1.43
// dropped `ipblocks`). Only 1.39 is installable here, so the test installs a 1.39 wiki, places
// blocks with MediaWiki's own tools, then moves them into the 1.42 tables as MediaWiki's
// migrateBlocks update does, with those tables made by the fixture below in 1.42's shape. wikiauth
// must then read the same blocks, and answer api.php's blockinfo as the 1.39 wiki did for them.

const { BLOCKED, PARTIAL, HIDDEN, LAPSED, PLAIN } = BLOCK_CASES;
const USERS = [BLOCKED, PARTIAL, HIDDEN, LAPSED, PLAIN];

/**
 * The 1.42 tables (core's `block` and `block_target`, as its schema generator makes them for
 * MariaDB and SQLite): a block row points at a target row that names a user or an address.
 */
async function createBlockTables(db: Knex, table: (name: string) => string, mysql: boolean): Promise<void> {
  const bytes = (length: number) => (mysql ? `VARBINARY(${length})` : 'BLOB');
  const flag = (t: Knex.CreateTableBuilder, name: string, fallback: number) => t.specificType(name, mysql ? 'TINYINT(1)' : 'SMALLINT').notNullable().defaultTo(fallback);
  await db.schema.createTable(table('block_target'), (t) => {
    t.increments('bt_id');
    t.specificType('bt_address', mysql ? 'TINYBLOB' : 'BLOB').nullable();
    t.integer('bt_user').unsigned().nullable();
    t.specificType('bt_user_text', bytes(255)).nullable();
    flag(t, 'bt_auto', 0);
    t.specificType('bt_range_start', mysql ? 'TINYBLOB' : 'BLOB').nullable();
    t.specificType('bt_range_end', mysql ? 'TINYBLOB' : 'BLOB').nullable();
    t.specificType('bt_ip_hex', mysql ? 'TINYBLOB' : 'BLOB').nullable();
    t.integer('bt_count').notNullable().defaultTo(0);
    t.index(['bt_user'], 'bt_user');
  });
  await db.schema.createTable(table('block'), (t) => {
    t.increments('bl_id');
    t.integer('bl_target').unsigned().notNullable();
    t.bigInteger('bl_by_actor').unsigned().notNullable();
    t.bigInteger('bl_reason_id').unsigned().notNullable();
    t.specificType('bl_timestamp', mysql ? 'BINARY(14)' : 'BLOB').notNullable();
    flag(t, 'bl_anon_only', 0);
    flag(t, 'bl_create_account', 1);
    flag(t, 'bl_enable_autoblock', 1);
    t.specificType('bl_expiry', bytes(14)).notNullable();
    flag(t, 'bl_deleted', 0);
    flag(t, 'bl_block_email', 0);
    flag(t, 'bl_allow_usertalk', 0);
    t.integer('bl_parent_block_id').unsigned().nullable();
    flag(t, 'bl_sitewide', 1);
    t.index(['bl_target'], 'bl_target');
    t.index(['bl_expiry'], 'bl_expiry');
  });
}

/** MediaWiki's migrateBlocks: one target per blocked user (counting its blocks), each block keeping its id. */
async function moveBlocks(db: Knex, table: (name: string) => string): Promise<void> {
  const rows = (await db(table('ipblocks')).select()) as Array<Record<string, any>>;
  for (const row of rows) {
    const user = Number(row.ipb_user);
    const [target] = await db(table('block_target')).insert({
      bt_address: user ? null : row.ipb_address,
      bt_user: user || null,
      bt_user_text: user ? row.ipb_address : null,
      bt_auto: row.ipb_auto,
      bt_count: 1,
    });
    await db(table('block')).insert({
      bl_id: row.ipb_id,
      bl_target: Number(target),
      bl_by_actor: row.ipb_by_actor,
      bl_reason_id: row.ipb_reason_id,
      bl_timestamp: row.ipb_timestamp,
      bl_anon_only: row.ipb_anon_only,
      bl_create_account: row.ipb_create_account,
      bl_enable_autoblock: row.ipb_enable_autoblock,
      bl_expiry: row.ipb_expiry,
      bl_deleted: row.ipb_deleted,
      bl_block_email: row.ipb_block_email,
      bl_allow_usertalk: row.ipb_allow_usertalk,
      bl_parent_block_id: row.ipb_parent_block_id,
      bl_sitewide: row.ipb_sitewide,
    });
  }
  await db(table('ipblocks')).delete();
}

describe.each([
  ['MariaDB with $wgDBprefix mw_', { db: 'mysql', prefix: 'mw_' }],
  ['SQLite', { db: 'sqlite' }],
] as const)('wikiauth on MediaWiki 1.42\'s block and block_target tables: %s', (_label, options) => {
  let wiki: TestWiki;
  let wikiDb: Knex;
  let env: Record<string, string>;
  let server: TestServer;
  let lockingServer: TestServer;
  /** The 1.39 wiki's own api.php blockinfo answers, before the blocks moved. */
  const answered = new Map<string, Record<string, unknown>>();

  beforeAll(async () => {
    wiki = await TestWiki.installWithBlockCases(options, USERS);
    await wiki.blockAsAdmin([
      { user: PARTIAL.name, partial: '1', allowusertalk: '1', pagerestrictions: 'Main Page', expiry: '1 week', reason: 'Edit war' },
      { user: HIDDEN.name, hidename: '1', expiry: 'infinite', reason: 'Abuse' },
      // An address block that only stops anonymous edits: it names no account.
      { user: '192.0.2.7', anononly: '1', expiry: 'infinite', reason: 'Shared address' },
    ]);
    wikiDb = wiki.connect();
    const table = (name: string) => wiki.table(name);
    await wikiDb(table('ipblocks')).where('ipb_address', LAPSED.name).update({ ipb_expiry: '20200101000000' });
    for (const user of USERS) {
      const api = wiki.apiClient();
      expect((await api.clientLogin(user.name, user.password)).status).toBe('PASS');
      answered.set(user.name, (await api.get({ action: 'query', meta: 'userinfo', uiprop: 'blockinfo' })).query.userinfo);
    }
    await createBlockTables(wikiDb, table, options.db === 'mysql');
    await moveBlocks(wikiDb, table);
    // 1.43 drops `ipblocks`; wikiauth must not need it once `block` is there.
    await wikiDb.schema.dropTable(table('ipblocks'));
    env = wiki.wikiauthEnv();
  }, 240_000);

  afterAll(async () => {
    await wikiDb?.destroy();
    await wiki?.destroy();
  });

  it('migrates without changing a MediaWiki table when the blocks are in block + block_target', async () => {
    const before = await schemaDump(wikiDb);
    const migrated = await runCli(['migrate'], { env, cwd: REPO_ROOT });
    expect(migrated.stderr).toBe('');
    expect(migrated.code).toBe(0);
    const after = await schemaDump(wikiDb);
    for (const [name, ddl] of Object.entries(before)) expect(after[name], name).toBe(ddl);
    server = await wiki.startWikiauth(env);
    lockingServer = await wiki.startWikiauth({ ...env, BLOCK_DISABLES_LOGIN: '1' });
  });

  it('reads the moved blocks: sitewide, partial and hidden count, a lapsed one and an anonymous-only address block do not', async () => {
    const blocked = async (name: string) => (await server.services.accounts.profile((await server.services.accounts.findByName(name))!.id))!.blocked;
    for (const user of [BLOCKED, PARTIAL, HIDDEN]) expect(await blocked(user.name), user.name).toBe(true);
    for (const user of [LAPSED, PLAIN]) expect(await blocked(user.name), user.name).toBe(false);
    for (const user of [BLOCKED, PARTIAL, HIDDEN]) {
      const locked = await lockingServer.services.accounts.findByName(user.name);
      expect(await lockingServer.services.accounts.isLockedOut(locked!.id), user.name).toBe(true);
    }
  });

  it("answers api.php blockinfo from the 1.42 tables exactly as the 1.39 wiki answered it from ipblocks", async () => {
    await server.services.accounts.setEmail(WIKI_ADMIN.name, 'admin@wiki.example');
    for (const user of USERS) {
      await server.services.accounts.setEmail(user.name, 'someone@wiki.example');
      const created = await server.services.consumers.propose(
        { ownerName: user.name, name: `${user.name} bot`, version: '1.0', description: 'My own tool', callbackUrl: '', grants: ['basic'], ownerOnly: true, oauthVersion: 2, oauth2GrantTypes: ['client_credentials'] },
        { approve: true },
      );
      const res = await fetch(`${server.issuer}/w/api.php?action=query&meta=userinfo&uiprop=blockinfo&format=json&formatversion=2`, { headers: { authorization: `Bearer ${created.ownerAccessToken}` } });
      const mine = ((await res.json()) as { query: { userinfo: Record<string, unknown> } }).query.userinfo;
      expect(mine, user.name).toEqual(answered.get(user.name));
      expect(Object.keys(mine), user.name).toEqual(Object.keys(answered.get(user.name)!));
    }
    expect(answered.get(BLOCKED.name)).toMatchObject({ blockedby: WIKI_ADMIN.name, blockreason: 'Vandalism' });
    expect(answered.get(PARTIAL.name)).toMatchObject({ blockpartial: true });
  });
});
