import { randomUUID } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import { DomainError, NotFoundError, PermissionError, UnavailableError } from '../domain/errors.js';
import { RateLimitedError } from './rate-limit.js';
import { renderPage } from './render.js';

/** Where answers are JSON (OAuth/REST) rather than HTML pages. */
export function wantsJson(ctx: Context): boolean {
  return ctx.path.includes('/rest.php/') || ctx.path.startsWith('/.well-known/') || ctx.path === '/readyz' || ctx.path === '/healthz';
}

const STATUS_BY_CODE: Record<string, number> = { not_found: 404, permission_denied: 403, temporarily_unavailable: 503 };

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
  if (err instanceof UnavailableError || isConnectionError(err)) {
    return { status: 503, code: 'temporarily_unavailable', message: 'A service this request needs is unavailable; try again shortly.' };
  }
  // OAuth's own code for "try again later" (RFC 6749 §4.1.2.1); pages show MediaWiki's text.
  if (err instanceof RateLimitedError) return { status: 429, code: 'temporarily_unavailable', message: err.message };
  if (err instanceof PermissionError) return { status: 403, code: err.code, message: err.message };
  if (err instanceof NotFoundError) return { status: 404, code: err.code, message: err.message };
  if (err instanceof DomainError) return { status: STATUS_BY_CODE[err.code] ?? 400, code: err.code, message: err.message };
  const http = err as { status?: number; expose?: boolean; message?: string };
  if (typeof http?.status === 'number' && http.status >= 400 && http.status < 500) {
    return { status: http.status, code: 'invalid_request', message: http.expose ? (http.message ?? 'Bad request') : 'Bad request' };
  }
  return { status: 500, code: 'server_error', message: 'Internal error' };
}

export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; message?: string; name?: string };
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'PROTOCOL_CONNECTION_LOST', 'ENOTFOUND', 'EHOSTUNREACH'].includes(e?.code ?? '') ||
    e?.name === 'KnexTimeoutError' ||
    /Timeout acquiring a connection|Connection is closed|Stream isn't writeable|enableOfflineQueue|max retries per request|Command timed out/i.test(e?.message ?? '')
  );
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
