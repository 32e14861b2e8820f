import type { AccountClaims, FindAccount } from 'oidc-provider';
import type { AccountService, UserProfile } from '../domain/accounts/account-service.js';
import { projectIdentity } from '../domain/accounts/identity.js';

/** Claims per scope (OIDC Core §5.4) plus MediaWiki's profile fields (docs/mediawiki-compat.md §6). */
export const CLAIMS = {
  // acr and amr in every ID token (docs/sign-in.md "Authentication levels"); userinfo has neither.
  openid: ['sub', 'acr', 'amr'],
  profile: ['preferred_username', 'updated_at', 'name', 'username', 'editcount', 'confirmed_email', 'blocked', 'registered', 'groups', 'rights', 'grants'],
  email: ['email', 'email_verified'],
  acr: null,
  auth_time: null,
  sid: null,
  iss: null,
};

/** OIDC claim names for the identity a token's scopes may see (OIDC Core §5.1, MediaWiki's profile fields). */
export function userClaims(profile: UserProfile, scopes: Iterable<string>): Record<string, unknown> {
  const identity = projectIdentity(profile, scopes);
  const claims: Record<string, unknown> = {
    sub: identity.sub,
    preferred_username: identity.username,
    username: identity.username,
    updated_at: identity.updatedAt,
    editcount: identity.editCount,
    confirmed_email: identity.confirmedEmail,
    blocked: identity.blocked,
    registered: identity.registered,
    groups: identity.groups,
    rights: identity.grantedRights,
    grants: identity.grants,
  };
  if (identity.privateInfo) {
    claims.name = identity.privateInfo.realName;
    claims.email = identity.privateInfo.email;
    claims.email_verified = identity.confirmedEmail;
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
