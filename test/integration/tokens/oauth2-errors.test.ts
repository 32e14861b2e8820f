import { createHash, randomBytes } from 'node:crypto';
import * as jose from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize } from '../../helpers/authorize.js';
import { mariadbDatabase } from '../../helpers/databases.js';
import { ALICE, seedClient, type SeededClient } from '../../helpers/fixtures.js';
import { HttpSession } from '../../helpers/http-session.js';
import { startKeyedServer, type KeyedServer } from '../../helpers/oauth2-keys.js';

/**
 * MediaWiki's OAuth 2 error answers, case by case (docs/mediawiki-compat.md "OAuth 2 errors"): the
 * exact status and body wikiauth gives where it follows MediaWiki, and where it deliberately keeps
 * RFC 6749's error code.
 */
describe('OAuth 2 error answers as MediaWiki gives them', () => {
  let keyed: KeyedServer;
  let app: SeededClient;
  let pub: SeededClient;
  let tokens: { access_token: string; refresh_token: string };
  let aliceId: number;

  const INVALID_SCOPE = 'The requested scope is invalid, unknown, or malformed';
  const ACCESS_DENIED = 'The resource owner or authorization server denied the request.';

  const authorizeUrl = (extra: Record<string, string> = {}) =>
    `${keyed.base}/authorize?${new URLSearchParams({ response_type: 'code', client_id: app.key, redirect_uri: app.redirectUri, state: 's', ...extra })}`;
  const token = async (body: Record<string, string>, headers: Record<string, string> = {}) => {
    const res = await fetch(`${keyed.base}/access_token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(body) });
    return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
  };
  const confidential = () => ({ client_id: app.key, client_secret: app.secret });
  /** The answer as compared exactly: status and the whole JSON body. */
  const answer = ({ status, json }: { status: number; json: Record<string, unknown> }) => ({ status, json });
  /** An OAuth error body: `message` repeats `error_description`, as league's does. */
  const oauthError = (status: number, error: string, description: string, extra: Record<string, unknown> = {}) => ({ status, json: { error, error_description: description, ...extra, message: description } });
  const newCode = async () => (await authorize(new HttpSession(keyed.server.issuer), authorizeUrl(), ALICE)).callback!.searchParams.get('code')!;
  const bearer = async (path: string, authorization?: string) => {
    const res = await fetch(`${keyed.base}/${path}`, authorization === undefined ? {} : { headers: { authorization } });
    return { status: res.status, challenge: res.headers.get('www-authenticate'), json: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    keyed = await startKeyedServer(mariadbDatabase);
    app = await seedClient(keyed.server.services, { grants: ['basic', 'editpage'] });
    pub = await seedClient(keyed.server.services, { grants: ['basic'], confidential: false, grantTypes: ['authorization_code', 'refresh_token'] });
    aliceId = (await keyed.server.services.accounts.findByName(ALICE.name))!.id;
    const issued = await token({ grant_type: 'authorization_code', code: await newCode(), redirect_uri: app.redirectUri, ...confidential() });
    expect(issued.status).toBe(200);
    tokens = issued.json as typeof tokens;
  });

  afterAll(() => keyed?.close());

  describe('the token endpoint', () => {
    it('answers a request without grant_type as MediaWiki: invalid_request with its hint (and `message`)', async () => {
      expect(answer(await token(confidential()))).toEqual(oauthError(400, 'invalid_request', "missing required parameter 'grant_type'", { hint: 'Check the `grant_type` parameter' }));
    });

    it('keeps RFC 6749 unsupported_grant_type for an unknown grant type, with MediaWiki\'s hint', async () => {
      // MediaWiki's parameter validation answers invalid_request here.
      expect((await token({ grant_type: 'password', ...confidential() })).json).toEqual({
        error: 'unsupported_grant_type',
        error_description: 'unsupported grant_type requested',
        hint: 'Check the `grant_type` parameter',
        message: 'unsupported grant_type requested',
      });
    });

    it('answers GET and other methods with 405, Allow: POST and a MediaWiki REST error body', async () => {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const res = await fetch(`${keyed.base}/access_token`, { method });
        expect(res.status, method).toBe(405);
        expect(res.headers.get('allow')).toBe('POST');
        expect(await res.json()).toEqual({
          messageTranslations: { en: `The request method (${method}) was not the allowed method for this path (POST)` },
          httpCode: 405,
          httpReason: 'Method Not Allowed',
        });
      }
    });

    it('refuses an unknown scope with league\'s invalid_scope and hint, and drops grants the consumer lacks (client_credentials)', async () => {
      const unknown = oauthError(400, 'invalid_scope', INVALID_SCOPE, { hint: 'Check the `nosuch` scope' });
      expect(answer(await token({ grant_type: 'client_credentials', scope: 'basic nosuch', ...confidential() }))).toEqual(unknown);
      expect(answer(await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, scope: 'basic nosuch', ...confidential() }))).toEqual(unknown);

      // league escapes the scope in the hint.
      expect((await token({ grant_type: 'client_credentials', scope: 'basic <b>', ...confidential() })).json.hint).toBe('Check the `&lt;b&gt;` scope');

      const dropped = await token({ grant_type: 'client_credentials', scope: 'basic delete', ...confidential() });
      expect(dropped.status).toBe(200);
      expect(dropped.json.scope).toBe('basic');
      const all = await token({ grant_type: 'client_credentials', scope: '#default', ...confidential() });
      expect(all.json.scope).toBe('basic editpage');
      // Only grants it lacks: refused rather than widened to every grant.
      expect(answer(await token({ grant_type: 'client_credentials', scope: 'delete', ...confidential() }))).toEqual(oauthError(400, 'invalid_scope', 'requested scope is not allowed', { scope: 'delete', hint: 'Check the `delete` scope' }));
    });

    it('refuses a refresh asking for more than was granted with invalid_scope and the hint', async () => {
      const wider = await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, scope: 'basic delete', ...confidential() });
      expect(answer(wider)).toEqual(oauthError(400, 'invalid_scope', 'refresh token missing requested scope', { scope: 'delete', hint: 'Check the `delete` scope' }));
    });

    it('answers bad client credentials with invalid_client 401, a Basic challenge when Basic was used', async () => {
      const failed = oauthError(401, 'invalid_client', 'client authentication failed');
      expect(answer(await token({ grant_type: 'client_credentials', client_id: app.key, client_secret: 'wrong' }))).toEqual(failed);
      expect(answer(await token({ grant_type: 'client_credentials', client_id: 'f'.repeat(32), client_secret: 'wrong' }))).toEqual(failed);
      const basic = await token({ grant_type: 'client_credentials' }, { authorization: `Basic ${Buffer.from(`${app.key}:wrong`).toString('base64')}` });
      expect(answer(basic)).toEqual(failed);
      expect(basic.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      expect(answer(await token({ grant_type: 'client_credentials' }))).toEqual(oauthError(400, 'invalid_request', 'no client authentication mechanism provided', { hint: 'Check the `client_id` parameter' }));
    });

    it('keeps RFC 6749 for a grant type the client may not use (MediaWiki: invalid_client 401)', async () => {
      expect(answer(await token({ grant_type: 'client_credentials', client_id: pub.key }))).toEqual(oauthError(400, 'invalid_request', 'requested grant type is not allowed for this client'));
    });

    it('keeps RFC 6749 invalid_grant for a bad, reused or mismatched code and a bad refresh token (MediaWiki: invalid_request), with league\'s hint for each cause', async () => {
      const invalidGrant = (hint: string) => oauthError(400, 'invalid_grant', 'grant request is invalid', { hint });
      expect(answer(await token({ grant_type: 'authorization_code', code: 'garbage', redirect_uri: app.redirectUri, ...confidential() }))).toEqual(invalidGrant('Cannot decrypt the authorization code'));
      expect(answer(await token({ grant_type: 'authorization_code', code: await newCode(), redirect_uri: 'https://app.example/other', ...confidential() }))).toEqual(invalidGrant('Invalid redirect URI'));
      expect(answer(await token({ grant_type: 'refresh_token', refresh_token: 'garbage', ...confidential() }))).toEqual(invalidGrant('Cannot decrypt the refresh token'));
      const others = await seedClient(keyed.server.services, { grants: ['basic'] });
      expect(answer(await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: others.key, client_secret: others.secret }))).toEqual(invalidGrant('Token is not linked to client'));
      const code = await newCode();
      expect((await token({ grant_type: 'authorization_code', code, redirect_uri: app.redirectUri, ...confidential() })).status).toBe(200);
      expect(answer(await token({ grant_type: 'authorization_code', code, redirect_uri: app.redirectUri, ...confidential() }))).toEqual(invalidGrant('Authorization code has been revoked'));
      expect(answer(await token({ grant_type: 'authorization_code', redirect_uri: app.redirectUri, ...confidential() }))).toEqual(oauthError(400, 'invalid_request', "missing required parameter 'code'", { hint: 'Check the `code` parameter' }));

      // An expired code: its stored expiry moved back (stored under the code's SHA-256).
      const expiring = await newCode();
      const row = keyed.server.services.db('wikiauth_artifact').where({ wa_model: 'AuthorizationCode', wa_id: createHash('sha256').update(expiring).digest('base64url') });
      const stored = await row.clone().first('wa_payload');
      expect(stored).toBeDefined();
      await row.clone().update({ wa_payload: JSON.stringify({ ...JSON.parse(stored.wa_payload), exp: Math.floor(Date.now() / 1000) - 1 }) });
      expect(answer(await token({ grant_type: 'authorization_code', code: expiring, redirect_uri: app.redirectUri, ...confidential() }))).toEqual(invalidGrant('Authorization code has expired'));
    });

    it('answers a missing or wrong PKCE verifier with invalid_grant and league\'s hints', async () => {
      const verifier = 'v'.repeat(43);
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      const pkceCode = async () => {
        const url = `${keyed.base}/authorize?${new URLSearchParams({ response_type: 'code', client_id: pub.key, redirect_uri: pub.redirectUri, state: 's', code_challenge: challenge, code_challenge_method: 'S256' })}`;
        return (await authorize(new HttpSession(keyed.server.issuer), url, ALICE)).callback!.searchParams.get('code')!;
      };
      const exchange = (code: string, extra: Record<string, string>) => token({ grant_type: 'authorization_code', code, redirect_uri: pub.redirectUri, client_id: pub.key, ...extra });
      expect(answer(await exchange(await pkceCode(), {}))).toEqual(oauthError(400, 'invalid_grant', 'grant request is invalid', { hint: 'Check the `code_verifier` parameter' }));
      expect(answer(await exchange(await pkceCode(), { code_verifier: 'w'.repeat(43) }))).toEqual(oauthError(400, 'invalid_grant', 'grant request is invalid', { hint: 'Failed to verify `code_verifier`.' }));
      expect((await exchange(await pkceCode(), { code_verifier: verifier })).status).toBe(200);
    });
  });

  describe('resource/profile and resource/scopes', () => {
    /** A token as the wiki makes it, signed with the shared key. */
    async function wikiToken(overrides: Record<string, unknown> = {}, opts: { register?: boolean; key?: 'stranger' } = {}) {
      const jti = randomBytes(40).toString('hex');
      const t = Date.now() / 1000;
      const claims = { aud: app.key, jti, iat: t - 1, nbf: t - 1, exp: t + 3600, sub: String(aliceId), iss: keyed.server.issuer, scopes: ['basic'], ...overrides };
      const acceptance = (await keyed.server.services.authorizations.listByUser(aliceId))[0]!.id;
      if (opts.register !== false) await keyed.server.services.db('oauth2_access_tokens').insert({ oaat_identifier: jti, oaat_expires: '20991231235959', oaat_acceptance_id: acceptance, oaat_revoked: 0 });
      const key = opts.key ? (await jose.generateKeyPair('RS256')).privateKey : await jose.importPKCS8(keyed.keys.privatePem, 'RS256');
      return new jose.CompactSign(new TextEncoder().encode(JSON.stringify(claims))).setProtectedHeader({ typ: 'JWT', alg: 'RS256' }).sign(key);
    }

    it('answers each refused token as MediaWiki\'s resource server (access_denied + hint), with RFC 6750\'s 401 challenge', async () => {
      const t = Date.now() / 1000;
      const cases: Array<[string, string | undefined, string]> = [
        ['no Authorization header', undefined, 'Missing "Authorization" header'],
        ['a Basic header', 'Basic eDp5', 'The JWT string must have two dots'],
        ['an opaque bearer', 'Bearer abc', 'The JWT string must have two dots'],
        ['three parts that are not JSON', 'Bearer a.b.c', 'Error while decoding from JSON'],
        ['invalid base64url characters', 'Bearer a.b!.c', 'Error while decoding from Base64Url, invalid base64 characters detected'],
        ['a token signed with another key', `Bearer ${await wikiToken({}, { key: 'stranger' })}`, 'Access token could not be verified'],
        ['an expired token', `Bearer ${await wikiToken({ exp: t - 1 })}`, 'Access token could not be verified'],
        ['a token not yet valid', `Bearer ${await wikiToken({ nbf: t + 60 })}`, 'Access token could not be verified'],
        ['an unregistered jti', `Bearer ${await wikiToken({}, { register: false })}`, 'Access token has been revoked'],
      ];
      for (const path of ['resource/profile', 'resource/scopes']) {
        for (const [what, header, hint] of cases) {
          const res = await bearer(path, header);
          expect(res.status, `${path}: ${what}`).toBe(401);
          expect(res.json, `${path}: ${what}`).toEqual({ error: 'access_denied', error_description: ACCESS_DENIED, hint, message: ACCESS_DENIED });
          // RFC 6750 §3.1: no error code in the challenge when no credentials were sent.
          expect(res.challenge, what).toMatch(header === undefined ? /^Bearer realm="[^"]+"$/ : /^Bearer realm="[^"]+", error="invalid_token"/);
        }
      }
    });

    it('says "has been revoked" for a revoked token, and this site\'s own reason for a token it refuses beyond MediaWiki\'s checks', async () => {
      const code = await newCode();
      const issued = (await token({ grant_type: 'authorization_code', code, redirect_uri: app.redirectUri, ...confidential() })).json as { access_token: string };
      expect((await bearer('resource/profile', `Bearer ${issued.access_token}`)).status).toBe(200);
      const revoked = await fetch(`${keyed.base}/revoke`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: issued.access_token, ...confidential() }) });
      expect(revoked.status).toBe(200);
      expect((await bearer('resource/profile', `Bearer ${issued.access_token}`)).json).toEqual({ error: 'access_denied', error_description: ACCESS_DENIED, hint: 'Access token has been revoked', message: ACCESS_DENIED });

      const other = await seedClient(keyed.server.services, { grants: ['basic'] });
      const foreign = await bearer('resource/profile', `Bearer ${await wikiToken({ aud: other.key })}`);
      expect(foreign.status).toBe(401);
      expect(foreign.json).toEqual({ error: 'access_denied', error_description: ACCESS_DENIED, hint: 'The access token is invalid or has expired', message: ACCESS_DENIED });
    });
  });

  describe('the client REST API', () => {
    it('answers a bad Bearer with 401, an RFC 6750 challenge and a MediaWiki REST error body', async () => {
      for (const [method, path] of [['GET', 'client'], ['POST', 'client'], ['POST', `client/${app.key}/reset_secret`]] as const) {
        const res = await fetch(`${keyed.base}/${path}`, { method, headers: { authorization: 'Bearer abc', 'content-type': 'application/json' }, ...(method === 'POST' ? { body: '{}' } : {}) });
        expect(res.status, `${method} ${path}`).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="[^"]+", error="invalid_token"/);
        expect(await res.json()).toEqual({
          errorKey: 'mwoauth-invalid-authorization',
          messageTranslations: { en: 'The authorization headers in your request are not valid: The access token is invalid or has expired' },
          httpCode: 401,
          httpReason: 'Unauthorized',
        });
      }
    });
  });
});
