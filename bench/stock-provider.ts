/**
 * The framework's ceiling: stock oidc-provider on its in-memory adapter, configured like wikiauth
 * where it matters for cost: RS256 ID tokens, opaque access tokens, the same features on and off,
 * the same lifetimes. One static client; dev interactions sign anyone in.
 * Environment: PORT, BENCH_CLIENT (JSON {client_id, client_secret, redirect_uri}).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider, { type Configuration } from 'oidc-provider';

const port = Number(process.env.PORT);
const client = JSON.parse(process.env.BENCH_CLIENT ?? '{}') as { client_id: string; client_secret: string; redirect_uri: string };
const issuer = `http://127.0.0.1:${port}`;

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'bench-rs256', alg: 'RS256', use: 'sig' };

const configuration: Configuration = {
  clients: [
    {
      client_id: client.client_id,
      client_secret: client.client_secret,
      redirect_uris: [client.redirect_uri],
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      response_types: ['code'],
    },
  ],
  jwks: { keys: [signingKey as unknown as NonNullable<Configuration['jwks']>['keys'][number]] },
  cookies: { keys: [randomBytes(32).toString('base64url')], long: { httpOnly: true, sameSite: 'lax' }, short: { httpOnly: true, sameSite: 'lax' } },
  claims: { openid: ['sub'], profile: ['name', 'preferred_username', 'updated_at'], email: ['email', 'email_verified'] },
  findAccount: async (_ctx, sub) => ({
    accountId: sub,
    claims: async () => ({ sub, preferred_username: sub, name: sub, updated_at: 0, email: `${sub}@example.org`, email_verified: true }),
  }),
  responseTypes: ['code'],
  features: {
    devInteractions: { enabled: true },
    dPoP: { enabled: false },
    pushedAuthorizationRequests: { enabled: false },
    resourceIndicators: { enabled: false },
    claimsParameter: { enabled: true },
    clientCredentials: { enabled: true },
    userinfo: { enabled: true },
    introspection: { enabled: true, allowedPolicy: async (_ctx, c, token) => token.clientId === c.clientId },
    revocation: { enabled: true, allowedPolicy: async (_ctx, c, token) => token.clientId === c.clientId },
    rpInitiatedLogout: { enabled: true },
  },
  ttl: { AccessToken: 3600, ClientCredentials: 3600, AuthorizationCode: 600, IdToken: 3600, RefreshToken: 30 * 86400, Session: 14 * 86400, Interaction: 3600, Grant: 30 * 86400 },
  enabledJWA: { idTokenSigningAlgValues: ['RS256'] },
};

const provider = new Provider(issuer, configuration);
const server = provider.listen(port, '127.0.0.1', () => process.stdout.write(`stock oidc-provider listening on ${issuer}\n`));
// Exit through process.exit so --cpu-prof writes its profile.
process.once('SIGTERM', () => server.close(() => process.exit(0)).closeAllConnections());
