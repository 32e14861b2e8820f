import type { Middleware } from 'koa';
import { isUsableBy } from '../domain/consumers/consumer.js';
import type { ConsumerLookup } from '../domain/consumers/consumer-cache.js';
import { renderPage } from '../http/render.js';
import type { SiteSessions } from '../http/site-session.js';

/**
 * Only approved consumers are clients; a proposed one only for its owner (MediaWiki's
 * `Consumer::isUsableBy`). Checked before oidc-provider sees an authorization request, and answered
 * with an error page, never a redirect: otherwise anyone could register a consumer (or a client
 * through open registration) and use this site as an open redirector to its URL (RFC 9700 §4.11,
 * docs/mediawiki-compat.md "Unapproved consumers").
 */
export function unusableConsumers(path: string, consumers: ConsumerLookup, sessions: SiteSessions): Middleware {
  return async (ctx, next) => {
    if (ctx.path !== path || ctx.method !== 'GET') return next();
    const clientId = new URLSearchParams(ctx.querystring).getAll('client_id');
    const consumer = clientId.length === 1 && /^[0-9a-f]{32}$/.test(clientId[0]!) ? await consumers.get(clientId[0]!) : undefined;
    if (!consumer || consumer.oauthVersion !== 2) return next();
    const session = await sessions.current(ctx);
    if (isUsableBy(consumer, session?.userId ?? 0)) return next();
    ctx.state.ownPage = true;
    const proposed = consumer.stage === 'proposed';
    await renderPage(
      ctx,
      'error',
      {
        title: 'Error',
        heading: 'This application cannot be used',
        message: proposed && !session
          ? 'This application has not been approved yet; only its owner may use it. If it is yours, log in and try again.'
          : proposed
            ? 'This application has not been approved yet; only its owner may use it.'
            : 'This application is not available.',
        code: 'unauthorized_client',
      },
      403,
    );
  };
}
