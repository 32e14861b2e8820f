import type { Consumer } from '../consumers/consumer.js';
import { GRANTS, IRREVOCABLE_GRANTS, releasesPrivateInfo } from './catalogue.js';

/** OIDC scopes that are not MediaWiki grants. */
export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

/**
 * What a consumer may ask for (docs/architecture.md §4): its grants, plus `openid` and `profile` (identify works
 * for any grant), `email` only behind the private-info gate, `offline_access` only with the
 * refresh_token grant type.
 */
export function allowedScopes(consumer: Consumer): string[] {
  return [
    ...consumer.grants,
    'openid',
    'profile',
    ...(releasesPrivateInfo(consumer.grants) ? ['email'] : []),
    ...(consumer.oauth2AllowedGrants.includes('refresh_token') ? ['offline_access'] : []),
  ];
}

/**
 * MediaWiki's authorize defaults: no scope means every grant of the consumer; scopes it may not
 * ask for are dropped, not refused.
 */
export function effectiveRequestedScopes(consumer: Consumer, requested: string | undefined): string[] {
  const allowed = new Set(allowedScopes(consumer));
  if (requested === undefined || requested.trim() === '') return [...consumer.grants];
  const kept = requested.split(' ').filter((s) => allowed.has(s));
  // The irrevocable grants (basic, the auth-only grants) cannot be left out (MediaWiki T413947).
  const irrevocable = consumer.grants.filter((g) => IRREVOCABLE_GRANTS.includes(g));
  return kept.length ? [...new Set([...kept, ...irrevocable])] : [...consumer.grants];
}

/**
 * Grants an authorization stores: the requested ones plus the irrevocable ones, within what the
 * consumer registered (MediaWiki T413947).
 */
export function grantsToStore(consumer: Consumer, scopes: Iterable<string>): string[] {
  const wanted = new Set([...scopes, ...IRREVOCABLE_GRANTS]);
  return consumer.grants.filter((g) => wanted.has(g));
}

/** MediaWiki grants among a token's scopes. */
export function grantsInScope(scopes: Iterable<string>): string[] {
  return [...scopes].filter((s) => GRANTS.has(s));
}

/**
 * The scopes a stored authorization stands for: its grants plus the identity scopes every consumer
 * may use (docs/mediawiki-compat.md §8), `email` only behind the private-info gate.
 */
export function scopesOfAuthorization(grants: readonly string[]): string[] {
  return ['openid', 'profile', ...(releasesPrivateInfo(grants) ? ['email'] : []), ...grants];
}
