import type { Context, Middleware } from 'koa';
import type Provider from 'oidc-provider';
import type { ConsumerLookup } from '../domain/consumers/consumer-cache.js';
import { isKnownGrant } from '../domain/grants/catalogue.js';
import { allowedScopes, OIDC_SCOPES } from '../domain/grants/scopes.js';
import { claimedClient } from '../http/rate-limit-routes.js';
import { replaceForm, replayableForm } from '../http/replayable-body.js';
import { htmlspecialchars } from '../mediawiki/php.js';

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
    ctx.body = { error: 'invalid_scope', error_description: INVALID_SCOPE, hint: scopeHint(unknown), message: INVALID_SCOPE };
    return false;
  }
  const key = await claimedClient(ctx);
  const consumer = key && /^[0-9a-f]{32}$/.test(key) ? await consumers.get(key) : undefined;
  if (grantType[0] !== 'client_credentials' || consumer?.oauthVersion !== 2) return true;
  const allowed = new Set(allowedScopes(consumer));
  const kept = requested.flatMap((s) => (s === DEFAULT_SCOPE ? consumer.grants : allowed.has(s) ? [s] : []));
  // Nothing left: the provider refuses the request (MediaWiki would issue a token without grants;
  // dropping `scope` instead would widen the request to every grant).
  if (!kept.length) return true;
  form.set('scope', [...new Set(kept)].join(' '));
  replaceForm(ctx, form);
  return true;
}

/**
 * league's hints for the causes of `invalid_grant` (AuthCodeGrant, RefreshTokenGrant), by
 * oidc-provider's internal detail, which its answer does not show. A code that cannot be found is one
 * league could not decrypt.
 */
const GRANT_HINTS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  authorization_code: {
    'authorization code not found': 'Cannot decrypt the authorization code',
    'authorization code is expired': 'Authorization code has expired',
    'authorization code already consumed': 'Authorization code has been revoked',
    'grant not found': 'Authorization code has been revoked',
    'client mismatch': 'Authorization code was not issued to this client',
    'authorization code redirect_uri mismatch': 'Invalid redirect URI',
    'code_verifier must be provided': 'Check the `code_verifier` parameter',
    'code_verifier does not match code_challenge': 'Failed to verify `code_verifier`.',
  },
  refresh_token: {
    'refresh token not found': 'Cannot decrypt the refresh token',
    'refresh token is expired': 'Token has expired',
    'refresh token already used': 'Token has been revoked',
    'grant not found': 'Token has been revoked',
    'client mismatch': 'Token is not linked to client',
  },
};

/** Keeps the detail of a refused grant for the answer's hint (the provider reports it as `grant.error`). */
export function recordGrantErrors(provider: Provider): void {
  provider.on('grant.error', (ctx, err) => {
    const { error_detail: detail, cause } = err as { error_detail?: unknown; cause?: unknown };
    const grantType = ctx.oidc?.params?.grant_type;
    const causeText = cause instanceof Error ? cause.message : undefined;
    const hints = typeof grantType === 'string' ? GRANT_HINTS[grantType] : undefined;
    const hint = hints && ((causeText && hints[causeText]) || (typeof detail === 'string' ? hints[detail] : undefined));
    if (hint) ctx.state.grantErrorHint = hint;
  });
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
  else if (body.error === 'invalid_scope' && typeof body.scope === 'string') hint = scopeHint(body.scope.split(' ')[0]!);
  else if (body.error === 'invalid_grant' && typeof ctx.state.grantErrorHint === 'string') hint = ctx.state.grantErrorHint;
  ctx.body = { ...body, ...(hint && body.hint === undefined ? { hint } : {}), ...(body.message === undefined ? { message: description } : {}) };
}

/** league's invalid_scope hint, the scope escaped as it escapes it (OAuthServerException::invalidScope). */
function scopeHint(scope: string): string {
  return `Check the \`${htmlspecialchars(scope)}\` scope`;
}
