import Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Marks } from '../domain/artifacts/stores.js';
import type { AccountService } from '../domain/accounts/account-service.js';
import { acrToReport, hasTwoFactors, requestedLevel } from '../domain/accounts/assurance.js';
import type { TwoFactorService } from '../domain/accounts/two-factor-service.js';
import { isUsableBy, type Consumer } from '../domain/consumers/consumer.js';
import { DomainError } from '../domain/errors.js';
import type { GrantService } from '../domain/grants/grant-service.js';
import { literalPath } from '../http/route-path.js';
import type { ConsumerLookup } from '../domain/consumers/consumer-cache.js';
import { TWO_FACTOR_REQUIRED } from '../provider/site-session-check.js';
import { renderPage } from '../http/render.js';
import { readForm } from '../http/form-body.js';
import { loginUrl, type PagePaths } from '../http/site-paths.js';
import { renderConsentPage } from '../http/consent-page.js';
import type { SiteSessions } from '../http/site-session.js';
import type { WikiSessions } from '../http/wiki-session.js';

export interface InteractionDeps {
  readonly provider: () => Provider;
  readonly sessions: SiteSessions;
  readonly accounts: AccountService;
  readonly consumers: ConsumerLookup;
  readonly grants: Pick<GrantService, 'consent'>;
  /** When a login interaction asked for the password again, by interaction uid. */
  readonly reauthentications: Marks;
  readonly pages: PagePaths;
  readonly twoFactor: Pick<TwoFactorService, 'isEnrolled'>;
  /** Where a user turns two-factor authentication on. */
  readonly enableTwoFactorHref: string;
  /** Set with MEDIAWIKI_SESSION: a user signed in to the wiki needs no password here. */
  readonly wikiSessions?: WikiSessions;
}

// Login reasons that need the password again, not just the site session (OIDC Core §3.1.2.1
// prompt=login, max_age; a hint or claims request naming another user). A requested level is met by
// the factors of the site session instead (below).
const REAUTHENTICATE = new Set(['login_prompt', 'max_age', 'id_token_hint', 'claims_id_token_sub_value']);
const UNMET = { error: 'unmet_authentication_requirements', error_description: 'The requested authentication level cannot be reached for this user' };

/**
 * oidc-provider interactions, headless: this module only reads `interactionDetails` and reports an
 * `interactionResult`. Login comes from the site session (Special:UserLogin); consent stores the
 * user's authorization as MediaWiki does, then a Grant pointing at it.
 */
export function interactionRoutes(deps: InteractionDeps): Router {
  const router = new Router();
  const path = `${literalPath(deps.pages.interaction)}/:uid`;

  router.get(path, async (ctx) => {
    ctx.state.ownPage = true;
    const provider = deps.provider();
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const here = `${deps.pages.interaction}/${details.uid}`;
    const session = (await deps.sessions.current(ctx)) ?? (details.prompt.name === 'login' ? await deps.wikiSessions?.signIn(ctx, deps.sessions) : undefined);

    if (details.prompt.name === 'login') {
      const needsPassword = details.prompt.reasons.some((r) => REAUTHENTICATE.has(r));
      const asked = needsPassword ? await deps.reauthentications.find(details.uid) : undefined;
      const fresh = session && (!needsPassword || (asked !== undefined && session.loginMs > asked));
      if (!session || !fresh) {
        // Remember when we asked, so only a password entered afterwards counts — also when there is
        // no session yet: the sign-in that follows is that password (else it would be asked twice).
        if (needsPassword) await deps.reauthentications.mark(details.uid, Date.now(), 3600);
        const hint = typeof details.params.login_hint === 'string' ? `&wpName=${encodeURIComponent(details.params.login_hint)}` : '';
        ctx.redirect(`${loginUrl(deps.pages, here)}${needsPassword && session ? '&force=1' : ''}${hint}`);
        return;
      }
      const level = levelOf(details);
      if (level.unreachable) {
        await finish(ctx, provider, UNMET);
        return;
      }
      if (level.twoFactor && !hasTwoFactors(session.amr)) {
        // A user with two-factor signs in again, giving both; one without it is told, never let through.
        if (await deps.twoFactor.isEnrolled(session.userId)) {
          ctx.redirect(`${loginUrl(deps.pages, here)}&force=1`);
          return;
        }
        const consumer = await deps.consumers.get(String(details.params.client_id));
        await renderPage(
          ctx,
          'two-factor-required',
          { title: 'Two-factor authentication required', clientName: consumer?.name ?? null, enableHref: deps.enableTwoFactorHref, action: `${here}/abort`, csrfToken: deps.sessions.csrfToken(session) },
          403,
        );
        return;
      }
      const acr = acrToReport(session.amr, level.requested);
      await finish(ctx, provider, { login: { accountId: String(session.userId), ts: session.loginTs, amr: [...session.amr], acr, remember: true } });
      return;
    }

    if (details.prompt.name === 'consent') {
      const subject = await consentSubject(deps, ctx, details);
      if (!subject) {
        await finish(ctx, provider, UNUSABLE);
        return;
      }
      const { consumer, userId } = subject;
      // A trusted consumer's users are not asked, unless the client asks for the page (prompt=consent).
      if (consumer.trusted && !details.prompt.reasons.includes('consent_prompt')) {
        await finish(ctx, provider, await acceptConsent(deps, provider, details, consumer, userId));
        return;
      }
      const owner = await deps.accounts.findById(consumer.ownerId);
      const user = await deps.accounts.findById(userId);
      const scopes = String(details.params.scope ?? '').split(' ').filter(Boolean);
      await renderConsentPage(ctx, {
        consumer,
        ownerName: owner?.name,
        userName: user?.name ?? '',
        action: `${here}/consent`,
        csrfToken: deps.sessions.csrfToken(session!),
        returnsTo: String(details.params.redirect_uri ?? consumer.callbackUrl),
        scopes,
      });
      return;
    }
    throw new DomainError('unknown_prompt', `Unsupported interaction: ${details.prompt.name}`);
  });

  // Leaving a request that needs a level the user cannot reach: the client learns why (OpenID Connect
  // Unmet Authentication Requirements 1.0).
  router.post(`${path}/abort`, async (ctx) => {
    ctx.state.ownPage = true;
    const provider = deps.provider();
    const form = await readForm(ctx);
    await provider.interactionDetails(ctx.req, ctx.res);
    const session = await deps.sessions.current(ctx);
    if (!session || !deps.sessions.checkCsrf(session, form.wpEditToken)) {
      throw new DomainError('bad_csrf_token', 'Your session token was missing or stale; go back to the application and try again.');
    }
    await finish(ctx, provider, UNMET);
  });

  router.post(`${path}/consent`, async (ctx) => {
    ctx.state.ownPage = true;
    const provider = deps.provider();
    const form = await readForm(ctx);
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (details.prompt.name !== 'consent') throw new DomainError('bad_request', 'This authorization request is not waiting for consent.');
    const session = await deps.sessions.current(ctx);
    if (!session || !deps.sessions.checkCsrf(session, form.wpEditToken)) {
      throw new DomainError('bad_csrf_token', 'Your session token was missing or stale; go back to the application and try again.');
    }
    const subject = await consentSubject(deps, ctx, details);
    if (!subject) {
      await finish(ctx, provider, UNUSABLE);
      return;
    }
    const { consumer, userId } = subject;
    if (form.decision !== 'accept') {
      await finish(ctx, provider, { error: 'access_denied', error_description: 'User has rejected the request from client application' });
      return;
    }
    await finish(ctx, provider, await acceptConsent(deps, provider, details, consumer, userId));
  });

  return router;
}

/** What a login interaction asks of the sign-in's level, from oidc-provider's prompt details. */
function levelOf(details: InteractionDetails) {
  const { reasons } = details.prompt;
  const acr = (details.prompt.details as { acr?: { value?: unknown; values?: unknown } }).acr;
  const essential = reasons.includes('essential_acr') || reasons.includes('essential_acrs') ? [acr?.value, ...(Array.isArray(acr?.values) ? acr.values : [])].filter((v): v is string => typeof v === 'string') : undefined;
  return requestedLevel({ twoFactorAsked: reasons.includes(TWO_FACTOR_REQUIRED), essential, acrValues: details.params.acr_values });
}

// Consumer::isUsableBy refused (a proposed consumer of someone else): MediaWiki answers access_denied.
const UNUSABLE = { error: 'access_denied', error_description: 'This application is not available to this user' };

/** The consumer and user of a consent interaction; a consumer the user may not use is refused. */
async function consentSubject(deps: InteractionDeps, ctx: Context, details: InteractionDetails) {
  const accountId = details.session?.accountId;
  const session = await deps.sessions.current(ctx);
  if (!accountId || !session || String(session.userId) !== accountId) {
    throw new DomainError('session_mismatch', 'You are no longer logged in as the user who started this request; go back to the application and try again.');
  }
  const consumer = await deps.consumers.get(String(details.params.client_id));
  if (!consumer || !isUsableBy(consumer, session.userId)) return undefined;
  return { consumer, userId: session.userId };
}

type InteractionDetails = Awaited<ReturnType<Provider['interactionDetails']>>;

/** The user's consent: their authorization stored as MediaWiki does, then a Grant pointing at it. */
async function acceptConsent(deps: InteractionDeps, provider: Provider, details: InteractionDetails, consumer: Consumer, userId: number) {
  const scopes = String(details.params.scope ?? '').split(' ').filter(Boolean);
  await deps.grants.consent(consumer, userId, scopes);
  const existing = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
  const grant = existing ?? new provider.Grant({ accountId: String(userId), clientId: consumer.key });
  grant.addOIDCScope(scopes.join(' '));
  const missing = details.prompt.details as { missingOIDCClaims?: string[] };
  if (missing.missingOIDCClaims?.length) grant.addOIDCClaims(missing.missingOIDCClaims);
  return { consent: { grantId: await grant.save() } };
}

async function finish(ctx: Context, provider: Provider, result: Parameters<Provider['interactionResult']>[2]): Promise<void> {
  const url = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
  ctx.status = 303;
  ctx.redirect(url);
}
