import { beforeAll, describe, expect, it } from 'vitest';
import { sqliteDatabase } from '../../helpers/databases.js';
import { seedClient, type SeededClient } from '../../helpers/fixtures.js';
import { useSeededServer } from '../../helpers/seeded-suite.js';

interface Case {
  readonly name: string;
  readonly method?: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** The status the protocol's answer has (never a 5xx). */
  readonly status: number;
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const R = '/w/rest.php/oauth2';

describe('malformed and hostile requests', () => {
  const suite = useSeededServer(sqliteDatabase);
  let app: SeededClient;
  let basic: string;

  beforeAll(async () => {
    app = await seedClient(suite.server.services, { grants: ['basic'] });
    basic = `Basic ${Buffer.from(`${app.key}:${app.secret}`).toString('base64')}`;
  });

  it('shows an error page, without redirecting, for an unknown client and an unregistered redirect_uri', async () => {
    for (const query of [
      `client_id=${'0'.repeat(32)}&response_type=code&redirect_uri=https://app.example/callback`,
      `client_id=${app.key}&response_type=code&redirect_uri=https://evil.example/steal`,
      `client_id=${app.key}&response_type=code&redirect_uri=https://app.example/callback/../other`,
    ]) {
      const res = await fetch(`${suite.server.issuer}${R}/authorize?${query}`, { redirect: 'manual' });
      expect(res.status, query).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(res.headers.get('content-type')).toContain('text/html');
      const html = await res.text();
      expect(html).toMatch(/invalid_client|invalid_redirect_uri/);
    }
  });

  it('answers a wrong client secret with 401 invalid_client and malformed token requests with 400 JSON', async () => {
    const wrong = await fetch(`${suite.server.issuer}${R}/access_token`, {
      method: 'POST',
      headers: { ...FORM, authorization: `Basic ${Buffer.from(`${app.key}:not-the-secret`).toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as any).error).toBe('invalid_client');
    for (const body of ['', 'grant_type=', 'grant_type=password&username=a&password=b', 'grant_type=authorization_code', 'grant_type=refresh_token', 'grant_type=client_credentials&grant_type=client_credentials']) {
      const res = await fetch(`${suite.server.issuer}${R}/access_token`, { method: 'POST', headers: { ...FORM, authorization: basic }, body });
      expect(res.status, body).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/json');
      expect(typeof ((await res.json()) as any).error).toBe('string');
    }
  });

  it('answers a table of hostile requests with the expected status, never a 5xx or a stack trace', async () => {
    const long = 'a'.repeat(70_000);
    const cases: Case[] = [
      { name: 'authorize without parameters', status: 400, path: `${R}/authorize` },
      { name: 'authorize with a long client_id', status: 400, path: `${R}/authorize?client_id=${long.slice(0, 5000)}&response_type=code` },
      { name: 'authorize with duplicated client_id', status: 400, path: `${R}/authorize?client_id=${'a'.repeat(32)}&client_id=b&response_type=code` },
      { name: 'authorize with an unsupported response_type', status: 400, path: `${R}/authorize?client_id=${'a'.repeat(32)}&response_type=token` },
      { name: 'authorize with NUL bytes', status: 400, path: `${R}/authorize?client_id=%00%00&response_type=code` },
      { name: 'authorize with invalid percent-encoding', status: 400, path: `${R}/authorize?client_id=%E0%A4%A&response_type=code` },
      { name: 'authorize with a script in state', status: 400, path: `${R}/authorize?client_id=${'a'.repeat(32)}&response_type=code&state=%3Cscript%3E` },
      { name: 'authorize with a huge scope', status: 400, path: `${R}/authorize?client_id=${'a'.repeat(32)}&response_type=code&scope=${'x%20'.repeat(2000)}` },
      { name: 'authorize with a request object', status: 400, path: `${R}/authorize?client_id=${'a'.repeat(32)}&response_type=code&request=eyJhbGciOiJub25lIn0.e30.` },
      { name: 'authorize with request_uri', status: 400, path: `${R}/authorize?client_id=${'a'.repeat(32)}&response_type=code&request_uri=https://evil.example/r` },
      { name: 'authorize POST with JSON', status: 303, method: 'POST', path: `${R}/authorize`, headers: { 'content-type': 'application/json' }, body: '{"a":' },
      { name: 'authorize POST with an oversized form', status: 413, method: 'POST', path: `${R}/authorize`, headers: FORM, body: `a=${long}` },
      { name: 'authorize resume with a bogus uid', status: 400, path: `${R}/authorize/${'x'.repeat(40)}` },
      { name: 'token GET', status: 405, path: `${R}/access_token` },
      { name: 'token with JSON body', status: 400, method: 'POST', path: `${R}/access_token`, headers: { 'content-type': 'application/json' }, body: '{"grant_type":"client_credentials"}' },
      { name: 'token with broken JSON', status: 400, method: 'POST', path: `${R}/access_token`, headers: { 'content-type': 'application/json' }, body: '{' },
      { name: 'token with an oversized body', status: 413, method: 'POST', path: `${R}/access_token`, headers: FORM, body: `grant_type=client_credentials&x=${long}` },
      { name: 'token with malformed Basic', status: 400, method: 'POST', path: `${R}/access_token`, headers: { ...FORM, authorization: 'Basic %%%' }, body: 'grant_type=client_credentials' },
      { name: 'token with Basic without colon', status: 400, method: 'POST', path: `${R}/access_token`, headers: { ...FORM, authorization: `Basic ${Buffer.from('nocolon').toString('base64')}` }, body: 'grant_type=client_credentials' },
      { name: 'token with two auth methods', status: 400, method: 'POST', path: `${R}/access_token`, headers: { ...FORM, authorization: 'Basic eDp5' }, body: `grant_type=client_credentials&client_id=x&client_secret=y` },
      { name: 'token with a bogus code', status: 401, method: 'POST', path: `${R}/access_token`, headers: FORM, body: `grant_type=authorization_code&code=${'z'.repeat(43)}&client_id=${'a'.repeat(32)}` },
      { name: 'token with a bogus refresh token', status: 401, method: 'POST', path: `${R}/access_token`, headers: FORM, body: `grant_type=refresh_token&refresh_token=${'z'.repeat(43)}&client_id=x` },
      { name: 'token with a JWT client assertion', status: 400, method: 'POST', path: `${R}/access_token`, headers: FORM, body: 'grant_type=client_credentials&client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer&client_assertion=a.b.c' },
      { name: 'token with unknown grant type', status: 401, method: 'POST', path: `${R}/access_token`, headers: FORM, body: 'grant_type=urn:ietf:params:oauth:grant-type:device_code&device_code=x&client_id=y' },
      { name: 'token with multipart', status: 400, method: 'POST', path: `${R}/access_token`, headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: '--x\r\nContent-Disposition: form-data; name="grant_type"\r\n\r\nclient_credentials\r\n--x--' },
      { name: 'userinfo without a token', status: 401, path: `${R}/userinfo` },
      { name: 'userinfo with a garbage token', status: 401, path: `${R}/userinfo`, headers: { authorization: 'Bearer !!!' } },
      { name: 'userinfo with a long token', status: 401, path: `${R}/userinfo`, headers: { authorization: `Bearer ${'a'.repeat(4000)}` } },
      { name: 'userinfo with two tokens', status: 400, path: `${R}/userinfo?access_token=abc`, headers: { authorization: 'Bearer abc' } },
      { name: 'userinfo POST with garbage body', status: 401, method: 'POST', path: `${R}/userinfo`, headers: FORM, body: 'access_token=%%%' },
      { name: 'introspection without auth', status: 400, method: 'POST', path: `${R}/introspect`, headers: FORM, body: 'token=x' },
      { name: 'introspection without token', status: 400, method: 'POST', path: `${R}/introspect`, headers: { ...FORM, authorization: 'BASIC' }, body: '' },
      { name: 'introspection with an unknown hint', status: 401, method: 'POST', path: `${R}/introspect`, headers: FORM, body: `token=x&token_type_hint=<b>&client_id=${'a'.repeat(32)}` },
      { name: 'revocation without auth', status: 400, method: 'POST', path: `${R}/revoke`, headers: FORM, body: 'token=x' },
      { name: 'revocation GET', status: 404, path: `${R}/revoke` },
      { name: 'logout with a garbage id_token_hint', status: 400, path: `${R}/logout?id_token_hint=not.a.jwt` },
      { name: 'logout with an unregistered post_logout_redirect_uri', status: 400, path: `${R}/logout?client_id=${'a'.repeat(32)}&post_logout_redirect_uri=https://evil.example` },
      { name: 'logout confirm without xsrf', status: 400, method: 'POST', path: `${R}/logout/confirm`, headers: FORM, body: 'logout=yes' },
      { name: 'jwks POST', status: 404, method: 'POST', path: `${R}/jwks`, headers: FORM, body: 'a=b' },
      { name: 'discovery with a query', status: 200, path: '/.well-known/openid-configuration?x=%00' },
      { name: 'resource/profile without a token', status: 401, path: `${R}/resource/profile` },
      { name: 'resource/profile with a Basic header', status: 401, path: `${R}/resource/profile`, headers: { authorization: 'Basic eDp5' } },
      { name: 'resource/profile with a garbage bearer', status: 401, path: `${R}/resource/profile`, headers: { authorization: 'Bearer a b c' } },
      { name: 'resource/scopes with a long bearer', status: 401, path: `${R}/resource/scopes`, headers: { authorization: `Bearer ${'b'.repeat(9000)}` } },
      { name: 'resource with an unknown type', status: 404, path: `${R}/resource/other`, headers: { authorization: 'Bearer x' } },
      { name: 'interaction with a bogus uid', status: 400, path: '/wiki/Special:OAuthInteraction/nope' },
      { name: 'interaction consent without cookies', status: 400, method: 'POST', path: '/wiki/Special:OAuthInteraction/nope/consent', headers: FORM, body: 'decision=accept' },
      { name: 'interaction consent with an oversized form', status: 413, method: 'POST', path: '/wiki/Special:OAuthInteraction/nope/consent', headers: FORM, body: `decision=${long}` },
      { name: 'login without a CSRF token', status: 400, method: 'POST', path: '/wiki/Special:UserLogin', headers: FORM, body: 'wpName=Alice&wpPassword=x' },
      { name: 'login with an oversized form', status: 413, method: 'POST', path: '/wiki/Special:UserLogin', headers: FORM, body: `wpName=${long}` },
      { name: 'login with JSON', status: 400, method: 'POST', path: '/wiki/Special:UserLogin', headers: { 'content-type': 'application/json' }, body: '{"wpName":"Alice"}' },
      { name: 'login with a scheme-relative returnto', status: 200, path: '/wiki/Special:UserLogin?returnto=//evil.example' },
      { name: 'login with a javascript returnto', status: 200, path: '/wiki/Special:UserLogin?returnto=javascript:alert(1)' },
      { name: 'login with repeated returnto', status: 200, path: '/wiki/Special:UserLogin?returnto=/a&returnto=/b' },
      { name: 'logout POST without a session', status: 200, method: 'POST', path: '/wiki/Special:UserLogout', headers: FORM, body: 'wpEditToken=x' },
      { name: 'unknown page', status: 404, path: '/wiki/Special:Nothing' },
      { name: 'path traversal', status: 404, path: '/static/../package.json' },
      { name: 'PATCH method', status: 405, method: 'PATCH', path: `${R}/access_token`, headers: FORM, body: 'a=b' },
      { name: 'readyz with a body', status: 405, method: 'POST', path: '/readyz', headers: FORM, body: 'a=b' },
    ];
    expect(cases.length).toBeGreaterThanOrEqual(50);
    const wrongStatus: string[] = [];
    for (const c of cases) {
      const res = await fetch(`${suite.server.issuer}${c.path}`, {
        method: c.method ?? 'GET',
        headers: c.headers ?? {},
        ...(c.body !== undefined ? { body: c.body } : {}),
        redirect: 'manual',
        signal: AbortSignal.timeout(5000),
      });
      const text = await res.text();
      if (res.status !== c.status) wrongStatus.push(`${c.name}: ${res.status} ${text.slice(0, 120)}`);
      expect(res.status, c.name).toBeLessThan(500);
      expect(text, c.name).not.toMatch(/\n\s+at [\w.<>]+ \(|node_modules|\.ts:\d+|Error: .*\n.*at /);
      if (res.status >= 300 && res.status < 400) {
        const location = res.headers.get('location') ?? '';
        expect(location.startsWith('/') || location.startsWith(suite.server.issuer), `${c.name} redirected to ${location}`).toBe(true);
      }
    }
    expect(wrongStatus).toEqual([]);
  });
});
