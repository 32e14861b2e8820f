import Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { AccountService } from '../domain/accounts/account-service.js';
import { projectIdentity } from '../domain/accounts/identity.js';
import { grantsInScope } from '../domain/grants/scopes.js';
import { userStatementBody } from '../mediawiki/user-statement.js';
import type { ConsumerLookup } from '../domain/consumers/consumer-cache.js';
import { authenticateBearer, BearerError, challengeHeaders, presentedToken } from './bearer-auth.js';

/** league/oauth2-server's `access_denied` text, MediaWiki's answer to every refused token here. */
const ACCESS_DENIED = 'The resource owner or authorization server denied the request.';

export interface ResourceRoutesDeps {
  readonly provider: () => Provider;
  readonly consumers: ConsumerLookup;
  readonly accounts: Pick<AccountService, 'profile'>;
  /** MediaWiki's hint for a token that was refused (token-hints.ts). */
  readonly tokenHint: (value: string) => Promise<string | undefined>;
}

/**
 * MediaWiki's `/oauth2/resource/{profile,scopes}` (docs/mediawiki-compat.md §6), which OAuth 2
 * tools use instead of OIDC UserInfo: any valid access token, with or without `openid`.
 */
export function resourceRoutes(scriptPath: string, deps: ResourceRoutesDeps): Router {
  const router = new Router({ prefix: `${scriptPath}/rest.php/oauth2/resource` });

  router.use(async (ctx, next) => {
    ctx.set('Vary', 'Authorization');
    try {
      ctx.state.bearer = await authenticateBearer(ctx, deps.provider(), deps.consumers);
    } catch (err) {
      if (!(err instanceof BearerError)) throw err;
      // Only a token that is not valid has league's reasons; a refusal of a valid one has none.
      const hint = err.missing ? 'Missing "Authorization" header' : err.invalid ? await deps.tokenHint(presentedToken(ctx)) : undefined;
      return refuse(ctx, err, hint);
    }
    return next();
  });

  router.get('/profile', async (ctx) => {
    const { userId, scopes } = ctx.state.bearer;
    const profile = userId === null ? undefined : await deps.accounts.profile(userId);
    if (!profile) return refuse(ctx, new BearerError('This access token does not belong to a user'));
    // MediaWiki's endpoint knows only grants: the OIDC `email` scope plays no part here.
    const identity = projectIdentity(profile, grantsInScope(scopes));
    ctx.set('Cache-Control', 'no-store');
    ctx.body = userStatementBody(identity, identity.grantedRights, identity.grants);
  });

  // MediaWiki answers with the client's registered grants, not the token's scopes (a known quirk).
  router.get('/scopes', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { scopes: ctx.state.bearer.consumer.grants };
  });

  return router;
}

/**
 * MediaWiki's body for a refused token (league's OAuthServerException::accessDenied: `error`,
 * `error_description`, `hint`, `message`), with RFC 6750 §3's status and challenge. Refusals this
 * site adds (an unusable consumer, an IP restriction, a token without a user) give their reason as
 * the hint.
 */
function refuse(ctx: Context, err: BearerError, hint?: string): void {
  challengeHeaders(ctx, err);
  ctx.body = { error: 'access_denied', error_description: ACCESS_DENIED, hint: hint ?? err.message, message: ACCESS_DENIED };
}
