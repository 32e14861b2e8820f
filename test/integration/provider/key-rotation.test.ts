import * as client from 'openid-client';
import * as jose from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize } from '../../helpers/authorize.js';
import { lines, REPO_ROOT, runCli } from '../../helpers/cli.js';
import { TEST_SECRET_KEY } from '../../helpers/config.js';
import { sqliteDatabase, type TestDatabase } from '../../helpers/databases.js';
import { ALICE, seedClient, type SeededClient } from '../../helpers/fixtures.js';
import { HttpSession } from '../../helpers/http-session.js';
import { startSeededServer, startServer, type TestServer } from '../../helpers/server.js';
import { pkceAuthorizationUrl } from '../../helpers/pkce.js';

// Token lifetimes short enough that "retire after the longest token lifetime" is testable, and long
// enough that the three CLI runs between the new key's activation and the early retire finish within
// it on a loaded machine (each is a Node start: seconds under load).
const TTL = 15;
const ACTIVATE_IN = 3;

/**
 * Signing-key rotation (issue 7 §4): `wikiauth keys rotate` publishes a new key in JWKS before it
 * signs; every instance rebuilds its provider from the key set; tokens signed before the rotation
 * keep verifying until `wikiauth keys retire`, which waits for the longest token lifetime.
 */
describe('signing-key rotation with `wikiauth keys rotate` and `keys retire`', () => {
  let db: TestDatabase;
  let server: TestServer;
  let other: TestServer;
  let app: SeededClient;
  let config: client.Configuration;

  const cli = (...args: string[]) => runCli(args, { env: { DATABASE_URL: db.url, SECRET_KEY: TEST_SECRET_KEY, ID_TOKEN_TTL: String(TTL), ACCESS_TOKEN_TTL: String(TTL) }, cwd: REPO_ROOT });
  const jwks = async (s: TestServer) => ((await (await fetch(`${s.issuer}/w/rest.php/oauth2/jwks`)).json()) as jose.JSONWebKeySet);
  // ID-token signing keys; JWKS also publishes the OAuth 2 access-token key, which does not rotate here.
  const kids = async (s: TestServer) => {
    const accessTokenKid = (await s.services.keys.keySet()).accessToken.kid;
    return (await jwks(s)).keys.map((k) => k.kid).filter((kid) => kid !== accessTokenKid);
  };
  const until = async (what: string, condition: () => Promise<boolean>) => {
    const deadline = Date.now() + 15_000;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  const signIn = async () => {
    const { url, verifier } = await pkceAuthorizationUrl(config, { redirect_uri: app.redirectUri, scope: 'openid' });
    const outcome = await authorize(new HttpSession(server.issuer), url.href, ALICE);
    const tokens = await client.authorizationCodeGrant(config, outcome.callback!, { pkceCodeVerifier: verifier, idTokenExpected: true });
    return tokens.id_token!;
  };
  /** Signature and claims as of the token's issue time: is it still verifiable with today's JWKS? */
  const verifies = async (idToken: string, s: TestServer) => {
    const { iat } = jose.decodeJwt(idToken);
    try {
      await jose.jwtVerify(idToken, jose.createLocalJWKSet(await jwks(s)), { issuer: server.issuer, audience: app.key, currentDate: new Date(iat! * 1000) });
      return true;
    } catch (err) {
      if (err instanceof jose.errors.JWKSNoMatchingKey) return false;
      throw err;
    }
  };

  beforeAll(async () => {
    db = sqliteDatabase();
    const env = { ID_TOKEN_TTL: String(TTL), ACCESS_TOKEN_TTL: String(TTL) };
    server = await startSeededServer(db, env);
    // A second instance on the same database: it learns of key changes by itself.
    other = await startServer(db, { ...env, ISSUER: server.issuer });
    app = await seedClient(server.services);
    config = await client.discovery(new URL(server.issuer), app.key, app.secret, undefined, { execute: [client.allowInsecureRequests] });
  });

  afterAll(async () => {
    await other?.close();
    await server?.close();
    await db?.drop();
  });

  it('publishes the new key at once, signs with it from its activation time, and verifies old tokens until the old key is retired', async () => {
    const [oldKid] = await kids(server);
    const before = await signIn();
    expect(jose.decodeProtectedHeader(before).kid).toBe(oldKid);

    const rotated = await cli('keys', 'rotate', '--activate-in', String(ACTIVATE_IN));
    expect(rotated.code, rotated.stderr).toBe(0);
    const newKid = /Published signing key (\S+);/.exec(rotated.stdout)![1]!;

    // Published before it signs: JWKS holds both keys, on both instances, while the old key still signs.
    await until('both instances publish both keys', async () => (await kids(server)).length === 2 && (await kids(other)).length === 2);
    expect(new Set(await kids(server))).toEqual(new Set([oldKid, newKid]));
    const duringOverlap = await signIn();
    if (Date.now() < Date.parse(rotatedActivation(rotated.stdout))) expect(jose.decodeProtectedHeader(duringOverlap).kid).toBe(oldKid);

    // From its activation time, the new key signs.
    await until('new id_tokens carry the new kid', async () => jose.decodeProtectedHeader(await signIn()).kid === newKid);
    const listed = lines((await cli('keys', 'list')).stdout).filter((l) => l.includes('\tsig\t'));
    expect(listed.find((l) => l.startsWith(newKid))).toContain('\tsigning\t');
    expect(listed.find((l) => l.startsWith(oldKid!))).toContain('\tpublished\t');

    // The id_token issued before the rotation still verifies.
    expect(await verifies(before, server)).toBe(true);
    expect(await verifies(before, other)).toBe(true);

    // The signing key cannot be retired; the old one not before the longest token lifetime has passed.
    const inUse = await cli('keys', 'retire', newKid);
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toMatch(/signing tokens now/);
    const tooEarly = await cli('keys', 'retire', oldKid!);
    if (tooEarly.code === 0) throw new Error('retired a key whose tokens may still be valid');
    expect(tooEarly.stderr).toMatch(/may still be valid for \d+ s; retire it later or pass --force/);

    await new Promise((resolve) => setTimeout(resolve, TTL * 1000));
    const retired = await cli('keys', 'retire', oldKid!);
    expect(retired.code, retired.stderr).toBe(0);
    await until('both instances stop publishing the old key', async () => (await kids(server)).length === 1 && (await kids(other)).length === 1);
    expect(await kids(other)).toEqual([newKid]);
    expect(await verifies(before, server)).toBe(false);
    expect(jose.decodeProtectedHeader(await signIn()).kid).toBe(newKid);
  });
});

/** "…; it signs from 20261124094200 (UTC)." → ISO time. */
function rotatedActivation(stdout: string): string {
  const ts = /signs from (\d{14})/.exec(stdout)![1]!;
  return `${ts.slice(0, 4)}-${ts.slice(4, 6)}-${ts.slice(6, 8)}T${ts.slice(8, 10)}:${ts.slice(10, 12)}:${ts.slice(12, 14)}Z`;
}
