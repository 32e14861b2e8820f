import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { deflateRawSync } from 'node:zlib';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import knex, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL } from '../../helpers/databases.js';
import { seedClient, type SeededClient } from '../../helpers/fixtures.js';
import { formFields, HttpSession, isRedirect } from '../../helpers/http-session.js';
import { TestWiki, WIKI_ADMIN, phpString, type WikiApiClient } from '../../helpers/mediawiki.js';
import { freePort, type TestServer } from '../../helpers/server.js';
import { migrateWiki, startBesideWiki } from '../../helpers/wiki-session.js';

// Issue 13, the wiki's session: a user signed in on a real MediaWiki 1.39 (api.php clientlogin, so a
// real session in the wiki's store) is signed in to wikiauth without a password; a sign-out on the
// wiki is a sign-out here; anything short of a valid stored session gets the password form.

const ALICE = { name: 'Alice Wiki', password: 'Alice-pass-24680' };
const BOB = { name: 'Bob Wiki', password: 'Bob-pass-13579' };

/** MediaWiki's sessions in Redis through its own RedisBagOStuff (php-redis). */
const REDIS_SESSIONS = [
  `$wgObjectCaches['redis'] = [ 'class' => 'RedisBagOStuff', 'servers' => [ ${phpString(new URL(REDIS_URL).host)} ] ];`,
  "$wgSessionCacheType = 'redis';",
];

/** A browser on `origin` holding the wiki's cookies (a shared cookie domain), some replaced or left out. */
function withWikiCookies(origin: string, api: WikiApiClient, change: Record<string, string | null> = {}): HttpSession {
  const agent = new HttpSession(origin);
  const held = Object.fromEntries(api.session.cookieHeader().split('; ').filter(Boolean).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
  for (const [name, value] of Object.entries({ ...held, ...change })) if (value !== null) agent.setCookie(name, value);
  return agent;
}

/**
 * Follow an authorization request like a browser; accept consent; stop at the password form, another
 * page of ours (its status kept), or the client's redirect URI (its code kept).
 */
async function walkAuthorization(agent: HttpSession, start: string): Promise<{ passwordAsked: boolean; code?: string; statuses: number[] }> {
  let url = start;
  let res = await agent.get(url);
  const statuses = [res.status];
  for (let step = 0; step < 20; step++) {
    if (isRedirect(res.status)) {
      const next = new URL(res.headers.get('location')!, url);
      if (next.origin !== agent.origin) return { passwordAsked: false, code: next.searchParams.get('code') ?? undefined, statuses };
      url = next.href;
      res = await agent.get(url);
      statuses.push(res.status);
      continue;
    }
    const html = await res.text();
    if (html.includes('id="userloginForm"')) return { passwordAsked: true, statuses };
    const { action, fields } = formFields(html);
    if (res.status !== 200 || !html.includes('id="mw-mwoauth-authorize-form"')) return { passwordAsked: false, statuses };
    url = new URL(action!, url).href;
    res = await agent.postForm(url, { ...fields, decision: 'accept' });
    statuses.push(res.status);
  }
  throw new Error('too many steps');
}

describe.each([
  ['MariaDB, sessions in the objectcache table', { db: 'mysql' }, 'database'],
  ['MariaDB with $wgDBprefix mw_, sessions in the objectcache table', { db: 'mysql', prefix: 'mw_' }, 'database'],
  ['MariaDB, sessions in Redis', { db: 'mysql', settings: REDIS_SESSIONS }, 'redis'],
  ['SQLite, sessions in the wiki\'s cache file', { db: 'sqlite' }, 'sqlite'],
] as const)("the wiki's session on a MediaWiki 1.39 wiki: %s", (_label, options, store) => {
  let wiki: TestWiki;
  let server: TestServer;
  let client: SeededClient;
  /** Where the wiki keeps its objectcache table. */
  let cacheDb: Knex;
  let redis: Redis | undefined;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    wiki = await TestWiki.install(options);
    await wiki.serve();
    for (const user of [ALICE, BOB]) await wiki.createUser(user.name, user.password);
    await migrateWiki(wiki);
    server = await startBesideWiki(wiki, {
      ...(store === 'redis' ? { MEDIAWIKI_SESSION_STORE: REDIS_URL } : {}),
      ...(store === 'sqlite' ? { MEDIAWIKI_SESSION_STORE: `sqlite:${cacheFile()}` } : {}),
    });
    await server.services.accounts.setEmail(WIKI_ADMIN.name, 'admin@wiki.example');
    client = await seedClient(server.services, { owner: WIKI_ADMIN.name, grants: ['basic'] });
    for (const user of [ALICE, BOB]) ids[user.name] = (await server.services.accounts.findByName(user.name))!.id;
    cacheDb = store === 'sqlite' ? knex({ client: 'better-sqlite3', connection: { filename: cacheFile() }, useNullAsDefault: true }) : wiki.connect();
    if (store === 'redis') redis = new Redis(REDIS_URL);
  }, 240_000);

  afterAll(async () => {
    await server?.close();
    await cacheDb?.destroy();
    redis?.disconnect();
    await wiki?.destroy();
  });

  const names = () => server.config.wikiSession!;
  /** A SQLite wiki's CACHE_DB: MediaWiki's installer puts it in `wikicache.sqlite` beside the database. */
  const cacheFile = () => join(wiki.dir, 'data', 'wikicache.sqlite');

  async function wikiLogin(user: { name: string; password: string }, extra: Record<string, string> = {}): Promise<WikiApiClient> {
    const api = wiki.apiClient();
    const logintoken = await api.token('login');
    const body = await api.post({ action: 'clientlogin', username: user.name, password: user.password, logintoken, loginreturnurl: `${wiki.url}/`, ...extra });
    expect(body.clientlogin.status).toBe('PASS');
    return api;
  }

  const browser = (api: WikiApiClient, change: Record<string, string | null> = {}) => withWikiCookies(server.issuer, api, change);

  const authorizeUrl = (extra: Record<string, string> = {}) => `${server.issuer}/w/rest.php/oauth2/authorize?${new URLSearchParams({ response_type: 'code', client_id: client.key, redirect_uri: client.redirectUri, scope: 'openid', state: 'st', ...extra })}`;

  /** Follow the authorization request like a browser; accept consent; stop at the password form or the client. */
  const walk = (agent: HttpSession, extra: Record<string, string> = {}) => walkAuthorization(agent, authorizeUrl(extra));

  /** A page that needs the site session and never signs in from the wiki by itself: 200 or the sign-in redirect. */
  async function siteSessionHolds(agent: HttpSession): Promise<boolean> {
    const res = await agent.get('/wiki/Special:OAuthManageMyGrants');
    await res.arrayBuffer();
    return res.status === 200;
  }

  it("the wiki's cookies and stored session are where MediaWiki keeps them", async () => {
    const api = await wikiLogin(ALICE);
    const sessionId = api.session.cookie(names().sessionCookie);
    expect(sessionId).toMatch(/^[0-9a-v]{32}$/);
    // $wgCookiePrefix is `<dbname>[_<dbprefix>]`: a prefixed wiki's session cookie has a double underscore.
    expect(names().sessionCookie).toBe(wiki.prefix ? `${wiki.dbName}_${wiki.prefix}_session` : `${wiki.dbName}_session`);
    expect(api.session.cookie(`${names().cookiePrefix}UserID`)).toBe(String(ids[ALICE.name]));
    const key = `${wiki.prefix ? `${wiki.dbName}-${wiki.prefix}` : wiki.dbName}:MWSession:${sessionId}`;
    if (store !== 'redis') expect(await cacheDb(wiki.table('objectcache')).where('keyname', key).first('exptime')).toBeTruthy();
    else expect(await redis!.ttl(key)).toBeGreaterThan(3000);
  });

  it('signed in on the wiki, the authorization endpoint completes without a password; after the wiki\'s logout the password is asked again', async () => {
    const api = await wikiLogin(ALICE);
    const agent = browser(api);
    const first = await walk(agent);
    expect(first.passwordAsked).toBe(false);
    expect(first.code).toMatch(/\S{20,}/);
    expect(first.statuses).not.toContain(500);
    // The code is Alice's: the id_token names her and says how the wiki signed her in.
    const tokens = await exchange(first.code!);
    const claims = JSON.parse(Buffer.from(tokens.id_token.split('.')[1]!, 'base64url').toString()) as { sub: string; amr?: string[]; acr?: string };
    expect(claims).toMatchObject({ sub: String(ids[ALICE.name]), amr: ['pwd'], acr: 'urn:wikiauth:acr:password' });
    expect(await siteSessionHolds(agent)).toBe(true);
    // Other pages behind the sign-in (management, Special:OAuth/authorize) take it through Special:UserLogin.
    const pages = browser(api);
    const managed = await pages.follow(`${server.issuer}/wiki/Special:OAuthManageMyGrants`);
    expect(managed.status).toBe(200);
    expect(await managed.text()).not.toContain('id="userloginForm"');
    // The wiki's sign-in is not a password entered now: prompt=login and a short max_age still ask.
    expect((await walk(agent, { prompt: 'login' })).passwordAsked).toBe(true);
    await sleep(1100);
    expect((await walk(browser(api), { max_age: '1' })).passwordAsked).toBe(true);
    expect((await walk(agent)).passwordAsked).toBe(false);

    const logout = await api.post({ action: 'logout', token: await api.token('csrf') });
    expect(logout).toEqual({});
    expect((await api.userInfo()).anon).toBe(true);
    // The browser still sends the old wiki cookies (as one that ignored their deletion would): the
    // session is gone from the wiki's store, so the site session it started ends and the password is asked.
    expect(await siteSessionHolds(agent)).toBe(false);
    expect((await walk(agent)).passwordAsked).toBe(true);
    expect((await walk(browser(api))).passwordAsked).toBe(true);
    // Signing in again on the wiki in the same browser counts again.
    expect((await api.clientLogin(ALICE.name, ALICE.password)).status).toBe('PASS');
    expect((await walk(browser(api))).passwordAsked).toBe(false);
  });

  it('a forged session id, a UserID cookie of another user and a changed user_token get the password form', async () => {
    const api = await wikiLogin(ALICE);
    const prefix = names().cookiePrefix;
    expect((await walk(browser(api))).passwordAsked, 'the genuine cookies sign in').toBe(false);
    const forged = [...randomBytes(32)].map((b) => '0123456789abcdefghijklmnopqrstuv'[b % 32]).join('');
    expect((await walk(browser(api, { [names().sessionCookie]: forged }))).passwordAsked).toBe(true);
    expect((await walk(browser(api, { [`${prefix}UserID`]: String(ids[BOB.name]), [`${prefix}UserName`]: null }))).passwordAsked).toBe(true);
    expect((await walk(browser(api, { [`${prefix}UserID`]: String(ids[BOB.name]), [`${prefix}UserName`]: encodeURIComponent(BOB.name) }))).passwordAsked).toBe(true);
    expect((await walk(browser(api, { [`${prefix}UserName`]: encodeURIComponent(BOB.name) }))).passwordAsked).toBe(true);
    expect((await walk(browser(api, { [`${prefix}UserID`]: null }))).passwordAsked, 'without UserID the wiki session is anonymous').toBe(true);

    const signedIn = browser(api);
    expect((await walk(signedIn)).passwordAsked).toBe(false);
    // A new user_token (MediaWiki's "log out of all sessions") ends the wiki's sessions and ours.
    await wiki.eval(`$u = User::newFromName( ${phpString(ALICE.name)} ); $u->setToken(); $u->saveSettings();`);
    expect(await siteSessionHolds(signedIn)).toBe(false);
    expect((await walk(browser(api))).passwordAsked).toBe(true);
  });

  it('remember-me cookies alone (UserID, UserName and Token without a stored session) are not enough', async () => {
    const api = await wikiLogin(BOB, { rememberMe: '1' });
    const prefix = names().cookiePrefix;
    expect(api.session.cookie(`${prefix}Token`)).toMatch(/^[0-9a-f]{32}$/);
    expect((await walk(browser(api))).passwordAsked, 'with the session cookie').toBe(false);
    expect((await walk(browser(api, { [names().sessionCookie]: null }))).passwordAsked).toBe(true);
  });

  it('malformed and hostile cookies get the password form, never an error', async () => {
    const api = await wikiLogin(ALICE);
    const prefix = names().cookiePrefix;
    const session = names().sessionCookie;
    const cases: Array<Record<string, string | null>> = [
      { [session]: '../../../../etc/passwd' },
      { [session]: '%ZZ%' },
      { [session]: 'deleted' },
      { [session]: 'a'.repeat(5000) },
      { [session]: `${api.session.cookie(session)}%00` },
      { [`${prefix}UserID`]: '1e3' },
      { [`${prefix}UserID`]: '-1' },
      { [`${prefix}UserID`]: '99999999999999999999999' },
      { [`${prefix}UserID`]: `${ids[ALICE.name]}abc` },
      { [`${prefix}UserName`]: '%E0%A4%A' },
      { [`${prefix}Token`]: 'x'.repeat(32) },
    ];
    for (const change of cases) {
      const outcome = await walk(browser(api, change));
      expect(outcome.passwordAsked, JSON.stringify(change).slice(0, 80)).toBe(true);
      expect(outcome.statuses.every((status) => status < 500)).toBe(true);
    }
  });

  it('stored values that are not sessions are refused; objects in a session are read as data, never constructed', async () => {
    const api = await wikiLogin(ALICE);
    const prefix = names().cookiePrefix;
    const alice = { [`${prefix}UserID`]: String(ids[ALICE.name]), [`${prefix}UserName`]: encodeURIComponent(ALICE.name) };
    const put = async (php: string): Promise<string> => {
      const id = randomBytes(16).toString('hex');
      await wiki.eval(`
        global $wgSessionCacheType;
        $store = ObjectCache::getInstance( $wgSessionCacheType );
        $token = User::newFromName( ${phpString(ALICE.name)} )->getToken();
        $meta = [ 'provider' => 'MediaWiki\\\\Session\\\\CookieSessionProvider', 'providerMetadata' => null, 'userId' => ${ids[ALICE.name]},
          'userName' => ${phpString(ALICE.name)}, 'userToken' => $token, 'remember' => false, 'forceHTTPS' => false,
          'expires' => time() + 3600, 'loggedOut' => 0, 'persisted' => true ];
        $store->set( $store->makeKey( 'MWSession', '${id}' ), ${php}, time() + 3600 );
      `);
      return id;
    };
    const putRaw = async (bytes: Buffer): Promise<string> => {
      const id = randomBytes(16).toString('hex');
      const key = `${wiki.prefix ? `${wiki.dbName}-${wiki.prefix}` : wiki.dbName}:MWSession:${id}`;
      if (store !== 'redis') await cacheDb(wiki.table('objectcache')).insert({ keyname: key, value: bytes, exptime: '20990101000000' });
      else await redis!.set(key, bytes, 'EX', 3600);
      return id;
    };
    const tryWith = async (id: string) => {
      const outcome = await walk(browser(api, { [names().sessionCookie]: id, ...alice }));
      expect(outcome.statuses.every((status) => status < 500)).toBe(true);
      return outcome.passwordAsked;
    };

    // A genuine session shape with objects in its data (as MediaWiki may keep them) still signs in:
    // they are read as records of their fields.
    expect(await tryWith(await put("[ 'data' => [ 'b' => new DateTimeImmutable( '@0' ), 'c' => new stdClass ], 'metadata' => $meta ]"))).toBe(false);
    // An object serialized with integer property names (PHP 7.4 __serialize, e.g. ArrayObject) is
    // beyond the decoder: the session counts as undecodable and the password is asked.
    expect(await tryWith(await put("[ 'data' => [ 'a' => new ArrayObject( [ 1, 2 ] ) ], 'metadata' => $meta ]"))).toBe(true);
    // The same session marked logged out after its sign-in, expired, or of another provider: refused.
    expect(await tryWith(await put("[ 'data' => [ 'AuthManager:lastAuthTimestamp' => time() - 60 ], 'metadata' => [ 'loggedOut' => time() ] + $meta ]"))).toBe(true);
    expect(await tryWith(await put("[ 'data' => [], 'metadata' => [ 'expires' => time() - 1 ] + $meta ]"))).toBe(true);
    expect(await tryWith(await put("[ 'data' => [], 'metadata' => [ 'provider' => 'MediaWiki\\\\Session\\\\BotPasswordSessionProvider' ] + $meta ]"))).toBe(true);
    // Not a session: objects where arrays belong, a string, a number.
    expect(await tryWith(await put("new ArrayObject( [ 'data' => [], 'metadata' => $meta ] )"))).toBe(true);
    expect(await tryWith(await put("[ 'data' => [], 'metadata' => (object)$meta ]"))).toBe(true);
    expect(await tryWith(await put("'just a string'"))).toBe(true);
    expect(await tryWith(await put('42'))).toBe(true);
    // Raw bytes in the store: random, truncated PHP, a deflated bomb, an unknown class with a payload.
    expect(await tryWith(await putRaw(randomBytes(300)))).toBe(true);
    expect(await tryWith(await putRaw(Buffer.from('a:2:{s:4:"data";a:0:{}s:8:"metadata";a:9:{s:6:"userId";i:')))).toBe(true);
    expect(await tryWith(await putRaw(deflateRawSync(Buffer.alloc(20_000_000, 'a'))))).toBe(true);
    expect(await tryWith(await putRaw(Buffer.from('C:11:"ArrayObject":21:{x:i:0;a:0:{};m:a:0:{}}')))).toBe(true);
    expect(await tryWith(await putRaw(Buffer.from(`${'a:1:{i:0;'.repeat(20_000)}N;${'}'.repeat(20_000)}`)))).toBe(true);
  });

  async function exchange(code: string): Promise<{ id_token: string; access_token: string }> {
    const res = await fetch(`${server.issuer}/w/rest.php/oauth2/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${client.key}:${client.secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: client.redirectUri }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { id_token: string; access_token: string };
  }
});

describe("the wiki's session of a user who signed in with two factors (Extension:OATHAuth)", () => {
  const CAROL = { name: 'Carol Twofactor', password: 'Carol-pass-97531' };
  const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEH';
  let wiki: TestWiki;
  let server: TestServer;

  beforeAll(async () => {
    wiki = await TestWiki.install({ db: 'mysql', settings: ["wfLoadExtension( 'OATHAuth' );"], update: true });
    await wiki.serve();
    for (const user of [CAROL, ALICE]) await wiki.createUser(user.name, user.password);
    await migrateWiki(wiki);
    server = await startBesideWiki(wiki);
    // An enrolment as OATHAuth 1.39 stores it (docs/sign-in.md, "Two-factor authentication").
    const db = wiki.connect();
    try {
      const id = (await server.services.accounts.findByName(CAROL.name))!.id;
      await db(wiki.table('oathauth_users')).insert({ id, module: 'totp', data: JSON.stringify({ keys: [{ secret: SECRET, scratch_tokens: [] }] }) });
    } finally {
      await db.destroy();
    }
  }, 240_000);

  afterAll(async () => {
    await server?.close();
    await wiki?.destroy();
  });

  /** Sign in on the wiki, carry its cookies here, and read back the site session that started. */
  async function siteSessionFromWiki(api: WikiApiClient) {
    const agent = withWikiCookies(server.issuer, api);
    const res = await agent.get('/wiki/Special:UserLogin?returnto=%2F');
    expect(res.status).toBe(302);
    return server.services.stores.siteSessions.find(agent.cookie('wikiauth_session')!);
  }

  it('records amr pwd+otp for the enrolled user, whose wiki sign-in asked for the code, and pwd for the others', async () => {
    const api = wiki.apiClient();
    expect((await api.clientLogin(CAROL.name, CAROL.password)).status, 'the wiki asks for the code').toBe('UI');
    const code = execFileSync('oathtool', ['--totp', '-b', SECRET], { encoding: 'utf8' }).trim();
    expect((await api.clientLoginContinue({ OATHToken: code })).status).toBe('PASS');
    expect(await siteSessionFromWiki(api)).toMatchObject({ amr: ['pwd', 'otp'], fromWiki: true });

    const plain = wiki.apiClient();
    expect((await plain.clientLogin(ALICE.name, ALICE.password)).status).toBe('PASS');
    expect(await siteSessionFromWiki(plain)).toMatchObject({ amr: ['pwd'], fromWiki: true });

    // A consumer that demands two factors takes Carol's wiki session as it is; Alice (no enrolment) is told.
    await server.services.accounts.setEmail(WIKI_ADMIN.name, 'admin@wiki.example');
    const strict = await seedClient(server.services, { owner: WIKI_ADMIN.name, grants: ['basic'] });
    await server.services.consumers.setRequireTwoFactor(strict.key, true);
    const url = `${server.issuer}/w/rest.php/oauth2/authorize?${new URLSearchParams({ response_type: 'code', client_id: strict.key, redirect_uri: strict.redirectUri, scope: 'openid', state: 's' })}`;
    const carol = await walkAuthorization(withWikiCookies(server.issuer, api), url);
    expect(carol).toMatchObject({ passwordAsked: false, code: expect.any(String) });
    const alice = await walkAuthorization(withWikiCookies(server.issuer, plain), url);
    expect(alice).toMatchObject({ passwordAsked: false, statuses: expect.arrayContaining([403]) });
    expect(alice.code).toBeUndefined();
  });

  it("with the wiki's session store unreachable, sign-in falls back to the password form and a session from the wiki is not used unchecked", async () => {
    const cut = await startBesideWiki(wiki, { MEDIAWIKI_SESSION_STORE: `redis://127.0.0.1:${await freePort()}` });
    try {
      const ready = await fetch(`${cut.issuer}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ dependencies: { wikiSessions: 'down' } });
      const api = wiki.apiClient();
      expect((await api.clientLogin(ALICE.name, ALICE.password)).status).toBe('PASS');
      const agent = withWikiCookies(cut.issuer, api);
      const page = await agent.get('/wiki/Special:UserLogin?returnto=%2F');
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('id="userloginForm"');
      // A site session begun from the wiki on the healthy instance (same database) cannot be checked here.
      const healthy = withWikiCookies(server.issuer, api);
      expect((await healthy.get('/wiki/Special:UserLogin?returnto=%2F')).status).toBe(302);
      const cookie = `wikiauth_session=${healthy.cookie('wikiauth_session')}; ${api.session.cookieHeader()}`;
      const checked = await fetch(`${cut.issuer}/wiki/Special:OAuthManageMyGrants`, { headers: { cookie }, redirect: 'manual' });
      expect(checked.status).toBe(503);
      expect((await fetch(`${server.issuer}/wiki/Special:OAuthManageMyGrants`, { headers: { cookie }, redirect: 'manual' })).status).toBe(200);
    } finally {
      await cut.close();
    }
  });
});
