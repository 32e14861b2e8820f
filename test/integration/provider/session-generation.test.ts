import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, type TestDatabase } from '../../helpers/databases.js';
import { formFields, HttpSession } from '../../helpers/http-session.js';
import { startServer, type TestServer } from '../../helpers/server.js';

// Sessions follow the account: a password change or a block made through one instance ends the
// user's site sessions on every instance (the old cookie gets the sign-in page again).
describe.each(DIALECTS)('site sessions after account changes on %s', (_name, makeDb) => {
  let db: TestDatabase;
  let one: TestServer;
  let two: TestServer;

  beforeAll(async () => {
    db = await makeDb();
    one = await startServer(db);
    two = await startServer(db);
  });

  afterAll(async () => {
    await Promise.all([one?.close(), two?.close()]);
    await db?.drop();
  });

  async function signIn(name: string, password: string): Promise<string> {
    await one.services.accounts.create({ name, password });
    const agent = new HttpSession(one.issuer);
    const { fields } = formFields(await (await agent.get('/wiki/Special:UserLogin')).text());
    expect((await agent.postForm('/wiki/Special:UserLogin', { ...fields, wpName: name, wpPassword: password })).status).toBe(303);
    return `wikiauth_session=${agent.cookie('wikiauth_session')}`;
  }

  /** Special:UserLogin sends a signed-in user on (redirect) and shows others the form. */
  async function signedIn(server: TestServer, cookie: string): Promise<boolean> {
    const res = await fetch(`${server.issuer}/wiki/Special:UserLogin`, { headers: { cookie }, redirect: 'manual' });
    await res.arrayBuffer();
    return res.status >= 300 && res.status < 400;
  }

  it('a password change ends the old sessions everywhere; a new sign-in works', async () => {
    const cookie = await signIn('Pat', 'pat-password-1');
    expect([await signedIn(one, cookie), await signedIn(two, cookie)]).toEqual([true, true]);
    await two.services.accounts.setPassword('Pat', 'pat-password-2');
    expect([await signedIn(one, cookie), await signedIn(two, cookie)]).toEqual([false, false]);
    const agent = new HttpSession(one.issuer);
    const { fields } = formFields(await (await agent.get('/wiki/Special:UserLogin')).text());
    expect((await agent.postForm('/wiki/Special:UserLogin', { ...fields, wpName: 'Pat', wpPassword: 'pat-password-2' })).status).toBe(303);
  });

  it('a block ends the sessions; another user stays signed in', async () => {
    const blocked = await signIn('Quinn', 'quinn-password-1');
    const other = await signIn('Robin', 'robin-password-1');
    await one.services.accounts.block('Quinn', 'vandalism');
    expect(await signedIn(two, blocked)).toBe(false);
    expect(await signedIn(two, other)).toBe(true);
  });
});
