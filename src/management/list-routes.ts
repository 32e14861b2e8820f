import Router from '@koa/router';
import { hasRight } from '../domain/accounts/actor.js';
import { STAGES, type Stage } from '../domain/consumers/consumer.js';
import { consumerVisibility } from '../domain/consumers/consumer-visibility.js';
import { literalPath } from '../http/route-path.js';
import { presentConsumer, presentLog, STAGE_LABELS } from './consumer-presenter.js';
import { currentActor, type ManagementDeps, offsetParam, PAGE_SIZE, pager, queryString, renderManagementPage, userNames } from './page-context.js';

/**
 * Special:OAuthListConsumers (public): filter by name, publisher and status (default approved,
 * or any), and each consumer's page with its log. Suppressed consumers only for
 * `mwoauthviewsuppressed` holders.
 */
export function listRoutes(deps: ManagementDeps): Router {
  const router = new Router();
  const base = deps.pages.listConsumers;

  router.get(literalPath(base), async (ctx) => {
    const signedIn = await currentActor(ctx, deps);
    const viewer = signedIn?.actor;
    await deps.workflow.expireIdleProposals();
    const filters = { name: queryString(ctx.query.name).trim(), publisher: queryString(ctx.query.publisher).trim(), stage: queryString(ctx.query.stage) || 'approved' };
    const stage = (STAGES as readonly string[]).includes(filters.stage) ? (filters.stage as Stage) : undefined;
    if (!stage) filters.stage = 'any';
    const publisher = filters.publisher ? await deps.accounts.findByName(filters.publisher) : undefined;
    const offset = offsetParam(ctx);
    const { consumers, total } =
      filters.publisher && !publisher
        ? { consumers: [], total: 0 }
        : await deps.consumers.list({
            ...(stage ? { stage } : {}),
            ...(filters.name ? { name: filters.name } : {}),
            ...(publisher ? { ownerId: publisher.id } : {}),
            includeDeleted: hasRight(viewer, 'mwoauthviewsuppressed'),
            limit: PAGE_SIZE,
            offset,
          });
    const names = await userNames(deps, consumers.map((c) => c.ownerId));
    const query = new URLSearchParams({ name: filters.name, publisher: filters.publisher, stage: filters.stage });
    await renderManagementPage(ctx, 'list-consumers', {
      title: 'OAuth applications',
      base,
      filters,
      stages: [{ value: 'any', label: 'any' }, ...STAGES.map((s) => ({ value: s, label: STAGE_LABELS[s].toLowerCase() }))],
      rows: consumers.map((c) => presentConsumer(c, viewer, names.get(c.ownerId) ?? '')),
      pager: pager(`${base}?${query}&`, offset, total),
    });
  });

  router.get(`${literalPath(base)}/view/:key`, async (ctx) => {
    const signedIn = await currentActor(ctx, deps);
    const viewer = signedIn?.actor;
    const consumer = await deps.workflow.view(viewer, ctx.params.key!);
    const entries = await deps.log.forConsumer(consumer.key);
    const names = await userNames(deps, [consumer.ownerId, ...entries.map((e) => e.actor)]);
    const owner = viewer?.id === consumer.ownerId;
    await renderManagementPage(ctx, 'consumer-view', {
      title: consumer.deleted && !hasRight(viewer, 'mwoauthviewsuppressed') ? 'OAuth application' : consumer.name,
      base,
      consumer: presentConsumer(consumer, viewer, names.get(consumer.ownerId) ?? ''),
      showSecurity: consumerVisibility(consumer, viewer).security,
      links: {
        update: owner && (consumer.stage === 'proposed' || consumer.stage === 'approved') ? `${deps.pages.registration}/update/${consumer.key}` : null,
        review: hasRight(viewer, 'mwoauthmanageconsumer') ? `${deps.pages.manageConsumers}/${consumer.key}` : null,
      },
      log: presentLog(entries, names),
    });
  });

  return router;
}
