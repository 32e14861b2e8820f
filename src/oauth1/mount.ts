import type { Middleware } from 'koa';
import type Provider from 'oidc-provider';
import { actionApi } from '../compat/action-api.js';
import type { RateLimiter } from '../http/rate-limit.js';
import type { SiteSessions } from '../interactions/site-session.js';
import type { ConsumerCache } from '../provider/consumer-cache.js';
import type { Services } from '../services.js';
import { NonceStore } from './nonces.js';
import { OAuth1Server } from './oauth1-server.js';
import { RequestTokenStore } from './request-tokens.js';
import { specialOAuth } from './special-oauth.js';

/**
 * Special:OAuth (OAuth 1.0a) and the api.php routes its tokens are used on, with one OAuth1Server
 * shared between them. Mounted before oidc-provider.
 */
export function oauth1Routes(services: Services, web: { sessions: SiteSessions; provider: () => Provider; consumerCache: ConsumerCache; limiter: RateLimiter }): Middleware {
  const { config, consumers, accounts, authorizations, artifacts } = services;
  const requestTokens = new RequestTokenStore(artifacts);
  const server = new OAuth1Server({ consumers, accounts, authorizations, requestTokens, nonces: new NonceStore(artifacts), secretKey: config.secretKey });
  const special = specialOAuth({ server, consumers, accounts, authorizations, requestTokens, sessions: web.sessions, limiter: web.limiter, scriptPath: config.scriptPath, wikiId: config.wikiId });
  const api = actionApi({ oauth1: server, provider: web.provider, consumers: web.consumerCache, accounts, wikiId: config.wikiId, scriptPath: config.scriptPath });
  const apiRoutes = api.routes();
  return (ctx, next) => special(ctx, () => apiRoutes(ctx as Parameters<typeof apiRoutes>[0], next));
}
