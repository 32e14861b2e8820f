import type { KoaContextWithOIDC, Grant } from 'oidc-provider';
import { isUsableBy, type Consumer } from '../domain/consumers/consumer.js';
import type { GrantService } from '../domain/grants/grant-service.js';
import { grantsInScope } from '../domain/grants/scopes.js';
import type { ConsumerLookup } from '../domain/consumers/consumer-cache.js';
import type { SiteSessions } from '../http/site-session.js';

/**
 * The grant an authorization request can use without asking again (docs/architecture.md §4 "Consent"): the
 * session's grant, else one rebuilt from the user's stored authorization (`oauth_accepted_consumer`),
 * so a second authorization with the same or fewer scopes skips the consent page — also in a new
 * browser session. A consumer the user may not use (proposed and not theirs) never gets a grant.
 * A trusted consumer's request is accepted here for the signed-in user (docs/mediawiki-compat.md
 * "Trusted consumers"), so it needs no consent page and `prompt=none` succeeds.
 */
export function createLoadExistingGrant(consumerCache: ConsumerLookup, grants: Pick<GrantService, 'existingScopes' | 'consent'>, sessions: Pick<SiteSessions, 'current'>) {
  return async (ctx: KoaContextWithOIDC): Promise<Grant | undefined> => {
    const { oidc } = ctx;
    const client = oidc.client!;
    const accountId = oidc.session!.accountId!;
    const consumer = await consumerCache.get(client.clientId);
    if (!consumer || !isUsableBy(consumer, Number(accountId))) return undefined;

    const grantId = oidc.result?.consent?.grantId ?? oidc.session!.grantIdFor(client.clientId);
    if (grantId) {
      const grant = await oidc.provider.Grant.find(grantId);
      if (grant && grant.accountId === accountId && !(await acceptedAsTrusted(ctx, consumer, grant.getOIDCScope().split(' '), grants, sessions))) return grant;
    }
    let scopes = await grants.existingScopes(consumer, Number(accountId));
    if (await acceptedAsTrusted(ctx, consumer, scopes ?? [], grants, sessions)) scopes = await grants.existingScopes(consumer, Number(accountId));
    if (!scopes) return undefined;
    const grant = new oidc.provider.Grant({ accountId, clientId: client.clientId });
    grant.addOIDCScope(scopes.join(' '));
    await grant.save();
    return grant;
  };
}

/**
 * A trusted consumer asking for scopes beyond `granted`: the consent is recorded for the user as
 * if they had accepted the page (true), unless the client asked for the page (`prompt=consent`) or a
 * new sign-in (`prompt=login`), or the site session is not this user's (the sign-in comes first).
 */
async function acceptedAsTrusted(ctx: KoaContextWithOIDC, consumer: Consumer, granted: readonly string[], grants: Pick<GrantService, 'consent'>, sessions: Pick<SiteSessions, 'current'>): Promise<boolean> {
  const { oidc } = ctx;
  if (!consumer.trusted || oidc.prompts.has('consent') || oidc.prompts.has('login')) return false;
  const requested = String(oidc.params?.scope ?? '').split(' ').filter(Boolean);
  // Only grants are recorded (the identity scopes come with every authorization).
  if (grantsInScope(requested).every((s) => granted.includes(s)) && granted.length) return false;
  const site = await sessions.current(ctx);
  if (!site || String(site.userId) !== oidc.session!.accountId) return false;
  await grants.consent(consumer, site.userId, requested);
  return true;
}
