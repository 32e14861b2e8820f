import { sqliteDatabase, type TestDatabase } from '../../../test/helpers/databases.js';
import { ALICE, seedClient, seedUsers } from '../../../test/helpers/fixtures.js';
import { startServer, type TestServer } from '../../../test/helpers/server.js';
import { createTlsMaterial, type TlsMaterial } from '../../../test/helpers/tls.js';
import { loadBrowserConfig } from './browser.js';

/** Where the hosted suite would live; the local browser captures navigations to it. */
export const SUITE_ORIGIN = 'https://suite.example';
export const ALIAS = 'wikiauth';
export const SUITE_BASE = `${SUITE_ORIGIN}/test/a/${ALIAS}`;

export interface SuiteClient {
  readonly client_id: string;
  readonly client_secret: string;
  readonly redirect_uri: string;
  readonly post_logout_redirect_uri: string;
}

/** A wikiauth over HTTPS, set up the way conformance/README.md asks an operator to set one up. */
export interface ConformanceOp {
  readonly server: TestServer;
  readonly issuer: string;
  readonly discoveryUrl: string;
  readonly tls: TlsMaterial;
  readonly fetch: typeof fetch;
  readonly user: { readonly name: string; readonly password: string };
  /** `client`, `client2` and `client_secret_post` of the plan configuration. */
  readonly clients: { readonly client: SuiteClient; readonly client2: SuiteClient; readonly clientSecretPost: SuiteClient };
  /** The values filling the plan configurations' {{placeholders}}. */
  readonly values: Record<string, string>;
  readonly registrationToken: string;
  close(): Promise<void>;
}

export const REGISTRATION_TOKEN = 'conformance-registration-token-0123456789abcdef';

export async function startConformanceOp(): Promise<ConformanceOp> {
  const tls = createTlsMaterial();
  const db: TestDatabase = sqliteDatabase();
  // Dynamic registration on with a token, as conformance/README.md configures it for the dynamic_client variant.
  const server = await startServer(db, { ...tls.serverEnv, REGISTRATION: 'token', REGISTRATION_TOKEN, REGISTRATION_APPROVE: '1' });
  await seedUsers(server.services);
  const register = async (name: string): Promise<SuiteClient> => {
    const seeded = await seedClient(server.services, {
      name,
      grants: ['mwoauth-authonlyprivate'],
      redirectUri: `${SUITE_BASE}/callback`,
      grantTypes: ['authorization_code', 'refresh_token'],
      postLogoutRedirectUris: [`${SUITE_BASE}/post_logout_redirect`],
    });
    return { client_id: seeded.key, client_secret: seeded.secret, redirect_uri: seeded.redirectUri, post_logout_redirect_uri: `${SUITE_BASE}/post_logout_redirect` };
  };
  const clients = { client: await register('Conformance client 1'), client2: await register('Conformance client 2'), clientSecretPost: await register('Conformance client 3') };
  const values = {
    issuer: server.issuer,
    alias: ALIAS,
    user: ALICE.name,
    password: ALICE.password,
    client_id: clients.client.client_id,
    client_secret: clients.client.client_secret,
    client2_id: clients.client2.client_id,
    client2_secret: clients.client2.client_secret,
    post_client_id: clients.clientSecretPost.client_id,
    post_client_secret: clients.clientSecretPost.client_secret,
    registration_token: REGISTRATION_TOKEN,
  };
  return {
    server,
    issuer: server.issuer,
    discoveryUrl: `${server.issuer}/.well-known/openid-configuration`,
    tls,
    fetch: tls.fetch,
    user: ALICE,
    clients,
    values,
    registrationToken: REGISTRATION_TOKEN,
    close: async () => {
      await server.close();
      await db.drop();
      tls.cleanup();
    },
  };
}

export function browserConfigFor(op: ConformanceOp) {
  return loadBrowserConfig(op.values);
}
