import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import * as jose from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize } from '../../helpers/authorize.js';
import { DIALECTS } from '../../helpers/databases.js';
import { ALICE, seedClient, type SeededClient } from '../../helpers/fixtures.js';
import { HttpSession } from '../../helpers/http-session.js';
import { expectMediaWikiToken, verifyWithPython as verifyPy } from '../../helpers/mediawiki-jwt.js';
import { startKeyedServer, type KeyedServer, type OAuth2KeyFiles } from '../../helpers/oauth2-keys.js';
import type { SeededServer } from '../../helpers/server.js';

type SigningKey = Parameters<jose.CompactSign['sign']>[0];

/**
 * OAuth 2 access tokens as MediaWiki 1.39 issues and checks them (docs/mediawiki-compat.md
 * "Access tokens"), verified independently with PyJWT and the configured public key.
 */
describe.each(DIALECTS)('MediaWiki OAuth 2 access tokens on %s', (_name, makeDb) => {
  let keyed: KeyedServer;
  let server: SeededServer;
  let keys: OAuth2KeyFiles;
  let base: string;
  let app: SeededClient;
  let other: SeededClient;

  beforeAll(async () => {
    keyed = await startKeyedServer(makeDb);
    ({ server, keys, base } = keyed);
    app = await seedClient(server.services, { grants: ['basic', 'editpage'] });
    other = await seedClient(server.services, { grants: ['basic'] });
  });

  afterAll(() => keyed?.close());

  const basic = (client: SeededClient) => `Basic ${Buffer.from(`${client.key}:${client.secret}`).toString('base64')}`;
  const form = { 'content-type': 'application/x-www-form-urlencoded' };

  async function token(body: Record<string, string>, client = app): Promise<{ status: number; json: Record<string, any> }> {
    const res = await fetch(`${base}/access_token`, { method: 'POST', headers: { ...form, authorization: basic(client) }, body: new URLSearchParams(body) });
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  }

  async function codeTokens(scope?: string) {
    const query = new URLSearchParams({ response_type: 'code', client_id: app.key, redirect_uri: app.redirectUri, state: 's', ...(scope ? { scope } : {}) });
    const outcome = await authorize(new HttpSession(server.issuer), `${base}/authorize?${query}`, ALICE);
    const code = outcome.callback!.searchParams.get('code')!;
    const issued = await token({ grant_type: 'authorization_code', code, redirect_uri: app.redirectUri });
    expect(issued.status, JSON.stringify(issued.json)).toBe(200);
    return issued.json;
  }

  const verifyWithPython = (value: string) => verifyPy(keys.publicFile, value);

  const status = async (path: string, value: string) => (await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${value}` } })).status;
  const registration = (jti: string) => server.services.db('oauth2_access_tokens').where('oaat_identifier', jti).first();
  const acceptanceOf = async (userId: number, consumer: SeededClient) =>
    Number((await server.services.db('oauth_accepted_consumer').where({ oaac_user_id: userId, oaac_consumer_id: consumer.id }).first('oaac_id')).oaac_id);
  const introspect = async (value: string, client = app) =>
    (await (await fetch(`${base}/introspect`, { method: 'POST', headers: { ...form, authorization: basic(client) }, body: new URLSearchParams({ token: value }) })).json()) as Record<string, any>;
  const revoke = async (value: string, client = app) =>
    (await fetch(`${base}/revoke`, { method: 'POST', headers: { ...form, authorization: basic(client) }, body: new URLSearchParams({ token: value }) })).status;

  const expectMediaWikiClaims = (value: string, expected: { sub: string; scopes: string[] }) =>
    expectMediaWikiToken(keys.publicFile, value, { aud: app.key, iss: server.issuer, ...expected });

  it('code, refresh and client_credentials tokens verify as RS256 with the configured public key, carry exactly MediaWiki\'s claims and are registered by jti', async () => {
    const acceptanceTokens = await codeTokens();
    const claims = expectMediaWikiClaims(acceptanceTokens.access_token, { sub: String(server.aliceId), scopes: ['basic', 'editpage'] });
    const acceptance = await acceptanceOf(server.aliceId, app);
    expect(await registration(claims.jti)).toMatchObject({ oaat_acceptance_id: acceptance, oaat_revoked: 0 });
    expect(await status('/resource/profile', acceptanceTokens.access_token)).toBe(200);

    // JWKS publishes the key (with a kid) for resource servers that verify offline.
    const jwks = (await (await fetch(`${base}/jwks`)).json()) as jose.JSONWebKeySet;
    const published = jwks.keys.find((k) => k.kid === verifyWithPython(acceptanceTokens.access_token).header.kid);
    expect(published).toBeDefined();
    await jose.compactVerify(acceptanceTokens.access_token, await jose.importJWK(published!, 'RS256'));

    // Refresh (with a narrower scope): the new token verifies, the old one is revoked and refused.
    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: acceptanceTokens.refresh_token, scope: 'basic' });
    expect(refreshed.status, JSON.stringify(refreshed.json)).toBe(200);
    const refreshedClaims = expectMediaWikiClaims(refreshed.json.access_token, { sub: String(server.aliceId), scopes: ['basic'] });
    expect(await registration(refreshedClaims.jti)).toMatchObject({ oaat_acceptance_id: acceptance, oaat_revoked: 0 });
    expect(await registration(claims.jti)).toMatchObject({ oaat_revoked: 1 });
    expect(await status('/resource/profile', acceptanceTokens.access_token)).toBe(401);
    expect(await status('/resource/profile', refreshed.json.access_token)).toBe(200);
    // The narrowed scope stays narrowed for the next refresh.
    const again = await token({ grant_type: 'refresh_token', refresh_token: refreshed.json.refresh_token });
    expect(again.status).toBe(200);
    expectMediaWikiClaims(again.json.access_token, { sub: String(server.aliceId), scopes: ['basic'] });

    // client_credentials of a consumer that is not owner-only: a machine token (sub "", acceptance 0).
    const machine = await token({ grant_type: 'client_credentials' });
    expect(machine.status).toBe(200);
    const machineClaims = expectMediaWikiClaims(machine.json.access_token, { sub: '', scopes: ['basic', 'editpage'] });
    expect(await registration(machineClaims.jti)).toMatchObject({ oaat_acceptance_id: 0, oaat_revoked: 0 });
    expect(await introspect(machine.json.access_token)).toMatchObject({ active: true, client_id: app.key, jti: machineClaims.jti });
  });

  it('revocation and revoking the authorization set oaat_revoked; revoked tokens are refused everywhere', async () => {
    const first = await codeTokens('basic openid');
    const firstJti = verifyWithPython(first.access_token).claims.jti;
    expect(await introspect(first.access_token)).toMatchObject({ active: true, sub: String(server.aliceId), client_id: app.key });
    expect(await revoke(first.access_token)).toBe(200);
    expect(await registration(firstJti)).toMatchObject({ oaat_revoked: 1 });
    expect(await introspect(first.access_token)).toEqual({ active: false });
    expect(await status('/resource/profile', first.access_token)).toBe(401);
    expect(await status('/userinfo', first.access_token)).toBe(401);

    const second = await codeTokens('basic openid');
    const secondJti = verifyWithPython(second.access_token).claims.jti;
    expect(await status('/userinfo', second.access_token)).toBe(200);
    await server.services.grants.passwordChanged(server.aliceId);
    expect(await registration(secondJti)).toMatchObject({ oaat_revoked: 1 });
    expect(await status('/resource/profile', second.access_token)).toBe(401);
  });

  describe('tokens made by another process with the same key', () => {
    let privateKey: SigningKey;
    let acceptance: number;

    beforeAll(async () => {
      privateKey = await jose.importPKCS8(keys.privatePem, 'RS256');
      await codeTokens('basic openid');
      acceptance = await acceptanceOf(server.aliceId, app);
    });

    /** A token as the wiki makes it: no kid, float times with microseconds, an 80-hex jti. */
    async function wikiToken(overrides: Record<string, unknown> = {}, opts: { register?: boolean; key?: SigningKey } = {}) {
      const jti = randomBytes(40).toString('hex');
      const t = Date.now() / 1000;
      const claims = { aud: app.key, jti, iat: t - 1.5, nbf: t - 1.5, exp: t + 3600.25, sub: String(server.aliceId), iss: server.issuer, scopes: ['basic', 'editpage'], ...overrides };
      if (opts.register !== false) {
        await server.services.db('oauth2_access_tokens').insert({ oaat_identifier: jti, oaat_expires: '20991231235959', oaat_acceptance_id: claims.sub === '' ? 0 : acceptance, oaat_revoked: 0 });
      }
      const value = await new jose.CompactSign(new TextEncoder().encode(JSON.stringify(claims))).setProtectedHeader({ typ: 'JWT', alg: 'RS256' }).sign(opts.key ?? privateKey);
      return { value, jti };
    }

    it('are accepted by userinfo, resource/profile, introspection and revocation when their jti is registered', async () => {
      const { value, jti } = await wikiToken();
      const profile = await fetch(`${base}/resource/profile`, { headers: { authorization: `Bearer ${value}` } });
      expect(profile.status).toBe(200);
      expect((await profile.json()) as any).toMatchObject({ sub: String(server.aliceId), username: 'Alice', grants: ['basic', 'editpage'] });
      const userinfo = await fetch(`${base}/userinfo`, { headers: { authorization: `Bearer ${value}` } });
      expect(userinfo.status).toBe(200);
      expect((await userinfo.json()) as any).toMatchObject({ sub: String(server.aliceId), preferred_username: 'Alice' });
      expect(await introspect(value)).toMatchObject({ active: true, sub: String(server.aliceId), client_id: app.key, jti });
      expect(await revoke(value)).toBe(200);
      expect(await registration(jti)).toMatchObject({ oaat_revoked: 1 });
      expect(await status('/resource/profile', value)).toBe(401);
      // The user's authorization survives the revocation of one token.
      expect(await server.services.authorizations.findById(acceptance)).toBeDefined();

      const machine = await wikiToken({ sub: '' });
      expect(await status('/resource/scopes', machine.value)).toBe(200);
      expect(await introspect(machine.value)).toMatchObject({ active: true, client_id: app.key });
    });

    it('are refused with a wrong key, a future nbf or iat, an expired exp, a revoked or unregistered jti, or a foreign aud', async () => {
      const t = Date.now() / 1000;
      const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
      const revoked = await wikiToken();
      await server.services.db('oauth2_access_tokens').where('oaat_identifier', revoked.jti).update({ oaat_revoked: 1 });
      const refused = {
        'wrong key': (await wikiToken({}, { key: stranger })).value,
        'future nbf': (await wikiToken({ nbf: t + 30 })).value,
        'future iat': (await wikiToken({ iat: t + 30 })).value,
        'expired exp': (await wikiToken({ exp: t - 0.5 })).value,
        'revoked jti': revoked.value,
        'unregistered jti': (await wikiToken({}, { register: false })).value,
        'foreign aud': (await wikiToken({ aud: other.key })).value,
        'no scopes': (await wikiToken({ scopes: undefined })).value,
      };
      for (const [what, value] of Object.entries(refused)) {
        expect(await status('/resource/profile', value), what).toBe(401);
        expect(await status('/userinfo', value), what).toBe(401);
        expect(await introspect(value), what).toEqual({ active: false });
      }
    });
  });

  it('keeps no usable bearer credential in the database: access tokens by jti, refresh tokens and site sessions hashed', async () => {
    const agent = new HttpSession(server.issuer);
    const query = new URLSearchParams({ response_type: 'code', client_id: app.key, redirect_uri: app.redirectUri, state: 's' });
    const outcome = await authorize(agent, `${base}/authorize?${query}`, ALICE);
    const issued = await token({ grant_type: 'authorization_code', code: outcome.callback!.searchParams.get('code')!, redirect_uri: app.redirectUri });
    const secrets = [issued.json.access_token, issued.json.refresh_token, agent.cookie('wikiauth_session')!];
    expect(secrets.every(Boolean)).toBe(true);
    const dump = JSON.stringify([
      await server.services.db('wikiauth_artifact').select(),
      await server.services.db('oauth2_access_tokens').select(),
      await server.services.db('wikiauth_grant').select(),
    ]);
    for (const secret of secrets) expect(dump).not.toContain(secret);
    // The refresh token's row is there, under its hash.
    const hashed = createHash('sha256').update(issued.json.refresh_token).digest('base64url');
    expect(await server.services.db('wikiauth_artifact').where({ wa_model: 'RefreshToken', wa_id: hashed }).first()).toBeDefined();
  });
});
