import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import type { Config } from '../config/config.js';
import type { KeySet } from '../domain/keys/key-service.js';
import { ACR_VALUES } from '../domain/accounts/assurance.js';
import type { ConsumerLookup } from '../domain/consumers/consumer-cache.js';
import { GRANTS } from '../domain/grants/catalogue.js';
import { OIDC_SCOPES } from '../domain/grants/scopes.js';
import { renderPage } from '../http/render.js';
import type { PagePaths } from '../http/site-paths.js';
import type { SiteSessions } from '../http/site-session.js';
import { CLIENT_EXTRA_PROPERTIES } from './client-metadata.js';
import { CLAIMS } from './find-account.js';
import { registrationFeatures, type PendingSecrets } from './registration.js';
import { providerRoutes } from './routes.js';
import { interactionPolicyWithSiteSession } from './site-session-check.js';

export interface ProviderConfigDeps {
  readonly config: Config;
  readonly adapter: NonNullable<Configuration['adapter']>;
  readonly findAccount: NonNullable<Configuration['findAccount']>;
  readonly loadExistingGrant: NonNullable<Configuration['loadExistingGrant']>;
  readonly sessions: SiteSessions;
  readonly pendingSecrets: PendingSecrets;
  readonly pages: PagePaths;
  /** For the consumers' two-factor demand (docs/sign-in.md, "Authentication levels"). */
  readonly consumers: ConsumerLookup;
}

/** Config + key set → oidc-provider Configuration. Everything the product does not use is off. */
export function providerConfiguration(deps: ProviderConfigDeps, keys: KeySet): Configuration {
  const { config } = deps;
  const ttl = config.ttl;
  return {
    adapter: deps.adapter,
    findAccount: deps.findAccount,
    loadExistingGrant: deps.loadExistingGrant,
    // The access-token key goes last: ID tokens are signed with the first RS256 key, and JWKS
    // publishes the access-token key for resource servers that verify offline.
    jwks: { keys: [...keys.signing, keys.accessToken] as unknown as NonNullable<Configuration['jwks']>['keys'] },
    cookies: {
      keys: keys.cookie,
      names: { session: 'wikiauth_op_session', interaction: 'wikiauth_interaction', resume: 'wikiauth_resume' },
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    claims: CLAIMS,
    // docs/sign-in.md "Authentication levels": advertised in discovery, issued in every ID token.
    acrValues: [...ACR_VALUES],
    scopes: [...OIDC_SCOPES, ...GRANTS.keys()],
    routes: providerRoutes(config.scriptPath),
    responseTypes: ['code'],
    subjectTypes: ['public'],
    extraClientMetadata: {
      properties: CLIENT_EXTRA_PROPERTIES,
      // `mw:*` describe the stored consumer; a registration request cannot set them (a context
      // exists only when a client registers or updates itself).
      validator: (ctx, key, value, metadata) => {
        if (ctx && value !== undefined) delete (metadata as Record<string, unknown>)[key];
      },
    },
    // What MediaWiki consumers use: a shared secret (Basic or in the body), or none for public
    // clients. No JWT client assertions, so nothing to advertise for them.
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    interactions: {
      url: (_ctx, interaction) => `${deps.pages.interaction}/${interaction.uid}`,
      policy: interactionPolicyWithSiteSession(deps.sessions, deps.consumers),
    },
    features: {
      devInteractions: { enabled: false },
      // Off until wired deliberately (docs/architecture.md §9).
      dPoP: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      resourceIndicators: { enabled: false },
      requestObjects: { enabled: false },
      claimsParameter: { enabled: true },
      ...registrationFeatures(config.registration, deps.pendingSecrets),
      clientCredentials: { enabled: true },
      userinfo: { enabled: true },
      // docs/architecture.md §9: a client may introspect only its own tokens.
      introspection: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.state.ownPage = false;
          await renderPage(ctx, 'logout', { title: 'Log out', form, clientName: ctx.oidc.client?.clientName ?? null });
        },
        postLogoutSuccessSource: async (ctx) => {
          await renderPage(ctx, 'message', { title: 'Logged out', heading: 'You are now logged out', message: 'You have been logged out of this site.', link: { href: deps.pages.home, text: 'Return to the main page' } });
        },
      },
    },
    // Public clients always; every client with REQUIRE_PKCE (RFC 9700 §2.1.1). Off by default
    // because MediaWiki does not ask confidential clients for PKCE and tools written for it do not send it.
    pkce: { required: (_ctx, client) => config.requirePkce || client.clientAuthMethod === 'none' },
    ttl: {
      AccessToken: ttl.accessToken,
      ClientCredentials: ttl.accessToken,
      AuthorizationCode: ttl.authorizationCode,
      IdToken: ttl.idToken,
      RefreshToken: ttl.refreshToken,
      Session: ttl.session,
      Interaction: 3600,
      // A grant must outlive its refresh tokens, else refresh fails with "grant not found".
      Grant: Math.max(ttl.refreshToken, ttl.session),
    },
    // docs/architecture.md §4: refresh tokens for requests without `openid` (MediaWiki) or with `offline_access`
    // (OIDC Core §11); those tokens do not end with the browser session.
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') && (!code.scopes.has('openid') || code.scopes.has('offline_access')),
    expiresWithSession: async (_ctx, code) => code.scopes.has('openid') && !code.scopes.has('offline_access'),
    // Rotate on every use, as MediaWiki does (and RFC 9700 §2.2.2 recommends for public clients).
    rotateRefreshToken: true,
    enabledJWA: { idTokenSigningAlgValues: ['RS256'] },
    clientBasedCORS: () => true,
    renderError: async (ctx: KoaContextWithOIDC, out, error) => {
      ctx.state.ownPage = true;
      const status = (error as { statusCode?: number }).statusCode ?? (ctx.status >= 400 ? ctx.status : 400);
      await renderPage(ctx, 'error', { title: 'Error', heading: 'The application sent an invalid request', message: out.error_description ?? 'Invalid request', code: out.error }, status);
    },
  };
}
