import Koa, { type Middleware } from 'koa';
import type Provider from 'oidc-provider';
import { GRANTS } from './domain/grants/catalogue.js';
import { clientAddress, trustsProxies } from './http/client-address.js';
import { RateLimiter } from './http/rate-limit.js';
import { providerRateLimits } from './http/rate-limit-routes.js';
import { errorEdge } from './http/error-edge.js';
import { healthRoutes } from './http/health-routes.js';
import { renderPage } from './http/render.js';
import { securityHeaders } from './http/security-headers.js';
import { staticRoutes } from './http/static-routes.js';
import { readForm } from './http/form-body.js';
import { interactionRoutes } from './interactions/interaction-routes.js';
import { LoginThrottle } from './interactions/login-throttle.js';
import { loginRoutes } from './interactions/login-routes.js';
import { SiteSessions } from './http/site-session.js';
import { clientRoutes } from './compat/client-routes.js';
import { resourceRoutes } from './compat/resource-routes.js';
import { managementRouters } from './management/index.js';
import { actionApi } from './compat/action-api.js';
import { NonceStore } from './oauth1/nonces.js';
import { OAuth1Server } from './oauth1/oauth1-server.js';
import { RequestTokenStore } from './oauth1/request-tokens.js';
import { specialOAuth } from './oauth1/special-oauth.js';
import { AccessTokenJwt } from './domain/tokens/access-token-jwt.js';
import { AccessTokenSigner, installAccessTokenFormat } from './provider/access-token-format.js';
import { createAdapterFactory } from './provider/adapters.js';
import { markOutages, outagesAs503 } from './provider/dependency-outage.js';
import { authorizeDefaults } from './provider/authorize-defaults.js';
import { unusableConsumers } from './provider/unusable-consumers.js';
import type { ConsumerLookup } from './domain/consumers/consumer-cache.js';
import { createFindAccount } from './provider/find-account.js';
import { createLoadExistingGrant } from './provider/load-existing-grant.js';
import { providerConfiguration } from './provider/provider-config.js';
import { ProviderHost } from './provider/provider-host.js';
import { consumerToClient } from './provider/client-metadata.js';
import { PendingSecrets, registeredMetadataInResponses } from './provider/registration.js';
import { requestObjectRefusal } from './provider/request-object-refusal.js';
import { confirmedLogout } from './provider/logout-confirmation.js';
import { providerRoutes } from './provider/routes.js';
import type { Services } from './services.js';

export interface App extends Koa {
  readonly host: ProviderHost;
  readonly sessions: SiteSessions;
  shutdown(): Promise<void>;
}

const GC_INTERVAL_MS = 10 * 60 * 1000;

/** Koa middleware order and mounts. */
export async function createApp(services: Services, log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<App> {
  const { config } = services;
  const app = new Koa() as App;
  // clientAddress() drops forwarding headers from untrusted peers, so koa may read the rest.
  app.proxy = trustsProxies(config.trustProxy);

  const sessions = new SiteSessions(services.artifacts, config.ttl.session, config.secretKey, (id) => services.accounts.isLockedOut(id));
  const { consumerCache, profiles } = services;
  const pendingSecrets = new PendingSecrets(config.secretKey);
  const signer = new AccessTokenSigner();
  const adapter = createAdapterFactory({
    signer,
    refreshTokenGracePeriod: config.refreshTokenGracePeriod,
    artifacts: services.artifacts,
    consumers: services.consumers,
    consumerCache,
    authorizations: services.authorizations,
    grants: services.grantRecords,
    accessTokens: services.accessTokens,
    registrations: services.registrations,
    pendingSecrets,
  });
  const configure = providerConfiguration.bind(undefined, {
    config,
    adapter,
    findAccount: createFindAccount(profiles),
    loadExistingGrant: createLoadExistingGrant(consumerCache, services.authorizations),
    sessions,
    pendingSecrets,
  });
  const host = new ProviderHost({
    issuer: config.issuer,
    keys: services.keys,
    configure,
    onBuilt: (provider, keys) => {
      provider.proxy = trustsProxies(config.trustProxy);
      signer.jwt = new AccessTokenJwt(keys.accessToken);
      installAccessTokenFormat(provider, { signer, consumers: consumerCache });
      // The provider runs on our context (as with koa-mount): both must sign cookies alike.
      app.keys = keys.cookie;
      provider.on('server_error', (_ctx, err) => log(`provider error: ${err.name}: ${err.message.split('\n')[0]}`));
      markOutages(provider);
    },
  });
  await host.start();
  const provider = () => host.provider;
  const routes = providerRoutes(config.scriptPath);
  const limiter = new RateLimiter(services.artifacts, config);
  const management = {
    accounts: services.accounts,
    consumers: services.consumers,
    workflow: services.consumerWorkflow,
    authorizations: services.authorizationService,
    log: services.log,
    sessions,
    consumerCache,
    limiter,
  };

  app.use(clientAddress(config.trustProxy));
  app.use(securityHeaders);
  app.use(errorEdge(log));
  app.use(currentUser(sessions, services));
  app.use(oauth1Routes(services, { sessions, provider, consumerCache, limiter }));
  for (const router of [
    staticRoutes(),
    healthRoutes({ database: async () => void (await services.db.raw('select 1')), ...services.readinessChecks }),
    loginRoutes({ accounts: services.accounts, sessions, throttle: new LoginThrottle(services.artifacts) }),
    interactionRoutes({ provider, sessions, accounts: services.accounts, consumers: consumerCache, authorizations: services.authorizations, artifacts: services.artifacts }),
    resourceRoutes(config.scriptPath, { provider, consumers: consumerCache, accounts: profiles }),
    ...managementRouters(management, { tokenEndpoint: `${config.issuer}${routes.token}` }),
    clientRoutes(config.scriptPath, { ...management, provider, wikiId: config.wikiId }),
  ]) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  app.use(homePage);
  app.use(wellKnownAlias);
  app.use(postToGet(routes.end_session));
  app.use(authorizeDefaults(routes.authorization, consumerCache));
  app.use(unusableConsumers(routes.authorization, consumerCache, sessions));
  app.use(requestObjectRefusal(routes.authorization));
  app.use(confirmedLogout(sessions));
  app.use(
    registeredMetadataInResponses(routes.registration, async (key) => {
      const consumer = await consumerCache.get(key);
      return consumer && consumerToClient(consumer, services.consumers.clientSecret(consumer));
    }),
  );
  app.use(providerRateLimits({ token: routes.token, registration: routes.registration }, limiter));
  app.use(outagesAs503);
  app.use(host.middleware());

  const gc = setInterval(() => void collectGarbage(services).catch(() => undefined), GC_INTERVAL_MS);
  gc.unref();
  Object.assign(app, {
    host,
    sessions,
    shutdown: async () => {
      clearInterval(gc);
      host.stop();
    },
  });
  return app;
}

/**
 * Special:OAuth (OAuth 1.0a) and the api.php routes its tokens are used on, with one OAuth1Server
 * shared between them. Mounted before oidc-provider.
 */
function oauth1Routes(services: Services, web: { sessions: SiteSessions; provider: () => Provider; consumerCache: ConsumerLookup; limiter: RateLimiter }): Middleware {
  const { config, consumers, accounts, authorizations, artifacts } = services;
  const requestTokens = new RequestTokenStore(artifacts);
  const server = new OAuth1Server({ consumers, accounts, authorizations, requestTokens, nonces: new NonceStore(artifacts), secretKey: config.secretKey });
  const special = specialOAuth({ server, consumers, accounts, authorizations, requestTokens, sessions: web.sessions, limiter: web.limiter, scriptPath: config.scriptPath, wikiId: config.wikiId });
  const api = actionApi({ oauth1: server, provider: web.provider, consumers: web.consumerCache, accounts, wikiId: config.wikiId, scriptPath: config.scriptPath });
  const apiRoutes = api.routes();
  return (ctx, next) => special(ctx, () => apiRoutes(ctx as Parameters<typeof apiRoutes>[0], next));
}

/** The signed-in user's name for the page header (pages only, not API routes). */
function currentUser(sessions: SiteSessions, services: Services): Middleware {
  return async (ctx, next) => {
    if (ctx.method === 'GET' && (ctx.path === '/' || ctx.path.startsWith('/wiki/'))) {
      const session = await sessions.current(ctx);
      if (session) ctx.state.user = await services.accounts.findById(session.userId);
    }
    return next();
  };
}

async function collectGarbage(services: Services): Promise<void> {
  await services.artifacts.collectGarbage();
  await services.grantRecords.collectGarbage();
  await services.consumerWorkflow.expireIdleProposals();
}

/** RFC 8414 §3: the authorization-server metadata is the same document as OIDC discovery. */
const wellKnownAlias: Middleware = async (ctx, next) => {
  if (ctx.path === '/.well-known/oauth-authorization-server') ctx.path = '/.well-known/openid-configuration';
  return next();
};

/** A logout request sent as POST (OIDC RP-Initiated Logout §2) continues as GET (cookies stay Lax). */
function postToGet(path: string): Middleware {
  return async (ctx, next) => {
    if (ctx.path !== path || ctx.method !== 'POST') return next();
    const form = await readForm(ctx);
    ctx.status = 303;
    ctx.redirect(`${path}?${new URLSearchParams(form)}`);
  };
}

const homePage: Middleware = async (ctx, next) => {
  if (ctx.path !== '/' || ctx.method !== 'GET') return next();
  ctx.state.ownPage = true;
  await renderPage(ctx, 'message', {
    title: 'wikiauth',
    heading: 'wikiauth',
    message: `Sign-in for this wiki's apps: OpenID Connect, OAuth 2.0 and OAuth 1.0a, with ${GRANTS.size} MediaWiki grants.`,
    link: { href: '/.well-known/openid-configuration', text: 'OpenID Connect discovery document' },
  });
};
