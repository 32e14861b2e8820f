import * as client from 'openid-client';
import { beforeAll, describe, expect, it } from 'vitest';
import { authorize } from '../../helpers/authorize.js';
import { DIALECTS } from '../../helpers/databases.js';
import { ADMIN, ALICE, BOB, seedClient } from '../../helpers/fixtures.js';
import { HttpSession } from '../../helpers/http-session.js';
import { useSeededServer } from '../../helpers/seeded-suite.js';
import { openForm, signIn } from '../../helpers/site.js';
import { pkceAuthorizationUrl } from '../../helpers/pkce.js';

const API = '/w/rest.php/oauth2/client';

// Response bodies: the assertions check their shape.
type Json = Record<string, any>;
const jsonOf = async (res: Response): Promise<Json> => (await res.json()) as Json;
const LISTED_FIELDS = ['allowed_grants', 'callback_url', 'client_key', 'description', 'email', 'name', 'oauth_version', 'owner_only', 'registration_formatted', 'scopes', 'stage', 'version'];

let counter = 0;
const newClient = (overrides: Record<string, unknown> = {}) => ({
  name: `REST app ${++counter}`,
  description: 'Made over REST',
  email: ALICE.email,
  is_confidential: true,
  grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
  scopes: ['editpage'],
  callback_url: 'https://rest.example/callback',
  ...overrides,
});

describe.each(DIALECTS)('client REST API on %s', (_name, makeDb) => {
  const suite = useSeededServer(makeDb);
  let alice: HttpSession;
  let aliceToken: string;

  beforeAll(async () => {
    alice = await signIn(suite.server.issuer, ALICE);
    aliceToken = (await openForm(alice, '/wiki/Special:OAuthConsumerRegistration/propose/oauth2', 'mw-consumer-propose-form')).fields.wpEditToken!;
  });

  const postJson = (agent: HttpSession, path: string, body: unknown, headers: Record<string, string> = {}) =>
    agent.request(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  /** A user's access token for a consumer with these grants (authorization code flow, no openid). */
  async function bearerFor(user: { name: string; password: string }, grants: string[]): Promise<string> {
    const app = await seedClient(suite.server.services, { grants });
    const config = await client.discovery(new URL(suite.server.issuer), app.key, app.secret, undefined, { execute: [client.allowInsecureRequests] });
    const { url, verifier } = await pkceAuthorizationUrl(config, { redirect_uri: app.redirectUri, scope: grants.join(' ') });
    const { callback } = await authorize(new HttpSession(suite.server.issuer), url.href, user);
    const tokens = await client.authorizationCodeGrant(config, callback!, { pkceCodeVerifier: verifier, idTokenExpected: false });
    return tokens.access_token;
  }

  it('creates a client for the signed-in user (session + CSRF token) with MediaWiki\'s response shape', async () => {
    const res = await postJson(alice, API, { ...newClient(), token: aliceToken });
    const body = await jsonOf(res);
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['client_key', 'name', 'secret']);
    expect(body.client_key).toMatch(/^[0-9a-f]{32}$/);
    expect(body.secret).toMatch(/^[0-9a-f]{40}$/);
    const consumer = (await suite.server.services.consumers.findByKey(body.client_key))!;
    expect(consumer).toMatchObject({ name: body.name, version: '1.0', stage: 'proposed', oauthVersion: 2, grants: ['basic', 'editpage'], ownerId: suite.server.aliceId });
    expect((await suite.server.services.log.forConsumer(body.client_key)).map((e) => e.action)).toEqual(['propose']);
  });

  it('takes form-encoded bodies with `|`-separated lists, and switches to the auth-only grant type', async () => {
    const res = await alice.postForm(API, {
      name: 'Form REST app',
      description: 'identity only',
      email: ALICE.email,
      is_confidential: '0',
      grant_types: 'authorization_code|refresh_token',
      scopes: 'mwoauth-authonlyprivate',
      callback_url: 'http://localhost:8000/cb',
      version: '2.0',
      token: aliceToken,
    });
    const body = await jsonOf(res);
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(await suite.server.services.consumers.findByKey(body.client_key)).toMatchObject({ version: '2.0', grants: ['mwoauth-authonlyprivate'], oauth2IsConfidential: false });
  });

  it('refuses a session write without the CSRF token, or with another session\'s', async () => {
    for (const token of [undefined, 'x'.repeat(43), (await openForm(await signIn(suite.server.issuer, ALICE), '/wiki/Special:OAuthConsumerRegistration/propose/oauth2', 'mw-consumer-propose-form')).fields.wpEditToken]) {
      const res = await postJson(alice, API, { ...newClient({ name: 'Never created' }), ...(token ? { token } : {}) });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ errorKey: 'rest-badtoken', httpCode: 403, httpReason: 'Forbidden' });
    }
    expect((await suite.server.services.consumers.list({ name: 'Never created' })).total).toBe(0);
  });

  it('answers invalid parameters with MediaWiki\'s parameter-validation errors', async () => {
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ name: undefined }, 'name', 'missingparam'],
      [{ version: '3.0' }, 'version', 'badvalue'],
      [{ scopes: ['editpage', 'fly'] }, 'scopes', 'badvalue'],
      [{ is_confidential: 'maybe' }, 'is_confidential', 'badbool'],
      [{ grant_types: [] }, 'grant_types', 'missingparam'],
    ];
    for (const [overrides, name, failureCode] of cases) {
      const res = await postJson(alice, API, { ...newClient(overrides), token: aliceToken });
      expect(res.status, JSON.stringify(overrides)).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'parameter-validation-failed', name, failureCode, httpCode: 400, httpReason: 'Bad Request' });
    }
    const noCallback = await postJson(alice, API, { ...newClient({ callback_url: '' }), token: aliceToken });
    expect(await noCallback.json()).toEqual({ errorKey: 'mwoauth-error-missing-callback-url-non-owner', messageTranslations: { en: 'callback_url is required for non-owner-only clients' }, httpCode: 400, httpReason: 'Bad Request' });
    const wrongEmail = await postJson(alice, API, { ...newClient({ email: BOB.email }), token: aliceToken });
    expect(wrongEmail.status).toBe(400);
    expect(await wrongEmail.json()).toMatchObject({ message: 'email_mismatched', httpCode: 400 });
    const badJson = await alice.request(API, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ httpCode: 400 });
  });

  it('lists only the caller\'s own clients, newest first, with limit, offset and oauth_version', async () => {
    await suite.server.services.consumers.propose({ ownerName: 'Bob', name: 'Bob app', version: '1.0', description: 'not Alice\'s', callbackUrl: 'https://bob.example/', grants: ['editpage'], oauthVersion: 2 });
    await suite.server.services.consumers.propose({ ownerName: 'Alice', name: 'Alice OAuth 1 app', version: '1.0', description: 'v1', callbackUrl: 'https://alice.example/', grants: ['editpage'], oauthVersion: 1 });
    const res = await alice.get(API);
    const body = await jsonOf(res);
    expect(res.status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['clients', 'total']);
    const own = await suite.server.services.consumers.list({ ownerId: suite.server.aliceId, oauthVersion: 2, includeDeleted: true, order: 'id', limit: 100 });
    expect(body.total).toBe(own.total);
    expect(body.clients.map((c: { client_key: string }) => c.client_key)).toEqual(own.consumers.slice(0, 25).map((c) => c.key));
    expect(body.clients.some((c: { name: string }) => c.name === 'Bob app')).toBe(false);
    const first = body.clients[0];
    expect(Object.keys(first).sort()).toEqual(LISTED_FIELDS);
    expect(first).toMatchObject({ stage: 0, oauth_version: 2, owner_only: false, email: ALICE.email });
    expect(first.registration_formatted).toMatch(/^\d\d:\d\d, \d{1,2} [A-Z][a-z]+ \d{4}$/);
    const page = await jsonOf(await alice.get(`${API}?limit=1&offset=1`));
    expect(page.clients.map((c: { client_key: string }) => c.client_key)).toEqual([own.consumers[1]!.key]);
    const v1 = await jsonOf(await alice.get(`${API}?oauth_version=1`));
    expect(v1.clients.map((c: { name: string }) => c.name)).toEqual(['Alice OAuth 1 app']);
    expect(v1.clients[0]).not.toHaveProperty('allowed_grants');
    for (const [query, name, failureCode] of [['limit=abc', 'limit', 'badinteger'], ['limit=0', 'limit', 'outofrange'], ['oauth_version=3', 'oauth_version', 'badvalue']]) {
      const bad = await alice.get(`${API}?${query}`);
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ error: 'parameter-validation-failed', name, failureCode });
    }
  });

  it('resets the secret of the caller\'s own client: the new one works, the old one is refused', async () => {
    const created = await jsonOf(await postJson(alice, API, { ...newClient(), token: aliceToken }));
    // Approved (a proposed client has no client_credentials: no user to act for).
    await suite.server.services.db('oauth_registered_consumer').where('oarc_consumer_key', created.client_key).update({ oarc_stage: 1 });
    const tokenWith = (secret: string) =>
      fetch(`${suite.server.issuer}/w/rest.php/oauth2/access_token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${created.client_key}:${secret}`).toString('base64')}` },
        body: 'grant_type=client_credentials',
      });
    expect((await tokenWith(created.secret)).status).toBe(200);
    const res = await postJson(alice, `${API}/${created.client_key}/reset_secret`, { reason: 'rotating', token: aliceToken });
    const body = await jsonOf(res);
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['client_key', 'name', 'secret']);
    expect(body.client_key).toBe(created.client_key);
    expect(body.secret).not.toBe(created.secret);
    expect((await tokenWith(body.secret)).status).toBe(200);
    expect((await tokenWith(created.secret)).status).toBe(401);
    expect((await suite.server.services.log.forConsumer(created.client_key))[0]).toMatchObject({ action: 'update', comment: 'rotating' });
  });

  it('refuses to reset another user\'s client, an unknown one, or a suppressed one', async () => {
    const bobs = await suite.server.services.consumers.propose({ ownerName: 'Bob', name: 'Bob private app', version: '1.0', description: 'x', callbackUrl: 'https://bob.example/', grants: ['editpage'], oauthVersion: 2 });
    const other = await postJson(alice, `${API}/${bobs.consumer.key}/reset_secret`, { token: aliceToken });
    expect(other.status).toBe(400);
    expect(await other.json()).toEqual({ errorKey: 'mwoauth-consumer-user-mismatch', messageTranslations: { en: 'You cannot perform actions on clients that do not belong to you' }, httpCode: 400, httpReason: 'Bad Request' });
    expect((await suite.server.services.consumers.findByKey(bobs.consumer.key))!.secretKey).toBe(bobs.consumer.secretKey);
    const unknown = await postJson(alice, `${API}/${'0'.repeat(32)}/reset_secret`, { token: aliceToken });
    expect(await unknown.json()).toMatchObject({ errorKey: 'mwoauth-invalid-consumer-key', httpCode: 400 });
    const mine = await jsonOf(await postJson(alice, API, { ...newClient(), token: aliceToken }));
    await suite.server.services.db('oauth_registered_consumer').where('oarc_consumer_key', mine.client_key).update({ oarc_deleted: 1 });
    const suppressed = await postJson(alice, `${API}/${mine.client_key}/reset_secret`, { token: aliceToken });
    expect(suppressed.status).toBe(401);
    expect(await suppressed.json()).toMatchObject({ errorKey: 'mwoauth-consumer-deleted-error' });
  });

  it('refuses callers who are not signed in', async () => {
    const anonymous = new HttpSession(suite.server.issuer);
    for (const res of [await anonymous.get(API), await postJson(anonymous, API, newClient())]) {
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ errorKey: 'rest-permission-denied-anon', httpCode: 401 });
    }
  });

  it('serves a Bearer token with the oauthmanageownclient grant (no CSRF token needed)', async () => {
    const token = await bearerFor(BOB, ['oauthmanageownclient', 'editpage']);
    const bearer = new HttpSession(suite.server.issuer);
    const auth = { authorization: `Bearer ${token}` };
    const created = await postJson(bearer, API, newClient({ email: BOB.email }), auth);
    const body = await jsonOf(created);
    expect(created.status, JSON.stringify(body)).toBe(200);
    const bobId = (await suite.server.services.accounts.findByName('Bob'))!.id;
    expect((await suite.server.services.consumers.findByKey(body.client_key))!.ownerId).toBe(bobId);
    const list = await jsonOf(await bearer.request(API, { headers: auth }));
    expect(list.clients.map((c: { client_key: string }) => c.client_key)).toContain(body.client_key);
    expect(list.clients.every((c: { email: string }) => c.email === BOB.email)).toBe(true);
    // Still only the token user's own clients.
    const alices = await jsonOf(await postJson(alice, API, { ...newClient(), token: aliceToken }));
    const other = await postJson(bearer, `${API}/${alices.client_key}/reset_secret`, {}, auth);
    expect(await other.json()).toMatchObject({ errorKey: 'mwoauth-consumer-user-mismatch' });
    expect((await postJson(bearer, `${API}/${body.client_key}/reset_secret`, {}, auth)).status).toBe(200);
  });

  it('caps a client created through a Bearer token at that token\'s grants (issue 14)', async () => {
    const token = await bearerFor(ADMIN, ['oauthmanageownclient']);
    const agent = new HttpSession(suite.server.issuer);
    const auth = { authorization: `Bearer ${token}` };
    const escalating = await postJson(agent, API, newClient({ email: ADMIN.email, owner_only: true, scopes: ['blockusers', 'delete', 'protect'] }), auth);
    const body = await jsonOf(escalating);
    expect(escalating.status, JSON.stringify(body)).toBe(403);
    expect(body).toMatchObject({ errorKey: 'mwoauth-invalid-authorization' });
    expect(body.messageTranslations.en).toContain('blockusers, delete, protect');
    const admin = (await suite.server.services.accounts.findByName('Admin'))!.id;
    expect((await suite.server.services.consumers.list({ ownerId: admin })).consumers.some((c) => c.grants.includes('blockusers'))).toBe(false);
    // Within the token's grants it still works.
    const within = await postJson(agent, API, newClient({ name: 'Capped app', email: ADMIN.email, owner_only: true, scopes: ['oauthmanageownclient'] }), auth);
    expect(within.status).toBe(200);
  });

  it('refuses a Bearer token without the oauthmanageownclient grant, and an invalid one', async () => {
    const token = await bearerFor(ADMIN, ['editpage']);
    const agent = new HttpSession(suite.server.issuer);
    const auth = { authorization: `Bearer ${token}` };
    for (const res of [await agent.request(API, { headers: auth }), await postJson(agent, API, newClient({ email: ADMIN.email }), auth)]) {
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ errorKey: 'mwoauth-invalid-authorization', httpCode: 403 });
    }
    expect((await suite.server.services.consumers.list({ ownerId: (await suite.server.services.accounts.findByName('Admin'))!.id })).consumers.some((c) => c.name.startsWith('REST app'))).toBe(false);
    const invalid = await agent.request(API, { headers: { authorization: 'Bearer not-a-token' } });
    expect(invalid.status).toBe(401);
    expect(invalid.headers.get('www-authenticate')).toMatch(/^Bearer /);
  });
});
