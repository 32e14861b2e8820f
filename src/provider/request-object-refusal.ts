import type { Middleware } from 'koa';

const TRANSPORT = ['response_mode', 'state'] as const;
const MODES = new Set(['query', 'fragment', 'form_post']);

/**
 * Request objects are not supported (OIDC Core §6.1): the provider answers `request_not_supported`.
 * A client that put `response_mode` and `state` only inside its request object still expects the
 * error the way it asked for it (form_post, its state), so those two values are read from the
 * unverified JWT — they only choose how the error reaches the redirect URI the provider has already
 * checked — and copied into the query when it lacks them. Nothing else of the object is used.
 */
export function requestObjectRefusal(path: string): Middleware {
  return async (ctx, next) => {
    if (ctx.path !== path || ctx.method !== 'GET') return next();
    const params = new URLSearchParams(ctx.querystring);
    const request = params.getAll('request');
    if (request.length !== 1) return next();
    const claims = unverifiedClaims(request[0]!);
    if (!claims) return next();
    let changed = false;
    for (const name of TRANSPORT) {
      const value = claims[name];
      if (params.has(name) || typeof value !== 'string' || value.length > 2048) continue;
      if (name === 'response_mode' && !MODES.has(value)) continue;
      params.set(name, value);
      changed = true;
    }
    if (changed) ctx.querystring = params.toString();
    return next();
  };
}

function unverifiedClaims(jwt: string): Record<string, unknown> | undefined {
  const parts = jwt.split('.');
  if (parts.length !== 3 || parts[1]!.length > 16_384) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    return claims && typeof claims === 'object' && !Array.isArray(claims) ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
