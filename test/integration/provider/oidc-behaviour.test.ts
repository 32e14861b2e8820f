import * as jose from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { authorize } from '../../helpers/authorize.js';
import { sqliteDatabase } from '../../helpers/databases.js';
import { ALICE, seedClient, type SeededClient } from '../../helpers/fixtures.js';
import { HttpSession } from '../../helpers/http-session.js';
import { useSeededServer } from '../../helpers/seeded-suite.js';
import { SqlConsumerRepository } from '../../../src/storage/sql/sql-consumer-repository.js';

/** OIDC Core details issue 7 §3 asks for, beyond what the conformance modules cover. */
describe('OpenID Connect behaviour', () => {
  const suite = useSeededServer(sqliteDatabase);
  let app: SeededClient;
  let timed: SeededClient;

  beforeAll(async () => {
    app = await seedClient(suite.server.services);
    timed = await seedClient(suite.server.services);
    // require_auth_time lives in wikiauth_consumer_meta (RFC 7591 client metadata).
    const consumer = (await suite.server.services.consumers.findByKey(timed.key))!;
    await new SqlConsumerRepository(suite.server.services.db).update(consumer.id, { metadata: { ...consumer.metadata, require_auth_time: true } });
  });

  const authorizeUrl = (c: SeededClient, params: Record<string, string> = {}) => {
    const url = new URL(`${suite.server.issuer}/w/rest.php/oauth2/authorize`);
    url.search = new URLSearchParams({ client_id: c.key, redirect_uri: c.redirectUri, response_type: 'code', scope: 'openid', state: 'st', nonce: 'n', ...params }).toString();
    return url.href;
  };
  const token = async (c: SeededClient, code: string) => {
    const res = await fetch(`${suite.server.issuer}/w/rest.php/oauth2/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${c.key}:${c.secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: c.redirectUri }),
    });
    return (await res.json()) as { access_token: string; id_token: string };
  };

  it('answers an authorization request sent as POST with 303 to the same request as GET', async () => {
    const url = new URL(authorizeUrl(app));
    const res = await fetch(`${suite.server.issuer}${url.pathname}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: url.searchParams.toString(), redirect: 'manual' });
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location')!, suite.server.issuer);
    expect(Object.fromEntries(location.searchParams)).toEqual(Object.fromEntries(url.searchParams));
  });

  it('puts iss in every authorization response (RFC 9207), success and error', async () => {
    const ok = await authorize(new HttpSession(suite.server.issuer), authorizeUrl(app), ALICE);
    expect(ok.callback!.searchParams.get('iss')).toBe(suite.server.issuer);
    const none = await authorize(new HttpSession(suite.server.issuer), authorizeUrl(app, { prompt: 'none' }), ALICE);
    expect(Object.fromEntries(none.callback!.searchParams)).toMatchObject({ error: 'login_required', state: 'st', iss: suite.server.issuer });
  });

  it('includes auth_time for max_age, prompt=login, a claims request and require_auth_time clients, not otherwise', async () => {
    const agent = new HttpSession(suite.server.issuer);
    const plain = await authorize(agent, authorizeUrl(app), ALICE);
    expect(jose.decodeJwt((await token(app, plain.callback!.searchParams.get('code')!)).id_token).auth_time).toBeUndefined();
    const requests: Record<string, string>[] = [{ max_age: '3600' }, { prompt: 'login' }, { claims: JSON.stringify({ id_token: { auth_time: { essential: true } } }) }];
    for (const params of requests) {
      const outcome = await authorize(agent, authorizeUrl(app, params), ALICE);
      const claims = jose.decodeJwt((await token(app, outcome.callback!.searchParams.get('code')!)).id_token);
      expect(claims.auth_time, JSON.stringify(params)).toEqual(expect.any(Number));
    }
    const required = await authorize(agent, authorizeUrl(timed), ALICE);
    expect(jose.decodeJwt((await token(timed, required.callback!.searchParams.get('code')!)).id_token).auth_time).toEqual(expect.any(Number));
  });

  it('asks for consent again with prompt=consent, and for the password again with prompt=login', async () => {
    const fresh = await seedClient(suite.server.services);
    const agent = new HttpSession(suite.server.issuer);
    expect((await authorize(agent, authorizeUrl(fresh), ALICE)).consentShown).toBe(true);
    expect((await authorize(agent, authorizeUrl(fresh), ALICE)).consentShown).toBe(false);
    expect((await authorize(agent, authorizeUrl(fresh, { prompt: 'consent' }), ALICE)).consentShown).toBe(true);
    const login = await agent.follow(authorizeUrl(fresh, { prompt: 'login' }));
    expect(await login.text()).toContain('Please confirm your password to continue.');
  });

  it('prefills the user name from login_hint and accepts display, ui_locales and acr_values', async () => {
    const page = await new HttpSession(suite.server.issuer).follow(authorizeUrl(app, { login_hint: 'Alice', display: 'popup', ui_locales: 'de en', acr_values: 'urn:example:loa:2' }));
    expect(await page.text()).toMatch(/name="wpName" [^>]*value="Alice"/);
  });

  it('refuses request objects and request_uri with request_not_supported / request_uri_not_supported, in the response mode asked for', async () => {
    const object = new jose.UnsecuredJWT({ client_id: app.key, response_type: 'code', scope: 'openid', redirect_uri: app.redirectUri, state: 'from-object', response_mode: 'form_post' }).encode();
    const byValue = await fetch(authorizeUrl(app, { request: object, state: '' }).replace('&state=&', '&'), { redirect: 'manual' });
    // response_mode and state came from the object: the error is a form_post carrying that state.
    expect(byValue.status).toBe(400);
    const html = await byValue.text();
    expect(html).toContain(`action="${app.redirectUri}"`);
    expect(html).toContain('name="error" value="request_not_supported"');
    expect(html).toContain('name="state" value="from-object"');
    const byReference = await fetch(authorizeUrl(app, { request_uri: 'https://app.example/request.jwt' }), { redirect: 'manual' });
    const location = new URL(byReference.headers.get('location')!);
    expect(Object.fromEntries(location.searchParams)).toMatchObject({ error: 'request_uri_not_supported', state: 'st', iss: suite.server.issuer });
    const discovery = (await (await fetch(`${suite.server.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(discovery.request_uri_parameter_supported).toBe(false);
    expect(discovery.request_parameter_supported ?? false).toBe(false);
  });

  it('serves UserInfo by GET, POST header and POST body, and answers bad tokens with WWW-Authenticate', async () => {
    const outcome = await authorize(new HttpSession(suite.server.issuer), authorizeUrl(app, { scope: 'openid profile email' }), ALICE);
    const { access_token } = await token(app, outcome.callback!.searchParams.get('code')!);
    const endpoint = `${suite.server.issuer}/w/rest.php/oauth2/userinfo`;
    const answers = [
      await fetch(endpoint, { headers: { authorization: `Bearer ${access_token}` } }),
      await fetch(endpoint, { method: 'POST', headers: { authorization: `Bearer ${access_token}` } }),
      await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ access_token }) }),
    ];
    for (const res of answers) {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const claims = (await res.json()) as Record<string, unknown>;
      // Standard claims with their JSON types (OIDC Core §5.1).
      expect(claims).toMatchObject({ sub: expect.any(String), preferred_username: 'Alice', email: ALICE.email, email_verified: true, name: 'Alice Liddell', updated_at: expect.any(Number) });
    }
    const missing = await fetch(endpoint);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer realm=".+"/);
    const invalid = await fetch(endpoint, { headers: { authorization: 'Bearer not-a-token' } });
    expect(invalid.status).toBe(401);
    expect(invalid.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    const invalidBody = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'access_token=not-a-token' });
    expect(invalidBody.status).toBe(401);
    expect(invalidBody.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  });
});
