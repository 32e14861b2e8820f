import type { UserProfile } from '../domain/accounts/account-service.js';
import { releasesPrivateInfo } from '../domain/grants/catalogue.js';
import type { IdentifyClaims } from './identify-jwt.js';

export interface StatementInput {
  /** The public origin of the request (`$wgCanonicalServer`): mwoauth compares its host:port. */
  readonly issuer: string;
  readonly consumerKey: string;
  /** The authorization's grants. */
  readonly grants: readonly string[];
  /** `oauth_nonce` of the identify request. */
  readonly nonce: string;
  readonly nowSeconds: number;
}

/**
 * `UserStatementProvider::getUserStatement` plus the nonce, in MediaWiki's claim order. `rights`
 * are the user's full rights (MediaWiki does not limit identify's rights to the grants); real
 * name and email only behind the private-info gate, email only once confirmed.
 */
export function userStatement(profile: UserProfile, input: StatementInput): IdentifyClaims {
  const { account } = profile;
  const confirmed = account.emailAuthenticated !== null;
  const grants = [...input.grants];
  return {
    iss: input.issuer,
    aud: input.consumerKey,
    exp: input.nowSeconds + 100,
    iat: input.nowSeconds,
    sub: String(account.id),
    username: account.name,
    editcount: account.editCount,
    confirmed_email: confirmed,
    email_verified: confirmed,
    blocked: profile.blocked,
    registered: account.registration,
    groups: profile.groups,
    rights: profile.rights,
    grants,
    ...(releasesPrivateInfo(grants) ? { realname: account.realName, email: confirmed ? account.email : '' } : {}),
    nonce: input.nonce,
  };
}
