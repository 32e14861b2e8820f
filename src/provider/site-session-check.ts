import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import type { SiteSessions } from '../http/site-session.js';

/**
 * One site sign-in: the provider's own session is only as good as the site session. Logging out of
 * the site (or in as someone else) makes the next authorization request ask for sign-in again, and
 * `prompt=none` answer `login_required`.
 */
export function interactionPolicyWithSiteSession(sessions: SiteSessions) {
  const policy = interactionPolicy.base();
  policy.get('login')!.checks.add(
    new interactionPolicy.Check('site_session', 'End-User authentication is required', 'login_required', async (ctx: KoaContextWithOIDC) => {
      const accountId = ctx.oidc.session?.accountId;
      if (!accountId) return interactionPolicy.Check.NO_NEED_TO_PROMPT; // `no_session` asks already
      const site = await sessions.current(ctx);
      return !site || String(site.userId) !== accountId ? interactionPolicy.Check.REQUEST_PROMPT : interactionPolicy.Check.NO_NEED_TO_PROMPT;
    }),
  );
  return policy;
}
