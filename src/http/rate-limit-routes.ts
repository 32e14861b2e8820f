import type { Context, Middleware } from 'koa';
import type { RateLimiter } from './rate-limit.js';
import { readBytes } from './request-body.js';

// oidc-provider's own limit for these bodies (lib/shared/selective_body.js).
const BODY_LIMIT = 56 * 1024;

/**
 * Limits on oidc-provider's endpoints, checked before the provider runs (docs/security.md, "Rate
 * limits"): the token endpoint per address and per client, dynamic registration per address. A
 * refusal is the error edge's OAuth JSON with 429 and `Retry-After`.
 *
 * The client is the one the request names — Basic credentials or `client_id` in the body — whether
 * or not it authenticates, so guessing a client's secret is limited too. Reading `client_id` from
 * the body consumes the stream, so the same bytes are offered again to oidc-provider's reader
 * (lib/shared/selective_body.js reads `req.readable` and `req.iterator()`).
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

async function claimedClient(ctx: Context): Promise<string | undefined> {
  const basic = /^Basic +([A-Za-z0-9+/]+=*) *$/i.exec(ctx.get('authorization'));
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return safeDecode(decoded.slice(0, colon));
  }
  if (!ctx.is('application/x-www-form-urlencoded')) return undefined;
  const bytes = await readBytes(ctx, BODY_LIMIT);
  replay(ctx, bytes);
  const ids = new URLSearchParams(bytes.toString('utf8')).getAll('client_id');
  return ids.length === 1 ? ids[0] : undefined;
}

/** This request's stream, read to the end, offers its bytes once more. */
function replay(ctx: Context, bytes: Buffer): void {
  Object.defineProperty(ctx.req, 'readable', { value: true, configurable: true });
  Object.defineProperty(ctx.req, 'iterator', {
    configurable: true,
    value: async function* () {
      yield bytes;
    },
  });
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
