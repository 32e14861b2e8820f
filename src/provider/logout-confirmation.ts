import type { Middleware } from 'koa';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { renderPage } from '../http/render.js';
import type { SiteSessions } from '../http/site-session.js';

interface LogoutContext {
  readonly route?: string;
  readonly params?: { logout?: unknown };
  readonly session?: { accountId?: string; state?: { secret?: string } };
  readonly client?: { clientName?: string };
  urlFor(name: string): string;
}

/**
 * RP-initiated logout (OIDC RP-Initiated Logout §2, docs/security.md "Logout") ends the site
 * session too — but only after the user's own click. Without a provider session, oidc-provider
 * answers the logout request with a page that submits itself; with a site session present that
 * would end it for anyone who can make the browser load a URL. That page is replaced with the
 * confirmation page, and only a confirmation asked for by that page ends the site session.
 */
export function confirmedLogout(sessions: SiteSessions): Middleware {
  return async (ctx, next) => {
    await next();
    const oidc = (ctx as unknown as KoaContextWithOIDC).oidc as unknown as LogoutContext | undefined;
    if (oidc?.route === 'end_session' && ctx.status === 200 && !oidc.session?.accountId && oidc.session?.state?.secret && (await sessions.current(ctx))) {
      const form = `<form id="op.logoutForm" method="post" action="${escape(oidc.urlFor('end_session_confirm'))}"><input type="hidden" name="xsrf" value="${escape(oidc.session.state.secret)}"/></form>`;
      ctx.state.ownPage = false;
      await renderPage(ctx, 'logout', { title: 'Log out', form, clientName: oidc.client?.clientName ?? null });
    }
    if (oidc?.route === 'end_session_confirm' && oidc.params?.logout) await sessions.end(ctx);
  };
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
