import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { openServices, type Services } from '../../../src/services.js';
import { authorize } from '../../helpers/authorize.js';
import { REPO_ROOT, runCli } from '../../helpers/cli.js';
import { TEST_SECRET_KEY } from '../../helpers/config.js';
import { mariadbDatabase, type TestDatabase } from '../../helpers/databases.js';
import { ALICE, seedClient, seedUsers, type SeededClient } from '../../helpers/fixtures.js';
import { formFields, HttpSession } from '../../helpers/http-session.js';
import { startServerProcess, TestRedisServer, type ServerProcess } from '../../helpers/processes.js';
import { freePort } from '../../helpers/server.js';

/** Issue 4: Redis goes away mid-run; requests that need it fail fast with 503, durable data survives. */
describe('a Redis outage on MariaDB + Redis', () => {
  let redis: TestRedisServer;
  let database: TestDatabase;
  let server: ServerProcess;
  let services: Services;
  let app: SeededClient;
  let oidc: client.Configuration;
  let agent: HttpSession;
  let refreshToken: string;

  beforeAll(async () => {
    redis = await TestRedisServer.start();
    database = await mariadbDatabase();
    const port = String(await freePort());
    const env = { DATABASE_URL: database.url, SECRET_KEY: TEST_SECRET_KEY, REDIS_URL: redis.url, REDIS_PREFIX: `outage_${randomBytes(4).toString('hex')}:`, PORT: port, ISSUER: `http://127.0.0.1:${port}` };
    expect((await runCli(['migrate'], { env, cwd: REPO_ROOT })).code).toBe(0);
    server = await startServerProcess(env);
    services = await openServices(loadConfig(env));
    await seedUsers(services);
    app = await seedClient(services, { grants: ['mwoauth-authonlyprivate'] });
    oidc = await client.discovery(new URL(server.url), app.key, app.secret, undefined, { execute: [client.allowInsecureRequests] });
    agent = new HttpSession(server.url);
  });

  afterAll(async () => {
    await server?.stop();
    await services?.close();
    await redis?.stop();
    await database?.drop();
  });

  const authorizeUrl = (scope: string, extra: Record<string, string> = {}) =>
    client.buildAuthorizationUrl(oidc, { redirect_uri: app.redirectUri, scope, ...extra }).href;
  const clientCredentials = () =>
    fetch(`${server.url}/w/rest.php/oauth2/access_token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${app.key}:${app.secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
  const durableCounts = async () => ({
    consumers: Number((await services.db('oauth_registered_consumer').count({ n: '*' }))[0]!.n),
    authorizations: Number((await services.db('oauth_accepted_consumer').count({ n: '*' }))[0]!.n),
    grants: Number((await services.db('wikiauth_grant').count({ n: '*' }))[0]!.n),
    refreshTokens: Number((await services.db('wikiauth_artifact').where('wa_model', 'RefreshToken').whereNull('wa_consumed').count({ n: '*' }))[0]!.n),
  });
  async function timed(request: () => Promise<Response>): Promise<{ status: number; ms: number; body: string }> {
    const started = Date.now();
    const res = await request();
    return { status: res.status, body: await res.text(), ms: Date.now() - started };
  }

  it('serves, fails fast with 503 while Redis is down, and recovers without a restart or lost data', async () => {
    // Before: a signed-in user with an offline grant, and a working client_credentials client.
    const outcome = await authorize(agent, authorizeUrl('openid offline_access', { prompt: 'consent' }), ALICE);
    const tokens = await client.authorizationCodeGrant(oidc, outcome.callback!);
    refreshToken = tokens.refresh_token!;
    expect(refreshToken).toBeTruthy();
    expect((await clientCredentials()).status).toBe(200);
    const before = await durableCounts();
    expect(before).toMatchObject({ consumers: 1, authorizations: 1, grants: 1, refreshTokens: 1 });

    // Load runs while Redis stops: every answer is 200 or 503, never a 500 or a hang.
    const statuses: number[] = [];
    let slowest = 0;
    let loading = true;
    const load = (async () => {
      while (loading) {
        const { status, ms } = await timed(clientCredentials);
        statuses.push(status);
        slowest = Math.max(slowest, ms);
        await sleep(20);
      }
    })();
    const stopLoad = async () => {
      loading = false;
      await load;
    };
    onTestFinished(() => stopLoad().catch(() => undefined));
    await sleep(200);
    await redis.stop();
    await sleep(1500);

    const token = await timed(clientCredentials);
    expect(token.status).toBe(503);
    expect(token.ms).toBeLessThan(5000);
    expect(JSON.parse(token.body)).toMatchObject({ error: 'temporarily_unavailable' });

    // Continuing a browser sign-in needs the session store.
    const signIn = await timed(() => agent.get(authorizeUrl('openid')));
    expect(signIn.status).toBe(503);
    expect(signIn.ms).toBeLessThan(5000);
    // Signing in needs the throttle counters and the session store.
    const visitor = new HttpSession(server.url);
    const loginPage = await visitor.get('/wiki/Special:UserLogin');
    expect(loginPage.status).toBe(200);
    const { fields, action } = formFields(await loginPage.text());
    const login = await timed(() => visitor.postForm(action!, { ...fields, wpName: ALICE.name, wpPassword: ALICE.password }));
    expect(login.status).toBe(503);
    expect(login.ms).toBeLessThan(5000);

    const ready = await timed(() => fetch(`${server.url}/readyz`));
    expect(ready.status).toBe(503);
    expect(ready.ms).toBeLessThan(5000);
    expect(JSON.parse(ready.body)).toMatchObject({ status: 'unavailable', dependencies: { database: 'up', redis: 'down' } });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    // Durable tokens live in SQL: an offline refresh and its userinfo keep working.
    const refreshed = await client.refreshTokenGrant(oidc, refreshToken);
    refreshToken = refreshed.refresh_token!;
    const alice = await services.accounts.findByName(ALICE.name);
    expect((await client.fetchUserInfo(oidc, refreshed.access_token, String(alice!.id))).sub).toBe(String(alice!.id));

    // Redis comes back (empty): the same process recovers on its own.
    await redis.restart();
    const recoveredBy = Date.now() + 10_000;
    let recovered = await timed(clientCredentials);
    while (recovered.status !== 200 && Date.now() < recoveredBy) {
      await sleep(100);
      recovered = await timed(clientCredentials);
    }
    expect(recovered.status).toBe(200);
    await stopLoad();
    expect(new Set(statuses)).toEqual(new Set([200, 503]));
    expect(slowest).toBeLessThan(5000);
    expect(server.child.exitCode).toBeNull();
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);

    // Nothing durable was lost: the consumer, the authorization and grant, the refresh token.
    expect(await durableCounts()).toEqual(before);
    const again = await client.refreshTokenGrant(oidc, refreshToken);
    expect(again.access_token).toBeTruthy();
    // The site session was short-lived data: the user signs in again, and the grant skips consent.
    const next = await authorize(agent, authorizeUrl('openid offline_access'), ALICE);
    expect(next.callback?.searchParams.get('code')).toBeTruthy();
    expect(next.consentShown).toBe(false);
  });

  it('answers 503 within seconds while Redis hangs, and recovers when it answers again', async () => {
    expect((await clientCredentials()).status).toBe(200);
    redis.pause();
    try {
      const token = await timed(clientCredentials);
      expect(token.status).toBe(503);
      expect(token.ms).toBeLessThan(5000);
      const ready = await timed(() => fetch(`${server.url}/readyz`));
      expect([ready.status, JSON.parse(ready.body).dependencies.redis]).toEqual([503, 'down']);
      expect(ready.ms).toBeLessThan(5000);
    } finally {
      redis.resume();
    }
    const deadline = Date.now() + 10_000;
    let status = (await clientCredentials()).status;
    while (status !== 200 && Date.now() < deadline) {
      await sleep(100);
      status = (await clientCredentials()).status;
    }
    expect(status).toBe(200);
  });

  it('starts while Redis is down, reports it, and picks Redis up when it comes', async () => {
    await redis.stop();
    const port = String(await freePort());
    const late = await startServerProcess({ DATABASE_URL: database.url, SECRET_KEY: TEST_SECRET_KEY, REDIS_URL: redis.url, REDIS_PREFIX: `late_${randomBytes(4).toString('hex')}:`, PORT: port });
    try {
      const ready = await fetch(`${late.url}/readyz`);
      expect([ready.status, await ready.json()]).toEqual([503, { status: 'unavailable', dependencies: { database: 'up', redis: 'down' } }]);
      await redis.restart();
      const deadline = Date.now() + 10_000;
      while ((await fetch(`${late.url}/readyz`)).status !== 200 && Date.now() < deadline) await sleep(100);
      expect((await fetch(`${late.url}/readyz`)).status).toBe(200);
      expect(late.child.exitCode).toBeNull();
    } finally {
      await late.stop();
    }
  });
});

