import type { Context, Middleware } from 'koa';
import type { RateLimiter } from './rate-limit.js';
import { replayableForm } from './replayable-body.js';

/**
 * Limits on oidc-provider's endpoints, checked before the provider runs (docs/security.md, "Rate
 * limits"): the token endpoint per address and per client, dynamic registration per address. A
 * refusal is the error edge's OAuth JSON with 429 and `Retry-After`.
 *
 * The client is the one the request names — Basic credentials or `client_id` in the body — whether
 * or not it authenticates, so guessing a client's secret is limited too. The body stays readable for
 * the provider (replayable-body.ts).
 */
export function providerRateLimits(paths: { token: string; registration: string }, limiter: RateLimiter): Middleware {
  return async (ctx, next) => {
    if (ctx.method === 'POST' && ctx.path === paths.token) {
      await limiter.hit('token', { ip: ctx.ip, client: await claimedClient(ctx) });
    } else if (ctx.method === 'POST' && ctx.path === paths.registration) {
      await limiter.hit('register', { ip: ctx.ip });
    }
    return next();
  };
}

/** The client a token request names (Basic credentials or `client_id` in the body), authenticated or not. */
export async function claimedClient(ctx: Context): Promise<string | undefined> {
  const basic = /^Basic +([A-Za-z0-9+/]+=*) *$/i.exec(ctx.get('authorization'));
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return safeDecode(decoded.slice(0, colon));
  }
  const ids = (await replayableForm(ctx))?.getAll('client_id') ?? [];
  return ids.length === 1 ? ids[0] : undefined;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
