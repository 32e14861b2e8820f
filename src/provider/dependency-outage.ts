import type { Middleware } from 'koa';
import type Provider from 'oidc-provider';
import { UnavailableError } from '../domain/errors.js';

/**
 * oidc-provider catches every error inside its routes and answers `server_error` (500), or sends
 * the browser back to the client with it. When the cause is an unreachable database or Redis (an
 * UnavailableError from storage, docs/architecture.md §6) the right answer is 503: the provider
 * reports such errors through its `server_error` event, we mark the request, and `outagesAs503`
 * hands it to the error edge instead of the provider's answer.
 */
export function markOutages(provider: Provider): void {
  provider.on('server_error', (ctx, err) => {
    if (err instanceof UnavailableError) ctx.state.dependencyUnavailable = err;
  });
}

/** Runs around the provider: a marked request becomes an UnavailableError for the error edge. */
export const outagesAs503: Middleware = async (ctx, next) => {
  await next();
  const cause: unknown = ctx.state.dependencyUnavailable;
  if (!cause) return;
  ctx.remove('Location');
  throw cause;
};
