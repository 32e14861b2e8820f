import { setTimeout as sleep } from 'node:timers/promises';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { openServices, type Services } from '../../../src/services.js';
import { REPO_ROOT, runCli } from '../../helpers/cli.js';
import { TEST_SECRET_KEY } from '../../helpers/config.js';
import { MYSQL_SERVER, mariadbRedisDatabase, type TestDatabase } from '../../helpers/databases.js';
import { seedClient, seedUsers, type SeededClient } from '../../helpers/fixtures.js';
import { startServerProcess, type ServerProcess } from '../../helpers/processes.js';
import { freePort } from '../../helpers/server.js';
import { CuttableTcpProxy } from '../../helpers/tcp-proxy.js';

/** Issue 4: MariaDB unreachable (the connection cut by a relay): 503 within 5 s, /readyz names it, recovery on its own. */
describe('a MariaDB outage on MariaDB + Redis', () => {
  let database: TestDatabase;
  let relay: CuttableTcpProxy;
  let server: ServerProcess;
  let services: Services;
  let app: SeededClient;
  /** Never looked up before the cut, so no per-process cache can answer for it. */
  let unseen: SeededClient;
  let oidc: client.Configuration;

  beforeAll(async () => {
    database = await mariadbRedisDatabase();
    const env = { DATABASE_URL: database.url, SECRET_KEY: TEST_SECRET_KEY, ...database.env };
    expect((await runCli(['migrate'], { env, cwd: REPO_ROOT })).code).toBe(0);
    services = await openServices(loadConfig(env));
    await seedUsers(services);
    app = await seedClient(services, { grants: ['editpage'], grantTypes: ['client_credentials'] });
    unseen = await seedClient(services, { grants: ['editpage'] });
    const mysql = new URL(MYSQL_SERVER);
    relay = await CuttableTcpProxy.start({ host: mysql.hostname, port: Number(mysql.port || 3306) });
    const relayed = new URL(database.url);
    relayed.port = String(relay.port);
    const port = String(await freePort());
    server = await startServerProcess({ ...env, DATABASE_URL: relayed.href, PORT: port, ISSUER: `http://127.0.0.1:${port}` });
    oidc = await client.discovery(new URL(server.url), app.key, app.secret, undefined, { execute: [client.allowInsecureRequests] });
  });

  afterAll(async () => {
    await server?.stop();
    await relay?.restore().catch(() => undefined);
    await services?.close();
    await database?.drop();
  });

  async function timed(url: string, init?: RequestInit) {
    const started = Date.now();
    const res = await fetch(url, init);
    return { status: res.status, body: await res.text(), ms: Date.now() - started };
  }
  const tokenRequest = (client = app) =>
    timed(`${server.url}/w/rest.php/oauth2/access_token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${client.key}:${client.secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });

  it('fails fast with 503 while the database is unreachable and recovers when it is back', async () => {
    expect((await client.clientCredentialsGrant(oidc)).access_token).toBeTruthy();
    await relay.cut();
    // A consumer no cache holds: every request for it needs SQL (a cached one would, too, once
    // the consumer cache's few seconds are over).
    const token = await tokenRequest(unseen);
    expect([token.status, JSON.parse(token.body).error]).toEqual([503, 'temporarily_unavailable']);
    expect(token.ms).toBeLessThan(5000);
    const ready = await timed(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.ms).toBeLessThan(5000);
    expect(JSON.parse(ready.body)).toEqual({ status: 'unavailable', dependencies: { database: 'down', redis: 'up' } });
    expect((await timed(`${server.url}/healthz`)).status).toBe(200);
    const authorizeUrl = new URL(client.buildAuthorizationUrl(oidc, { redirect_uri: unseen.redirectUri, scope: 'openid' }).href);
    authorizeUrl.searchParams.set('client_id', unseen.key);
    const authorize = await timed(authorizeUrl.href, { redirect: 'manual' });
    expect(authorize.status).toBe(503);
    expect(authorize.ms).toBeLessThan(5000);

    await relay.restore();
    const deadline = Date.now() + 10_000;
    let recovered = await tokenRequest();
    while (recovered.status !== 200 && Date.now() < deadline) {
      await sleep(200);
      recovered = await tokenRequest();
    }
    expect(recovered.status).toBe(200);
    expect((await timed(`${server.url}/readyz`)).status).toBe(200);
    expect(server.child.exitCode).toBeNull();
  });
});
