import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteDatabase, type TestDatabase } from '../../helpers/databases.js';
import { ALICE, seedClient, type SeededClient } from '../../helpers/fixtures.js';
import { HttpSession } from '../../helpers/http-session.js';
import { useSeededServer } from '../../helpers/seeded-suite.js';
import { startServer, type TestServer } from '../../helpers/server.js';
import { signIn } from '../../helpers/site.js';
import { createTlsMaterial, type TlsMaterial } from '../../helpers/tls.js';

/** Issue 14: each finding of the security review, on a running instance (SQLite). */
describe('hardening findings on a running instance', () => {
  const suite = useSeededServer(sqliteDatabase);
  let app: SeededClient;

  beforeAll(async () => {
    app = await seedClient(suite.server.services, { grants: ['mwoauth-authonlyprivate'] });
  });

  const authorizeUrl = (params: Record<string, string>) =>
    `${suite.server.issuer}/w/rest.php/oauth2/authorize?${new URLSearchParams({ client_id: app.key, response_type: 'code', redirect_uri: app.redirectUri, scope: 'mwoauth-authonlyprivate', state: 's1', ...params })}`;

  it('an error page answered after a route threw carries the security headers', async () => {
    const agent = new HttpSession(suite.server.issuer);
    // Our form reader throws 413 for an oversized body; the error edge renders the page.
    const res = await agent.request('/wiki/Special:UserLogin', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `wpName=${'a'.repeat(200_000)}` });
    expect(res.status).toBe(413);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('strict-transport-security')).toBeNull(); // plain HTTP: never HSTS (RFC 6797 §7.2)
  });

  it('logout with a site session but no provider session asks first, and ends the site session only on the click', async () => {
    const agent = await signIn(suite.server.issuer, ALICE);
    const page = await agent.get('/w/rest.php/oauth2/logout');
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('id="wpLogoutConfirm"');
    expect(html).not.toMatch(/<script/i);
    // Loading the URL ended nothing: the site session is still there.
    expect((await agent.get('/wiki/Special:OAuthManageMyGrants')).status).toBe(200);
    const action = /<form id="op.logoutForm" method="post" action="([^"]+)"/.exec(html)![1]!;
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)![1]!;
    const done = await agent.postForm(action.replace(/&amp;/g, '&'), { xsrf, logout: 'yes' });
    expect(done.status).toBe(303);
    expect((await agent.get('/wiki/Special:OAuthManageMyGrants')).status).toBe(302);
  });

  it('a malformed code_challenge is refused at authorize, with or without a method', async () => {
    const agent = await signIn(suite.server.issuer, ALICE);
    for (const params of [{ code_challenge: 'short' } as Record<string, string>, { code_challenge: 'short', code_challenge_method: 'plain' }, { code_challenge: `${'a'.repeat(42)}!`, code_challenge_method: 'S256' }]) {
      const res = await agent.get(authorizeUrl(params));
      expect(res.status, JSON.stringify(params)).toBe(303);
      const back = new URL(res.headers.get('location')!);
      expect(back.origin + back.pathname).toBe(app.redirectUri);
      expect(back.searchParams.get('error'), JSON.stringify(params)).toBe('invalid_request');
      expect(back.searchParams.get('error_description')).toMatch(/code_challenge/);
    }
  });

  it('creates the SQLite database and its -wal/-shm files readable by the owner only', () => {
    const file = (suite.db.config as { filename: string }).filename;
    for (const name of [file, `${file}-wal`, `${file}-shm`]) expect((statSync(name).mode & 0o777).toString(8), name).toBe('600');
  });
});

describe('REQUIRE_PKCE', () => {
  const suite = useSeededServer(sqliteDatabase, { REQUIRE_PKCE: '1' });

  it('refuses a confidential client\'s authorization request without PKCE', async () => {
    const app = await seedClient(suite.server.services, { confidential: true });
    const res = await new HttpSession(suite.server.issuer).get(`/w/rest.php/oauth2/authorize?${new URLSearchParams({ client_id: app.key, response_type: 'code', redirect_uri: app.redirectUri, state: 's' })}`);
    const back = new URL(res.headers.get('location')!);
    expect(back.searchParams.get('error')).toBe('invalid_request');
    expect(back.searchParams.get('error_description')).toMatch(/PKCE/);
  });
});

describe('HSTS under TLS', () => {
  let tls: TlsMaterial;
  let db: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    tls = createTlsMaterial();
    db = sqliteDatabase();
    server = await startServer(db, tls.serverEnv);
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
    tls?.cleanup();
  });

  it('sends Strict-Transport-Security on pages, JSON and error answers', async () => {
    for (const path of ['/', '/.well-known/openid-configuration', '/no/such/page', '/w/rest.php/oauth2/access_token']) {
      const res = await tls.fetch(`${server.issuer}${path}`);
      expect(res.headers.get('strict-transport-security'), path).toBe('max-age=31536000');
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
    }
  });
});

