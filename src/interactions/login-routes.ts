import Router from '@koa/router';
import type { Context } from 'koa';
import type { AccountService } from '../domain/accounts/account-service.js';
import type { PasswordThrottle } from '../domain/accounts/password-throttle.js';
import { DomainError } from '../domain/errors.js';
import { renderPage } from '../http/render.js';
import { literalPath } from '../http/route-path.js';
import type { PagePaths } from '../http/site-paths.js';
import { readForm } from '../http/form-body.js';
import { safeReturnTo } from './return-to.js';
import type { SiteSessions } from '../http/site-session.js';
import type { WikiSessions } from '../http/wiki-session.js';

const LOGIN_FAILED = 'Incorrect username or password entered. Please try again.';
const THROTTLED = 'You have made too many recent login attempts. Please wait 5 minutes before trying again.';

export interface LoginDeps {
  readonly accounts: AccountService;
  readonly sessions: SiteSessions;
  readonly throttle: PasswordThrottle;
  readonly pages: PagePaths;
  /** Set with MEDIAWIKI_SESSION: a user signed in to the wiki is signed in here without a password. */
  readonly wikiSessions?: WikiSessions;
}

/**
 * Special:UserLogin and Special:UserLogout: the one site sign-in. `returnto` brings the user back
 * (to an OIDC interaction, Special:OAuth/authorize or a management page); `force=1` asks for the
 * password again even when signed in (prompt=login, max_age).
 */
export function loginRoutes({ accounts, sessions, throttle, pages, wikiSessions }: LoginDeps): Router {
  const router = new Router();
  const mainPage = { href: pages.home, text: 'Return to the main page' };

  const showForm = async (ctx: Context, opts: { error?: string; username?: string; status?: number } = {}) => {
    ctx.state.ownPage = true;
    // Signing in for an application can end, through redirects, at its redirect URI (any origin).
    const returnto = safeReturnTo(ctx.query.returnto ?? (ctx.request as { body?: Record<string, unknown> }).body?.returnto, pages.home);
    await renderPage(
      ctx,
      'login',
      {
        title: 'Log in',
        action: `${pages.login}${ctx.query.force === '1' ? '?force=1' : ''}`,
        csrfToken: sessions.loginCsrfToken(ctx),
        returnto,
        username: opts.username ?? (typeof ctx.query.wpName === 'string' ? ctx.query.wpName.slice(0, 255) : ''),
        error: opts.error ?? null,
        notice: ctx.query.force === '1' ? 'Please confirm your password to continue.' : null,
      },
      opts.status ?? 200,
    );
  };

  router.get(literalPath(pages.login), async (ctx) => {
    const current = (await sessions.current(ctx)) ?? (ctx.query.force === '1' ? undefined : await wikiSessions?.signIn(ctx, sessions));
    if (current && ctx.query.force !== '1') {
      ctx.redirect(safeReturnTo(ctx.query.returnto, pages.home));
      return;
    }
    await showForm(ctx);
  });

  router.post(literalPath(pages.login), async (ctx) => {
    const form = await readForm(ctx);
    const username = (form.wpName ?? '').slice(0, 255);
    if (!sessions.checkLoginCsrf(ctx, form.wpLoginToken)) {
      await showForm(ctx, { error: 'There seems to be a problem with your login session; this action has been canceled as a precaution against session hijacking. Please resubmit the form.', username, status: 400 });
      return;
    }
    if (!(await throttle.attempt(ctx.ip, username))) {
      await showForm(ctx, { error: THROTTLED, username, status: 429 });
      return;
    }
    try {
      const account = await accounts.authenticate(username, form.wpPassword ?? '');
      await sessions.start(ctx, account.id);
      await throttle.clear(ctx.ip, username);
      ctx.status = 303;
      ctx.redirect(safeReturnTo(form.returnto, pages.home));
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      // One message for an unknown user and a wrong password (docs/architecture.md §9).
      await showForm(ctx, { error: err.code === 'user_blocked' ? 'This account is blocked and cannot log in.' : LOGIN_FAILED, username, status: 400 });
    }
  });

  router.get(literalPath(pages.logout), async (ctx) => {
    ctx.state.ownPage = true;
    const session = await sessions.current(ctx);
    if (!session) {
      await renderPage(ctx, 'message', { title: 'Log out', heading: 'Log out', message: 'You are not logged in.', link: mainPage });
      return;
    }
    await renderPage(ctx, 'logout-site', { title: 'Log out', csrfToken: sessions.csrfToken(session) });
  });

  router.post(literalPath(pages.logout), async (ctx) => {
    ctx.state.ownPage = true;
    const form = await readForm(ctx);
    const session = await sessions.current(ctx);
    if (session && !sessions.checkCsrf(session, form.wpEditToken)) {
      throw new DomainError('bad_csrf_token', 'Your session token was missing or stale; please try again.');
    }
    await sessions.end(ctx);
    await renderPage(ctx, 'message', { title: 'Logged out', heading: 'You are now logged out', message: 'You have been logged out of this site.', link: mainPage });
  });

  return router;
}
