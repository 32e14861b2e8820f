/**
 * Who an Action API request acts for (`SessionProvider::provideSessionInfo`): `Authorization:
 * OAuth …` is an OAuth 1.0a signed request, `Authorization: Bearer …` an OAuth 2 access token,
 * anything else an anonymous caller. Valid credentials must also pass the use checks (user
 * exists, not blocked, consumer usable, right wiki). Every failure is MediaWiki's
 * `mwoauth-invalid-authorization*` error, thrown as an OAuth1Error for the API edge to word.
 * Any API route can call this.
 */
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { AccountService } from '../domain/accounts/account-service.js';
import type { Consumer } from '../domain/consumers/consumer.js';
import type { Authorization } from '../domain/grants/authorization.js';
import { refusalToUse } from '../domain/grants/authorization-use.js';
import { grantsInScope } from '../domain/grants/scopes.js';
import { OAuth1Error, OAuth1Errors } from '../mediawiki/oauth-errors.js';
import { refusalError } from '../mediawiki/oauth-refusals.js';
import type { WebRequest } from '../mediawiki/web-request.js';
import type { ConsumerLookup } from '../domain/consumers/consumer-cache.js';
import { authenticateBearer, BearerError } from './bearer-auth.js';

/** A user's credentials always carry grants; an anonymous caller's only a shared consumer's token does. */
export type ApiCaller =
  | { readonly userId: number; readonly grants: readonly string[] }
  /** Anonymous: no credentials (grants null: no limit), or a client_credentials token of a shared consumer. */
  | { readonly userId: null; readonly grants: readonly string[] | null };

/** What api.php needs of the OAuth 1.0a server: a signed request checked, or an OAuth1Error. */
export interface SignedRequestVerifier {
  verifyRequest(req: WebRequest): Promise<{ readonly consumer: Consumer; readonly authorization: Authorization }>;
}

export interface ApiAuthDeps {
  readonly oauth1: SignedRequestVerifier;
  readonly provider: () => Provider;
  readonly consumers: ConsumerLookup;
  readonly accounts: AccountService;
  readonly wikiId: string;
}

export async function authenticateApiCaller(ctx: Context, req: WebRequest, deps: ApiAuthDeps): Promise<ApiCaller> {
  if (req.hasOAuthHeader) {
    const { consumer, authorization } = await invalidAuthorizationOn(OAuth1Error, () => deps.oauth1.verifyRequest(req));
    const refusal = await refusalToUse(deps.accounts, { consumer, userId: authorization.userId, authorizationWiki: authorization.wiki, wikiId: deps.wikiId });
    if (refusal) throw refusalError(refusal, consumer, deps.wikiId);
    return { userId: authorization.userId, grants: authorization.grants };
  }
  if (ctx.get('authorization').startsWith('Bearer')) {
    // MediaWiki's session provider says "Invalid access token" for every token its resource server refuses.
    const { consumer, userId, scopes } = await invalidAuthorizationOn(BearerError, () => authenticateBearer(ctx, deps.provider(), deps.consumers), (err) => (err.invalid ? 'Invalid access token' : err.message));
    const refusal = await refusalToUse(deps.accounts, { consumer, userId, wikiId: deps.wikiId });
    if (refusal) throw refusalError(refusal, consumer, deps.wikiId);
    // MediaWiki: the token's scopes are the grants of the request.
    return { userId, grants: grantsInScope(scopes) };
  }
  return { userId: null, grants: null };
}

/** `makeException('mwoauth-invalid-authorization', $ex->getMessage())` for the verifier's errors. */
async function invalidAuthorizationOn<T, E extends Error>(kind: new (...args: never[]) => E, verify: () => Promise<T>, reason: (err: E) => string = (err) => err.message): Promise<T> {
  try {
    return await verify();
  } catch (err) {
    if (err instanceof kind) throw OAuth1Errors.invalidAuthorization(reason(err));
    throw err;
  }
}
