import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteDatabase, type TestDatabase } from '../../helpers/databases.js';
import { ALICE, seedClient } from '../../helpers/fixtures.js';
import { formFields, HttpSession } from '../../helpers/http-session.js';
import { startNginx, type ReverseProxy } from '../../helpers/nginx.js';
import { freePort, startSeededServer, type TestServer } from '../../helpers/server.js';
import { createTlsMaterial, type TlsMaterial } from '../../helpers/tls.js';

const SPOOFED = '10.1.2.3';
const DAY = 86400;

/**
 * Issue 14: wikiauth behind Debian's nginx terminating TLS (TRUST_PROXY=1, the README's
 * configuration). The client writes its own leftmost X-Forwarded-For entry; the address that counts
 * is the one nginx appended, so the spoofed entry moves neither an IP restriction nor a throttle.
 */
describe('behind nginx with TLS', () => {
  let tls: TlsMaterial;
  let db: TestDatabase;
  let server: TestServer;
  let nginx: ReverseProxy;
  let https: typeof fetch;

  beforeAll(async () => {
    tls = createTlsMaterial();
    https = tls.fetch;
    db = sqliteDatabase();
    const publicPort = await freePort();
    server = await startSeededServer(db, { TRUST_PROXY: '1', ISSUER: `https://127.0.0.1:${publicPort}`, RATE_LIMITS: JSON.stringify({ oauth1: { ip: [3, DAY] } }) });
    nginx = await startNginx({ upstream: `http://127.0.0.1:${new URL(server.url).port}`, certFile: tls.certFile, keyFile: tls.keyFile, port: publicPort });
  });

  afterAll(async () => {
    await nginx?.stop();
    await server?.close();
    await db?.drop();
    tls?.cleanup();
  });

  it('the app sees https: URLs it builds from the request are https, and HSTS is sent', async () => {
    // Forwarding headers the client writes itself are not believed.
    const res = await https(`${nginx.origin}/w/index.php?title=Special:OAuth/grants`, { headers: { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' } });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`${nginx.origin}/wiki/Special:ListGrants`);
    expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000');
    const page = await https(`${nginx.origin}/`);
    expect(page.headers.get('strict-transport-security')).toBe('max-age=31536000');
  });

  it('a spoofed leftmost X-Forwarded-For does not pass a consumer\'s IP restriction', async () => {
    const spoofTarget = await seedClient(server.services, { grants: ['basic'] });
    const loopback = await seedClient(server.services, { grants: ['basic'] });
    await server.services.db('oauth_registered_consumer').where('oarc_id', spoofTarget.id).update({ oarc_restrictions: `{"IPAddresses":["${SPOOFED}/32"]}` });
    await server.services.db('oauth_registered_consumer').where('oarc_id', loopback.id).update({ oarc_restrictions: '{"IPAddresses":["127.0.0.1/32"]}' });
    const scopesWith = async (app: { key: string; secret: string }) => {
      const issued = await https(`${nginx.origin}/w/rest.php/oauth2/access_token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${app.key}:${app.secret}`).toString('base64')}`, 'x-forwarded-for': SPOOFED },
        body: 'grant_type=client_credentials',
      });
      const token = ((await issued.json()) as { access_token: string }).access_token;
      return https(`${nginx.origin}/w/rest.php/oauth2/resource/scopes`, { headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': SPOOFED } });
    };
    const refused = await scopesWith(spoofTarget);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('IP address');
    expect((await scopesWith(loopback)).status).toBe(200);
  });

  it('a spoofed leftmost X-Forwarded-For does not move failed sign-ins or rate limits to another bucket', async () => {
    const agent = new HttpSession(nginx.origin, { fetch: https });
    const { action, fields } = formFields(await (await agent.get('/wiki/Special:UserLogin')).text());
    const failed = await agent.request(action!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': SPOOFED },
      body: new URLSearchParams({ ...fields, wpName: ALICE.name, wpPassword: 'wrong password' }).toString(),
    });
    expect(failed.status).toBe(400);
    // The failure is counted for the address nginx saw, not the one the client wrote.
    expect(await server.services.stores.loginThrottleCounters.count('ip:127.0.0.1')).toBe(1);
    expect(await server.services.stores.loginThrottleCounters.count(`ip:${SPOOFED}`)).toBe(0);

    // Rate limits (3 OAuth 1.0a initiates per address): a new spoofed entry each time changes nothing.
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await https(`${nginx.origin}/w/index.php?title=Special:OAuth/initiate`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': `10.9.9.${i}` }, body: 'oauth_consumer_key=x' });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});
