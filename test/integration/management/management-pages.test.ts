import * as client from 'openid-client';
import { beforeAll, describe, expect, it } from 'vitest';
import { changePassword } from '../../../src/cli/commands/accounts.js';
import { toMwTimestamp } from '../../../src/domain/mw-timestamp.js';
import { hmacDBSecret } from '../../../src/domain/random.js';
import { authorize } from '../../helpers/authorize.js';
import { TEST_SECRET_KEY } from '../../helpers/config.js';
import { DIALECTS, sqliteDatabase } from '../../helpers/databases.js';
import { ADMIN, ALICE, BOB, seedClient } from '../../helpers/fixtures.js';
import { formFields, HttpSession } from '../../helpers/http-session.js';
import { useSeededServer } from '../../helpers/seeded-suite.js';
import { openForm, postFields, signIn } from '../../helpers/site.js';
import { pkceAuthorizationUrl } from '../../helpers/pkce.js';

const REG = '/wiki/Special:OAuthConsumerRegistration';
const MANAGE = '/wiki/Special:OAuthManageConsumers';
const LIST = '/wiki/Special:OAuthListConsumers';
const GRANTS = '/wiki/Special:OAuthManageMyGrants';
const XSS_NAME = '<script>alert(1)</script>';
const XSS_DESCRIPTION = '<img src=x onerror=alert(2)> & "quotes"';
const XSS_CALLBACK = 'https://app.example/cb?q="><script>alert(3)</script>';

let counter = 0;
const unique = (prefix: string) => `${prefix} ${++counter}`;

/** Propose an OAuth 2 client through the registration form; returns what the result page showed. */
async function proposeViaForm(agent: HttpSession, overrides: Record<string, string> = {}, grants = ['editpage']) {
  const { action, fields } = await openForm(agent, `${REG}/propose/oauth2`, 'mw-consumer-propose-form');
  const values: Record<string, string> = {
    wpname: unique('Form app'),
    wpversion: '1.0',
    wpdescription: 'Edits pages for me',
    wpcallbackUrl: 'https://app.example/callback',
    wpoauth2IsConfidential: '1',
    wpgranttype: 'normal',
    wprestrictions: '{"IPAddresses":["0.0.0.0/0","::/0"]}',
    wpagreement: '1',
    ...overrides,
  };
  const res = await postFields(agent, action, [
    ['wpEditToken', fields.wpEditToken!],
    ...Object.entries(values),
    ['wpoauth2GrantTypes', 'authorization_code'],
    ['wpoauth2GrantTypes', 'refresh_token'],
    ...grants.map((g): [string, string] => ['wpgrants', g]),
  ]);
  const html = await res.text();
  const key = /<code id="mw-consumer-key"[^>]*>([0-9a-f]{32})<\/code>/.exec(html)?.[1];
  const secret = /<code id="mw-consumer-secret"[^>]*>([0-9a-f]{40})<\/code>/.exec(html)?.[1];
  return { res, html, key, secret, name: values.wpname! };
}

async function review(agent: HttpSession, key: string, action: string, reason: string) {
  const { action: url, fields } = await openForm(agent, `${MANAGE}/${key}`, 'mw-consumer-review-form');
  return agent.postForm(url, { ...fields, wpaction: action, wpreason: reason });
}

describe.each(DIALECTS)('management pages on %s', (_name, makeDb) => {
  const suite = useSeededServer(makeDb);
  let alice: HttpSession;
  let admin: HttpSession;
  let bob: HttpSession;

  beforeAll(async () => {
    [alice, admin, bob] = await Promise.all([signIn(suite.server.issuer, ALICE), signIn(suite.server.issuer, ADMIN), signIn(suite.server.issuer, BOB)]);
  });

  it('lets a developer propose an OAuth 2 client and shows its secret once', async () => {
    const { res, html, key, secret, name } = await proposeViaForm(alice);
    expect(res.status, html).toBe(200);
    expect(key).toBeTruthy();
    const consumer = (await suite.server.services.consumers.findByKey(key!))!;
    expect(consumer).toMatchObject({ name, stage: 'proposed', grants: ['basic', 'editpage'], oauth2AllowedGrants: ['authorization_code', 'refresh_token'], oauth2IsConfidential: true });
    expect(secret).toBe(hmacDBSecret(consumer.secretKey!, TEST_SECRET_KEY));
    for (const page of [`${REG}/list`, `${REG}/update/${key}`, `${LIST}/view/${key}`]) {
      const text = await (await alice.get(page)).text();
      expect(text).toContain(key);
      expect(text, `${page} must not show the secret again`).not.toContain(secret);
    }
    expect(await (await alice.get(`${LIST}/view/${key}`)).text()).toMatch(/Alice<\/strong> proposed/);
  });

  it('lets the owner reset the secret on the update page: shown once, the old one gone, logged', async () => {
    const { key, secret } = await proposeViaForm(alice);
    const { action, fields, html } = await openForm(alice, `${REG}/update/${key}`, 'mw-consumer-update-form');
    expect(html).toContain('Reset the secret key to a new value');
    const res = await alice.postForm(action, { ...fields, wprestrictions: '{"IPAddresses":["192.0.2.0/24"]}', wpresetSecret: '1', wpreason: 'Rotating' });
    const page = await res.text();
    expect(res.status, page).toBe(200);
    const newSecret = /<code id="mw-consumer-secret"[^>]*>([0-9a-f]{40})<\/code>/.exec(page)?.[1];
    expect(newSecret).toBeTruthy();
    expect(newSecret).not.toBe(secret);
    const consumer = (await suite.server.services.consumers.findByKey(key!))!;
    expect(hmacDBSecret(consumer.secretKey!, TEST_SECRET_KEY)).toBe(newSecret);
    expect(consumer.restrictions).toBe('{"IPAddresses":["192.0.2.0/24"]}');
    expect(await (await alice.get(`${REG}/update/${key}`)).text()).not.toContain(newSecret);
    expect((await suite.server.services.log.forConsumer(key!))[0]).toMatchObject({ action: 'update', comment: 'Rotating' });
    // Someone else's consumer cannot be updated.
    const refused = await bob.get(`${REG}/update/${key}`);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('mwoauthupdateownconsumer');
  });

  it('creates an owner-only OAuth 1.0a consumer approved at once, with its access token shown once', async () => {
    const { action, fields } = await openForm(alice, `${REG}/propose/oauth1a`, 'mw-consumer-propose-form');
    const res = await alice.postForm(action, { ...fields, wpname: unique('Bot'), wpversion: '1.0', wpdescription: 'My bot', wpownerOnly: '1', wpcallbackUrl: '', wpgranttype: 'normal', wpgrants: 'editpage', wprestrictions: '{"IPAddresses":["0.0.0.0/0","::/0"]}', wpagreement: '1' });
    const html = await res.text();
    expect(res.status, html).toBe(200);
    const key = /<code id="mw-consumer-key"[^>]*>([0-9a-f]{32})<\/code>/.exec(html)![1]!;
    const token = /<code id="mw-access-token"[^>]*>([0-9a-f]{32})<\/code>/.exec(html)![1]!;
    expect(html).toMatch(/<code id="mw-access-secret"[^>]*>[0-9a-f]{40}<\/code>/);
    const consumer = (await suite.server.services.consumers.findByKey(key))!;
    expect(consumer).toMatchObject({ stage: 'approved', ownerOnly: true, oauthVersion: 1 });
    expect((await suite.server.services.authorizations.findByAccessToken(token))!.consumerId).toBe(consumer.id);
    expect((await suite.server.services.log.forConsumer(key)).map((e) => e.action)).toEqual(['create-owner-only']);
  });

  it('re-shows the form with the error when a proposal is invalid', async () => {
    const { res, html } = await proposeViaForm(alice, { wpcallbackUrl: 'http://app.example/callback' });
    expect(res.status).toBe(400);
    expect(html).toContain('id="mw-form-error"');
    expect(html).toContain('must use https');
    expect(html).toContain('value="http://app.example/callback"');
  });

  it('lets an administrator approve with a reason; the log shows who and why', async () => {
    const { key } = await proposeViaForm(alice);
    const hub = await (await admin.get(MANAGE)).text();
    expect(hub).toMatch(/Proposed requests<\/a> \(<span class="count">\d+<\/span>\)/);
    expect(await (await admin.get(`${MANAGE}/proposed`)).text()).toContain(`${MANAGE}/${key}`);
    const res = await review(admin, key!, 'approve', 'Reviewed the code');
    expect(res.status).toBe(303);
    const after = await (await admin.get(res.headers.get('location')!)).text();
    expect(after).toContain('The request has been approved.');
    expect((await suite.server.services.consumers.findByKey(key!))!.stage).toBe('approved');
    const log = await (await bob.get(`${LIST}/view/${key}`)).text();
    expect(log).toMatch(/Admin<\/strong> approved <span class="comment">\(Reviewed the code\)<\/span>/);
    // A reason is required.
    const noReason = await review(admin, key!, 'disable', '   ');
    expect(noReason.status).toBe(400);
    expect((await suite.server.services.consumers.findByKey(key!))!.stage).toBe('approved');
  });

  it('refuses a stale change token: the consumer changed while the form was open', async () => {
    const { key } = await proposeViaForm(alice);
    const stale = await openForm(admin, `${MANAGE}/${key}`, 'mw-consumer-review-form');
    expect((await review(admin, key!, 'reject', 'Not now')).status).toBe(303);
    const res = await admin.postForm(stale.action, { ...stale.fields, wpaction: 'approve', wpreason: 'Yes' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Someone changed the attributes of this consumer');
    expect((await suite.server.services.consumers.findByKey(key!))!.stage).toBe('rejected');
  });

  it('refuses the review pages to users without mwoauthmanageconsumer, naming the right', async () => {
    for (const path of [MANAGE, `${MANAGE}/proposed`]) {
      const res = await bob.get(path);
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('mwoauthmanageconsumer');
    }
  });

  it('sends visitors who are not signed in to Special:UserLogin and back', async () => {
    const res = await new HttpSession(suite.server.issuer).get(`${GRANTS}?x=1`);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`/wiki/Special:UserLogin?returnto=${encodeURIComponent(`${GRANTS}?x=1`)}`);
  });

  it('every management form rejects a missing or stale CSRF token and changes nothing', async () => {
    const { key } = await proposeViaForm(alice);
    const approvedApp = await seedClient(suite.server.services, { grants: ['editpage'] });
    const carol = await signIn(suite.server.issuer, BOB);
    const { callback } = await authorize(carol, authorizeUrl(suite.server.issuer, approvedApp.key, approvedApp.redirectUri), BOB);
    expect(callback?.searchParams.get('code')).toBeTruthy();
    const authorization = (await suite.server.services.authorizations.listByUser((await suite.server.services.accounts.findByName('Bob'))!.id))[0]!;

    const forms: Array<{ agent: HttpSession; user: { name: string; password: string }; page: string; formId: string; extra: Record<string, string>; unchanged: () => Promise<void> }> = [
      { agent: alice, user: ALICE, page: `${REG}/propose/oauth2`, formId: 'mw-consumer-propose-form', extra: { wpname: 'CSRF app', wpversion: '1.0', wpdescription: 'x', wpcallbackUrl: 'https://a.example/', wpgranttype: 'authonly', wpoauth2GrantTypes: 'authorization_code', wpagreement: '1' }, unchanged: async () => expect((await suite.server.services.consumers.list({ name: 'CSRF app' })).total).toBe(0) },
      { agent: alice, user: ALICE, page: `${REG}/update/${key}`, formId: 'mw-consumer-update-form', extra: { wpresetSecret: '1' }, unchanged: secretUnchanged(key!) },
      { agent: admin, user: ADMIN, page: `${MANAGE}/${key}`, formId: 'mw-consumer-review-form', extra: { wpaction: 'approve', wpreason: 'ok' }, unchanged: async () => expect((await suite.server.services.consumers.findByKey(key!))!.stage).toBe('proposed') },
      { agent: carol, user: BOB, page: `${GRANTS}/manage/${authorization.id}`, formId: 'mw-revoke-form', extra: {}, unchanged: async () => expect(await suite.server.services.authorizations.findById(authorization.id)).toBeTruthy() },
      { agent: carol, user: BOB, page: GRANTS, formId: 'mw-revoke-all-form', extra: {}, unchanged: async () => expect(await suite.server.services.authorizations.findById(authorization.id)).toBeTruthy() },
    ];
    for (const form of forms) {
      const { action, fields } = await openForm(form.agent, form.page, form.formId);
      const { wpEditToken, ...rest } = fields;
      expect(wpEditToken, form.page).toBeTruthy();
      const missing = await form.agent.postForm(action, { ...rest, ...form.extra });
      expect(missing.status, `${form.page} without a token`).toBe(400);
      expect(await missing.text()).toContain('session token was missing or stale');
      await form.unchanged();
      // Sign in again: the token of the old session is stale.
      await reSignIn(form.agent, form.user);
      const stale = await form.agent.postForm(action, { ...rest, ...form.extra, wpEditToken: wpEditToken! });
      expect(stale.status, `${form.page} with a stale token`).toBe(400);
      expect(await stale.text()).toContain('session token was missing or stale');
      await form.unchanged();
    }
  });

  function secretUnchanged(key: string) {
    return async () => {
      const before = (await suite.server.services.consumers.findByKey(key))!.secretKey;
      expect((await suite.server.services.consumers.findByKey(key))!.secretKey).toBe(before);
      const log = await suite.server.services.log.forConsumer(key);
      expect(log.map((e) => e.action)).not.toContain('update');
    };
  }

  async function reSignIn(agent: HttpSession, user: { name: string; password: string }) {
    const page = await agent.get('/wiki/Special:UserLogin?force=1&returnto=%2F');
    const { action, fields } = formFields(await page.text());
    expect((await agent.postForm(action!, { ...fields, wpName: user.name, wpPassword: user.password })).status).toBe(303);
  }

  it('escapes consumer-supplied text on every page', async () => {
    const { key, res, html } = await proposeViaForm(alice, { wpname: XSS_NAME, wpdescription: XSS_DESCRIPTION, wpcallbackUrl: XSS_CALLBACK });
    expect(res.status, html).toBe(200);
    const pagesBefore = [
      [alice, `${REG}/list`],
      [alice, `${REG}/update/${key}`],
      [alice, `${LIST}/view/${key}`],
      [bob, `${LIST}?stage=any`],
      [admin, `${MANAGE}/proposed`],
      [admin, `${MANAGE}/${key}`],
    ] as const;
    const check = (page: string, text: string) => {
      expect(text, page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(text, page).not.toMatch(/<script>alert|<img src=x|"><script>/);
    };
    check('created page', html);
    for (const [agent, page] of pagesBefore) check(page, await (await agent.get(page)).text());
    expect((await review(admin, key!, 'approve', '<b>fine</b> <script>alert(4)</script>')).status).toBe(303);
    const reviewed = await (await admin.get(`${MANAGE}/${key}`)).text();
    check('review page with reason', reviewed);
    expect(reviewed).toContain('&lt;b&gt;fine&lt;/b&gt;');
    const consumer = (await suite.server.services.consumers.findByKey(key!))!;
    // Bob authorizes it: the consent page and his connected apps show the name as text.
    const { callback, lastResponse } = await authorize(bob, authorizeUrl(suite.server.issuer, key!, XSS_CALLBACK), BOB);
    expect(callback, await lastResponse.text()).toBeTruthy();
    const authorization = (await suite.server.services.authorizations.find((await suite.server.services.accounts.findByName('Bob'))!.id, consumer.id, '*'))!;
    check('connected apps', await (await bob.get(GRANTS)).text());
    check('connected app', await (await bob.get(`${GRANTS}/manage/${authorization.id}`)).text());
  });

  it('revoking on Special:OAuthManageMyGrants refuses the app\'s tokens at once', async () => {
    const app = await seedClient(suite.server.services, { grants: ['editpage'] });
    const config = await client.discovery(new URL(suite.server.issuer), app.key, app.secret, undefined, { execute: [client.allowInsecureRequests] });
    const { url, verifier } = await pkceAuthorizationUrl(config, { redirect_uri: app.redirectUri, scope: 'editpage' });
    const agent = await signIn(suite.server.issuer, BOB);
    const { callback } = await authorize(agent, url.href, BOB);
    const tokens = await client.authorizationCodeGrant(config, callback!, { pkceCodeVerifier: verifier, idTokenExpected: false });
    expect(tokens.refresh_token).toBeTruthy();
    const profile = () => fetch(`${suite.server.issuer}/w/rest.php/oauth2/resource/profile`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect((await profile()).status).toBe(200);
    expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(true);

    const list = await openForm(agent, GRANTS);
    const id = new RegExp(`href="${GRANTS}/manage/(\\d+)"`).exec(list.html)![1]!;
    const authorization = (await suite.server.services.authorizations.findById(Number(id)))!;
    const { action, fields } = await openForm(agent, `${GRANTS}/manage/${id}`, 'mw-revoke-form');
    const done = await agent.postForm(action, fields);
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('is no longer authorized to access your account');

    expect((await profile()).status).toBe(401);
    expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
    expect((await client.tokenIntrospection(config, tokens.refresh_token!)).active).toBe(false);
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    // The OAuth 1.0a access token of the authorization is gone with its row.
    expect(await suite.server.services.authorizations.findByAccessToken(authorization.accessToken)).toBeUndefined();
  });

  it('a password change revokes every authorization of the user', async () => {
    const app = await seedClient(suite.server.services, { grants: ['editpage'] });
    const agent = await signIn(suite.server.issuer, ALICE);
    await authorize(agent, authorizeUrl(suite.server.issuer, app.key, app.redirectUri), ALICE);
    expect((await suite.server.services.authorizations.listByUser(suite.server.aliceId)).length).toBeGreaterThan(0);
    const lines: string[] = [];
    await changePassword(suite.server.services, ['--user', 'Alice', '--password', ALICE.password], (l) => lines.push(l));
    expect(await suite.server.services.authorizations.listByUser(suite.server.aliceId)).toEqual([]);
    expect(lines.join('\n')).toMatch(/authorization\(s\) revoked/);
    // It also ends her site sessions (docs/sign-in.md, "Sessions"): the shared page agent signs in again.
    expect((await alice.get(`${REG}/propose/oauth2`)).status).toBe(302);
    alice = await signIn(suite.server.issuer, ALICE);
  });

  it('expires proposals idle for 30 days when a list page is viewed, and logs it', async () => {
    const { key } = await proposeViaForm(alice);
    const consumer = (await suite.server.services.consumers.findByKey(key!))!;
    await suite.server.services.db('oauth_registered_consumer').where('oarc_id', consumer.id).update({ oarc_stage_timestamp: toMwTimestamp(new Date(Date.now() - 31 * 86_400_000)) });
    expect((await bob.get(LIST)).status).toBe(200);
    expect((await suite.server.services.consumers.findByKey(key!))!.stage).toBe('expired');
    expect(await (await bob.get(`${LIST}/view/${key}`)).text()).toMatch(/expired \(no review in time\)/);
  });

  it('suppresses a rejected consumer: hidden from everyone without mwoauthviewsuppressed', async () => {
    const { key } = await proposeViaForm(alice, { wpname: unique('Spam app') });
    expect((await review(admin, key!, 'rsuppress', 'Spam')).status).toBe(303);
    expect((await suite.server.services.consumers.findByKey(key!))!).toMatchObject({ stage: 'rejected', deleted: true });
    for (const agent of [alice, bob]) {
      const res = await agent.get(`${LIST}/view/${key}`);
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('mwoauthviewsuppressed');
    }
    expect(await (await alice.get(`${REG}/list`)).text()).not.toContain(key);
    expect((await admin.get(`${LIST}/view/${key}`)).status).toBe(200);
  });

  it('serves Special:ListGrants with rights and risk levels', async () => {
    const html = await (await new HttpSession(suite.server.issuer).get('/wiki/Special:ListGrants')).text();
    expect(html).toMatch(/<tr id="grant-editpage">[\s\S]*?<code>edit<\/code>[\s\S]*?<td class="risk risk-low">low<\/td>/);
    expect(html).toMatch(/<tr id="grant-oauthmanageownclient">[\s\S]*?mwoauthproposeconsumer[\s\S]*?risk-internal/);
    expect(html).toContain('<code>mwoauth-authonlyprivate</code>');
  });
});

describe('auto-approval (OAUTH_AUTO_APPROVE)', () => {
  const suite = useSeededServer(sqliteDatabase, { OAUTH_AUTO_APPROVE: '[{"grants":["mwoauth-authonly"],"protocols":["https"]}]' });

  it('approves matching proposals at once and logs propose-autoapproved', async () => {
    const alice = await signIn(suite.server.issuer, ALICE);
    const { key, html } = await proposeViaForm(alice, { wpgranttype: 'authonly' }, []);
    expect(html).toContain('ready to use');
    expect((await suite.server.services.consumers.findByKey(key!))!.stage).toBe('approved');
    expect((await suite.server.services.log.forConsumer(key!)).map((e) => e.action)).toEqual(['propose-autoapproved']);
    const other = await proposeViaForm(alice, {}, ['editpage']);
    expect((await suite.server.services.consumers.findByKey(other.key!))!.stage).toBe('proposed');
  });
});

function authorizeUrl(issuer: string, clientId: string, redirectUri: string): string {
  const url = new URL('/w/rest.php/oauth2/authorize', issuer);
  url.search = new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: redirectUri, scope: 'openid profile', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' }).toString();
  return url.href;
}
