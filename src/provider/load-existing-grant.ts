import type { KoaContextWithOIDC, Grant } from 'oidc-provider';
import { isUsableBy } from '../domain/consumers/consumer.js';
import type { AuthorizationRepository } from '../domain/grants/authorization.js';
import { scopesOfAuthorization } from '../domain/grants/scopes.js';
import type { ConsumerLookup } from '../domain/consumers/consumer-cache.js';

/**
 * The grant an authorization request can use without asking again (DESIGN §6 "Consent"): the
 * session's grant, else one rebuilt from the user's stored authorization (`oauth_accepted_consumer`),
 * so a second authorization with the same or fewer scopes skips the consent page — also in a new
 * browser session. A consumer the user may not use (proposed and not theirs) never gets a grant.
 */
export function createLoadExistingGrant(consumerCache: ConsumerLookup, authorizations: AuthorizationRepository) {
  return async (ctx: KoaContextWithOIDC): Promise<Grant | undefined> => {
    const { oidc } = ctx;
    const client = oidc.client!;
    const accountId = oidc.session!.accountId!;
    const consumer = await consumerCache.get(client.clientId);
    if (!consumer || !isUsableBy(consumer, Number(accountId))) return undefined;

    const grantId = oidc.result?.consent?.grantId ?? oidc.session!.grantIdFor(client.clientId);
    if (grantId) {
      const grant = await oidc.provider.Grant.find(grantId);
      if (grant && grant.accountId === accountId) return grant;
    }
    const authorization = await authorizations.find(Number(accountId), consumer.id, consumer.wiki);
    if (!authorization) return undefined;
    const grant = new oidc.provider.Grant({ accountId, clientId: client.clientId });
    grant.addOIDCScope(scopesOfAuthorization(authorization.grants).join(' '));
    await grant.save();
    return grant;
  };
}
