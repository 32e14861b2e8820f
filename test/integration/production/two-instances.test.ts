import { setTimeout as sleep } from 'node:timers/promises';
import * as jose from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { openServices, type Services } from '../../../src/services.js';
import { SqlConsumerRepository } from '../../../src/storage/sql/sql-consumer-repository.js';
import { authorize } from '../../helpers/authorize.js';
import { REPO_ROOT, runCli } from '../../helpers/cli.js';
import { TEST_SECRET_KEY } from '../../helpers/config.js';
import { mariadbRedisDatabase, type TestDatabase } from '../../helpers/databases.js';
import { ALICE, seedClient, seedUsers, type SeededClient } from '../../helpers/fixtures.js';
import { HttpSession } from '../../helpers/http-session.js';
import { startServerProcess, type ServerProcess } from '../../helpers/processes.js';
import { freePort } from '../../helpers/server.js';
import { pkceAuthorizationUrl } from '../../helpers/pkce.js';

/**
 * Issue 4: several identical instances share one MariaDB + Redis. Nothing a second instance needs
 * lives in process memory; per-process caches (consumers, key set) expire within seconds.
 */
describe('two server processes on one MariaDB + Redis', () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  let a: ServerProcess;
  let b: ServerProcess;
  let services: Services;
  let app: SeededClient;
  let viaA: client.Configuration;
  let viaB: client.Configuration;
  let agent: HttpSession;
  let offline: { refreshToken: string; sub: string };

  beforeAll(async () => {
    database = await mariadbRedisDatabase();
    const portA = String(await freePort());
    // Behind a load balancer both instances share one issuer; here it is A's address.
    env = { DATABASE_URL: database.url, SECRET_KEY: TEST_SECRET_KEY, ...database.env, ISSUER: `http://127.0.0.1:${portA}`, REFRESH_TOKEN_GRACE_PERIOD: '0' };
    expect((await runCli(['migrate'], { env, cwd: REPO_ROOT })).code).toBe(0);
    [a, b] = await Promise.all([startServerProcess({ ...env, PORT: portA }), startServerProcess(env)]);
    services = await openServices(loadConfig(env));
    await seedUsers(services);
    app = await seedClient(services, { grants: ['mwoauth-authonlyprivate'] });
    viaA = await client.discovery(new URL(a.url), app.key, app.secret, undefined, { execute: [client.allowInsecureRequests] });
    viaB = await configurationOn(b, app);
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await services?.close();
    await database?.drop();
  });

  /** Start an offline authorization on one instance and finish it on the other; redeem the code on the first. */
  async function signIn(first: ServerProcess, second: ServerProcess) {
    const viaFirst = first === a ? viaA : viaB;
    const state = client.randomState();
    const { url, verifier } = await pkceAuthorizationUrl(viaFirst, { redirect_uri: app.redirectUri, scope: 'openid offline_access', prompt: 'consent', state });
    const started = await agent.get(url.href);
    expect(started.status).toBe(303);
    const interaction = new URL(started.headers.get('location')!, first.url);
    expect(interaction.pathname).toMatch(/^\/wiki\/Special:OAuthInteraction\//);

    // Sign-in, consent and the resumed authorization all happen on the second. (Behind a load
    // balancer both share one host; here the resume URL the first recorded names its own address.)
    const onSecond = (target: URL) => new URL(target.pathname + target.search, second.url).href;
    let outcome = await authorize(agent, onSecond(interaction), ALICE);
    let consentShown = outcome.consentShown;
    while (outcome.callback?.origin === first.url) {
      outcome = await authorize(agent, onSecond(outcome.callback), ALICE);
      consentShown ||= outcome.consentShown;
    }
    expect(consentShown).toBe(true);
    expect(outcome.callback?.searchParams.get('code')).toBeTruthy();
    const tokens = await client.authorizationCodeGrant(viaFirst, outcome.callback!, { pkceCodeVerifier: verifier, expectedState: state });
    expect(tokens.refresh_token).toBeTruthy();
    return { refreshToken: tokens.refresh_token!, sub: tokens.claims()!.sub };
  }

  it('completes on B an authorization started on A', async () => {
    agent = new HttpSession(b.url);
    offline = await signIn(a, b);
  });

  it('introspects and refreshes on B a token issued by A', async () => {
    const fromA = await client.refreshTokenGrant(viaA, offline.refreshToken);
    const introspection = await client.tokenIntrospection(viaB, fromA.access_token);
    expect(introspection).toMatchObject({ active: true, sub: offline.sub, client_id: app.key });
    const fromB = await client.refreshTokenGrant(viaB, fromA.refresh_token!);
    expect(fromB.access_token).toBeTruthy();
    expect((await client.fetchUserInfo(viaA, fromB.access_token, offline.sub)).sub).toBe(offline.sub);
    // A's rotated refresh token is spent on both; with no grace period (set above) its reuse revokes the
    // grant everywhere (RFC 9700 §4.14.2).
    await expect(client.refreshTokenGrant(viaA, fromA.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(client.refreshTokenGrant(viaB, fromB.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect((await client.tokenIntrospection(viaA, fromB.access_token)).active).toBe(false);
  });

  it('refuses on A, within seconds, a consumer disabled through B', async () => {
    const other = await seedClient(services, { grants: ['editpage'], grantTypes: ['client_credentials'] });
    const otherViaA = await client.discovery(new URL(a.url), other.key, other.secret, undefined, { execute: [client.allowInsecureRequests] });
    expect((await client.clientCredentialsGrant(otherViaA)).access_token).toBeTruthy();

    // The admin's change lands in the shared database (as Special:OAuthManageConsumers on B would).
    await new SqlConsumerRepository(services.db).update(other.id, { stage: 'disabled' });
    const disabledAt = Date.now();
    let refusedAfter: number | undefined;
    while (Date.now() - disabledAt < 10_000) {
      try {
        await client.clientCredentialsGrant(otherViaA);
        await sleep(200);
      } catch (err) {
        expect(err).toMatchObject({ error: 'invalid_client' });
        refusedAfter = Date.now() - disabledAt;
        break;
      }
    }
    expect(refusedAfter).toBeDefined();
    expect(refusedAfter!).toBeLessThan(5000);
  });

  it('serves a key rotated with `wikiauth keys rotate` from both instances', async () => {
    const rotated = await runCli(['keys', 'rotate', '--activate-in', '0'], { env, cwd: REPO_ROOT });
    expect(rotated.code).toBe(0);
    const kid = /Published signing key (\S+);/.exec(rotated.stdout)![1]!;

    const kidsOf = async (server: ServerProcess) =>
      ((await (await fetch(`${server.url}/w/rest.php/oauth2/jwks`)).json()) as { keys: Array<{ kid: string }> }).keys.map((key) => key.kid);
    const deadline = Date.now() + 10_000;
    while (!((await kidsOf(a)).includes(kid) && (await kidsOf(b)).includes(kid)) && Date.now() < deadline) await sleep(200);
    expect(await kidsOf(a)).toContain(kid);
    expect(await kidsOf(b)).toContain(kid);

    // Both sign new ID tokens with it, and each one's token verifies against the other's JWKS.
    offline = await signIn(b, a);
    const fromB = await client.refreshTokenGrant(viaB, offline.refreshToken);
    const fromA = await client.refreshTokenGrant(viaA, fromB.refresh_token!);
    for (const [idToken, verifier] of [
      [fromB.id_token!, a],
      [fromA.id_token!, b],
    ] as const) {
      expect(jose.decodeProtectedHeader(idToken).kid).toBe(kid);
      const jwks = jose.createRemoteJWKSet(new URL(`${verifier.url}/w/rest.php/oauth2/jwks`));
      await expect(jose.jwtVerify(idToken, jwks, { issuer: env.ISSUER, audience: app.key })).resolves.toBeTruthy();
    }
  });
});

/** A client configuration against instance B: the shared issuer, B's endpoints. */
async function configurationOn(server: ServerProcess, app: SeededClient): Promise<client.Configuration> {
  const metadata = (await (await fetch(`${server.url}/.well-known/openid-configuration`)).json()) as client.ServerMetadata;
  expect(new URL(metadata.token_endpoint!).origin).toBe(server.url);
  const configuration = new client.Configuration(metadata, app.key, app.secret);
  client.allowInsecureRequests(configuration);
  return configuration;
}
