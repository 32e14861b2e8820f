import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize } from '../../helpers/authorize.js';
import { sqliteDatabase, type TestDatabase } from '../../helpers/databases.js';
import { ALICE, seedClient } from '../../helpers/fixtures.js';
import { formFields, HttpSession } from '../../helpers/http-session.js';
import { startSeededServer, startServer, type TestServer } from '../../helpers/server.js';

// docs/mediawiki-compat.md "Blocks": with BLOCK_DISABLES_LOGIN a block locks the user out of every
// path at once; without it they keep working and apps see `blocked: true`. Tokens are issued on one
// instance and used on others sharing the database (as behind a load balancer), so no per-process
// memo of the user from before the block is involved.
describe('blocks on every path, with and without BLOCK_DISABLES_LOGIN', () => {
  let db: TestDatabase;
  let issuing: TestServer;
  let locking: TestServer;
  let lenient: TestServer;
  let tokens: { access_token: string; refresh_token: string };
  let appKey: string;
  let siteCookie: string;

  beforeAll(async () => {
    db = sqliteDatabase();
    issuing = await startSeededServer(db, { BLOCK_DISABLES_LOGIN: '1' });
    const app = await seedClient(issuing.services, { grants: ['editpage'], confidential: false, redirectUri: 'http://localhost:9/callback', grantTypes: ['authorization_code', 'refresh_token'] });
    appKey = app.key;
    const agent = new HttpSession(issuing.issuer);
    // OpenID Connect scopes give userinfo; MediaWiki-style scopes (no `openid`) give a refresh token.
    const withOpenId = await tokensFor(issuing, agent, app, 'openid profile basic editpage');
    const mediawikiStyle = await tokensFor(issuing, agent, app, 'basic editpage');
    tokens = { access_token: withOpenId.access_token!, refresh_token: mediawikiStyle.refresh_token! };
    expect(tokens.refresh_token).toBeTruthy();
    siteCookie = `wikiauth_session=${agent.cookie('wikiauth_session')}`;
    await issuing.services.accounts.block(ALICE.name, 'testing');
    locking = await startServer(db, { BLOCK_DISABLES_LOGIN: '1' });
    lenient = await startServer(db);
  });

  afterAll(async () => {
    for (const server of [issuing, locking, lenient]) await server?.close();
    await db?.drop();
  });

  const bearer = () => ({ authorization: `Bearer ${tokens.access_token}` });

  it('without it: the blocked user signs in, tokens keep working, and apps see blocked: true', async () => {
    const profile = await fetch(`${lenient.issuer}/w/rest.php/oauth2/resource/profile`, { headers: bearer() });
    expect(profile.status).toBe(200);
    expect(await profile.json()).toMatchObject({ username: ALICE.name, blocked: true });
    const userinfo = await fetch(`${lenient.issuer}/w/rest.php/oauth2/userinfo`, { headers: bearer() });
    expect(userinfo.status).toBe(200);
    expect(await userinfo.json()).toMatchObject({ blocked: true });
    const api = await fetch(`${lenient.issuer}/w/api.php?action=query&meta=userinfo&format=json`, { headers: bearer() });
    expect(((await api.json()) as { query: { userinfo: { name: string } } }).query.userinfo.name).toBe(ALICE.name);
    expect(await signInStatus(lenient)).toBe(303);
  });

  it('with it: userinfo, resource/profile, api.php, the client REST API, refresh and sign-in refuse, and the site session ends', async () => {
    expect((await fetch(`${locking.issuer}/w/rest.php/oauth2/userinfo`, { headers: bearer() })).status).toBe(401);
    expect((await fetch(`${locking.issuer}/w/rest.php/oauth2/resource/profile`, { headers: bearer() })).status).toBe(401);
    const api = await fetch(`${locking.issuer}/w/api.php?action=query&meta=userinfo&format=json`, { headers: bearer() });
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('mwoauth-invalid-authorization-blocked-user');
    const rest = await fetch(`${locking.issuer}/w/rest.php/oauth2/client`, { headers: { cookie: siteCookie } });
    expect(rest.status).toBe(401);
    const pages = await fetch(`${locking.issuer}/wiki/Special:OAuthManageMyGrants`, { headers: { cookie: siteCookie }, redirect: 'manual' });
    expect(pages.status).toBe(302);
    expect(pages.headers.get('location')).toContain('Special:UserLogin');
    const refreshed = await fetch(`${locking.issuer}/w/rest.php/oauth2/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: appKey }),
    });
    expect(refreshed.status).toBe(400);
    expect(((await refreshed.json()) as { error: string }).error).toBe('invalid_grant');
    expect(await signInStatus(locking)).toBe(400);
    // The ended session is gone for every instance, including the lenient one.
    const after = await fetch(`${lenient.issuer}/wiki/Special:OAuthManageMyGrants`, { headers: { cookie: siteCookie }, redirect: 'manual' });
    expect(after.status).toBe(302);
  });
});

async function tokensFor(server: TestServer, agent: HttpSession, app: { key: string; redirectUri: string }, scope: string): Promise<{ access_token?: string; refresh_token?: string }> {
  const verifier = randomBytes(32).toString('base64url');
  const query = new URLSearchParams({ response_type: 'code', client_id: app.key, redirect_uri: app.redirectUri, scope, code_challenge: verifier });
  const outcome = await authorize(agent, `${server.issuer}/w/rest.php/oauth2/authorize?${query}`, ALICE);
  const res = await fetch(`${server.issuer}/w/rest.php/oauth2/access_token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: outcome.callback!.searchParams.get('code')!, client_id: app.key, redirect_uri: app.redirectUri, code_verifier: verifier }),
  });
  return (await res.json()) as { access_token?: string; refresh_token?: string };
}

async function signInStatus(server: TestServer): Promise<number> {
  const agent = new HttpSession(server.issuer);
  const page = await agent.get('/wiki/Special:UserLogin');
  const { fields } = formFields(await page.text());
  return (await agent.postForm('/wiki/Special:UserLogin', { ...fields, wpName: ALICE.name, wpPassword: ALICE.password })).status;
}
