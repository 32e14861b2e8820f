import type { Middleware } from 'koa';
import compose from 'koa-compose';
import type { UserProfile } from '../domain/accounts/account-service.js';
import type { ConsumerLookup } from '../domain/consumers/consumer-cache.js';
import { readForm } from '../http/form-body.js';
import type { RateLimiter } from '../http/rate-limit.js';
import { providerRateLimits } from '../http/rate-limit-routes.js';
import type { SiteSessions } from '../http/site-session.js';
import { authorizeDefaults } from './authorize-defaults.js';
import { unusableConsumers } from './unusable-consumers.js';
import { outagesAs503 } from './dependency-outage.js';
import { introspectionIdentity } from './introspection-identity.js';
import { confirmedLogout } from './logout-confirmation.js';
import type { ProviderHost } from './provider-host.js';
import { registeredMetadataInResponses } from './registration.js';
import { requestObjectRefusal } from './request-object-refusal.js';
import { tokenEndpointAsMediaWiki } from './token-endpoint.js';
import type { providerRoutes } from './routes.js';

export interface ProviderMountDeps {
  readonly host: ProviderHost;
  readonly routes: ReturnType<typeof providerRoutes>;
  readonly consumers: ConsumerLookup;
  readonly sessions: SiteSessions;
  readonly limiter: RateLimiter;
  /** The registered client metadata of a consumer key, for registration responses (RFC 7591 §3.2.1). */
  readonly registeredMetadata: Parameters<typeof registeredMetadataInResponses>[1];
  /** User profiles, for introspection's identity fields. */
  readonly profiles: { profile(id: number): Promise<UserProfile | undefined> };
}

/**
 * oidc-provider with everything that adapts requests to it and its answers to MediaWiki: the one
 * place the provider is mounted (docs/architecture.md "Request walks").
 */
export function providerMount(deps: ProviderMountDeps): Middleware {
  const { routes } = deps;
  return compose([
    wellKnownAlias,
    postToGet(routes.end_session),
    authorizeDefaults(routes.authorization, deps.consumers),
    unusableConsumers(routes.authorization, deps.consumers, deps.sessions),
    requestObjectRefusal(routes.authorization),
    confirmedLogout(deps.sessions),
    registeredMetadataInResponses(routes.registration, deps.registeredMetadata),
    providerRateLimits({ token: routes.token, registration: routes.registration }, deps.limiter),
    tokenEndpointAsMediaWiki(routes.token, deps.consumers),
    outagesAs503,
    introspectionIdentity(routes.introspection, deps.profiles),
    deps.host.middleware(),
  ]);
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
