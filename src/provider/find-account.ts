import type { AccountClaims, FindAccount } from 'oidc-provider';
import type { AccountService, UserProfile } from '../domain/accounts/account-service.js';
import { effectiveRights, releasesPrivateInfo } from '../domain/grants/catalogue.js';
import { grantsInScope } from '../domain/grants/scopes.js';
import { fromMwTimestamp } from '../domain/mw-timestamp.js';

/** Claims per scope (OIDC Core §5.4) plus MediaWiki's profile fields (reference §6.4). */
export const CLAIMS = {
  openid: ['sub'],
  profile: ['preferred_username', 'updated_at', 'name', 'username', 'editcount', 'confirmed_email', 'blocked', 'registered', 'groups', 'rights', 'grants'],
  email: ['email', 'email_verified'],
  acr: null,
  auth_time: null,
  sid: null,
  iss: null,
};

/**
 * The claims of one user, as a token's scopes allow: `sub` is the decimal user id everywhere; real
 * name and email only behind the private-info gate (DESIGN §6); rights limited to the grants.
 */
export function userClaims(profile: UserProfile, scopes: Iterable<string>): Record<string, unknown> {
  const { account } = profile;
  const scopeSet = new Set(scopes);
  const grants = grantsInScope(scopeSet);
  const claims: Record<string, unknown> = {
    sub: String(account.id),
    preferred_username: account.name,
    username: account.name,
    updated_at: Math.floor(fromMwTimestamp(account.touched).getTime() / 1000),
    editcount: account.editCount,
    confirmed_email: account.emailAuthenticated !== null,
    blocked: profile.blocked,
    registered: account.registration,
    groups: profile.groups,
    rights: effectiveRights(profile.rights, grants),
    grants,
  };
  // `email` is only ever granted behind the same gate (allowedScopes).
  if (releasesPrivateInfo(grants) || scopeSet.has('email')) {
    claims.name = account.realName;
    claims.email = account.emailAuthenticated !== null ? account.email : '';
    claims.email_verified = account.emailAuthenticated !== null;
  }
  return claims;
}

export function createFindAccount(accounts: Pick<AccountService, 'profile'>): FindAccount {
  return async (_ctx, sub) => {
    if (!/^[1-9]\d{0,9}$/.test(sub)) return undefined;
    const profile = await accounts.profile(Number(sub));
    if (!profile) return undefined;
    return {
      accountId: sub,
      claims: (_use, scope) => userClaims(profile, scope.split(' ')) as AccountClaims,
    };
  };
}
