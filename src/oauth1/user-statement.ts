import type { UserProfile } from '../domain/accounts/account-service.js';
import { projectIdentity } from '../domain/accounts/identity.js';
import { userStatementBody } from '../mediawiki/user-statement.js';
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
 * name and email as the identity projection releases them.
 */
export function userStatement(profile: UserProfile, input: StatementInput): IdentifyClaims {
  const identity = projectIdentity(profile, input.grants);
  return {
    iss: input.issuer,
    aud: input.consumerKey,
    exp: input.nowSeconds + 100,
    iat: input.nowSeconds,
    // The authorization's grants as stored, in their order.
    ...userStatementBody(identity, identity.rights, input.grants),
    nonce: input.nonce,
  } as IdentifyClaims;
}
