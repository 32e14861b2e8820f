import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEDIAWIKI_MIGRATIONS } from '../../../migrations/mediawiki.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { runCli, REPO_ROOT } from '../../helpers/cli.js';
import { seedClient } from '../../helpers/fixtures.js';
import { formFields, HttpSession } from '../../helpers/http-session.js';
import { BLOCK_CASES, schemaDump, TestWiki, WIKI_ADMIN } from '../../helpers/mediawiki.js';
import type { TestServer } from '../../helpers/server.js';

// Issue 11: wikiauth on a real MediaWiki 1.39's own database (Debian's package, installed by its
// own install.php), with users, groups, passwords and blocks made by MediaWiki's maintenance
// scripts and api.php; compared against the wiki's api.php answers.

const { PLAIN, BLOCKED, PARTIAL, HIDDEN, LAPSED } = BLOCK_CASES;
const SYSOP = { name: 'Wiki Sysop', password: 'Sysop-pass-13579' };
const EXPIRED = { name: 'Former Bot', password: 'Former-pass-97531' };

describe.each([
  ['MariaDB', { db: 'mysql' }],
  ['MariaDB with $wgDBprefix mw_', { db: 'mysql', prefix: 'mw_' }],
  ['SQLite', { db: 'sqlite' }],
] as const)('wikiauth on a MediaWiki 1.39 database: %s', (_label, options) => {
  let wiki: TestWiki;
  let wikiDb: Knex;
  let env: Record<string, string>;
  let before: Record<string, string>;
  let migrateOutput: string;
  let server: TestServer;
  let lockingServer: TestServer;

  beforeAll(async () => {
    wiki = await TestWiki.install(options);
    await wiki.serve();
    // Users, groups, passwords and blocks as MediaWiki's own scripts make them.
    await wiki.createUser(PLAIN.name, 'Initial-pass-1111');
    await wiki.changePassword(PLAIN.name, PLAIN.password);
    await wiki.createUser(SYSOP.name, SYSOP.password, { groups: ['sysop'] });
    await wiki.createUser(EXPIRED.name, EXPIRED.password, { groups: ['bot', 'bureaucrat'] });
    for (const user of [BLOCKED, PARTIAL, HIDDEN, LAPSED]) await wiki.createUser(user.name, user.password);
    await wiki.createUser(WIKI_ADMIN.name, WIKI_ADMIN.password, { groups: ['suppress'], force: true });
    await wiki.block([BLOCKED.name, LAPSED.name], { reason: 'Vandalism' });
    // Group expiries and an expired block through MediaWiki's own database layer: MediaWiki refuses
    // to set a time in the past, but keeps such rows once their time has come.
    await wiki.eval(`
      $dbw = MediaWiki\\MediaWikiServices::getInstance()->getDBLoadBalancer()->getConnection( DB_PRIMARY );
      $id = User::newFromName( '${EXPIRED.name}' )->getId();
      $dbw->update( 'user_groups', [ 'ug_expiry' => '20200101000000' ], [ 'ug_user' => $id, 'ug_group' => 'bot' ], __METHOD__ );
      $dbw->update( 'user_groups', [ 'ug_expiry' => '20991231000000' ], [ 'ug_user' => $id, 'ug_group' => 'bureaucrat' ], __METHOD__ );
      $dbw->update( 'ipblocks', [ 'ipb_expiry' => '20200101000000' ], [ 'ipb_address' => '${LAPSED.name}' ], __METHOD__ );
    `);
    // A partial and a hidden block through api.php, as an administrator does it.
    await wiki.blockAsAdmin([
      { user: PARTIAL.name, partial: '1', allowusertalk: '1', pagerestrictions: 'Main Page', expiry: '1 week', reason: 'Edit war' },
      { user: HIDDEN.name, hidename: '1', expiry: 'infinite', reason: 'Abuse' },
    ]);

    // The wiki's rights settings, exported as docs/mediawiki-compat.md shows.
    const rightsFile = join(wiki.dir, 'rights.json');
    writeFileSync(rightsFile, await wiki.eval(`
      global $wgGroupPermissions, $wgRevokePermissions, $wgImplicitGroups, $wgAutoConfirmAge, $wgAutoConfirmCount;
      $this->output( json_encode( [ 'GroupPermissions' => $wgGroupPermissions, 'RevokePermissions' => $wgRevokePermissions,
        'ImplicitGroups' => $wgImplicitGroups, 'AutoConfirmAge' => $wgAutoConfirmAge, 'AutoConfirmCount' => $wgAutoConfirmCount ] ) );
    `));
    env = wiki.wikiauthEnv({ MEDIAWIKI_RIGHTS_FILE: rightsFile });

    wikiDb = wiki.connect();
    before = await schemaDump(wikiDb);
    const migrated = await runCli(['migrate'], { env, cwd: REPO_ROOT });
    expect(migrated.stderr).toBe('');
    expect(migrated.code).toBe(0);
    migrateOutput = migrated.stdout;
    server = await wiki.startWikiauth(env);
    lockingServer = await wiki.startWikiauth({ ...env, BLOCK_DISABLES_LOGIN: '1' });
  }, 240_000);

  afterAll(async () => {
    await wikiDb?.destroy();
    await wiki?.destroy();
  });

  it('migrates without changing any MediaWiki table: only its own tables, Extension:OAuth\'s and OATHAuth\'s are new', async () => {
    expect(migrateOutput).toMatch(new RegExp(`^Applied ${MEDIAWIKI_MIGRATIONS.length} migration\\(s\\)`));
    const after = await schemaDump(wikiDb);
    for (const [table, ddl] of Object.entries(before)) expect(after[table], table).toBe(ddl);
    const added = Object.keys(after).filter((table) => !(table in before)).sort();
    const p = wiki.prefix;
    expect(added).toEqual(
      [
        'oathauth_users', 'oauth2_access_tokens', 'oauth_accepted_consumer', 'oauth_registered_consumer', 'wikiauth_artifact', 'wikiauth_consumer_meta',
        'wikiauth_grant', 'wikiauth_key', 'wikiauth_migrations', 'wikiauth_migrations_lock',
      ].map((t) => `${p}${t}`).sort(),
    );
    const again = await runCli(['migrate'], { env, cwd: REPO_ROOT });
    expect(again.stdout.trim()).toBe('The database schema is up to date.');
  });

  it('names every missing MediaWiki table in one line instead of creating anything', async () => {
    const wrongPrefix = await runCli(['migrate'], { env: { ...env, MEDIAWIKI_TABLE_PREFIX: 'nope_' }, cwd: REPO_ROOT });
    expect(wrongPrefix.code).not.toBe(0);
    const lines = wrongPrefix.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/missing: table nope_user, .*table nope_actor/);
    expect(Object.keys(await schemaDump(wikiDb)).some((t) => t.startsWith('nope_'))).toBe(false);
  });

  it('signs the wiki\'s users in with their wiki passwords (also one changed by changePassword.php)', async () => {
    for (const user of [PLAIN, SYSOP]) {
      const { status, agent } = await signIn(server, user.name, user.password);
      expect(status, user.name).toBe(303);
      expect(agent.cookie('wikiauth_session')).toBeTruthy();
    }
    expect((await signIn(server, PLAIN.name, 'Initial-pass-1111')).status).toBe(400);
  });

  it('gives groups and rights equal to the wiki\'s api.php for a plain user, a sysop and a user with an expired group', async () => {
    for (const user of [PLAIN, SYSOP, EXPIRED]) {
      const api = wiki.apiClient();
      expect((await api.clientLogin(user.name, user.password)).status).toBe('PASS');
      const theirs = await api.userInfo();
      const ours = await server.services.accounts.profile(theirs.id);
      expect(ours?.account.name).toBe(user.name);
      expect([...ours!.groups].sort(), user.name).toEqual([...theirs.groups].sort());
      expect(ours!.rights, user.name).toEqual([...theirs.rights].sort());
    }
    const former = await server.services.accounts.findByName(EXPIRED.name);
    expect((await server.services.accounts.profile(former!.id))!.groups).toEqual(expect.arrayContaining(['bureaucrat']));
    expect((await server.services.accounts.profile(former!.id))!.groups).not.toContain('bot');
  });

  it("has built-in defaults equal to MediaWiki 1.39's, plus Extension:OAuth's mwoauthmanagemygrants for users", async () => {
    const exported = JSON.parse(await wiki.eval('global $wgGroupPermissions; $this->output( json_encode( $wgGroupPermissions ) );')) as Record<string, Record<string, boolean>>;
    const builtIn = loadConfig({ DATABASE_URL: wiki.databaseUrl, SECRET_KEY: wiki.secretKey, MEDIAWIKI_DB: '1' }).rights.groupPermissions;
    const granted = (rights: Record<string, boolean>) => Object.keys(rights).filter((r) => rights[r]);
    expect(Object.keys(builtIn).sort()).toEqual(Object.keys(exported).sort());
    for (const [group, rights] of Object.entries(exported)) {
      expect([...builtIn[group]!].sort(), group).toEqual([...granted(rights), ...(group === 'user' ? ['mwoauthmanagemygrants'] : [])].sort());
    }
  });

  it('without $wgBlockDisablesLogin blocked users sign in and apps see blocked: true (sitewide, partial, hidden); a lapsed block is none', async () => {
    for (const user of [BLOCKED, PARTIAL, HIDDEN]) {
      expect((await signIn(server, user.name, user.password)).status, user.name).toBe(303);
      const account = await server.services.accounts.findByName(user.name);
      expect((await server.services.accounts.profile(account!.id))!.blocked, user.name).toBe(true);
    }
    const lapsed = await server.services.accounts.findByName(LAPSED.name);
    expect((await server.services.accounts.profile(lapsed!.id))!.blocked).toBe(false);
  });

  it('with $wgBlockDisablesLogin every block refuses sign-in and ends the site sessions signed in before', async () => {
    for (const user of [BLOCKED, PARTIAL, HIDDEN]) {
      const { status, html } = await signIn(lockingServer, user.name, user.password);
      expect(status, user.name).toBe(400);
      expect(html).toContain('This account is blocked');
    }
    expect((await signIn(lockingServer, LAPSED.name, LAPSED.password)).status).toBe(303);
    // A session made while the setting was off (same database, same session store) ends on the next request.
    const { agent } = await signIn(server, BLOCKED.name, BLOCKED.password);
    const cookie = `wikiauth_session=${agent.cookie('wikiauth_session')}`;
    const page = await fetch(`${lockingServer.issuer}/wiki/Special:OAuthManageMyGrants`, { headers: { cookie }, redirect: 'manual' });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toContain('Special:UserLogin');
    const after = await fetch(`${server.issuer}/wiki/Special:OAuthManageMyGrants`, { headers: { cookie }, redirect: 'manual' });
    expect(after.status, 'the session is gone for every instance').toBe(302);
  });

  it('creates users (with actor rows) that log in to the wiki through api.php clientlogin', async () => {
    const created = await runCli(['createAndPromote', 'Made By Wikiauth', 'Made-pass-24680', '--sysop'], { env, cwd: REPO_ROOT });
    expect(created.stderr).toBe('');
    const api = wiki.apiClient();
    expect((await api.clientLogin('Made By Wikiauth', 'Made-pass-24680')).status).toBe('PASS');
    const info = await api.userInfo();
    const ours = await server.services.accounts.findByName('Made By Wikiauth');
    expect(info.id).toBe(ours!.id);
    expect(info.groups).toContain('sysop');
    expect(await wikiDb(wiki.table('actor')).where('actor_user', ours!.id).first()).toMatchObject({ actor_name: expect.anything() });
  });

  it("writes consumer management to the wiki's logging table, which the wiki's api.php lists", async () => {
    await server.services.accounts.setEmail(WIKI_ADMIN.name, 'admin@wiki.example');
    const client = await seedClient(server.services, { owner: WIKI_ADMIN.name, name: 'Logged App' });
    const api = wiki.apiClient();
    const events = (await api.get({ action: 'query', list: 'logevents', leprop: 'type|user|title|comment|details', lelimit: '50' })).query.logevents as Array<Record<string, any>>;
    // Without Extension:OAuth's log formatter the wiki shows the raw parameter name.
    const ours = events.filter((e) => e.type === 'mwoauthconsumer');
    expect(ours.map((e) => e.action).sort()).toEqual(['approve', 'propose']);
    for (const event of ours) {
      expect(event).toMatchObject({ user: 'Maintenance script', title: `User:${WIKI_ADMIN.name}`, ns: 2, params: { '4:consumer': client.key } });
    }
    expect(ours.find((e) => e.action === 'approve')!.comment).toBe('Approved on creation');
    expect(await server.services.log.forConsumer(client.key)).toEqual([
      expect.objectContaining({ action: 'approve', consumerKey: client.key }),
      expect.objectContaining({ action: 'propose', consumerKey: client.key }),
    ]);
  });
});

async function signIn(server: TestServer, name: string, password: string): Promise<{ status: number; html: string; agent: HttpSession }> {
  const agent = new HttpSession(server.issuer);
  const page = await agent.get('/wiki/Special:UserLogin');
  const { fields } = formFields(await page.text());
  const res = await agent.postForm('/wiki/Special:UserLogin', { ...fields, wpName: name, wpPassword: password });
  return { status: res.status, html: res.status >= 400 ? await res.text() : '', agent };
}
