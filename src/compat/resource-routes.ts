import Router from '@koa/router';
import type Provider from 'oidc-provider';
import type { AccountService } from '../domain/accounts/account-service.js';
import { projectIdentity } from '../domain/accounts/identity.js';
import { grantsInScope } from '../domain/grants/scopes.js';
import { userStatementBody } from '../mediawiki/user-statement.js';
import type { ConsumerLookup } from '../domain/consumers/consumer-cache.js';
import { authenticateBearer, bearerChallenge, BearerError } from './bearer-auth.js';

/**
 * MediaWiki's `/oauth2/resource/{profile,scopes}` (docs/mediawiki-compat.md §6), which OAuth 2
 * tools use instead of OIDC UserInfo: any valid access token, with or without `openid`.
 */
export function resourceRoutes(scriptPath: string, deps: { provider: () => Provider; consumers: ConsumerLookup; accounts: Pick<AccountService, 'profile'> }): Router {
  const router = new Router({ prefix: `${scriptPath}/rest.php/oauth2/resource` });

  router.use(async (ctx, next) => {
    ctx.set('Vary', 'Authorization');
    try {
      ctx.state.bearer = await authenticateBearer(ctx, deps.provider(), deps.consumers);
    } catch (err) {
      if (err instanceof BearerError) return bearerChallenge(ctx, err);
      throw err;
    }
    return next();
  });

  router.get('/profile', async (ctx) => {
    const { userId, scopes } = ctx.state.bearer;
    const profile = userId === null ? undefined : await deps.accounts.profile(userId);
    if (!profile) return bearerChallenge(ctx, new BearerError('This access token does not belong to a user'));
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
