import Router from '@koa/router';
import type { Context } from 'koa';
import type { AccountService } from '../domain/accounts/account-service.js';
import type { PasswordThrottle } from '../domain/accounts/password-throttle.js';
import type { TwoFactorService } from '../domain/accounts/two-factor-service.js';
import { DomainError } from '../domain/errors.js';
import { renderPage } from '../http/render.js';
import { literalPath } from '../http/route-path.js';
import type { PagePaths } from '../http/site-paths.js';
import { readForm } from '../http/form-body.js';
import { loginRefusal, LOGIN_MESSAGES } from './login-messages.js';
import { safeReturnTo } from './return-to.js';
import type { SiteSessions } from '../http/site-session.js';
import { PASSWORD_ONLY } from '../domain/accounts/assurance.js';
import type { PendingSignIn, PendingSignIns } from '../http/pending-sign-in.js';
import { checkSecondFactor } from './second-factor-step.js';
import type { WikiSessions } from '../http/wiki-session.js';


export interface LoginDeps {
  readonly accounts: AccountService;
  readonly sessions: SiteSessions;
  readonly throttle: PasswordThrottle;
  readonly twoFactor: Pick<TwoFactorService, 'isEnrolled' | 'verifySecondFactor'>;
  readonly pendingSignIns: PendingSignIns;
  /** Wrong second-factor codes, per account from every address (MediaWiki's `badoath` limit). */
  readonly codeThrottle: PasswordThrottle;
  readonly pages: PagePaths;
  /** Set with MEDIAWIKI_SESSION: a user signed in to the wiki is signed in here without a password. */
  readonly wikiSessions?: WikiSessions;
}

/**
 * Special:UserLogin and Special:UserLogout: the one site sign-in. `returnto` brings the user back
 * (to an OIDC interaction, Special:OAuth/authorize or a management page); `force=1` asks for the
 * password again even when signed in (prompt=login, max_age). A user with two-factor authentication
 * is asked for a code on a second page before the site session begins (docs/sign-in.md).
 */
export function loginRoutes({ accounts, sessions, throttle, pages, twoFactor, pendingSignIns, codeThrottle, wikiSessions }: LoginDeps): Router {
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

  const showCodeForm = async (ctx: Context, pending: PendingSignIn, returnto: unknown, opts: { error?: string; status?: number } = {}) => {
    ctx.state.ownPage = true;
    await renderPage(
      ctx,
      'login-oath',
      { title: 'Log in', action: pages.login, csrfToken: pendingSignIns.csrfToken(pending), returnto: safeReturnTo(returnto, pages.home), error: opts.error ?? null },
      opts.status ?? 200,
    );
  };

  /** The second page: a TOTP code or scratch token for the user whose password was just accepted. */
  const secondFactor = async (ctx: Context, form: Record<string, string | undefined>) => {
    const pending = await pendingSignIns.current(ctx);
    const outcome = await checkSecondFactor({ pendingSignIns, codeThrottle, twoFactor }, pending, { csrfToken: form.wpLoginToken, code: form.OATHToken ?? '', ip: ctx.ip });
    if (outcome.kind === 'signedIn') {
      await pendingSignIns.end(ctx);
      await signedIn(ctx, outcome.userId, pending!.userName, outcome.amr, form.returnto);
      return;
    }
    if (outcome.kind === 'expired' || !pending) {
      await pendingSignIns.end(ctx);
      await showForm(ctx, { error: LOGIN_MESSAGES.codeExpired, ...(pending ? { username: pending.userName } : {}), status: 400 });
      return;
    }
    const refusals = { forged: [LOGIN_MESSAGES.sessionFailure, 400], throttled: [LOGIN_MESSAGES.codeThrottled, 429], failed: [LOGIN_MESSAGES.codeFailed, 400] } as const;
    const [error, status] = refusals[outcome.kind];
    await showCodeForm(ctx, pending, form.returnto, { error, status });
  };

  const signedIn = async (ctx: Context, userId: number, userName: string, amr: readonly string[], returnto: unknown) => {
    await sessions.start(ctx, userId, amr);
    await throttle.clear(ctx.ip, userName);
    ctx.status = 303;
    ctx.redirect(safeReturnTo(returnto, pages.home));
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
    if (form.OATHToken !== undefined) {
      await secondFactor(ctx, form);
      return;
    }
    const username = (form.wpName ?? '').slice(0, 255);
    if (!sessions.checkLoginCsrf(ctx, form.wpLoginToken)) {
      await showForm(ctx, { error: LOGIN_MESSAGES.sessionFailure, username, status: 400 });
      return;
    }
    if (!(await throttle.attempt(ctx.ip, username))) {
      await showForm(ctx, { error: LOGIN_MESSAGES.throttled, username, status: 429 });
      return;
    }
    try {
      const account = await accounts.authenticate(username, form.wpPassword ?? '');
      if (await twoFactor.isEnrolled(account.id)) {
        // No site session yet: the password alone is not a sign-in for this user.
        await showCodeForm(ctx, await pendingSignIns.begin(ctx, account.id, username), form.returnto);
        return;
      }
      await signedIn(ctx, account.id, username, PASSWORD_ONLY, form.returnto);
    } catch (err) {
      const error = loginRefusal(err);
      if (error === undefined) throw err;
      await showForm(ctx, { error, username, status: 400 });
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
