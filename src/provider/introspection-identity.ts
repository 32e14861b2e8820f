import type { Middleware } from 'koa';
import type { UserProfile } from '../domain/accounts/account-service.js';
import { projectIdentity } from '../domain/accounts/identity.js';

/**
 * Introspection (RFC 7662 §2.2) names the token's user from the same identity projection as
 * userinfo, `resource/profile`, identify and api.php (docs/architecture.md §4): `sub` and `username`
 * of the identity the token's scopes may see. A token without a user (client_credentials of a
 * machine client) and inactive tokens are answered as oidc-provider made them.
 */
export function introspectionIdentity(path: string, profiles: { profile(id: number): Promise<UserProfile | undefined> }): Middleware {
  return async (ctx, next) => {
    if (ctx.path !== path) return next();
    await next();
    if (ctx.status !== 200) return;
    const body = ctx.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object' || body.active !== true || typeof body.sub !== 'string' || !/^[1-9]\d{0,9}$/.test(body.sub)) return;
    const profile = await profiles.profile(Number(body.sub));
    if (!profile) return;
    const identity = projectIdentity(profile, typeof body.scope === 'string' ? body.scope.split(' ') : []);
    ctx.body = { ...body, sub: identity.sub, username: identity.username };
  };
}
