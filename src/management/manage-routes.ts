import Router from '@koa/router';
import type { Context } from 'koa';
import { hasRight, requireRight } from '../domain/accounts/actor.js';
import { STAGES, type Consumer, type Stage } from '../domain/consumers/consumer.js';
import { reviewChoices, type ReviewAction } from '../domain/consumers/consumer-transitions.js';
import { consumerVisibility } from '../domain/consumers/consumer-visibility.js';
import { DomainError } from '../domain/errors.js';
import { readBody } from '../http/request-body.js';
import { literalPath } from '../http/route-path.js';
import { presentConsumer, presentLog } from './consumer-presenter.js';
import { checkFormToken, type ManagementDeps, offsetParam, PAGE_SIZE, pager, renderManagementPage, requireSignIn, type SignedIn, userNames } from './page-context.js';
import { formError } from './form-errors.js';

/** The form's radio values (SpecialMWOAuthManageConsumers): suppressing variants have their own. */
const FORM_ACTIONS: Readonly<Record<string, { action: ReviewAction; suppress: boolean; label: string; done: string }>> = {
  approve: { action: 'approve', suppress: false, label: 'Approve', done: 'The request has been approved.' },
  reject: { action: 'reject', suppress: false, label: 'Reject', done: 'The request has been rejected.' },
  rsuppress: { action: 'reject', suppress: true, label: 'Reject and suppress', done: 'The request has been rejected and suppressed.' },
  disable: { action: 'disable', suppress: false, label: 'Disable', done: 'The consumer has been disabled.' },
  dsuppress: { action: 'disable', suppress: true, label: 'Disable and suppress', done: 'The consumer has been disabled and suppressed.' },
  reenable: { action: 'reenable', suppress: false, label: 'Re-enable (approve again)', done: 'The consumer has been re-enabled.' },
};

const TRUST_NOTICES: Readonly<Record<string, string>> = {
  trust: 'The consumer is trusted: its users are not asked to consent.',
  untrust: 'The consumer is no longer trusted.',
  'require-two-factor': 'The consumer demands two-factor sign-in from its users.',
  'allow-password': 'The consumer no longer demands two-factor sign-in.',
};

const QUEUES: ReadonlyArray<{ stage: Stage; label: string }> = [
  { stage: 'proposed', label: 'Proposed requests' },
  { stage: 'rejected', label: 'Rejected requests' },
  { stage: 'expired', label: 'Expired requests' },
];
const LISTS: ReadonlyArray<{ stage: Stage; label: string }> = [
  { stage: 'approved', label: 'Approved consumers' },
  { stage: 'disabled', label: 'Disabled consumers' },
];

/**
 * Special:OAuthManageConsumers (restricted to `mwoauthmanageconsumer`): queues with counts, a list
 * per stage, and the review form (approve / reject / disable / re-enable, with a required reason,
 * the consumer's change token and the page's CSRF token).
 */
export function manageRoutes(deps: ManagementDeps): Router {
  const router = new Router();
  const base = deps.pages.manageConsumers;
  const nav = (current: string) =>
    [{ stage: '', label: 'Main' }, ...QUEUES, ...LISTS].map(({ stage, label }) => {
      const href = stage ? `${base}/${stage}` : base;
      return { href, text: label, current: href === current };
    });

  const signedInAdmin = async (ctx: Context): Promise<SignedIn | undefined> => {
    const signedIn = await requireSignIn(ctx, deps);
    if (signedIn) requireRight(signedIn.actor, 'mwoauthmanageconsumer');
    return signedIn;
  };

  /** A form posted about one consumer: an administrator's, with the page's CSRF token. */
  const adminPost = async (ctx: Context) => {
    const key = ctx.params.key!;
    if (!/^[0-9a-f]{32}$/.test(key)) return undefined;
    const signedIn = await signedInAdmin(ctx);
    if (!signedIn) return undefined;
    const form = await readBody(ctx);
    checkFormToken(deps, signedIn, form);
    return { key, signedIn, form };
  };

  router.get(literalPath(base), async (ctx) => {
    const signedIn = await signedInAdmin(ctx);
    if (!signedIn) return;
    await deps.workflow.expireIdleProposals();
    const includeDeleted = hasRight(signedIn.actor, 'mwoauthviewsuppressed');
    const count = async (stage: Stage) => (await deps.consumers.list({ stage, includeDeleted, limit: 1 })).total;
    await renderManagementPage(ctx, 'manage-hub', {
      title: 'Manage OAuth consumers',
      nav: nav(base),
      base,
      queues: await Promise.all(QUEUES.map(async (q) => ({ ...q, count: await count(q.stage) }))),
      lists: await Promise.all(LISTS.map(async (l) => ({ ...l, count: await count(l.stage) }))),
    });
  });

  router.get(`${literalPath(base)}/:target`, async (ctx) => {
    const target = ctx.params.target!;
    if ((STAGES as readonly string[]).includes(target)) {
      const signedIn = await signedInAdmin(ctx);
      if (!signedIn) return;
      await showStage(ctx, signedIn, target as Stage);
    } else if (/^[0-9a-f]{32}$/.test(target)) {
      const signedIn = await signedInAdmin(ctx);
      if (!signedIn) return;
      const done = FORM_ACTIONS[String(ctx.query.done ?? '')]?.done ?? TRUST_NOTICES[String(ctx.query.done ?? '')] ?? null;
      await showReviewForm(ctx, signedIn, target, { notice: done });
    }
  });

  router.post(`${literalPath(base)}/:key`, async (ctx) => {
    const posted = await adminPost(ctx);
    if (!posted) return;
    const { key, signedIn, form } = posted;
    const chosen = FORM_ACTIONS[form.one('wpaction') ?? ''];
    try {
      if (!chosen) throw new DomainError('invalid_action', 'Choose what to do with this consumer');
      await deps.workflow.review(signedIn.actor, key, {
        action: chosen.action,
        suppress: chosen.suppress,
        reason: form.one('wpreason') ?? '',
        changeToken: form.one('wpchangeToken') ?? '',
      });
    } catch (err) {
      const error = formError(err);
      if (error === undefined) throw err;
      await showReviewForm(ctx, signedIn, key, { error, status: 400 });
      return;
    }
    ctx.status = 303;
    ctx.redirect(`${base}/${key}?done=${form.one('wpaction')}`);
  });

  // The trusted mark (docs/mediawiki-compat.md "Trusted consumers"): OAuth 2 consumers only.
  router.post(`${literalPath(base)}/:key/trust`, async (ctx) => {
    const posted = await adminPost(ctx);
    if (!posted) return;
    const { key, form } = posted;
    const trusted = form.one('wptrusted') === '1';
    await deps.consumers.setTrusted(key, trusted, { actor: posted.signedIn.actor.id, reason: (form.one('wpreason') ?? '').slice(0, 255) });
    ctx.status = 303;
    ctx.redirect(`${base}/${key}?done=${trusted ? 'trust' : 'untrust'}`);
  });

  // Demanding two-factor sign-in (docs/sign-in.md "Authentication levels"): OAuth 2 consumers only.
  router.post(`${literalPath(base)}/:key/two-factor`, async (ctx) => {
    const posted = await adminPost(ctx);
    if (!posted) return;
    const { key, form } = posted;
    const required = form.one('wptwofactor') === '1';
    await deps.consumers.setRequireTwoFactor(key, required);
    ctx.status = 303;
    ctx.redirect(`${base}/${key}?done=${required ? 'require-two-factor' : 'allow-password'}`);
  });

  const showStage = async (ctx: Context, signedIn: SignedIn, stage: Stage) => {
    await deps.workflow.expireIdleProposals();
    const offset = offsetParam(ctx);
    const includeDeleted = hasRight(signedIn.actor, 'mwoauthviewsuppressed');
    const { consumers, total } = await deps.consumers.list({ stage, includeDeleted, limit: PAGE_SIZE, offset });
    const names = await userNames(deps, consumers.map((c) => c.ownerId));
    const heading = [...QUEUES, ...LISTS].find((q) => q.stage === stage)!.label;
    await renderManagementPage(ctx, 'manage-list', {
      title: heading,
      heading,
      nav: nav(`${base}/${stage}`),
      base,
      rows: consumers.map((c) => presentConsumer(c, signedIn.actor, names.get(c.ownerId) ?? '')),
      total,
      pager: pager(`${base}/${stage}?`, offset, total),
    });
  };

  const showReviewForm = async (ctx: Context, signedIn: SignedIn, key: string, opts: { notice?: string | null; error?: string; status?: number }) => {
    const { actor } = signedIn;
    const consumer: Consumer = await deps.workflow.view(actor, key);
    const entries = await deps.log.forConsumer(consumer.key);
    const names = await userNames(deps, [consumer.ownerId, ...entries.map((e) => e.actor)]);
    const choices = reviewChoices(consumer, actor).map(({ action, suppress }) => {
      const [value, meta] = Object.entries(FORM_ACTIONS).find(([, a]) => a.action === action && a.suppress === suppress)!;
      return { value, label: meta.label };
    });
    await renderManagementPage(
      ctx,
      'review-form',
      {
        title: `Review OAuth consumer: ${consumer.name}`,
        nav: nav(`${base}/${consumer.stage}`),
        action: `${base}/${consumer.key}`,
        trustAction: consumer.oauthVersion === 2 ? `${base}/${consumer.key}/trust` : null,
        twoFactorAction: consumer.oauthVersion === 2 ? `${base}/${consumer.key}/two-factor` : null,
        csrfToken: signedIn.csrfToken,
        changeToken: deps.workflow.changeToken(actor, consumer),
        consumer: presentConsumer(consumer, actor, names.get(consumer.ownerId) ?? ''),
        showSecurity: consumerVisibility(consumer, actor).security,
        authorizedBy: hasRight(actor, 'mwoauthviewprivate') ? await deps.authorizations.countForConsumer(actor, consumer.id) : null,
        choices,
        log: presentLog(entries, names),
        notice: opts.notice ?? null,
        error: opts.error ?? null,
      },
      opts.status ?? 200,
    );
  };

  return router;
}
