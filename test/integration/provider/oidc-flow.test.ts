import * as client from 'openid-client';
import * as jose from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { authorize } from '../../helpers/authorize.js';
import { DIALECTS } from '../../helpers/databases.js';
import { ALICE, seedClient, type SeededClient } from '../../helpers/fixtures.js';
import { HttpSession } from '../../helpers/http-session.js';
import { useSeededServer } from '../../helpers/seeded-suite.js';
import { pkceAuthorizationUrl } from '../../helpers/pkce.js';

describe.each(DIALECTS)('OpenID Connect with openid-client on %s', (_name, makeDb) => {
  const suite = useSeededServer(makeDb);
  let app: SeededClient;
  let config: client.Configuration;

  beforeAll(async () => {
    app = await seedClient(suite.server.services, {
      grants: ['privateinfo', 'editpage'],
      postLogoutRedirectUris: ['https://app.example/logged-out'],
    });
    config = await client.discovery(new URL(suite.server.issuer), app.key, app.secret, undefined, { execute: [client.allowInsecureRequests] });
  });

  async function signIn(agent: HttpSession, params: Record<string, string>) {
    const state = client.randomState();
    const nonce = client.randomNonce();
    const { url, verifier } = await pkceAuthorizationUrl(config, { redirect_uri: app.redirectUri, state, nonce, ...params });
    const outcome = await authorize(agent, url.href, ALICE);
    expect(outcome.callback?.origin + outcome.callback!.pathname).toBe(app.redirectUri);
    const tokens = await client.authorizationCodeGrant(config, outcome.callback!, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: params.scope?.includes('openid') ?? false });
    return { tokens, outcome };
  }

  it('completes code + PKCE with sign-in and consent, verifies the id_token against JWKS, and serves userinfo', async () => {
    const agent = new HttpSession(suite.server.issuer);
    const { tokens, outcome } = await signIn(agent, { scope: 'openid profile email' });
    expect(outcome.consentShown).toBe(true);

    const idToken = tokens.id_token!;
    const header = jose.decodeProtectedHeader(idToken);
    expect(header.alg).toBe('RS256');
    expect(header.kid).toBeTruthy();
    const jwks = jose.createRemoteJWKSet(new URL(`${suite.server.issuer}/w/rest.php/oauth2/jwks`));
    const { payload } = await jose.jwtVerify(idToken, jwks, { issuer: suite.server.issuer, audience: app.key });
    const alice = await suite.server.services.accounts.findByName(ALICE.name);
    expect(payload.sub).toBe(String(alice!.id));

    const userinfo = await client.fetchUserInfo(config, tokens.access_token, payload.sub!);
    expect(userinfo.sub).toBe(payload.sub);
    expect(userinfo.preferred_username).toBe('Alice');
    expect(userinfo.email).toBe(ALICE.email);
    expect(userinfo.email_verified).toBe(true);
    expect(userinfo.name).toBe('Alice Liddell');
    expect(typeof userinfo.updated_at).toBe('number');
  });

  it('skips the consent page on a second authorization with the same scopes', async () => {
    const agent = new HttpSession(suite.server.issuer);
    const first = await signIn(agent, { scope: 'openid profile' });
    expect(first.tokens.access_token).toBeTruthy();
    const second = await signIn(agent, { scope: 'openid profile' });
    expect(second.outcome.consentShown).toBe(false);
  });

  it('issues a refresh token for offline_access with prompt=consent, and refreshes it', async () => {
    const agent = new HttpSession(suite.server.issuer);
    const { tokens } = await signIn(agent, { scope: 'openid offline_access', prompt: 'consent' });
    expect(tokens.refresh_token).toBeTruthy();
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).toBeTruthy();
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    // The rotated token still works within MediaWiki's grace period (test/integration/tokens/refresh.test.ts
    // shows it spent after), and the access token issued with it is revoked.
    const again = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(again.access_token).toBeTruthy();
    expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
  });

  it('introspects its own token as active, then inactive after revocation', async () => {
    const agent = new HttpSession(suite.server.issuer);
    const { tokens } = await signIn(agent, { scope: 'openid profile' });
    const active = await client.tokenIntrospection(config, tokens.access_token);
    expect(active.active).toBe(true);
    expect(active.sub).toBe(String((await suite.server.services.accounts.findByName('Alice'))!.id));
    await client.tokenRevocation(config, tokens.access_token);
    const inactive = await client.tokenIntrospection(config, tokens.access_token);
    expect(inactive.active).toBe(false);
  });

  it('grants client_credentials tokens', async () => {
    const tokens = await client.clientCredentialsGrant(config, { scope: 'editpage' });
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.access_token).toBeTruthy();
    const introspection = await client.tokenIntrospection(config, tokens.access_token);
    expect(introspection.active).toBe(true);
    expect(introspection.scope).toBe('editpage');
  });

  it('ends the session with RP-initiated logout and returns to the registered URI', async () => {
    const agent = new HttpSession(suite.server.issuer);
    const { tokens } = await signIn(agent, { scope: 'openid' });
    const logoutUrl = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://app.example/logged-out', state: 'bye' });
    const page = await agent.get(logoutUrl.href);
    expect(page.status).toBe(200);
    const html = await page.text();
    const action = /<form id="op.logoutForm" method="post" action="([^"]+)"/.exec(html)![1]!;
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)![1]!;
    const done = await agent.postForm(action, { xsrf, logout: 'yes' });
    expect(done.status).toBe(303);
    const back = new URL(done.headers.get('location')!);
    expect(back.origin + back.pathname).toBe('https://app.example/logged-out');
    expect(back.searchParams.get('state')).toBe('bye');
    // The site session ended too: the next authorization asks for a password again.
    const login = await agent.follow((await pkceAuthorizationUrl(config, { redirect_uri: app.redirectUri, scope: 'openid' })).url.href);
    expect(await login.text()).toContain('id="userloginForm"');
  });
});
