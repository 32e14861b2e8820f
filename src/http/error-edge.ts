import { randomUUID } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import { DomainError, UnavailableError, type DomainErrorCode } from '../domain/errors.js';
import { RateLimitedError } from './rate-limit.js';
import { renderPage } from './render.js';

/** Where answers are JSON (OAuth/REST) rather than HTML pages. */
export function wantsJson(ctx: Context): boolean {
  return ctx.path.includes('/rest.php/') || ctx.path.startsWith('/.well-known/') || ctx.path === '/readyz' || ctx.path === '/healthz';
}

/** The HTTP status of every domain error code: the one table of this edge. */
const STATUS_BY_CODE: Readonly<Record<DomainErrorCode, number>> = {
  bad_request: 400,
  bad_csrf_token: 400,
  request_too_large: 400,
  not_logged_in: 400,
  session_mismatch: 400,
  unknown_prompt: 400,
  invalid_action: 400,
  agreement_required: 400,
  user_exists: 400,
  invalid_user_name: 400,
  invalid_email: 400,
  invalid_password: 400,
  login_failed: 400,
  user_blocked: 400,
  not_blocked: 400,
  wiki_blocks: 400,
  not_enrolled: 400,
  invalid_name: 400,
  invalid_version: 400,
  version_not_newer: 400,
  invalid_description: 400,
  invalid_callback_url: 400,
  invalid_callback_is_prefix: 400,
  invalid_grant_name: 400,
  invalid_grant_type: 400,
  invalid_restrictions: 400,
  invalid_rsa_key: 400,
  invalid_reason: 400,
  reason_required: 400,
  invalid_suppress: 400,
  owner_needs_email: 400,
  email_not_confirmed: 400,
  email_mismatched: 400,
  change_conflict: 400,
  not_proposed: 400,
  not_approved: 400,
  not_disabled: 400,
  not_accepted: 400,
  not_oauth2: 400,
  invalid_client_metadata: 400,
  not_authorized: 400,
  no_signing_key: 400,
  bad_key: 400,
  unknown_key: 400,
  key_in_use: 400,
  key_still_needed: 400,
  already_retired: 400,
  invalid_delay: 400,
  schema_outdated: 400,
  not_a_wiki_database: 400,
  invalid_token: 400,
  permission_denied: 403,
  not_found: 404,
  temporarily_unavailable: 503,
};

/**
 * The one place our own routes' errors become responses: domain errors keep their message and a
 * 4xx status; anything else is logged with a request id and answered with a generic 500 (no stack
 * trace, no internals). Unreachable dependencies become 503.
 */
export function errorEdge(log: (line: string) => void): Middleware {
  return async (ctx, next) => {
    const requestId = randomUUID();
    ctx.state.requestId = requestId;
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) await answer(ctx, 404, 'not_found', 'The requested page does not exist.');
    } catch (err) {
      const { status, code, message } = classify(err);
      // RFC 6585 §4: how long to wait, in every format.
      if (err instanceof RateLimitedError) ctx.set('Retry-After', String(err.retryAfter));
      if (status >= 500) log(`request ${requestId} ${ctx.method} ${ctx.path} failed: ${describe(err)}`);
      await answer(ctx, status, code, status >= 500 && status !== 503 ? `Internal error (request ${requestId}).` : message);
    }
  };
}

function classify(err: unknown): { status: number; code: string; message: string } {
  if (err instanceof UnavailableError) {
    return { status: 503, code: 'temporarily_unavailable', message: 'A service this request needs is unavailable; try again shortly.' };
  }
  // OAuth's own code for "try again later" (RFC 6749 §4.1.2.1); pages show MediaWiki's text.
  if (err instanceof RateLimitedError) return { status: 429, code: 'temporarily_unavailable', message: err.message };
  if (err instanceof DomainError) return { status: STATUS_BY_CODE[err.code], code: err.code, message: err.message };
  const http = err as { status?: number; expose?: boolean; message?: string };
  if (typeof http?.status === 'number' && http.status >= 400 && http.status < 500) {
    return { status: http.status, code: 'invalid_request', message: http.expose ? (http.message ?? 'Bad request') : 'Bad request' };
  }
  return { status: 500, code: 'server_error', message: 'Internal error' };
}

function describe(err: unknown): string {
  const e = err as { name?: string; code?: string; message?: string };
  return `${e?.name ?? 'Error'}${e?.code ? ` ${e.code}` : ''}: ${(e?.message ?? String(err)).split('\n')[0]}`;
}

async function answer(ctx: Context, status: number, code: string, message: string): Promise<void> {
  if (wantsJson(ctx)) {
    ctx.status = status;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { error: code, error_description: message };
    return;
  }
  ctx.state.ownPage = true;
  await renderPage(ctx, 'error', { title: status === 404 ? 'Page not found' : 'Error', heading: status === 404 ? 'Page not found' : 'Something went wrong', message, code }, status);
}
