import { createHash, randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { authorize } from '../../helpers/authorize.js';
import { ManualClock } from '../../helpers/clock.js';
import { DIALECTS } from '../../helpers/databases.js';
import { ALICE, BOB, seedClient } from '../../helpers/fixtures.js';
import { HttpSession } from '../../helpers/http-session.js';
import { useSeededServer } from '../../helpers/seeded-suite.js';

/** A client written for MediaWiki's OAuth 2 (league/oauth2-server): no `openid`, no `scope`, `plain` PKCE. */
describe.each(DIALECTS)('MediaWiki-style OAuth 2 clients on %s', (_name, makeDb) => {
  let base: string;
  const clock = new ManualClock();
  const suite = useSeededServer(makeDb, {}, { clock: clock.now });

  beforeAll(async () => {
    base = `${suite.server.issuer}/w/rest.php/oauth2`;
  });

  async function token(body: Record<string, string>, basic?: [string, string]): Promise<{ status: number; json: Record<string, any> }> {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (basic) headers.authorization = `Basic ${Buffer.from(`${basic[0]}:${basic[1]}`).toString('base64')}`;
    const res = await fetch(`${base}/access_token`, { method: 'POST', headers, body: new URLSearchParams(body) });
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  }

  async function codeFor(agent: HttpSession, clientId: string, redirectUri: string, extra: Record<string, string> = {}, user: { name: string; password: string } = ALICE) {
    const query = new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: redirectUri, state: 'st', ...extra });
    const outcome = await authorize(agent, `${base}/authorize?${query}`, user);
    expect(outcome.callback, 'redirected back to the client').toBeDefined();
    return { code: outcome.callback!.searchParams.get('code')!, outcome };
  }

  it('gives a public client with plain PKCE and no scope a code, an access token and a refresh token; resource/profile answers in MediaWiki shape', async () => {
    const app = await seedClient(suite.server.services, { grants: ['editpage'], confidential: false, redirectUri: 'http://localhost:9/callback', grantTypes: ['authorization_code', 'refresh_token'] });
    const verifier = randomBytes(32).toString('base64url');
    const agent = new HttpSession(suite.server.issuer);
    const { code, outcome } = await codeFor(agent, app.key, app.redirectUri, { code_challenge: verifier });
    expect(outcome.callback!.searchParams.get('state')).toBe('st');
    const tokens = await token({ grant_type: 'authorization_code', code, client_id: app.key, redirect_uri: app.redirectUri, code_verifier: verifier });
    expect(tokens.status).toBe(200);
    expect(tokens.json.token_type).toBe('Bearer');
    expect(tokens.json.access_token).toBeTruthy();
    expect(tokens.json.refresh_token).toBeTruthy();
    expect(tokens.json.id_token).toBeUndefined();

    const profile = await fetch(`${base}/resource/profile`, { headers: { authorization: `Bearer ${tokens.json.access_token}` } });
    expect(profile.status).toBe(200);
    const body = (await profile.json()) as any;
    const alice = await suite.server.services.accounts.findByName(ALICE.name);
    expect(body).toMatchObject({ sub: String(alice!.id), username: 'Alice', editcount: 0, confirmed_email: true, email_verified: true, blocked: false });
    expect(body.grants).toEqual(expect.arrayContaining(['basic', 'editpage']));
    expect(body.rights).toEqual(expect.arrayContaining(['edit', 'read']));
    expect(body.rights).not.toContain('delete');
    expect(body).not.toHaveProperty('email');
    expect(body).not.toHaveProperty('realname');
    expect(body.registered).toMatch(/^\d{14}$/);

    const scopes = await fetch(`${base}/resource/scopes`, { headers: { authorization: `Bearer ${tokens.json.access_token}` } });
    expect((await scopes.json()) as any).toEqual({ scopes: ['basic', 'editpage'] });

    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: tokens.json.refresh_token, client_id: app.key });
    expect(refreshed.status).toBe(200);
    expect(refreshed.json.access_token).toBeTruthy();
  });

  it('stores consent as an oauth_accepted_consumer row in MediaWiki encoding, skips consent the second time, keeps the row after logout and code replay', async () => {
    const app = await seedClient(suite.server.services, { grants: ['mwoauth-authonly'] });
    const agent = new HttpSession(suite.server.issuer);
    const first = await codeFor(agent, app.key, app.redirectUri, { scope: 'openid' });
    expect(first.outcome.consentShown).toBe(true);
    const alice = await suite.server.services.accounts.findByName(ALICE.name);
    const rows = await suite.server.services.db('oauth_accepted_consumer').where({ oaac_user_id: alice!.id, oaac_consumer_id: app.id });
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0].oaac_grants)).toEqual(['authonly']);
    expect(rows[0].oaac_access_token).toMatch(/^[0-9a-f]{32}$/);
    expect(Number(rows[0].oaac_oauth_version)).toBe(2);

    const exchange = () => token({ grant_type: 'authorization_code', code: first.code, redirect_uri: app.redirectUri }, [app.key, app.secret]);
    const tokens = await exchange();
    expect(tokens.status).toBe(200);
    const registered = await suite.server.services.db('oauth2_access_tokens').where('oaat_acceptance_id', rows[0].oaac_id);
    expect(registered.length).toBeGreaterThan(0);

    // Replaying the code revokes what it produced (RFC 6749 §4.1.2), never the user's authorization.
    const replay = await exchange();
    expect(replay.status).toBe(400);
    expect(replay.json.error).toBe('invalid_grant');
    const introspect = await fetch(`${base}/introspect`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${app.key}:${app.secret}`).toString('base64')}` }, body: new URLSearchParams({ token: tokens.json.access_token }) });
    expect(((await introspect.json()) as any).active).toBe(false);
    expect(await suite.server.services.db('oauth_accepted_consumer').where('oaac_id', rows[0].oaac_id)).toHaveLength(1);

    // A new browser (no provider session) still skips consent: the stored authorization covers it.
    const fresh = new HttpSession(suite.server.issuer);
    const second = await codeFor(fresh, app.key, app.redirectUri, { scope: 'openid' });
    expect(second.outcome.consentShown).toBe(false);

    // Site logout ends the session, not the authorization.
    const page = await fresh.get('/wiki/Special:UserLogout');
    const logoutHtml = await page.text();
    const csrf = /name="wpEditToken" value="([^"]+)"/.exec(logoutHtml)?.[1];
    expect(csrf, logoutHtml).toBeTruthy();
    expect((await fresh.postForm('/wiki/Special:UserLogout', { wpEditToken: csrf! })).status).toBe(200);
    expect(await suite.server.services.db('oauth_accepted_consumer').where('oaac_id', rows[0].oaac_id)).toHaveLength(1);
  });

  it("honours the consumer's IP restrictions for Bearer tokens", async () => {
    const open = await seedClient(suite.server.services, { grants: ['basic'] });
    const restricted = await seedClient(suite.server.services, { grants: ['basic'] });
    // Set before first use, so no per-process cache holds the old value.
    await suite.server.services.db('oauth_registered_consumer').where('oarc_id', restricted.id).update({ oarc_restrictions: '{"IPAddresses":["192.0.2.0/24"]}' });
    for (const [app, status] of [[open, 200], [restricted, 401]] as const) {
      const issued = await token({ grant_type: 'client_credentials' }, [app.key, app.secret]);
      const res = await fetch(`${base}/resource/scopes`, { headers: { authorization: `Bearer ${issued.json.access_token}` } });
      expect(res.status).toBe(status);
      if (status === 401) expect(res.headers.get('www-authenticate')).toContain('IP address');
    }
  });

  it('refuses tokens to a disabled consumer', async () => {
    const app = await seedClient(suite.server.services, { grants: ['basic'] });
    const ok = await token({ grant_type: 'client_credentials' }, [app.key, app.secret]);
    expect(ok.status).toBe(200);
    await suite.server.services.db('oauth_registered_consumer').where('oarc_id', app.id).update({ oarc_stage: 4 });
    clock.advance(3100); // as another instance would: this one's consumer cache lives 3 s
    const refused = await token({ grant_type: 'client_credentials' }, [app.key, app.secret]);
    expect(refused.status).toBe(401);
    expect(refused.json.error).toBe('invalid_client');
    const profile = await fetch(`${base}/resource/scopes`, { headers: { authorization: `Bearer ${ok.json.access_token}` } });
    expect(profile.status).toBe(401);
  });

  it('never releases email or real name to a consumer without the private-info grants', async () => {
    const app = await seedClient(suite.server.services, { grants: ['mwoauth-authonly'] });
    const agent = new HttpSession(suite.server.issuer);
    const { code } = await codeFor(agent, app.key, app.redirectUri, { scope: 'openid profile email' }, BOB);
    const tokens = await token({ grant_type: 'authorization_code', code, redirect_uri: app.redirectUri }, [app.key, app.secret]);
    expect(tokens.status).toBe(200);
    expect(tokens.json.scope.split(' ')).not.toContain('email');
    const idClaims = JSON.parse(Buffer.from(tokens.json.id_token.split('.')[1], 'base64url').toString());
    expect(idClaims).not.toHaveProperty('email');
    const userinfo = (await (await fetch(`${base}/userinfo`, { headers: { authorization: `Bearer ${tokens.json.access_token}` } })).json()) as any;
    expect(userinfo.preferred_username).toBe('Bob');
    expect(userinfo).not.toHaveProperty('email');
    expect(userinfo).not.toHaveProperty('name');
    const profile = (await (await fetch(`${base}/resource/profile`, { headers: { authorization: `Bearer ${tokens.json.access_token}` } })).json()) as any;
    expect(profile).not.toHaveProperty('email');
    expect(profile).not.toHaveProperty('realname');
  });

  it('rewrites plain PKCE to S256 so the plain verifier still works, and refuses a wrong verifier', async () => {
    const app = await seedClient(suite.server.services, { grants: ['basic'], confidential: false, redirectUri: 'http://127.0.0.1:9/cb', grantTypes: ['authorization_code'] });
    const verifier = randomBytes(40).toString('base64url');
    const agent = new HttpSession(suite.server.issuer);
    const { code } = await codeFor(agent, app.key, app.redirectUri, { code_challenge: verifier, code_challenge_method: 'plain' });
    const wrong = await token({ grant_type: 'authorization_code', code, client_id: app.key, redirect_uri: app.redirectUri, code_verifier: createHash('sha256').update('x').digest('base64url') + 'aaaaaaaaaa' });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error).toBe('invalid_grant');
  });

  it.each([
    ['127.0.0.1', 'http://127.0.0.1:8080/cb', 'http://127.0.0.1:51734/cb'],
    ['[::1]', 'http://[::1]/cb', 'http://[::1]:40001/cb'],
  ])('matches a loopback redirect URI (%s) on any port for a confidential client, as MediaWiki (RFC 8252 §7.3)', async (_host, registered, requested) => {
    const app = await seedClient(suite.server.services, { grants: ['basic'], confidential: true, redirectUri: registered, grantTypes: ['authorization_code'] });
    const agent = new HttpSession(suite.server.issuer);
    const { code, outcome } = await codeFor(agent, app.key, requested);
    expect(`${outcome.callback!.origin}${outcome.callback!.pathname}`).toBe(requested);
    const tokens = await token({ grant_type: 'authorization_code', code, redirect_uri: requested }, [app.key, app.secret]);
    expect(tokens.status, JSON.stringify(tokens.json)).toBe(200);

    // Only the port may differ: another path, another loopback host or https is no match (an error page, no redirect).
    for (const other of [requested.replace('/cb', '/other'), 'http://127.0.0.2:8080/cb', requested.replace('http:', 'https:')]) {
      const query = new URLSearchParams({ response_type: 'code', client_id: app.key, redirect_uri: other, state: 'st' });
      const refused = await authorize(new HttpSession(suite.server.issuer), `${base}/authorize?${query}`, ALICE);
      expect(refused.callback, other).toBeUndefined();
      expect(refused.lastResponse.status, other).toBe(400);
    }
  });
});
