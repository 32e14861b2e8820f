import { PermissionError } from '../errors.js';
import { effectiveRights } from '../grants/catalogue.js';
import type { UserProfile } from './account-service.js';

/**
 * Who performs a management action: a signed-in user with the rights they may use right now.
 * Through an OAuth token the rights are the user's rights ∩ the token's grants' rights
 * (MediaWiki's getAllowedUserRights).
 */
export interface Actor {
  readonly id: number;
  readonly name: string;
  readonly email: string;
  readonly emailConfirmed: boolean;
  readonly blocked: boolean;
  readonly rights: ReadonlySet<string>;
}

export function actorFromProfile(profile: UserProfile, grants?: Iterable<string>): Actor {
  const { account } = profile;
  return {
    id: account.id,
    name: account.name,
    email: account.email,
    emailConfirmed: account.email !== '' && account.emailAuthenticated !== null,
    blocked: profile.blocked,
    rights: new Set(grants === undefined ? profile.rights : effectiveRights(profile.rights, grants)),
  };
}

export function hasRight(actor: Pick<Actor, 'rights'> | undefined, right: string): boolean {
  return actor?.rights.has(right) ?? false;
}

/**
 * The right an action needs, and an unblocked account (ConsumerSubmitControl::checkBasePermissions
 * with `$wgBlockDisablesLogin`: a blocked user keeps no right that changes anything).
 */
export function requireRight(actor: Pick<Actor, 'rights' | 'blocked'>, right: string): void {
  if (!actor.rights.has(right)) throw new PermissionError(right);
  if (actor.blocked) throw new PermissionError(right, `Your account is blocked, so you cannot use the "${right}" right`);
}
