import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mariadbRedisDatabase, sqliteDatabase, type TestDatabase } from '../../helpers/databases.js';
import { formFields, HttpSession } from '../../helpers/http-session.js';
import { startServer, type TestServer } from '../../helpers/server.js';
import { isSignedIn, openForm, signIn } from '../../helpers/site.js';
import { oathtoolCode } from '../../helpers/totp.js';

const MANAGE = '/wiki/Special:OATHManage';
const ENABLE = `${MANAGE}?action=enable&module=totp`;
const DISABLE = `${MANAGE}?action=disable&module=totp`;
const USER = { name: 'Tess Totp', password: 'tess-password-1' };

const now = () => Date.now() / 1000;

/** The sign-in form posted with the password: the answer, its page and the browser. */
async function postPassword(origin: string, user: { name: string; password: string }) {
  const agent = new HttpSession(origin);
  const { fields } = formFields(await (await agent.get('/wiki/Special:UserLogin?returnto=%2F')).text());
  const res = await agent.postForm('/wiki/Special:UserLogin', { ...fields, wpName: user.name, wpPassword: user.password });
  return { res, agent, html: await res.text() };
}

/** The sign-in's second step: a code or a recovery code for the password just accepted. */
async function postCode(origin: string, user: { name: string; password: string }, code: string): Promise<Response> {
  const { res, agent, html } = await postPassword(origin, user);
  expect(res.status).toBe(200);
  expect(html).toContain('id="OATHToken"');
  return agent.postForm('/wiki/Special:UserLogin', { ...formFields(html).fields, OATHToken: code });
}

/** The secret as the enrolment page shows it to be typed in (groups of four), spaces removed. */
function secretOf(html: string): string | undefined {
  return /<kbd id="mw-oath-secret">([A-Z2-7 ]+)<\/kbd>/.exec(html)?.[1]!.replace(/ /g, '');
}

describe.each([
  ['sqlite', async () => sqliteDatabase()],
  ['mariadb+redis', mariadbRedisDatabase],
] as const)('Special:OATHManage, standalone, on %s', (_name, makeDb) => {
  let db: TestDatabase;
  let server: TestServer;
  let userId: number;

  beforeAll(async () => {
    db = await makeDb();
    server = await startServer(db);
    userId = (await server.services.accounts.create(USER)).id;
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  it('sends an anonymous visitor to the sign-in page and refuses an anonymous form', async () => {
    const agent = new HttpSession(server.issuer);
    const res = await agent.get(ENABLE);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`/wiki/Special:UserLogin?returnto=${encodeURIComponent(ENABLE)}`);
    const login = await agent.follow(`${server.issuer}${ENABLE}`);
    expect(await login.text()).toContain('id="userloginForm"');
    const post = await agent.postForm(ENABLE, { wpEditToken: 'x', token: '123456' });
    expect(post.status).toBe(400);
    expect(await post.text()).not.toContain('mw-oath-secret');
  });

  it("counts codes against OATHAuth's badoath limit: the eleventh in a minute is refused unchecked", async () => {
    const user = { name: 'Brute Force', password: 'brute-password-1' };
    const { id } = await server.services.accounts.create(user);
    const agent = await signIn(server.issuer, user);
    const page = await openForm(agent, ENABLE, 'mw-oath-enable-form');
    const secret = secretOf(page.html)!;
    for (let i = 0; i < 10; i++) expect((await agent.postForm(page.action, { ...page.fields, token: '000000' })).status).toBe(400);
    const throttled = await agent.postForm(page.action, { ...page.fields, token: oathtoolCode(secret, now()) });
    expect(throttled.status).toBe(429);
    expect(await throttled.text()).toContain('Too many verification attempts');
    expect(await server.services.twoFactor.isEnrolled(id)).toBe(false);
    expect(secretOf(await (await agent.get(ENABLE)).text())).toBe(secret);
  });

  it('enrols through the pages with codes from an independent TOTP implementation, and disabling ends every session', async () => {
    // The service's log (stderr), read while this journey runs.
    const logged = vi.spyOn(process.stderr, 'write');
    const agent = await signIn(server.issuer, USER);
    const other = await signIn(server.issuer, USER);
    const status = await agent.get(MANAGE);
    expect(await status.text()).toContain('not enabled');

    // The enrolment page: a server-rendered QR code, the secret as text, no script.
    const page = await openForm(agent, ENABLE, 'mw-oath-enable-form');
    const secret = secretOf(page.html)!;
    expect(secret).toMatch(/^[A-Z2-7]{42}$/); // base32 of 26 random bytes, as OATHAuth's
    expect(page.html).toMatch(/<figure class="qrcode"[^>]*><svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*>/);
    expect(page.html).not.toContain('<script');
    const uri = new URL(/href="(otpauth:[^"]+)"/.exec(page.html)![1]!.replace(/&amp;/g, '&'));
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('issuer')).toBe(new URL(server.issuer).host);
    expect(decodeURIComponent(uri.pathname)).toContain('Tess Totp');
    // Reloading shows the same pending key: an app that scanned it keeps working.
    expect(secretOf(await (await agent.get(ENABLE)).text())).toBe(secret);

    // A wrong token for the form (CSRF) changes nothing, even with a right code.
    const forged = await agent.postForm(page.action, { wpEditToken: 'forged', token: oathtoolCode(secret, now()) });
    expect(forged.status).toBe(400);
    expect(await server.services.twoFactor.isEnrolled(userId)).toBe(false);

    // A wrong code keeps the user un-enrolled and shows the same key again.
    const wrong = await agent.postForm(page.action, { ...page.fields, token: oathtoolCode(secret, now() - 3600) });
    const wrongHtml = await wrong.text();
    expect(wrong.status).toBe(400);
    expect(wrongHtml).toContain('id="mw-form-error"');
    expect(secretOf(wrongHtml)).toBe(secret);
    expect(await server.services.twoFactor.isEnrolled(userId)).toBe(false);

    // The first right code enables it and shows ten recovery codes, this once.
    const t0 = now();
    const confirmCode = oathtoolCode(secret, t0);
    const confirmed = await agent.postForm(page.action, { ...page.fields, token: confirmCode });
    const confirmedHtml = await confirmed.text();
    expect(confirmed.status, confirmedHtml.slice(0, 500)).toBe(200);
    expect(confirmed.headers.get('cache-control')).toBe('no-store');
    const scratch = [...confirmedHtml.matchAll(/<li><kbd>([A-Z2-7 ]+)<\/kbd><\/li>/g)].map((m) => m[1]!.replace(/ /g, ''));
    expect(scratch).toHaveLength(10);
    for (const token of scratch) expect(token).toMatch(/^[A-Z2-7]{16}$/);
    expect(await server.services.twoFactor.isEnrolled(userId)).toBe(true);
    // Stored in OATHAuth's row shape, so a wiki on the same database accepts it too.
    const row = await server.services.db('oathauth_users').where({ id: userId }).first();
    expect(row.module).toBe('totp');
    expect(JSON.parse(String(row.data))).toEqual({ keys: [{ secret, scratch_tokens: scratch }] });

    // The confirming code was used up; the enrolled user's pages never show the secret again.
    expect(await server.services.twoFactor.verifySecondFactor(userId, confirmCode)).toBeUndefined();
    for (const path of [ENABLE, MANAGE, DISABLE]) {
      const html = await (await agent.get(path)).text();
      expect(html).not.toContain(secret);
      expect(html).not.toContain('mw-oath-secret');
      for (const token of scratch) expect(html.replace(/ /g, '')).not.toContain(token);
    }
    const again = await agent.postForm(page.action, { ...page.fields, token: oathtoolCode(secret, t0 + 30) });
    expect(await again.text()).toContain('already enabled');

    // Signing in now takes the password and a code from the app; a recovery code works once.
    expect((await postCode(server.issuer, USER, oathtoolCode(secret, t0 + 30))).status).toBe(303);
    expect((await postCode(server.issuer, USER, scratch[3]!)).status).toBe(303);
    const reused = await postCode(server.issuer, USER, scratch[3]!);
    expect(reused.status).toBe(400);
    expect(await reused.text()).toContain('Verification failed.');

    // Disabling needs the second factor: a wrong code changes nothing.
    const disablePage = await openForm(agent, DISABLE, 'mw-oath-disable-form');
    const refused = await agent.postForm(disablePage.action, { ...disablePage.fields, token: oathtoolCode(secret, t0 - 3600) });
    expect(refused.status).toBe(400);
    expect(await server.services.twoFactor.isEnrolled(userId)).toBe(true);
    const forgedDisable = await agent.postForm(disablePage.action, { wpEditToken: 'forged', token: oathtoolCode(secret, t0 + 90) });
    expect(forgedDisable.status).toBe(400);
    expect(await server.services.twoFactor.isEnrolled(userId)).toBe(true);

    // With a current code it is off, and every site session of the user has ended.
    const cookie = `wikiauth_session=${agent.cookie('wikiauth_session')}`;
    const otherCookie = `wikiauth_session=${other.cookie('wikiauth_session')}`;
    expect(await isSignedIn(server.issuer, otherCookie)).toBe(true);
    // As OATHAuth's own form posts it: `action` and `module` among the fields.
    const disabled = await agent.postForm(MANAGE, { ...disablePage.fields, action: 'disable', module: 'totp', token: oathtoolCode(secret, t0 + 60) });
    expect(disabled.status).toBe(200);
    expect(await disabled.text()).toContain('Two-factor authentication is now disabled');
    expect(await server.services.twoFactor.isEnrolled(userId)).toBe(false);
    expect(await server.services.db('oathauth_users').where({ id: userId }).first()).toBeUndefined();
    expect(await isSignedIn(server.issuer, cookie)).toBe(false);
    expect(await isSignedIn(server.issuer, otherCookie)).toBe(false);
    const oldCookie = await fetch(`${server.issuer}${MANAGE}`, { headers: { cookie: otherCookie }, redirect: 'manual' });
    expect(oldCookie.headers.get('location')).toMatch(/^\/wiki\/Special:UserLogin\?returnto=/);

    // The password alone signs in again.
    const { res } = await postPassword(server.issuer, USER);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');

    // Both changes were logged with the user and the address, and no secret or code reached the log.
    const log = logged.mock.calls.map((call) => String(call[0])).join('');
    logged.mockRestore();
    expect(log).toContain(`two-factor authentication enabled for Tess Totp (user ${userId}) from 127.0.0.1`);
    expect(log).toContain(`two-factor authentication disabled for Tess Totp (user ${userId}) from 127.0.0.1`);
    for (const secretValue of [secret, confirmCode, ...scratch]) expect(log).not.toContain(secretValue);
  });
});
