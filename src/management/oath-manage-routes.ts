import Router from '@koa/router';
import type { Context } from 'koa';
import type { AccountService } from '../domain/accounts/account-service.js';
import type { PasswordThrottle } from '../domain/accounts/password-throttle.js';
import type { TwoFactorSetup } from '../domain/accounts/two-factor-setup.js';
import { qrCodeSvg } from '../http/qr-code.js';
import { renderPage } from '../http/render.js';
import { readBody } from '../http/request-body.js';
import { literalPath } from '../http/route-path.js';
import type { PagePaths } from '../http/site-paths.js';
import type { SiteSessions } from '../http/site-session.js';
import { otpauthUri } from '../security/oath-keys.js';
import { checkFormToken, renderManagementPage, requireSignIn, type SignedIn } from './page-context.js';

export interface OathManageDeps {
  readonly accounts: AccountService;
  readonly sessions: SiteSessions;
  readonly twoFactor: TwoFactorSetup;
  /** The name authenticator apps show beside the account (OATHAuth: `$wgSitename`). */
  readonly issuer: string;
  /** Account changes are logged as OATHAuth logs them (its `authentication` channel): who, what, from where. */
  readonly log: (line: string) => void;
  readonly pages: PagePaths;
  /** MediaWiki's `badoath` limit, shared with the sign-in's code step. */
  readonly codeThrottle: Pick<PasswordThrottle, 'attempt'>;
}

const THROTTLED = 'Too many verification attempts! Please wait a minute and try again.';

/**
 * Special:OATHManage for a signed-in user (docs/sign-in.md, "Two-factor enrolment"): enable
 * TOTP with a QR code and the secret as text, confirmed by a first code; the scratch tokens are
 * shown once, after confirmation; disable with a current code or a scratch token, which ends
 * every site session of the user. `action` and `module` are OATHAuth's query parameters, `token`
 * its form field.
 */
export function oathManageRoutes(deps: OathManageDeps): Router {
  const router = new Router();
  const base = deps.pages.twoFactor;
  const ENABLE = `${base}?action=enable&module=totp`;
  const DISABLE = `${base}?action=disable&module=totp`;
  const manageLink = { href: base, text: 'Manage two-factor authentication' };

  router.get(literalPath(base), async (ctx) => {
    const signedIn = await requireSignIn(ctx, deps);
    if (!signedIn) return;
    const action = actionOf(ctx.query);
    if (action === 'enable') return showEnable(ctx, signedIn);
    const enrolled = await deps.twoFactor.isEnrolled(signedIn.actor.id);
    if (action === 'disable' && enrolled) return showDisable(ctx, signedIn);
    await renderManagementPage(ctx, 'oath-manage', { title: 'Two-factor authentication', enrolled, enable: ENABLE, disable: DISABLE });
  });

  router.post(literalPath(base), async (ctx) => {
    const signedIn = await requireSignIn(ctx, deps);
    if (!signedIn) return;
    const form = await readBody(ctx);
    checkFormToken(deps, signedIn, form);
    const code = (form.one('token') ?? '').slice(0, 64);
    // OATHAuth's own forms send `action` and `module` as fields; WebRequest lets them win over the URL's.
    const action = actionOf({ action: form.one('action') ?? ctx.query.action, module: form.one('module') ?? ctx.query.module });
    if (action !== 'enable' && action !== 'disable') return ctx.redirect(base);
    const show = action === 'enable' ? showEnable : showDisable;
    if (!(await deps.codeThrottle.attempt(ctx.ip, signedIn.actor.name))) return show(ctx, signedIn, THROTTLED, 429);
    return action === 'enable' ? confirm(ctx, signedIn, code) : disable(ctx, signedIn, code);
  });

  async function showEnable(ctx: Context, signedIn: SignedIn, error: string | null = null, status = error ? 400 : 200): Promise<void> {
    const start = await deps.twoFactor.start(signedIn.actor.id);
    if (start.enrolled) return message(ctx, 'Two-factor authentication', 'Two-factor authentication is already enabled for your account. Disable it first to set up a new device.', manageLink);
    const uri = otpauthUri(deps.issuer, signedIn.actor.name, start.secret);
    await renderManagementPage(
      ctx,
      'oath-enable',
      { title: 'Enable two-factor authentication', action: ENABLE, csrfToken: signedIn.csrfToken, qrCode: await qrCodeSvg(uri), uri, secret: groupsOfFour(start.secret), account: `${deps.issuer}:${signedIn.actor.name}`, error },
      status,
    );
  }

  async function confirm(ctx: Context, signedIn: SignedIn, code: string): Promise<void> {
    const result = await deps.twoFactor.confirm(signedIn.actor.id, code);
    switch (result.outcome) {
      case 'enabled':
        deps.log(`two-factor authentication enabled for ${signedIn.actor.name} (user ${signedIn.actor.id}) from ${ctx.ip}`);
        await renderManagementPage(ctx, 'oath-enabled', { title: 'Two-factor authentication enabled', scratchTokens: result.scratchTokens.map(groupsOfFour), manage: base });
        return;
      case 'already_enrolled':
        return message(ctx, 'Two-factor authentication', 'Two-factor authentication is already enabled for your account.', manageLink);
      case 'scratch_token':
        return showEnable(ctx, signedIn, 'You cannot use a recovery code to confirm two-factor authentication. Please use a code from your two-factor authentication application.');
      case 'no_pending_key':
        return showEnable(ctx, signedIn, 'The key shown before has expired. Add this new key to your application and enter a code from it.');
      case 'wrong_code':
        return showEnable(ctx, signedIn, 'Failed to validate two-factor credentials. Check that your device shows the time correctly and enter a new code.');
    }
  }

  async function showDisable(ctx: Context, signedIn: SignedIn, error: string | null = null, status = error ? 400 : 200): Promise<void> {
    await renderManagementPage(ctx, 'oath-disable', { title: 'Disable two-factor authentication', action: DISABLE, csrfToken: signedIn.csrfToken, error }, status);
  }

  async function disable(ctx: Context, signedIn: SignedIn, code: string): Promise<void> {
    const result = await deps.twoFactor.disable(signedIn.actor.id, code);
    if (result === 'wrong_code') return showDisable(ctx, signedIn, 'Verification failed. Enter a current code from your application, or one of your recovery codes.');
    if (result === 'not_enrolled') return message(ctx, 'Two-factor authentication', 'Two-factor authentication is not enabled for your account.', manageLink);
    deps.log(`two-factor authentication disabled for ${signedIn.actor.name} (user ${signedIn.actor.id}) from ${ctx.ip}`);
    // The user's sessions, this one included, ended with the generation; the cookie goes too.
    await deps.sessions.end(ctx);
    ctx.state.user = undefined;
    await message(ctx, 'Two-factor authentication disabled', 'Two-factor authentication is now disabled for your account, and you have been logged out everywhere. From now on you log in with your password alone.', { href: deps.pages.login, text: 'Log in' });
  }

  return router;
}

function actionOf({ action, module }: { action?: unknown; module?: unknown }): 'enable' | 'disable' | undefined {
  if (module !== undefined && module !== 'totp') return undefined;
  return action === 'enable' || action === 'disable' ? action : undefined;
}

function message(ctx: Context, heading: string, text: string, link: { href: string; text: string }): Promise<void> {
  ctx.state.ownPage = true;
  return renderPage(ctx, 'message', { title: heading, heading, message: text, link });
}

/** OATHAuth shows secrets and recovery codes in groups of four characters. */
export function groupsOfFour(token: string): string {
  return token.replace(/(.{4})(?=.)/g, '$1 ');
}
