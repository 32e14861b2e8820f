import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize } from '../../helpers/authorize.js';
import { DIALECTS } from '../../helpers/databases.js';
import { ADMIN, ALICE, BOB, seedClient, type SeededClient } from '../../helpers/fixtures.js';
import { HttpSession } from '../../helpers/http-session.js';
import { startKeyedServer, type KeyedServer } from '../../helpers/oauth2-keys.js';
import { openForm, postFields, signIn } from '../../helpers/site.js';

/** Trusted consumers: no consent page for their users (docs/mediawiki-compat.md "Trusted consumers"). */
describe.each(DIALECTS)('trusted consumers on %s', (_name, makeDb) => {
  let keyed: KeyedServer;
  let app: SeededClient;

  beforeAll(async () => {
    keyed = await startKeyedServer(makeDb);
    app = await seedClient(keyed.server.services, { grants: ['basic', 'editpage'] });
    await keyed.server.services.consumers.setTrusted(app.key, true);
  });

  afterAll(() => keyed?.close());

  const authorizeUrl = (extra: Record<string, string> = {}) =>
    `${keyed.base}/authorize?${new URLSearchParams({ response_type: 'code', client_id: app.key, redirect_uri: app.redirectUri, state: 's', ...extra })}`;

  async function tokenFor(code: string): Promise<Record<string, unknown>> {
    const res = await fetch(`${keyed.base}/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${app.key}:${app.secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: app.redirectUri }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as Record<string, unknown>;
  }

  it('completes the code flow for a new user with no consent page, and records an authorization the user can see and revoke', async () => {
    const services = keyed.server.services;
    const bob = (await services.accounts.findByName(BOB.name))!;
    expect(await services.authorizations.listByUser(bob.id)).toEqual([]);
    const agent = new HttpSession(keyed.server.issuer);
    const outcome = await authorize(agent, authorizeUrl(), BOB);
    expect(outcome.consentShown).toBe(false);
    const code = outcome.callback?.searchParams.get('code');
    expect(code, await outcome.lastResponse.clone().text()).toBeTruthy();
    expect((await tokenFor(code!)).access_token).toBeTruthy();

    const [authorization] = await services.authorizations.listByUser(bob.id);
    expect(authorization).toMatchObject({ consumerId: app.id, grants: expect.arrayContaining(['basic', 'editpage']) });
    const page = await agent.get(`/wiki/Special:OAuthManageMyGrants/manage/${authorization!.id}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('mw-revoke-form');
  });

  it('still shows the consent page when the client asks for it (prompt=consent)', async () => {
    const outcome = await authorize(new HttpSession(keyed.server.issuer), authorizeUrl({ prompt: 'consent' }), ALICE);
    expect(outcome.consentShown).toBe(true);
    expect(outcome.callback?.searchParams.get('code')).toBeTruthy();
  });

  it('the consumer page says whether it is trusted; a consumer that is not trusted asks a new user', async () => {
    const viewer = await signIn(keyed.server.issuer, ALICE);
    const view = async () => (await (await viewer.get(`/wiki/Special:OAuthListConsumers/view/${app.key}`)).text()).match(/id="mw-consumer-trusted">([^<]*)</)?.[1];
    expect(await view()).toMatch(/^Yes/);
    await keyed.server.services.consumers.setTrusted(app.key, false);
    expect(await view()).toBe('No');
    const outcome = await authorize(new HttpSession(keyed.server.issuer), authorizeUrl({ scope: 'basic editpage' }), ALICE);
    expect(outcome.consentShown).toBe(false); // Alice consented above: remembered consent, not trust.
    const fresh = await seedClient(keyed.server.services, { grants: ['basic'] });
    const asked = await authorize(new HttpSession(keyed.server.issuer), `${keyed.base}/authorize?${new URLSearchParams({ response_type: 'code', client_id: fresh.key, redirect_uri: fresh.redirectUri, state: 's' })}`, BOB);
    expect(asked.consentShown).toBe(true);
  });

  it('an administrator sets and clears the mark on the review page; other users may not', async () => {
    const other = await seedClient(keyed.server.services, { grants: ['basic'] });
    const page = `/wiki/Special:OAuthManageConsumers/${other.key}`;
    const admin = await signIn(keyed.server.issuer, ADMIN);
    const isTrusted = async () => (await keyed.server.services.consumers.findByKey(other.key))!.trusted;
    for (const expected of [true, false]) {
      const { action, fields } = await openForm(admin, page, 'mw-consumer-trust-form');
      const res = await postFields(admin, action, Object.entries({ ...fields, wpreason: `made ${expected}` }));
      expect(res.status).toBe(303);
      expect(await isTrusted()).toBe(expected);
    }
    // Each change is logged with its performer and reason; a post that changes nothing is not.
    const { fields: stale } = await openForm(admin, page, 'mw-consumer-trust-form');
    await postFields(admin, `${page}/trust`, Object.entries({ ...stale, wptrusted: '0' }));
    const adminId = (await keyed.server.services.accounts.findByName(ADMIN.name))!.id;
    const entries = (await keyed.server.services.log.forConsumer(other.key)).filter((e) => e.action === 'trust' || e.action === 'untrust');
    expect(entries.map((e) => [e.action, e.actor, e.comment])).toEqual([
      ['untrust', adminId, 'made false'],
      ['trust', adminId, 'made true'],
    ]);
    expect(await (await admin.get(`/wiki/Special:OAuthListConsumers/view/${other.key}`)).text()).toContain('marked trusted (its users are not asked to consent)');
    const alice = await signIn(keyed.server.issuer, ALICE);
    const { fields } = await openForm(admin, page, 'mw-consumer-trust-form');
    const refused = await postFields(alice, `${page}/trust`, Object.entries(fields));
    expect(refused.status).toBe(403);
    expect(await isTrusted()).toBe(false);
  });
  it('answers prompt=none with a code for a signed-in user who never used the trusted consumer, and records the authorization; signed out it is login_required', async () => {
    const services = keyed.server.services;
    const fresh = await seedClient(services, { grants: ['basic', 'editpage'] });
    await services.consumers.setTrusted(fresh.key, true);
    const url = `${keyed.base}/authorize?${new URLSearchParams({ response_type: 'code', client_id: fresh.key, redirect_uri: fresh.redirectUri, state: 's', prompt: 'none' })}`;

    const anonymous = await authorize(new HttpSession(keyed.server.issuer), url, ADMIN);
    expect(anonymous.callback?.searchParams.get('error')).toBe('login_required');

    const admin = (await services.accounts.findByName(ADMIN.name))!;
    // The user signs in through another application first (prompt=none needs a provider session).
    const agent = new HttpSession(keyed.server.issuer);
    const first = await seedClient(services, { grants: ['basic'] });
    const signedIn = await authorize(agent, `${keyed.base}/authorize?${new URLSearchParams({ response_type: 'code', client_id: first.key, redirect_uri: first.redirectUri, state: 's' })}`, ADMIN);
    expect(signedIn.callback?.searchParams.get('code')).toBeTruthy();
    const outcome = await authorize(agent, url, ADMIN);
    expect(outcome.consentShown).toBe(false);
    expect(outcome.callback?.searchParams.get('error'), outcome.callback?.href).toBeNull();
    const code = outcome.callback?.searchParams.get('code');
    expect(code).toBeTruthy();
    const res = await fetch(`${keyed.base}/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: code!, redirect_uri: fresh.redirectUri, client_id: fresh.key, client_secret: fresh.secret }),
    });
    expect(res.status).toBe(200);
    const authorizations = await services.authorizations.listByUser(admin.id);
    expect(authorizations.find((a) => a.consumerId === fresh.id)).toMatchObject({ grants: expect.arrayContaining(['basic', 'editpage']) });

    // prompt=consent still shows the page to this user, and never records on its own.
    const other = await seedClient(services, { grants: ['basic'] });
    await services.consumers.setTrusted(other.key, true);
    const asked = await authorize(agent, `${keyed.base}/authorize?${new URLSearchParams({ response_type: 'code', client_id: other.key, redirect_uri: other.redirectUri, state: 's', prompt: 'consent' })}`, ADMIN, { decision: 'cancel' });
    expect(asked.consentShown).toBe(true);
    expect(asked.callback?.searchParams.get('error')).toBe('access_denied');
    expect((await services.authorizations.listByUser(admin.id)).find((a) => a.consumerId === other.id)).toBeUndefined();
  });
});
