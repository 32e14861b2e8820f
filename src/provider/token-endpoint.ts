import type { Context, Middleware } from 'koa';
import type { ConsumerLookup } from '../domain/consumers/consumer-cache.js';
import { isKnownGrant } from '../domain/grants/catalogue.js';
import { allowedScopes, OIDC_SCOPES } from '../domain/grants/scopes.js';
import { claimedClient } from '../http/rate-limit-routes.js';
import { replaceForm, replayableForm } from '../http/replayable-body.js';

/** league/oauth2-server's text for `invalid_scope`, which MediaWiki answers with. */
const INVALID_SCOPE = 'The requested scope is invalid, unknown, or malformed';

/** MediaWiki's `#default` scope: every grant of the consumer (ScopeRepository::replaceDefaultScope). */
const DEFAULT_SCOPE = '#default';

/**
 * MediaWiki's token endpoint where it can be followed without leaving RFC 6749 (the table in
 * docs/mediawiki-compat.md "OAuth 2 errors"):
 * - any method but POST is 405 with `Allow: POST` and a MediaWiki REST error body, as rest.php
 *   answers for a route registered for POST only (CORS preflights still reach the provider);
 * - a `scope` value that is neither a grant nor an OpenID Connect scope is `invalid_scope` with
 *   league's hint (AbstractGrant::validateScopes); at client_credentials, grants the consumer does
 *   not have are dropped, not refused (ScopeRepository::finalizeScopes; RFC 6749 §3.3 allows it);
 * - error bodies also carry league's `hint` where one applies, and `message` (league's older copy
 *   of `error_description`), which MediaWiki sends with every OAuth 2 error.
 */
export function tokenEndpointAsMediaWiki(path: string, consumers: ConsumerLookup): Middleware {
  return async (ctx, next) => {
    if (ctx.path !== path) return next();
    if (ctx.method !== 'POST' && ctx.method !== 'OPTIONS') return wrongMethod(ctx);
    if (ctx.method === 'POST' && !(await scopesChecked(ctx, consumers))) return;
    await next();
    withHint(ctx);
  };
}

function wrongMethod(ctx: Context): void {
  ctx.status = 405;
  ctx.set('Allow', 'POST');
  ctx.body = {
    messageTranslations: { en: `The request method (${ctx.method}) was not the allowed method for this path (POST)` },
    httpCode: 405,
    httpReason: 'Method Not Allowed',
  };
}

/** False when the request was answered here (an unknown scope). */
async function scopesChecked(ctx: Context, consumers: ConsumerLookup): Promise<boolean> {
  const form = await replayableForm(ctx);
  const grantType = form?.getAll('grant_type');
  const scope = form?.getAll('scope');
  if (!form || grantType?.length !== 1 || scope?.length !== 1) return true;
  if (grantType[0] !== 'client_credentials' && grantType[0] !== 'refresh_token') return true;
  const requested = scope[0]!.split(' ').filter(Boolean);
  const unknown = requested.find((s) => s !== DEFAULT_SCOPE && !isKnownGrant(s) && !(OIDC_SCOPES as readonly string[]).includes(s));
  if (unknown !== undefined) {
    ctx.status = 400;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { error: 'invalid_scope', error_description: INVALID_SCOPE, hint: `Check the \`${unknown}\` scope`, message: INVALID_SCOPE };
    return false;
  }
  const key = await claimedClient(ctx);
  const consumer = key && /^[0-9a-f]{32}$/.test(key) ? await consumers.get(key) : undefined;
  if (grantType[0] !== 'client_credentials' || consumer?.oauthVersion !== 2) return true;
  const allowed = new Set(allowedScopes(consumer));
  const kept = requested.flatMap((s) => (s === DEFAULT_SCOPE ? consumer.grants : allowed.has(s) ? [s] : []));
  if (kept.length) form.set('scope', [...new Set(kept)].join(' '));
  else form.delete('scope');
  replaceForm(ctx, form);
  return true;
}

/** league's hints for the errors oidc-provider names the same way (OAuthServerException). */
function withHint(ctx: Context): void {
  const body = ctx.body as { error?: unknown; error_description?: unknown; scope?: unknown; hint?: unknown; message?: unknown } | undefined;
  if (ctx.status < 400 || !body || typeof body !== 'object' || typeof body.error !== 'string') return;
  const description = typeof body.error_description === 'string' ? body.error_description : '';
  const missing = /^missing required parameter '([a-z_]+)'$/.exec(description)?.[1];
  let hint: string | undefined;
  if (missing) hint = `Check the \`${missing}\` parameter`;
  else if (description === 'no client authentication mechanism provided') hint = 'Check the `client_id` parameter';
  else if (body.error === 'unsupported_grant_type') hint = 'Check the `grant_type` parameter';
  else if (body.error === 'invalid_scope' && typeof body.scope === 'string') hint = `Check the \`${body.scope.split(' ')[0]}\` scope`;
  ctx.body = { ...body, ...(hint && body.hint === undefined ? { hint } : {}), ...(body.message === undefined ? { message: description } : {}) };
}
