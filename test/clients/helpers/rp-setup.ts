import * as jose from 'jose';
import { runCli, REPO_ROOT } from '../../helpers/cli.js';
import { TEST_SECRET_KEY } from '../../helpers/config.js';
import { sqliteDatabase, type TestDatabase } from '../../helpers/databases.js';
import { seedClient, type SeededClient } from '../../helpers/fixtures.js';
import { freePort, startSeededServer, type TestServer } from '../../helpers/server.js';
import { createTlsMaterial, type TlsMaterial } from '../../helpers/tls.js';

/** wikiauth on HTTPS with one OAuth 2 consumer for a relying party on `rpPort`. */
export interface RpEnvironment {
  readonly tls: TlsMaterial;
  readonly db: TestDatabase;
  readonly server: TestServer;
  readonly client: SeededClient;
  readonly rpPort: number;
  readonly rpOrigin: string;
  close(): Promise<void>;
}

export async function startRpEnvironment(opts: { callbackPath: string; env?: Record<string, string> }): Promise<RpEnvironment> {
  const tls = createTlsMaterial();
  const db = sqliteDatabase();
  const server = await startSeededServer(db, { ...tls.serverEnv, ...opts.env });
  const rpPort = await freePort();
  const rpOrigin = `http://127.0.0.1:${rpPort}`;
  const client = await seedClient(server.services, {
    name: 'Relying party',
    grants: ['mwoauth-authonlyprivate'],
    redirectUri: `${rpOrigin}${opts.callbackPath}`,
    grantTypes: ['authorization_code', 'refresh_token'],
    postLogoutRedirectUris: [`${rpOrigin}/logged-out`],
  });
  return {
    tls,
    db,
    server,
    client,
    rpPort,
    rpOrigin,
    close: async () => {
      await server.close();
      await db.drop();
      tls.cleanup();
    },
  };
}

/** The published JWKS. */
export async function publishedKids(env: RpEnvironment): Promise<string[]> {
  const res = await env.tls.fetch(`${env.server.issuer}/w/rest.php/oauth2/jwks`);
  const jwks = (await res.json()) as { keys: jose.JWK[] };
  return jwks.keys.map((k) => k.kid!);
}

/**
 * `wikiauth keys rotate --activate-in 0` as an operator runs it (a separate process on the same
 * database), then wait until the running server has rebuilt its provider from the new key set
 * (ProviderHost polls every 3 s): the JWKS shows both keys. Returns the new kid.
 */
export async function rotateKeys(env: RpEnvironment): Promise<string> {
  const before = await publishedKids(env);
  const result = await runCli(['keys', 'rotate', '--activate-in', '0'], { env: { DATABASE_URL: env.db.url, SECRET_KEY: TEST_SECRET_KEY }, cwd: REPO_ROOT });
  if (result.code !== 0) throw new Error(`keys rotate failed: ${result.stderr}`);
  const deadline = Date.now() + 15_000;
  for (;;) {
    const kids = await publishedKids(env);
    const added = kids.filter((k) => !before.includes(k));
    if (added.length === 1 && kids.length === before.length + 1) return added[0]!;
    if (Date.now() > deadline) throw new Error(`the new key never appeared in JWKS (${kids.join(', ')})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
