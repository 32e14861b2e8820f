import { effectiveRights, releasesPrivateInfo } from '../grants/catalogue.js';
import { grantsInScope } from '../grants/scopes.js';
import { fromMwTimestamp } from '../mw-timestamp.js';
import type { UserProfile } from './account-service.js';

/** Real name and email: released only behind the private-info gate (docs/architecture.md "Identity"). */
export interface PrivateInfo {
  readonly realName: string;
  /** The address once confirmed, else '' (MediaWiki's UserStatementProvider). */
  readonly email: string;
  /** The raw address and when it was confirmed (MediaWiki timestamp), for api.php. */
  readonly address: string;
  readonly emailAuthenticated: string | null;
}

/**
 * Who a credential acts for, as every edge that tells a client about its user sees it: OIDC
 * userinfo and ID tokens, `rest.php/oauth2/resource/profile`, Special:OAuth/identify and api.php
 * `meta=userinfo`. Each edge only picks and names fields; what is released is decided here.
 */
export interface Identity {
  /** The decimal user id (the same `sub` everywhere). */
  readonly sub: string;
  readonly userId: number;
  readonly username: string;
  readonly editCount: number;
  readonly confirmedEmail: boolean;
  readonly blocked: boolean;
  /** MediaWiki timestamp of the registration, null for very old accounts. */
  readonly registered: string | null;
  /** Epoch seconds of the account's last change (OIDC `updated_at`). */
  readonly updatedAt: number;
  readonly groups: readonly string[];
  /** The user's own rights (identify reports these, as MediaWiki does). */
  readonly rights: readonly string[];
  /** The user's rights limited to the credential's grants (what a token may do). */
  readonly grantedRights: readonly string[];
  /** The MediaWiki grants among the credential's scopes. */
  readonly grants: readonly string[];
  readonly privateInfo: PrivateInfo | undefined;
}

/**
 * Profile + a credential's scopes (an access token's scopes, or an authorization's grants) → the
 * identity it may see. The private-info rule, written once: real name and email only when the
 * grants release private information (`mwoauth-authonlyprivate`, or a grant carrying
 * `viewmyprivateinfo`) or the user consented to the OIDC `email` scope, which is only ever offered
 * behind the same gate (`allowedScopes`).
 */
export function projectIdentity(profile: UserProfile, scopes: Iterable<string>): Identity {
  const { account } = profile;
  const scopeList = [...scopes];
  const grants = grantsInScope(scopeList);
  const confirmedEmail = account.emailAuthenticated !== null;
  const released = releasesPrivateInfo(grants) || scopeList.includes('email');
  return {
    sub: String(account.id),
    userId: account.id,
    username: account.name,
    editCount: account.editCount,
    confirmedEmail,
    blocked: profile.blocked,
    registered: account.registration,
    updatedAt: Math.floor(fromMwTimestamp(account.touched).getTime() / 1000),
    groups: profile.groups,
    rights: profile.rights,
    grantedRights: effectiveRights(profile.rights, grants),
    grants,
    privateInfo: released
      ? { realName: account.realName, email: confirmedEmail ? account.email : '', address: account.email, emailAuthenticated: account.emailAuthenticated }
      : undefined,
  };
}
