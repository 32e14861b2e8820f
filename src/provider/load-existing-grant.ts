import type { KoaContextWithOIDC, Grant } from 'oidc-provider';
import { isUsableBy } from '../domain/consumers/consumer.js';
import type { GrantService } from '../domain/grants/grant-service.js';
import type { ConsumerLookup } from '../domain/consumers/consumer-cache.js';

/**
 * The grant an authorization request can use without asking again (docs/architecture.md §4 "Consent"): the
 * session's grant, else one rebuilt from the user's stored authorization (`oauth_accepted_consumer`),
 * so a second authorization with the same or fewer scopes skips the consent page — also in a new
 * browser session. A consumer the user may not use (proposed and not theirs) never gets a grant.
 */
export function createLoadExistingGrant(consumerCache: ConsumerLookup, grants: Pick<GrantService, 'existingScopes'>) {
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
    const scopes = await grants.existingScopes(consumer, Number(accountId));
    if (!scopes) return undefined;
    const grant = new oidc.provider.Grant({ accountId, clientId: client.clientId });
    grant.addOIDCScope(scopes.join(' '));
    await grant.save();
    return grant;
  };
}
