import { signIn } from '../../helpers/site.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { authorize } from '../../helpers/authorize.js';
import { sqliteDatabase } from '../../helpers/databases.js';
import { ADMIN, ALICE, BOB, seedClient } from '../../helpers/fixtures.js';
import { formFields, HttpSession } from '../../helpers/http-session.js';
import { useSeededServer } from '../../helpers/seeded-suite.js';

describe('site sign-in, consent rules and the site session', () => {
  // MediaWiki's $wgBlockDisablesLogin: Mallory's block keeps her out.
  const suite = useSeededServer(sqliteDatabase, { BLOCK_DISABLES_LOGIN: '1' });

  beforeAll(async () => {
    await suite.server.services.accounts.create({ name: 'Mallory', password: 'mallory-password', email: 'm@example.org' });
    await suite.server.services.accounts.block('Mallory', 'spam');
  });

  async function attempt(agent: HttpSession, name: string, password: string) {
    const page = await agent.get('/wiki/Special:UserLogin');
    const { fields } = formFields(await page.text());
    const res = await agent.postForm('/wiki/Special:UserLogin', { ...fields, wpName: name, wpPassword: password });
    return { res, html: res.status === 200 || res.status >= 400 ? await res.text() : '' };
  }

  it('gives one message for an unknown user and a wrong password, and signs in with the right one', async () => {
    const agent = new HttpSession(suite.server.issuer);
    const unknown = await attempt(agent, 'Nobody', 'whatever');
    const wrong = await attempt(agent, BOB.name, 'wrong');
    const message = (html: string) => /id="wpLoginError"><p>([^<]+)</.exec(html)?.[1];
    expect(unknown.res.status).toBe(400);
    expect(message(unknown.html)).toBeTruthy();
    expect(message(unknown.html)).toBe(message(wrong.html));
    const ok = await attempt(agent, BOB.name, BOB.password);
    expect(ok.res.status).toBe(303);
    expect(agent.cookie('wikiauth_session')).toBeTruthy();
    const home = await agent.get('/');
    expect(await home.text()).toContain('id="pt-userpage">Bob<');
  });

  it('refuses a login form without its CSRF token', async () => {
    const agent = new HttpSession(suite.server.issuer);
    await agent.get('/wiki/Special:UserLogin');
    const res = await agent.postForm('/wiki/Special:UserLogin', { wpName: ALICE.name, wpPassword: ALICE.password, wpLoginToken: 'forged' });
    expect(res.status).toBe(400);
    expect(agent.cookie('wikiauth_session')).toBeUndefined();
  });

  it('throttles repeated failures for one account', async () => {
    const agent = new HttpSession(suite.server.issuer);
    await suite.server.services.accounts.create({ name: 'Target', password: 'target-password', email: 't@example.org' });
    for (let i = 0; i < 5; i++) expect((await attempt(agent, 'Target', `wrong-${i}`)).res.status).toBe(400);
    const throttled = await attempt(agent, 'Target', 'target-password');
    expect(throttled.res.status).toBe(429);
    expect(throttled.html).toContain('too many recent login attempts');
  });

  it('does not let a blocked user sign in', async () => {
    const agent = new HttpSession(suite.server.issuer);
    const blocked = await attempt(agent, 'Mallory', 'mallory-password');
    expect(blocked.res.status).toBe(400);
    expect(blocked.html).toContain('blocked');
  });

  it('sends security headers on pages', async () => {
    const res = await fetch(`${suite.server.issuer}/wiki/Special:UserLogin`);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('set-cookie')).toMatch(/HttpOnly/i);
  });

  it('lets only its owner use a proposed consumer', async () => {
    const app = await seedClient(suite.server.services, { grants: ['basic'], approve: false, owner: ADMIN.name });
    const url = `${suite.server.issuer}/w/rest.php/oauth2/authorize?${new URLSearchParams({ response_type: 'code', client_id: app.key, redirect_uri: app.redirectUri, scope: 'openid', state: 's' })}`;
    // Anonymous visitors and other users get an error page, never a redirect (test/integration/tokens/unapproved.test.ts).
    const anonymous = await authorize(new HttpSession(suite.server.issuer), url, ALICE);
    expect(anonymous.callback).toBeUndefined();
    expect(anonymous.lastResponse.status).toBe(403);
    const stranger = await authorize(await signIn(suite.server.issuer, ALICE), url, ALICE);
    expect(stranger.callback).toBeUndefined();
    const owner = await authorize(await signIn(suite.server.issuer, ADMIN), url, ADMIN);
    expect(owner.callback?.searchParams.get('code')).toBeTruthy();
  });

  it('answers prompt=none with login_required without a session and after a site logout', async () => {
    const app = await seedClient(suite.server.services, { grants: ['basic'] });
    const params = { response_type: 'code', client_id: app.key, redirect_uri: app.redirectUri, scope: 'openid', state: 's' };
    const url = (extra: Record<string, string> = {}) => `${suite.server.issuer}/w/rest.php/oauth2/authorize?${new URLSearchParams({ ...params, ...extra })}`;
    const agent = new HttpSession(suite.server.issuer);
    const none = await authorize(agent, url({ prompt: 'none' }), ALICE);
    expect(none.callback?.searchParams.get('error')).toBe('login_required');

    expect((await authorize(agent, url(), ALICE)).callback?.searchParams.get('code')).toBeTruthy();
    const silent = await authorize(agent, url({ prompt: 'none' }), ALICE);
    expect(silent.callback?.searchParams.get('code')).toBeTruthy();

    const logout = await agent.get('/wiki/Special:UserLogout');
    const { fields } = formFields(await logout.text());
    await agent.postForm('/wiki/Special:UserLogout', fields);
    const after = await authorize(agent, url({ prompt: 'none' }), ALICE);
    expect(after.callback?.searchParams.get('error')).toBe('login_required');
  });

  it('answers a cancelled consent with access_denied at the redirect URI', async () => {
    const app = await seedClient(suite.server.services, { grants: ['basic'] });
    const url = `${suite.server.issuer}/w/rest.php/oauth2/authorize?${new URLSearchParams({ response_type: 'code', client_id: app.key, redirect_uri: app.redirectUri, scope: 'openid', state: 'c' })}`;
    const outcome = await authorize(new HttpSession(suite.server.issuer), url, BOB, { decision: 'cancel' });
    expect(outcome.consentShown).toBe(true);
    expect(outcome.callback?.searchParams.get('error')).toBe('access_denied');
    expect(outcome.callback?.searchParams.get('state')).toBe('c');
  });

  it('asks for the password again for prompt=login, and puts auth_time in the id_token', async () => {
    const app = await seedClient(suite.server.services, { grants: ['basic'] });
    const agent = new HttpSession(suite.server.issuer);
    const base = { response_type: 'code', client_id: app.key, redirect_uri: app.redirectUri, scope: 'openid', state: 's' };
    await authorize(agent, `${suite.server.issuer}/w/rest.php/oauth2/authorize?${new URLSearchParams(base)}`, ALICE);
    const res = await agent.follow(`${suite.server.issuer}/w/rest.php/oauth2/authorize?${new URLSearchParams({ ...base, prompt: 'login' })}`);
    const html = await res.text();
    expect(html).toContain('id="userloginForm"');
    expect(html).toContain('confirm your password');

    const before = Math.floor(Date.now() / 1000);
    const again = await authorize(agent, `${suite.server.issuer}/w/rest.php/oauth2/authorize?${new URLSearchParams({ ...base, prompt: 'login' })}`, ALICE);
    const code = again.callback!.searchParams.get('code')!;
    const res2 = await fetch(`${suite.server.issuer}/w/rest.php/oauth2/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${app.key}:${app.secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: app.redirectUri }),
    });
    const tokens = (await res2.json()) as { id_token: string };
    const claims = JSON.parse(Buffer.from(tokens.id_token.split('.')[1]!, 'base64url').toString());
    expect(typeof claims.auth_time).toBe('number');
    expect(claims.auth_time).toBeGreaterThanOrEqual(before);
  });
});
