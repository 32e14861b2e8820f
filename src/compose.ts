import Koa, { type Middleware } from 'koa';
import { PASSWORD_ONLY, TWO_FACTORS } from './domain/accounts/assurance.js';
import type Router from '@koa/router';
import { createApp, type App } from './app.js';
import { actionApi } from './compat/action-api.js';
import { clientRoutes } from './compat/client-routes.js';
import { resourceRoutes } from './compat/resource-routes.js';
import { mediaWikiTokenHint } from './compat/token-hints.js';
import { trustsProxies } from './http/client-address.js';
import { healthRoutes } from './http/health-routes.js';
import { RateLimiter } from './http/rate-limit.js';
import { pagePaths, WIKI_TWO_FACTOR_PATH, type PagePaths } from './http/site-paths.js';
import { SiteSessions } from './http/site-session.js';
import { staticRoutes } from './http/static-routes.js';
import { WikiSessions } from './http/wiki-session.js';
import { WikiSessionAuthenticator } from './domain/accounts/wiki-session.js';
import { mediaWikiUserToken } from './security/mediawiki-user-token.js';
import { interactionRoutes } from './interactions/interaction-routes.js';
import { BAD_OATH_THROTTLE, PasswordThrottle, PER_ADDRESS } from './domain/accounts/password-throttle.js';
import { PendingSignIns } from './http/pending-sign-in.js';
import { loginRoutes } from './interactions/login-routes.js';
import { managementRouters } from './management/index.js';
import { oathManageRoutes } from './management/oath-manage-routes.js';
import { TwoFactorSetup } from './domain/accounts/two-factor-setup.js';
import { newOathKey } from './security/oath-keys.js';
import { NonceStore } from './oauth1/nonces.js';
import { OAuth1Server } from './oauth1/oauth1-server.js';
import { RequestTokenStore } from './oauth1/request-tokens.js';
import { specialOAuth } from './oauth1/special-oauth.js';
import { createAdapterFactory } from './provider/adapters.js';
import { AccessTokenJwt } from './domain/tokens/access-token-jwt.js';
import { AccessTokenSigner, installAccessTokenFormat } from './provider/access-token-format.js';
import { recordGrantErrors } from './provider/token-endpoint.js';
import { installLoopbackRedirects } from './provider/loopback-redirects.js';
import { consumerToClient } from './provider/client-metadata.js';
import { markOutages } from './provider/dependency-outage.js';
import { createFindAccount } from './provider/find-account.js';
import { createLoadExistingGrant } from './provider/load-existing-grant.js';
import { providerMount } from './provider/mount.js';
import { providerConfiguration } from './provider/provider-config.js';
import { ProviderHost } from './provider/provider-host.js';
import { PendingSecrets } from './provider/registration.js';
import { providerRoutes } from './provider/routes.js';
import type { Services } from './services.js';

/** Everything the HTTP app mounts, built; `app.ts` only puts it in order. */
export interface WebParts {
  readonly host: ProviderHost;
  readonly sessions: SiteSessions;
  /** Where wikiauth's own pages live (PAGE_PATH_PREFIX). */
  readonly pages: PagePaths;
  /** The signed-in user's name for page headers. */
  readonly currentUser: (userId: number) => Promise<{ name: string } | undefined>;
  /** Special:OAuth (OAuth 1.0a) and api.php, sharing one OAuth 1.0a server. */
  readonly mediaWiki: Middleware;
  readonly routers: readonly Router[];
  /** oidc-provider with its request and response adaptations. */
  readonly provider: Middleware;
  /** Periodic clean-up of expired artifacts, grants and idle proposals. */
  collectGarbage(): Promise<void>;
}

/** The HTTP app over opened services. */
export async function composeApp(services: Services, log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<App> {
  const app = new Koa();
  const parts = await composeWeb(services, log, (keys) => {
    app.keys = keys;
  });
  return createApp(app, parts, { trustProxy: services.config.trustProxy, log });
}

/**
 * The composition root of the web service (docs/architecture.md): storage and domain services
 * come in; each edge gets only the pieces it uses.
 */
export async function composeWeb(services: Services, log: (line: string) => void, setCookieKeys: (keys: string[]) => void): Promise<WebParts> {
  const { config, consumerCache, profiles, accounts, stores, authorizations } = services;
  const pages = pagePaths(config.pagePathPrefix);
  const wikiSessions = wikiSessionGate(services);
  const sessions = new SiteSessions(stores.siteSessions, config.ttl.session, config.secretKey, services.sessionGenerations, (id) => accounts.isLockedOut(id), wikiSessions && ((ctx, userId) => wikiSessions.stillSignedIn(ctx, userId)));
  const pendingSecrets = new PendingSecrets(config.secretKey);
  const signer = new AccessTokenSigner();
  const adapter = createAdapterFactory({
    signer,
    refreshTokenGracePeriod: config.refreshTokenGracePeriod,
    accessTokens: services.accessTokens,
    authorizations,
    artifacts: services.providerArtifacts,
    consumers: services.consumers,
    consumerCache,
    grants: services.grants,
    registrations: services.registrations,
    pendingSecrets,
  });
  const configure = providerConfiguration.bind(undefined, {
    config,
    adapter,
    findAccount: createFindAccount(profiles),
    loadExistingGrant: createLoadExistingGrant(consumerCache, services.grants, sessions),
    sessions,
    pendingSecrets,
    pages,
    consumers: consumerCache,
  });
  const host = new ProviderHost({
    issuer: config.issuer,
    keys: services.keys,
    configure,
    onBuilt: (provider, keys) => {
      provider.proxy = trustsProxies(config.trustProxy);
      signer.jwt = new AccessTokenJwt(keys.accessToken);
      installAccessTokenFormat(provider, { signer, consumers: consumerCache });
      installLoopbackRedirects(provider);
      // The provider runs on our context (as with koa-mount): both must sign cookies alike.
      setCookieKeys(keys.cookie);
      provider.on('server_error', (_ctx, err) => log(`provider error: ${err.name}: ${err.message.split('\n')[0]}`));
      markOutages(provider);
      recordGrantErrors(provider);
    },
  });
  await host.start();
  const provider = () => host.provider;
  const routes = providerRoutes(config.scriptPath);
  const limiter = new RateLimiter(stores.rateLimitCounters, config);
  const management = {
    accounts,
    consumers: services.consumers,
    workflow: services.consumerWorkflow,
    authorizations: services.authorizationService,
    log: services.log,
    sessions,
    consumerCache,
    limiter,
    pages,
  };

  const requestTokens = new RequestTokenStore(stores.requestTokens);
  const oauth1 = new OAuth1Server({ consumers: services.consumers, accounts, authorizations, requestTokens, nonces: new NonceStore(stores.oauth1Nonces), secretKey: config.secretKey });
  const special = specialOAuth({ server: oauth1, consumers: services.consumers, accounts, authorizations, grants: services.grants, requestTokens, sessions, limiter, scriptPath: config.scriptPath, wikiId: config.wikiId, pages });
  const apiRoutes = actionApi({ oauth1, provider, consumers: consumerCache, accounts, wikiId: config.wikiId, scriptPath: config.scriptPath }).routes();

  // MediaWiki's `badoath` limit: second-factor codes, counted apart from passwords, shared by the
  // sign-in and Special:OATHManage as OATHAuth shares it.
  const codeThrottle = new PasswordThrottle(stores.loginThrottleCounters, BAD_OATH_THROTTLE, PER_ADDRESS, 'badoath');

  return {
    host,
    sessions,
    pages,
    currentUser: (userId) => accounts.findById(userId),
    mediaWiki: (ctx, next) => special(ctx, () => apiRoutes(ctx as Parameters<typeof apiRoutes>[0], next)),
    routers: [
      staticRoutes(pages),
      healthRoutes({ database: services.ping, ...services.readinessChecks }),
      loginRoutes({
        accounts,
        sessions,
        throttle: new PasswordThrottle(stores.loginThrottleCounters),
        pages,
        twoFactor: services.twoFactor,
        pendingSignIns: new PendingSignIns(stores.pendingSignIns, stores.loginThrottleCounters, config.secretKey),
        codeThrottle,
        ...(wikiSessions ? { wikiSessions } : {}),
      }),
      interactionRoutes({
        provider,
        sessions,
        accounts,
        consumers: consumerCache,
        grants: services.grants,
        reauthentications: stores.reauthenticationRequests,
        pages,
        twoFactor: services.twoFactor,
        enableTwoFactorHref: config.mediawiki ? WIKI_TWO_FACTOR_PATH : pages.twoFactor,
        ...(wikiSessions ? { wikiSessions } : {}),
      }),
      resourceRoutes(config.scriptPath, {
        provider,
        consumers: consumerCache,
        accounts: profiles,
        tokenHint: (value) => mediaWikiTokenHint(value, { jwt: () => signer.jwt, registry: services.accessTokens }),
      }),
      ...managementRouters(management, { tokenEndpoint: `${config.issuer}${routes.token}` }),
      oathManageRoutes({
        accounts,
        sessions,
        twoFactor: new TwoFactorSetup({ enrolments: services.twoFactor, pending: stores.pendingOathKeys, newKey: newOathKey }),
        // Authenticator apps list keys by issuer; the host tells this site's apart from others.
        issuer: new URL(config.issuer).host,
        log,
        pages,
        codeThrottle,
      }),
      clientRoutes(config.scriptPath, { ...management, provider, wikiId: config.wikiId }),
    ],
    provider: providerMount({
      host,
      routes,
      consumers: consumerCache,
      sessions,
      limiter,
      profiles,
      registeredMetadata: async (key) => {
        const consumer = await consumerCache.get(key);
        return consumer && consumerToClient(consumer, services.consumers.clientSecret(consumer));
      },
    }),
    collectGarbage: async () => {
      await stores.collectGarbage();
      await services.grantRecords.collectGarbage();
      await services.consumerWorkflow.expireIdleProposals();
    },
  };
}

/**
 * MEDIAWIKI_SESSION: the wiki's sessions sign users in (docs/sign-in.md, "The wiki's session"). The
 * wiki's sign-in asked for whatever the user had enrolled (OATHAuth keeps the enrolments wikiauth
 * reads), so that is what `amr` says.
 */
function wikiSessionGate(services: Services): WikiSessions | undefined {
  const { config, wikiSessions: source, accounts, twoFactor } = services;
  if (!config.wikiSession || !source) return undefined;
  const authenticator = new WikiSessionAuthenticator({ source, derivedToken: mediaWikiUserToken(config.wikiSession.tokenVersion), lockedOut: (id) => accounts.isLockedOut(id) });
  return new WikiSessions(authenticator, config.wikiSession, async (userId) => ((await twoFactor.isEnrolled(userId)) ? TWO_FACTORS : PASSWORD_ONLY));
}
