import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize } from '../../helpers/authorize.js';
import { ManualClock } from '../../helpers/clock.js';
import { DIALECTS, sqliteDatabase, type TestDatabase } from '../../helpers/databases.js';
import { ALICE } from '../../helpers/fixtures.js';
import { HttpSession } from '../../helpers/http-session.js';
import { useSeededServer } from '../../helpers/seeded-suite.js';
import { startSeededServer, startServer, type TestServer } from '../../helpers/server.js';
import { REGISTRATION_ACCOUNT } from '../../../src/domain/consumers/client-registration.js';
import { hmacDBSecret } from '../../../src/domain/random.js';
import { SqlConsumerRepository } from '../../../src/storage/sql/sql-consumer-repository.js';
import { TEST_SECRET_KEY } from '../../helpers/config.js';
import { pkceAuthorizationUrl } from '../../helpers/pkce.js';

const TOKEN = 'registration-token-0123456789abcdef0123456789';
const insecure = { execute: [client.allowInsecureRequests] };

async function register(server: TestServer, body: Record<string, unknown>, token?: string) {
  const res = await fetch(`${server.issuer}/w/rest.php/oauth2/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, any> };
}

async function manage(reg: Record<string, any>, method: 'GET' | 'PUT' | 'DELETE', body?: Record<string, unknown>) {
  const res = await fetch(reg.registration_client_uri, {
    method,
    headers: { authorization: `Bearer ${reg.registration_access_token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: res.status === 204 ? undefined : ((await res.json()) as Record<string, any>) };
}

/** What a client sends back on an RFC 7592 update: its metadata without the server-managed fields. */
function updatable(metadata: Record<string, any>): Record<string, any> {
  const { registration_access_token: _t, registration_client_uri: _u, client_secret_expires_at: _e, client_id_issued_at: _i, ...rest } = metadata;
  return rest;
}

describe.each(DIALECTS)('dynamic client registration with REGISTRATION=token on %s', (_name, makeDb) => {
  const suite = useSeededServer(makeDb, { REGISTRATION: 'token', REGISTRATION_TOKEN: TOKEN });

  it('needs the initial access token and advertises the endpoint', async () => {
    const discovery = (await (await fetch(`${suite.server.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(discovery.registration_endpoint).toBe(`${suite.server.issuer}/w/rest.php/oauth2/register`);
    const anonymous = await register(suite.server, { redirect_uris: ['https://rp.example/cb'] });
    expect(anonymous.status).toBe(401);
    expect(anonymous.json.error).toBe('invalid_token');
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer /);
    const wrong = await register(suite.server, { redirect_uris: ['https://rp.example/cb'] }, `${TOKEN}x`);
    expect(wrong.status).toBe(401);
  });

  it('registers a consumer in the MediaWiki tables, owned by the system account and approved, that signs users in', async () => {
    const registered = await client.dynamicClientRegistration(
      new URL(suite.server.issuer),
      { client_name: 'Forum', redirect_uris: ['https://forum.example/auth/oidc/callback'], post_logout_redirect_uris: ['https://forum.example/'], contacts: ['admin@forum.example'], grant_types: ['authorization_code', 'refresh_token'] },
      undefined,
      { ...insecure, initialAccessToken: TOKEN },
    );
    const metadata = registered.clientMetadata();
    const key = metadata.client_id;
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(metadata.client_name).toBe(`Forum [${key.slice(0, 8)}]`);
    expect(metadata.client_secret_expires_at).toBe(0);

    const consumer = (await suite.server.services.consumers.findByKey(key))!;
    const owner = (await suite.server.services.accounts.findById(consumer.ownerId))!;
    expect(owner.name).toBe(REGISTRATION_ACCOUNT);
    expect(owner.passwordHash).toBe('');
    expect(consumer).toMatchObject({ name: `Forum [${key.slice(0, 8)}]`, version: '1.0', stage: 'approved', oauthVersion: 2, oauth2IsConfidential: true, email: 'admin@forum.example', grants: ['mwoauth-authonlyprivate'] });
    expect(consumer.oauth2AllowedGrants).toEqual(['authorization_code', 'refresh_token']);
    expect(consumer.secretKey).toMatch(/^[0-9a-f]{32}$/);
    expect(hmacDBSecret(consumer.secretKey!, TEST_SECRET_KEY)).toBe(metadata.client_secret);
    expect(await suite.server.services.log.forConsumer(key)).toMatchObject([{ action: 'propose-autoapproved', targetUser: owner.id }]);

    // The registered client works like any consumer: code flow, id_token, userinfo.
    const config = await client.discovery(new URL(suite.server.issuer), key, metadata.client_secret as string, undefined, insecure);
    const { url, verifier } = await pkceAuthorizationUrl(config, { redirect_uri: 'https://forum.example/auth/oidc/callback', scope: 'openid profile email' });
    const outcome = await authorize(new HttpSession(suite.server.issuer), url.href, ALICE);
    const tokens = await client.authorizationCodeGrant(config, outcome.callback!, { pkceCodeVerifier: verifier, idTokenExpected: true });
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
    expect(userinfo.email).toBe(ALICE.email);
  });

  it('RFC 7592: reads, updates redirect URIs, refuses reviewed fields, and deletes the consumer with its authorizations', async () => {
    const created = await register(suite.server, { client_name: 'Wiki bot', redirect_uris: ['https://bot.example/cb'] }, TOKEN);
    expect(created.status).toBe(201);
    const key = created.json.client_id as string;

    const read = await manage(created.json, 'GET');
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({ client_id: key, client_name: `Wiki bot [${key.slice(0, 8)}]`, redirect_uris: ['https://bot.example/cb'], 'mw:stage': 'approved' });

    const moved = await manage(created.json, 'PUT', { ...updatable(read.json!), redirect_uris: ['https://bot.example/cb', 'https://bot.example/cb2'] });
    expect(moved.status, JSON.stringify(moved.json)).toBe(200);
    expect(moved.json!.redirect_uris).toEqual(['https://bot.example/cb', 'https://bot.example/cb2']);
    // RFC 7592 §2.2: a new registration access token when the suite.server rotates it.
    expect(moved.json!.registration_access_token).not.toBe(created.json.registration_access_token);
    expect((await suite.server.services.consumers.findByKey(key))!.metadata.redirect_uris).toEqual(['https://bot.example/cb', 'https://bot.example/cb2']);

    const renamed = await manage(moved.json!, 'PUT', { ...updatable(moved.json!), client_name: 'Another name' });
    expect(renamed.status).toBe(400);
    expect(renamed.json!.error).toBe('invalid_client_metadata');
    const regranted = await manage(moved.json!, 'PUT', { ...updatable(moved.json!), grant_types: ['authorization_code', 'client_credentials'] });
    expect(regranted.json!.error).toBe('invalid_client_metadata');

    // A user authorizes it; deleting the client removes the consumer and that authorization.
    const consumer = (await suite.server.services.consumers.findByKey(key))!;
    const alice = (await suite.server.services.accounts.findByName(ALICE.name))!;
    await suite.server.services.authorizations.upsert({ wiki: consumer.wiki, userId: alice.id, consumerId: consumer.id, grants: consumer.grants, oauthVersion: 2 });
    const deleted = await manage(moved.json!, 'DELETE');
    expect(deleted.status).toBe(204);
    expect(await suite.server.services.consumers.findByKey(key)).toBeUndefined();
    expect(await suite.server.services.authorizations.find(alice.id, consumer.id, consumer.wiki)).toBeUndefined();
    expect((await manage(moved.json!, 'GET')).status).toBe(401);
  });

  it('answers RFC 7591 errors for metadata MediaWiki consumers cannot have', async () => {
    const plainHttp = await register(suite.server, { redirect_uris: ['http://rp.example/cb'] }, TOKEN);
    expect(plainHttp).toMatchObject({ status: 400, json: { error: 'invalid_redirect_uri' } });
    const fragment = await register(suite.server, { redirect_uris: ['https://rp.example/cb#x'] }, TOKEN);
    expect(fragment).toMatchObject({ status: 400, json: { error: 'invalid_redirect_uri' } });
    const jwtAuth = await register(suite.server, { redirect_uris: ['https://rp.example/cb'], token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [] } }, TOKEN);
    expect(jwtAuth).toMatchObject({ status: 400, json: { error: 'invalid_client_metadata' } });
    const implicit = await register(suite.server, { redirect_uris: ['https://rp.example/cb'], response_types: ['id_token'] }, TOKEN);
    expect(implicit).toMatchObject({ status: 400, json: { error: 'invalid_client_metadata' } });
    const notJson = await fetch(`${suite.server.issuer}/w/rest.php/oauth2/register`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: '{' });
    expect(notJson.status).toBe(400);
    const many = await register(suite.server, { redirect_uris: Array.from({ length: 11 }, (_, i) => `https://rp.example/cb${i}`) }, TOKEN);
    expect(many).toMatchObject({ status: 400, json: { error: 'invalid_client_metadata' } });
    const badLogout = await register(suite.server, { redirect_uris: ['https://rp.example/cb'], post_logout_redirect_uris: ['http://rp.example/bye'] }, TOKEN);
    expect(badLogout).toMatchObject({ status: 400, json: { error: 'invalid_redirect_uri' } });
    const long = await register(suite.server, { client_name: `${'ü'.repeat(100)}😀`, redirect_uris: ['https://rp.example/cb'] }, TOKEN);
    expect(long.status).toBe(201);
    expect(Buffer.byteLength(long.json.client_name as string)).toBeLessThanOrEqual(128);
    expect(long.json.client_name).toMatch(/^ü+ \[[0-9a-f]{8}\]$/);
    // Server-managed fields sent by a client are ignored, not obeyed.
    const sneaky = await register(suite.server, { redirect_uris: ['https://rp.example/cb'], 'mw:stage': 'approved', 'mw:owner': 1 }, TOKEN);
    expect(sneaky.status).toBe(201);
    const owner = await suite.server.services.accounts.findByName(REGISTRATION_ACCOUNT);
    expect(sneaky.json['mw:owner']).toBe(owner!.id);
    // Same client_name twice: two consumers, names kept apart by their key prefix.
    const one = await register(suite.server, { client_name: 'Twin', redirect_uris: ['https://rp.example/cb'] }, TOKEN);
    const two = await register(suite.server, { client_name: 'Twin', redirect_uris: ['https://rp.example/cb'] }, TOKEN);
    expect([one.status, two.status]).toEqual([201, 201]);
    expect(one.json.client_name).not.toBe(two.json.client_name);
  });
});

describe('dynamic client registration with REGISTRATION=open (manual approval)', () => {
  let db: TestDatabase;
  let server: TestServer;
  const clock = new ManualClock();

  beforeAll(async () => {
    db = sqliteDatabase();
    server = await startSeededServer(db, { REGISTRATION: 'open' }, { clock: clock.now });
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  it('proposes anonymous registrations: usable by nobody until approved; a new redirect URI sends it back to review', async () => {
    const created = await register(server, { client_name: 'Drive-by', redirect_uris: ['https://rp.example/cb'] });
    expect(created.status).toBe(201);
    expect(created.json['mw:stage']).toBe('proposed');
    const key = created.json.client_id as string;
    expect(await server.services.log.forConsumer(key)).toMatchObject([{ action: 'propose' }]);

    const url = new URL(`${server.issuer}/w/rest.php/oauth2/authorize`);
    url.search = new URLSearchParams({ client_id: key, redirect_uri: 'https://rp.example/cb', response_type: 'code', scope: 'openid', state: 's1' }).toString();
    // An error page, never a redirect to the registered URL (no open redirector for anyone who registers).
    const refused = await authorize(new HttpSession(server.issuer), url.href, ALICE);
    expect(refused.callback).toBeUndefined();
    expect(refused.lastResponse.status).toBe(403);

    // An administrator approves (Special:OAuthManageConsumers); then it works.
    const consumer = (await server.services.consumers.findByKey(key))!;
    await new SqlConsumerRepository(server.services.db).update(consumer.id, { stage: 'approved' });
    clock.advance(3100); // the consumer cache (3 s), as for a change made through another instance
    const allowed = await authorize(new HttpSession(server.issuer), url.href, ALICE);
    expect(allowed.callback?.searchParams.get('code')).toBeTruthy();

    const read = await manage(created.json, 'GET');
    const moved = await manage(created.json, 'PUT', { ...updatable(read.json!), redirect_uris: ['https://elsewhere.example/cb'] });
    expect(moved.status).toBe(200);
    expect(moved.json!['mw:stage']).toBe('proposed');
    expect(await server.services.log.forConsumer(key)).toContainEqual(expect.objectContaining({ action: 'update', comment: 'New redirect URI; needs review again' }));
  });
});

describe('dynamic client registration off (the default)', () => {
  it('has no registration endpoint', async () => {
    const db = sqliteDatabase();
    const server = await startServer(db);
    try {
      const discovery = (await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
      expect(discovery.registration_endpoint).toBeUndefined();
      const res = await register(server, { redirect_uris: ['https://rp.example/cb'] });
      expect(res.status).toBe(404);
    } finally {
      await server.close();
      await db.drop();
    }
  });
});
