import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, type TestDatabase } from '../../helpers/databases.js';
import { formFields, HttpSession } from '../../helpers/http-session.js';
import { startServer, type TestServer } from '../../helpers/server.js';

// MediaWiki's $wgPasswordAttemptThrottle (5 in 5 minutes per account and address), counted on the
// canonical account and atomically, through the real sign-in form.
describe.each(DIALECTS)('sign-in throttle on %s', (_name, makeDb) => {
  let db: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    db = await makeDb();
    server = await startServer(db);
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  /** A browser with the login form open: posting needs its cookie and CSRF token. */
  async function loginForm() {
    const agent = new HttpSession(server.issuer);
    const { fields } = formFields(await (await agent.get('/wiki/Special:UserLogin')).text());
    return (name: string, password: string) => agent.postForm('/wiki/Special:UserLogin', { ...fields, wpName: name, wpPassword: password });
  }

  it('counts Name, Name_ and name as one account', async () => {
    await server.services.accounts.create({ name: 'Mallory', password: 'mallory-password-1' });
    const post = await loginForm();
    const statuses = [];
    for (const name of ['Mallory', 'Mallory_', 'mallory', 'Mallory__', 'mallory_']) statuses.push((await post(name, 'wrong')).status);
    expect(statuses).toEqual([400, 400, 400, 400, 400]);
    expect((await post('Mallory', 'mallory-password-1')).status).toBe(429);
  });

  it('checks exactly five of 30 parallel wrong passwords and refuses the rest', async () => {
    await server.services.accounts.create({ name: 'Target', password: 'target-password-1' });
    const posts = await Promise.all(Array.from({ length: 30 }, () => loginForm()));
    const statuses = await Promise.all(posts.map(async (post) => (await post('Target', 'wrong')).status));
    expect(statuses.filter((status) => status === 400)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(25);
    expect((await (await loginForm())('Target', 'target-password-1')).status).toBe(429);
  });

  // The address limit (50 in 5 minutes on any account) is for guessing across accounts: a school
  // behind one NAT address signs in far more often than that. The tests above already spent 37 of it.
  it('gives a successful sign-in its hit on the address back', async () => {
    await server.services.accounts.create({ name: 'Pupil', password: 'pupil-password-1' });
    const statuses = [];
    for (let i = 0; i < 60; i++) statuses.push((await (await loginForm())('Pupil', 'pupil-password-1')).status);
    expect(statuses.filter((status) => status !== 303)).toEqual([]);
  });
});
