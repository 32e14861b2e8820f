import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../../helpers/cli.js';
import { TEST_SECRET_KEY } from '../../helpers/config.js';
import { DIALECTS, type TestDatabase } from '../../helpers/databases.js';
import { ADMIN, ALICE } from '../../helpers/fixtures.js';
import { expectMediaWikiToken } from '../../helpers/mediawiki-jwt.js';
import { startKeyedServer, type KeyedServer, type OAuth2KeyFiles } from '../../helpers/oauth2-keys.js';
import type { SeededServer } from '../../helpers/server.js';
import { openForm, signIn } from '../../helpers/site.js';

/** Owner-only OAuth 2 consumers as MediaWiki has them (docs/mediawiki-compat.md "Owner-only consumers"). */
describe.each(DIALECTS)('owner-only OAuth 2 consumers on %s', (_name, makeDb) => {
  let keyed: KeyedServer;
  let db: TestDatabase;
  let server: SeededServer;
  let keys: OAuth2KeyFiles;
  let base: string;

  beforeAll(async () => {
    keyed = await startKeyedServer(makeDb);
    ({ db, server, keys, base } = keyed);
  });

  afterAll(() => keyed?.close());

  const profile = async (value: string) => {
    const res = await fetch(`${base}/resource/profile`, { headers: { authorization: `Bearer ${value}` } });
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  };
  const acceptance = async (userName: string, key: string) => {
    const consumer = (await server.services.consumers.findByKey(key))!;
    const user = (await server.services.accounts.findByName(userName))!;
    return (await server.services.authorizations.find(user.id, consumer.id, consumer.wiki))!;
  };

  it('createOAuthConsumer --ownerOnly --jsonOnSuccess creates the owner\'s authorization and one non-expiring token for the owner with every grant', async () => {
    const env = { DATABASE_URL: db.url, SECRET_KEY: TEST_SECRET_KEY, ISSUER: server.issuer, ...db.env, ...keys.env };
    const result = await runCli(
      ['createOAuthConsumer', '--user', ADMIN.name, '--name', 'Owner bot', '--description', 'My own bot', '--version', '1.0', '--oauthVersion', '2', '--ownerOnly', '--grants', 'editpage', '--grants', 'highvolume', '--jsonOnSuccess'],
      { env, cwd: REPO_ROOT },
    );
    expect(result.code, result.stderr).toBe(0);
    const created = JSON.parse(result.stdout);
    expect(created).toMatchObject({ created: true, approved: 1, key: expect.stringMatching(/^[0-9a-f]{32}$/), accessToken: expect.any(String) });
    const admin = (await server.services.accounts.findByName(ADMIN.name))!;
    const claims = expectMediaWikiToken(keys.publicFile, created.accessToken, { aud: created.key, sub: String(admin.id), iss: server.issuer, scopes: ['basic', 'editpage', 'highvolume'] });
    expect(claims.jti).toMatch(/^[0-9a-f]{80}$/);
    expect(claims.exp).toBeGreaterThan(Date.now() / 1000 + 900 * 365 * 86400);
    const authorization = await acceptance(ADMIN.name, created.key);
    expect(authorization.grants).toEqual(['basic', 'editpage', 'highvolume']);
    expect(await server.services.db('oauth2_access_tokens').where('oaat_identifier', claims.jti).first()).toMatchObject({ oaat_acceptance_id: authorization.id, oaat_revoked: 0 });
    const consumer = (await server.services.consumers.findByKey(created.key))!;
    expect(consumer.callbackUrl).toBe(`${server.issuer}/w/index.php?title=Special:OAuth/verified`);
    expect(consumer.oauth2AllowedGrants).toEqual(['client_credentials']);

    const me = await profile(created.accessToken);
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({ sub: String(admin.id), username: ADMIN.name, grants: ['basic', 'editpage', 'highvolume'] });

    // client_credentials acts as the owner with every grant of the consumer.
    const res = await fetch(`${base}/access_token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'client_credentials', client_id: created.key, client_secret: created.secret }) });
    const issued = (await res.json()) as Record<string, any>;
    expect(res.status, JSON.stringify(issued)).toBe(200);
    const ccClaims = expectMediaWikiToken(keys.publicFile, issued.access_token, { aud: created.key, sub: String(admin.id), iss: server.issuer, scopes: ['basic', 'editpage', 'highvolume'] });
    expect(ccClaims.exp).toBeLessThan(Date.now() / 1000 + 2 * 3600);
    expect(await server.services.db('oauth2_access_tokens').where('oaat_identifier', ccClaims.jti).first()).toMatchObject({ oaat_acceptance_id: authorization.id });
    const asOwner = await profile(issued.access_token);
    expect(asOwner.json).toMatchObject({ sub: String(admin.id), grants: ['basic', 'editpage', 'highvolume'] });
    expect(asOwner.json.rights).toEqual(expect.arrayContaining(['edit', 'apihighlimits']));
  });

  it('POST /oauth2/client answers an owner-only client\'s access_token, and the registration page shows it once', async () => {
    const alice = await signIn(server.issuer, ALICE);
    const form = await openForm(alice, '/wiki/Special:OAuthConsumerRegistration/propose/oauth2', 'mw-consumer-propose-form');
    const res = await alice.request('/w/rest.php/oauth2/client', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Alice bot', description: 'mine', email: ALICE.email, is_confidential: true, owner_only: true, grant_types: ['client_credentials'], scopes: ['editpage'], token: form.fields.wpEditToken }),
    });
    const body = (await res.json()) as Record<string, any>;
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['access_token', 'client_key', 'name', 'secret']);
    expectMediaWikiToken(keys.publicFile, body.access_token, { aud: body.client_key, sub: String(server.aliceId), iss: server.issuer, scopes: ['basic', 'editpage'] });
    expect((await profile(body.access_token)).json).toMatchObject({ username: ALICE.name });

    const page = await alice.postForm('/wiki/Special:OAuthConsumerRegistration/propose/oauth2', {
      ...form.fields,
      wpname: 'Alice page bot',
      wpversion: '1.0',
      wpdescription: 'made on the page',
      wpownerOnly: '1',
      wpgranttype: 'normal',
      wpgrants: 'editpage',
      wpagreement: '1',
    });
    const html = await page.text();
    const shown = /id="mw-access-token"[^>]*>([^<]+)</.exec(html)?.[1];
    expect(shown, html.slice(0, 2000)).toBeDefined();
    expect((await profile(shown!)).status).toBe(200);
  });
  it('resetting the secret gives a new non-expiring token and stops every earlier token of the owner, as MediaWiki', async () => {
    const alice = await signIn(server.issuer, ALICE);
    const form = await openForm(alice, '/wiki/Special:OAuthConsumerRegistration/propose/oauth2', 'mw-consumer-propose-form');
    const token = form.fields.wpEditToken;
    const created = (await (await alice.request('/w/rest.php/oauth2/client', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Alice reset bot', description: 'mine', email: ALICE.email, is_confidential: true, owner_only: true, grant_types: ['client_credentials'], scopes: ['editpage'], token }),
    })).json()) as Record<string, any>;
    const machine = await fetch(`${base}/access_token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'client_credentials', client_id: created.client_key, client_secret: created.secret }) });
    const ccToken = ((await machine.json()) as Record<string, any>).access_token as string;
    expect((await profile(created.access_token)).status).toBe(200);
    expect((await profile(ccToken)).status).toBe(200);

    const res = await alice.request(`/w/rest.php/oauth2/client/${created.client_key}/reset_secret`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'leaked', token }) });
    const reset = (await res.json()) as Record<string, any>;
    expect(res.status, JSON.stringify(reset)).toBe(200);
    expect(Object.keys(reset).sort()).toEqual(['access_token', 'client_key', 'name', 'secret']);
    const claims = expectMediaWikiToken(keys.publicFile, reset.access_token, { aud: created.client_key, sub: String(server.aliceId), iss: server.issuer, scopes: ['basic', 'editpage'] });
    expect(claims.exp).toBeGreaterThan(Date.now() / 1000 + 900 * 365 * 86400);
    expect((await profile(reset.access_token)).status).toBe(200);
    expect((await profile(created.access_token)).json).toMatchObject({ error: 'access_denied', hint: 'Access token has been revoked' });
    expect((await profile(ccToken)).status).toBe(401);
    const authorization = await acceptance(ALICE.name, created.client_key);
    expect(await server.services.db('oauth2_access_tokens').where({ oaat_acceptance_id: authorization.id, oaat_revoked: 0 }).count({ n: '*' }).first()).toMatchObject({ n: 1 });

    // The update page shows the new token once, too.
    const page = await openForm(alice, `/wiki/Special:OAuthConsumerRegistration/update/${created.client_key}`, 'mw-consumer-update-form');
    const updated = await alice.postForm(page.action, { ...page.fields, wpresetSecret: '1', wpreason: 'again' });
    const shown = /id="mw-access-token"[^>]*>([^<]+)</.exec(await updated.text())?.[1];
    expect(shown).toBeDefined();
    expect((await profile(shown!)).status).toBe(200);
    expect((await profile(reset.access_token)).status).toBe(401);
  });
});
