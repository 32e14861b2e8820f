import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACR_PASSWORD, ACR_TWO_FACTOR } from '../../../src/domain/accounts/assurance.js';
import { authorize } from '../../helpers/authorize.js';
import { DIALECTS } from '../../helpers/databases.js';
import { ADMIN, ALICE, seedClient, type SeededClient } from '../../helpers/fixtures.js';
import { formFields, HttpSession } from '../../helpers/http-session.js';
import { startKeyedServer, type KeyedServer } from '../../helpers/oauth2-keys.js';
import { openForm, postFields, signIn } from '../../helpers/site.js';
import { codeSequence, newSecret, oathtoolCode } from '../../helpers/totp.js';

const SCRATCH = ['ABCDEFGHIJKLMNOP', 'QRSTUVWXYZ234567'];

// Two-factor sign-in (docs/sign-in.md, "Two-factor authentication" and "Authentication levels"):
// the code page after the password, amr/acr in ID tokens, prompt=login and max_age, and the
// two-factor demand of a consumer or of acr_values. Codes come from Debian's oathtool.
describe.each(DIALECTS)('two-factor sign-in on %s', (_name, makeDb) => {
  let keyed: KeyedServer;
  let app: SeededClient;
  let strict: SeededClient;
  let users = 0;

  beforeAll(async () => {
    keyed = await startKeyedServer(makeDb);
    app = await seedClient(keyed.server.services, { grants: ['basic'] });
    strict = await seedClient(keyed.server.services, { grants: ['basic'], name: 'Strict App' });
    await keyed.server.services.consumers.setRequireTwoFactor(strict.key, true);
  });

  afterAll(() => keyed?.close());

  /** A new user with two-factor authentication on (a fresh one per test: each TOTP step works once). */
  async function enrolledUser() {
    const services = keyed.server.services;
    const name = `Enrolled ${++users}`;
    const password = `enrolled-password-${users}`;
    const account = await services.accounts.create({ name, password });
    const secret = newSecret();
    await services.twoFactor.enrol(account.id, { secret, scratchTokens: SCRATCH });
    return { id: account.id, name, password, secret, code: codeSequence(secret) };
  }

  /** The login form posted with a password: the response and the browser. */
  async function postPassword(user: { name: string; password: string }, agent = new HttpSession(keyed.server.issuer)) {
    const { fields } = formFields(await (await agent.get('/wiki/Special:UserLogin?returnto=%2F')).text());
    const res = await agent.postForm('/wiki/Special:UserLogin', { ...fields, wpName: user.name, wpPassword: user.password });
    return { res, agent, html: await res.text() };
  }

  async function postCode(agent: HttpSession, html: string, code: string) {
    const { fields } = formFields(html);
    const res = await agent.postForm('/wiki/Special:UserLogin', { ...fields, OATHToken: code });
    return { res, html: await res.text() };
  }

  const authorizeUrl = (client: SeededClient, extra: Record<string, string> = {}) =>
    `${keyed.base}/authorize?${new URLSearchParams({ response_type: 'code', client_id: client.key, redirect_uri: client.redirectUri, scope: 'openid basic', state: 's', ...extra })}`;

  async function idTokenClaims(client: SeededClient, code: string): Promise<Record<string, unknown>> {
    const res = await fetch(`${keyed.base}/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${client.key}:${client.secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: client.redirectUri }),
    });
    expect(res.status).toBe(200);
    const { id_token: idToken } = (await res.json()) as { id_token: string };
    return JSON.parse(Buffer.from(idToken.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
  }

  it('asks an enrolled user for a code after the password and starts no session before it', async () => {
    const user = await enrolledUser();
    const { res, agent, html } = await postPassword(user);
    expect(res.status).toBe(200);
    expect(html).toContain('id="OATHToken"');
    expect(agent.cookie('wikiauth_session')).toBeUndefined();

    const wrong = await postCode(agent, html, oathtoolCode(user.secret, Date.now() / 1000 - 600));
    expect(wrong.res.status).toBe(400);
    expect(wrong.html).toContain('Verification failed.');
    expect(agent.cookie('wikiauth_session')).toBeUndefined();

    const right = await postCode(agent, wrong.html, user.code());
    expect(right.res.status).toBe(303);
    expect(agent.cookie('wikiauth_session')).toBeTruthy();
  });

  it('accepts a TOTP code once: the same code in a second sign-in is refused', async () => {
    const user = await enrolledUser();
    const code = user.code();
    const first = await postPassword(user);
    expect((await postCode(first.agent, first.html, code)).res.status).toBe(303);
    const second = await postPassword(user);
    const replay = await postCode(second.agent, second.html, code);
    expect(replay.res.status).toBe(400);
    expect(second.agent.cookie('wikiauth_session')).toBeUndefined();
  });

  it('accepts a scratch token once and keeps the others', async () => {
    const user = await enrolledUser();
    const first = await postPassword(user);
    expect((await postCode(first.agent, first.html, 'abcd efgh ijkl mnop')).res.status).toBe(303);
    const second = await postPassword(user);
    expect((await postCode(second.agent, second.html, SCRATCH[0]!)).res.status).toBe(400);
    expect((await keyed.server.services.twoFactor.enrolment(user.id))?.key?.scratchTokens).toEqual([SCRATCH[1]]);
  });

  it('refuses a code posted without the pending sign-in or with a forged token', async () => {
    const user = await enrolledUser();
    const { agent, html } = await postPassword(user);
    const forged = await agent.postForm('/wiki/Special:UserLogin', { ...formFields(html).fields, wpLoginToken: 'forged', OATHToken: user.code() });
    expect(forged.status).toBe(400);
    const stranger = new HttpSession(keyed.server.issuer);
    const noPending = await stranger.postForm('/wiki/Special:UserLogin', { ...formFields(html).fields, OATHToken: user.code() });
    expect(noPending.status).toBe(400);
    expect(stranger.cookie('wikiauth_session')).toBeUndefined();
  });

  it('allows five codes per password and ten wrong codes a minute per account (badoath)', async () => {
    const user = await enrolledUser();
    const wrongCode = oathtoolCode(user.secret, Date.now() / 1000 - 900);
    const statuses: number[] = [];
    for (let round = 0; round < 3; round++) {
      const signIn = await postPassword(user);
      let html = signIn.html;
      const agent = signIn.agent;
      for (let i = 0; i < (round < 2 ? 6 : 1); i++) {
        const answer = await postCode(agent, html, wrongCode);
        statuses.push(answer.res.status);
        if (answer.html.includes('id="OATHToken"')) html = answer.html;
      }
    }
    // Rounds 1 and 2: five wrong codes, then the sixth is sent back to the password; round 3: the eleventh wrong code is throttled.
    expect(statuses).toEqual([400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 429]);
  });

  it('puts amr and acr in the ID token: password alone, or password and code; discovery lists the ACRs', async () => {
    const plain = await authorize(new HttpSession(keyed.server.issuer), authorizeUrl(app), ALICE);
    expect(plain.codesAsked).toBe(0);
    expect(await idTokenClaims(app, plain.callback!.searchParams.get('code')!)).toMatchObject({ amr: ['pwd'], acr: ACR_PASSWORD });

    const user = await enrolledUser();
    const outcome = await authorize(new HttpSession(keyed.server.issuer), authorizeUrl(app), user);
    expect(outcome.codesAsked).toBe(1);
    expect(await idTokenClaims(app, outcome.callback!.searchParams.get('code')!)).toMatchObject({ amr: ['pwd', 'otp'], acr: ACR_TWO_FACTOR });

    const discovery = (await (await fetch(`${keyed.server.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(discovery.acr_values_supported).toEqual([ACR_PASSWORD, ACR_TWO_FACTOR]);
    expect(discovery.claims_supported).toEqual(expect.arrayContaining(['acr', 'amr']));
  });

  it("reports the factors of the site session's latest sign-in, not those the provider's session began with", async () => {
    const user = await enrolledUser();
    const agent = new HttpSession(keyed.server.issuer);
    const first = await authorize(agent, authorizeUrl(app), user);
    expect(await idTokenClaims(app, first.callback!.searchParams.get('code')!)).toMatchObject({ amr: ['pwd', 'otp'] });
    // The enrolment goes away without ending sessions (as when a wiki's administrator removes it on the
    // wiki); the user signs in again in the same browser with the password alone.
    await keyed.server.services.db('oathauth_users').where('id', user.id).delete();
    const { fields } = formFields(await (await agent.get('/wiki/Special:UserLogin?force=1&returnto=%2F')).text());
    expect((await agent.postForm('/wiki/Special:UserLogin?force=1', { ...fields, wpName: user.name, wpPassword: user.password })).status).toBe(303);
    const again = await authorize(agent, authorizeUrl(app), user);
    expect({ passwords: again.passwordsAsked, codes: again.codesAsked }).toEqual({ passwords: 0, codes: 0 });
    expect(await idTokenClaims(app, again.callback!.searchParams.get('code')!)).toMatchObject({ amr: ['pwd'], acr: ACR_PASSWORD });
  });

  it('asks both factors again for prompt=login and max_age', async () => {
    const user = await enrolledUser();
    const agent = new HttpSession(keyed.server.issuer);
    expect((await authorize(agent, authorizeUrl(app), user)).callback?.searchParams.get('code')).toBeTruthy();
    for (const extra of [{ prompt: 'login' }, { max_age: '0' }] as Array<Record<string, string>>) {
      const again = await authorize(agent, authorizeUrl(app, extra), user);
      expect({ extra, passwords: again.passwordsAsked, codes: again.codesAsked }).toEqual({ extra, passwords: 1, codes: 1 });
      expect(await idTokenClaims(app, again.callback!.searchParams.get('code')!)).toMatchObject({ amr: ['pwd', 'otp'] });
    }
  });

  it('a consumer that demands two factors refuses a user without them with a page that says so, and the client learns why', async () => {
    const agent = new HttpSession(keyed.server.issuer);
    const outcome = await authorize(agent, authorizeUrl(strict), ALICE);
    expect(outcome.callback).toBeUndefined();
    expect(outcome.lastResponse.status).toBe(403);
    const html = await outcome.lastResponse.text();
    expect(html).toContain('requires you to log in with two-factor authentication');
    expect(html).toContain('Special:OATHManage');
    const { action, fields } = formFields(html);
    const cancelled = await agent.postForm(action!, fields);
    expect(cancelled.status).toBe(303);
    let location = new URL(cancelled.headers.get('location')!, keyed.server.issuer);
    // The provider's resume endpoint sends the error on to the client.
    if (location.origin === keyed.server.issuer) location = new URL((await agent.get(location.href)).headers.get('location')!, keyed.server.issuer);
    expect(location.origin + location.pathname).toBe(strict.redirectUri);
    expect(location.searchParams.get('error')).toBe('unmet_authentication_requirements');

    // prompt=none cannot ask: login_required.
    const silent = await authorize(agent, authorizeUrl(strict, { prompt: 'none' }), ALICE);
    expect(silent.callback?.searchParams.get('error')).toBe('login_required');
  });

  it('a consumer that demands two factors, or acr_values naming that level, makes a password-only session of an enrolled user step up', async () => {
    const user = await enrolledUser();
    const agent = new HttpSession(keyed.server.issuer);
    // Signed in with the password alone before two-factor was turned on.
    const { id } = user;
    await keyed.server.services.twoFactor.disable(id);
    expect((await authorize(agent, authorizeUrl(app), user)).codesAsked).toBe(0);
    await keyed.server.services.twoFactor.enrol(id, { secret: user.secret, scratchTokens: [] });

    const stepUp = await authorize(agent, authorizeUrl(strict), user);
    expect({ passwords: stepUp.passwordsAsked, codes: stepUp.codesAsked }).toEqual({ passwords: 1, codes: 1 });
    expect(await idTokenClaims(strict, stepUp.callback!.searchParams.get('code')!)).toMatchObject({ amr: ['pwd', 'otp'], acr: ACR_TWO_FACTOR });

    // acr_values with the two-factor level alone: no password-only session passes; with this session no new question.
    const asked = await authorize(agent, authorizeUrl(app, { acr_values: ACR_TWO_FACTOR }), user);
    expect({ passwords: asked.passwordsAsked, codes: asked.codesAsked }).toEqual({ passwords: 0, codes: 0 });
    expect(await idTokenClaims(app, asked.callback!.searchParams.get('code')!)).toMatchObject({ acr: ACR_TWO_FACTOR });

    const alice = await authorize(new HttpSession(keyed.server.issuer), authorizeUrl(app, { acr_values: ACR_TWO_FACTOR }), ALICE);
    expect(alice.lastResponse.status).toBe(403);
    // A client that accepts either level gets the password-only sign-in.
    const either = await authorize(new HttpSession(keyed.server.issuer), authorizeUrl(app, { acr_values: `${ACR_TWO_FACTOR} ${ACR_PASSWORD}` }), ALICE);
    expect(await idTokenClaims(app, either.callback!.searchParams.get('code')!)).toMatchObject({ acr: ACR_PASSWORD, amr: ['pwd'] });
  });

  it('an administrator demands two-factor sign-in on the review page and takes it back; the consumer page says so; other users may not', async () => {
    const other = await seedClient(keyed.server.services, { grants: ['basic'] });
    const page = `/wiki/Special:OAuthManageConsumers/${other.key}`;
    const admin = await signIn(keyed.server.issuer, ADMIN);
    const shown = async () => (await (await admin.get(`/wiki/Special:OAuthListConsumers/view/${other.key}`)).text()).match(/id="mw-consumer-two-factor">([^<]*)</)?.[1];
    expect(await shown()).toBe('No');
    for (const expected of [true, false]) {
      const { action, fields } = await openForm(admin, page, 'mw-consumer-two-factor-form');
      expect((await postFields(admin, action, Object.entries(fields))).status).toBe(303);
      expect((await keyed.server.services.consumers.findByKey(other.key))!.requireTwoFactor).toBe(expected);
      if (expected) expect(await shown()).toMatch(/^Yes/);
    }
    const alice = await signIn(keyed.server.issuer, ALICE);
    const { fields } = await openForm(admin, page, 'mw-consumer-two-factor-form');
    expect((await postFields(alice, `${page}/two-factor`, Object.entries(fields))).status).toBe(403);
    expect((await keyed.server.services.consumers.findByKey(other.key))!.requireTwoFactor).toBe(false);
  });
});
