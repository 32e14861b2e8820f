import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import { hasTwoFactors, twoFactorDemanded } from '../domain/accounts/assurance.js';
import type { ConsumerLookup } from '../domain/consumers/consumer-cache.js';
import type { SiteSessions } from '../http/site-session.js';

/** The login prompt's reason when a request needs two factors and the session has fewer. */
export const TWO_FACTOR_REQUIRED = 'two_factor_required';

/**
 * One site sign-in: the provider's own session is only as good as the site session. Logging out of
 * the site (or in as someone else) makes the next authorization request ask for sign-in again, and
 * `prompt=none` answer `login_required`; a new sign-in with other factors is taken up at the next request. A request that needs two factors (the consumer's setting or
 * `acr_values`, docs/sign-in.md "Authentication levels") asks again when the session had only a password.
 */
export function interactionPolicyWithSiteSession(sessions: SiteSessions, consumers: ConsumerLookup) {
  const policy = interactionPolicy.base();
  const login = policy.get('login')!;
  login.checks.add(
    new interactionPolicy.Check('site_session', 'End-User authentication is required', 'login_required', async (ctx: KoaContextWithOIDC) => {
      const accountId = ctx.oidc.session?.accountId;
      if (!accountId) return interactionPolicy.Check.NO_NEED_TO_PROMPT; // `no_session` asks already
      const site = await sessions.current(ctx);
      // The factors too: after a new sign-in with other factors the provider's session would
      // otherwise go on reporting the old ones (`amr`, `acr`); the interaction takes the site's at once.
      const same = site && String(site.userId) === accountId && sameFactors(site.amr, ctx.oidc.session?.amr);
      return same ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT;
    }),
  );
  login.checks.add(
    new interactionPolicy.Check(TWO_FACTOR_REQUIRED, 'two-factor authentication is required', 'login_required', async (ctx: KoaContextWithOIDC) => {
      const { session, client, params } = ctx.oidc;
      if (!session?.accountId || !client) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      if (!twoFactorDemanded(await consumers.get(client.clientId), params?.acr_values)) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      return hasTwoFactors(session.amr) ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT;
    }),
  );
  return policy;
}

function sameFactors(a: readonly string[], b: readonly string[] | undefined): boolean {
  return b !== undefined && a.length === b.length && a.every((factor) => b.includes(factor));
}
