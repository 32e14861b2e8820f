import { createHash } from 'node:crypto';
import type { Middleware } from 'koa';
import { koaBody } from 'koa-body';
import { effectiveRequestedScopes } from '../domain/grants/scopes.js';
import type { ConsumerLookup } from '../domain/consumers/consumer-cache.js';

const formBody = koaBody({ urlencoded: true, json: false, multipart: false, text: false, formLimit: '64kb', patchNode: false });

/** RFC 7636 §4.1/§4.2: 43–128 unreserved characters. */
const PKCE_VALUE = /^[A-Za-z0-9._~-]{43,128}$/;

/**
 * MediaWiki's authorize behaviour, applied before oidc-provider sees the request (docs/architecture.md §2):
 * - POST (OIDC Core §3.1.2.1) is answered 303 to the same route with the fields in the query, so
 *   cookies can stay SameSite=Lax;
 * - a missing `scope` means every grant of the consumer; scopes it may not ask for are dropped;
 * - PKCE `plain` (league's default, also when no method is given) becomes the equivalent S256
 *   challenge (RFC 7636 §4.2), which the later `code_verifier` still satisfies.
 */
export function authorizeDefaults(path: string, consumers: ConsumerLookup): Middleware {
  return async (ctx, next) => {
    if (ctx.path !== path) return next();
    if (ctx.method === 'POST') {
      await formBody(ctx, async () => undefined);
      const body = (ctx.request as { body?: Record<string, unknown> }).body ?? {};
      const query = new URLSearchParams();
      for (const [key, value] of Object.entries(body)) {
        for (const v of Array.isArray(value) ? value : [value]) if (typeof v === 'string') query.append(key, v);
      }
      ctx.status = 303;
      ctx.redirect(`${path}?${query}`);
      return;
    }
    if (ctx.method !== 'GET') return next();

    const params = new URLSearchParams(ctx.querystring);
    const clientId = params.getAll('client_id');
    const consumer = clientId.length === 1 && /^[0-9a-f]{32}$/.test(clientId[0]!) ? await consumers.get(clientId[0]!) : undefined;
    if (consumer?.oauthVersion === 2 && params.getAll('scope').length <= 1) {
      params.set('scope', effectiveRequestedScopes(consumer, params.get('scope') ?? undefined).join(' '));
    }
    const challenge = params.getAll('code_challenge');
    const method = params.getAll('code_challenge_method');
    if (challenge.length === 1 && method.length <= 1 && (method[0] === undefined || method[0] === 'plain')) {
      // Only a well-formed challenge (RFC 7636 §4.2) is converted; a malformed one goes on as S256
      // so the provider refuses it at once, rather than issuing a code nobody can redeem.
      if (PKCE_VALUE.test(challenge[0]!)) params.set('code_challenge', createHash('sha256').update(challenge[0]!).digest('base64url'));
      params.set('code_challenge_method', 'S256');
    }
    ctx.querystring = params.toString();
    return next();
  };
}
