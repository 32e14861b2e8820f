import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mariadbDatabase, mariadbRedisDatabase, type TestDatabase } from '../../helpers/databases.js';
import { ALICE, seedClient, type SeededClient } from '../../helpers/fixtures.js';
import { startSeededServer, startServer, type TestServer } from '../../helpers/server.js';
import { openForm, signIn } from '../../helpers/site.js';

// A day-long window: a test never straddles its end (windows are aligned on the clock).
const DAY = 86400;
const LIMITS = {
  token: { client: [3, DAY], ip: [1000, DAY] },
  oauth1: { ip: [3, DAY] },
  register: { ip: [2, DAY] },
  propose: { user: [2, DAY] },
};
const THROTTLED = /As an anti-abuse measure, you are limited from performing this action too many times/;

/**
 * Issue 14: MediaWiki-style rate limits, counted in Redis (or the database without Redis) and shared by two instances: requests
 * alternate between them and the (N+1)th is refused with 429 and Retry-After, in the format of the
 * protocol it came in (OAuth JSON, OAuth 1.0a `Error: …`, MediaWiki REST JSON, an HTML page).
 */
describe.each([
  ['Redis', mariadbRedisDatabase],
  ['the database (no Redis)', mariadbDatabase],
] as const)('rate limits on two instances sharing their counters in %s', (_name, makeDb) => {
  let db: TestDatabase;
  let a: TestServer;
  let b: TestServer;
  let app: SeededClient;
  const both = () => [a, b, a, b, a, b];

  beforeAll(async () => {
    db = await makeDb();
    const env = { RATE_LIMITS: JSON.stringify(LIMITS), REGISTRATION: 'open' };
    a = await startSeededServer(db, env);
    b = await startServer(db, env);
    app = await seedClient(a.services, { grants: ['editpage'] });
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.drop();
  });

  function expectRetryAfter(res: Response): void {
    expect(res.status).toBe(429);
    const seconds = Number(res.headers.get('retry-after'));
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(DAY);
  }

  it('token endpoint: the 4th request of a client gets OAuth JSON 429 with Retry-After', async () => {
    const statuses: number[] = [];
    let refused: Response | undefined;
    for (const server of both().slice(0, 4)) {
      const res = await fetch(`${server.issuer}/w/rest.php/oauth2/access_token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${app.key}:${app.secret}`).toString('base64')}` },
        body: 'grant_type=client_credentials&scope=editpage',
      });
      statuses.push(res.status);
      if (res.status === 429) refused = res;
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expectRetryAfter(refused!);
    expect(await refused!.json()).toMatchObject({ error: 'temporarily_unavailable', error_description: expect.stringMatching(THROTTLED) });
    // The same client in the body (client_secret_post) counts against the same bucket.
    const posted = await fetch(`${b.issuer}/w/rest.php/oauth2/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: app.key, client_secret: app.secret }).toString(),
    });
    expectRetryAfter(posted);
  });

  it('OAuth 1.0a initiate: the 4th request from an address gets MediaWiki\'s "Error: …" with 429', async () => {
    const bodies: string[] = [];
    let last: Response | undefined;
    for (const server of both().slice(0, 4)) {
      last = await fetch(`${server.issuer}/w/index.php?title=Special:OAuth/initiate&format=raw`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'oauth_consumer_key=0123456789abcdef0123456789abcdef' });
      bodies.push(await last.text());
    }
    expect(bodies.slice(0, 3).every((body) => body.startsWith('Error: ') && !THROTTLED.test(body))).toBe(true);
    expectRetryAfter(last!);
    expect(last!.headers.get('content-type')).toBe('text/plain; charset=UTF-8');
    expect(bodies[3]).toMatch(/^Error: .*As an anti-abuse measure/);
  });

  it('dynamic registration: the 3rd registration from an address gets OAuth JSON 429', async () => {
    const statuses: number[] = [];
    let last: Response | undefined;
    for (const server of both().slice(0, 3)) {
      last = await fetch(`${server.issuer}/w/rest.php/oauth2/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_name: 'Spam', redirect_uris: ['https://spam.example/cb'] }),
      });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([201, 201, 429]);
    expectRetryAfter(last!);
    expect(await last!.json()).toMatchObject({ error: 'temporarily_unavailable' });
  });

  it('consumer proposals: the 3rd of a user gets MediaWiki REST JSON 429, and the page form an HTML 429', async () => {
    // One site session, used on both instances (the test agent's cookie jar is not per origin).
    const alice = await signIn(a.issuer, ALICE);
    const token = (await openForm(alice, '/wiki/Special:OAuthConsumerRegistration/propose/oauth2', 'mw-consumer-propose-form')).fields.wpEditToken!;
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 3; i++) {
      last = await alice.request(`${[a, b, a][i]!.issuer}/w/rest.php/oauth2/client`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: `Proposal ${i}`, description: 'd', email: ALICE.email, is_confidential: true, grant_types: ['authorization_code'], scopes: ['editpage'], callback_url: 'https://p.example/cb', token }),
      });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 429]);
    expectRetryAfter(last!);
    expect(await last!.json()).toMatchObject({ errorKey: 'actionthrottledtext', httpCode: 429, messageTranslations: { en: expect.stringMatching(THROTTLED) } });
    const page = await openForm(alice, '/wiki/Special:OAuthConsumerRegistration/propose/oauth2', 'mw-consumer-propose-form');
    const form = await alice.postForm(page.action, { ...page.fields, wpname: 'Page proposal', wpversion: '1.0', wpdescription: 'd', wpcallbackUrl: 'https://p.example/cb', wpemail: ALICE.email, wpagreement: '1' });
    expectRetryAfter(form);
    expect(form.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await form.text()).toMatch(THROTTLED);
  });
});
