import type { Consumer } from '../consumers/consumer.js';
import type { Authorization, AuthorizationRepository } from './authorization.js';
import { AUTH_ONLY_GRANTS } from './catalogue.js';

/**
 * `Consumer::getCurrentAuthorization`: a user may have accepted a consumer once for every wiki
 * (`*`) and once per wiki; the most specific row wins — the consumer's own wiki when it is bound
 * to one, else this wiki — then the `*` row.
 */
export async function findCurrentAuthorization(
  authorizations: AuthorizationRepository,
  consumer: Consumer,
  userId: number,
  wikiId: string,
): Promise<Authorization | undefined> {
  const checkWiki = consumer.wiki !== '*' ? consumer.wiki : wikiId;
  const specific = await authorizations.find(userId, consumer.id, checkWiki);
  if (specific || checkWiki === '*') return specific;
  return authorizations.find(userId, consumer.id, '*');
}

/**
 * When `Special:OAuth/authenticate` may skip the dialog (`SpecialMWOAuth::handleAuthorizationForm`):
 * the user already accepted this consumer for the same wiki with exactly the consumer's grants
 * (PHP `===` on the lists: same names in the same order), those grants are auth-only, and the
 * consumer is confidential (every OAuth 1.0a consumer is). `authorize` always asks.
 */
export function authenticateSkipsDialog(existing: Authorization | undefined, consumer: Consumer): boolean {
  if (!existing || existing.wiki !== consumer.wiki) return false;
  const same = existing.grants.length === consumer.grants.length && existing.grants.every((g, i) => g === consumer.grants[i]);
  const confidential = consumer.oauthVersion === 1 || consumer.oauth2IsConfidential;
  return same && existing.grants.every((g) => AUTH_ONLY_GRANTS.includes(g)) && confidential;
}
