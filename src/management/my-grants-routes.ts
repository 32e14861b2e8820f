import Router from '@koa/router';
import type { ConnectedApp } from '../domain/grants/authorization-service.js';
import { GRANTS } from '../domain/grants/catalogue.js';
import { readBody } from '../http/request-body.js';
import { literalPath } from '../http/route-path.js';
import { formatTimestamp } from './consumer-presenter.js';
import { checkFormToken, renderManagementPage, requireSignIn, userNames, type ManagementDeps } from './page-context.js';

/**
 * Special:OAuthManageMyGrants (`mwoauthmanagemygrants`): the apps I authorized; revoke one
 * ("renounce") or all. Revoking deletes the authorization and everything that hangs off it, so
 * the app's access tokens, refresh tokens and OAuth 1.0a access token stop working at once.
 */
export function myGrantsRoutes(deps: ManagementDeps): Router {
  const router = new Router();
  const base = deps.pages.myGrants;

  const present = (app: ConnectedApp, names: ReadonlyMap<number, string>) => ({
    id: app.authorization.id,
    name: app.consumer.deleted ? '(this information is hidden)' : app.consumer.name,
    version: app.consumer.version,
    owner: names.get(app.consumer.ownerId) ?? '',
    description: app.consumer.deleted ? '(this information is hidden)' : app.consumer.description,
    wiki: app.authorization.wiki === '*' ? 'All projects' : app.authorization.wiki,
    accepted: formatTimestamp(app.authorization.accepted),
    grants: app.authorization.grants.map((name) => ({ name, description: GRANTS.get(name)?.description ?? name })),
    grantSummary: app.authorization.grants.map((name) => GRANTS.get(name)?.description ?? name).join('; '),
  });

  router.get(literalPath(base), async (ctx) => {
    const signedIn = await requireSignIn(ctx, deps);
    if (!signedIn) return;
    const apps = await deps.authorizations.list(signedIn.actor);
    const names = await userNames(deps, apps.map((a) => a.consumer.ownerId));
    await renderManagementPage(ctx, 'my-grants', { title: 'Connected apps', base, csrfToken: signedIn.csrfToken, apps: apps.map((a) => present(a, names)), notice: null });
  });

  router.get(`${literalPath(base)}/manage/:id`, async (ctx) => {
    const signedIn = await requireSignIn(ctx, deps);
    if (!signedIn) return;
    const app = await deps.authorizations.find(signedIn.actor, idParam(ctx.params.id));
    const names = await userNames(deps, [app.consumer.ownerId]);
    const shown = present(app, names);
    await renderManagementPage(ctx, 'my-grant', { title: `Connected app: ${shown.name}`, base, action: `${base}/manage/${shown.id}`, csrfToken: signedIn.csrfToken, app: shown });
  });

  router.post(`${literalPath(base)}/manage/:id`, async (ctx) => {
    const signedIn = await requireSignIn(ctx, deps);
    if (!signedIn) return;
    const form = await readBody(ctx);
    checkFormToken(deps, signedIn, form);
    const app = await deps.authorizations.revoke(signedIn.actor, idParam(ctx.params.id));
    const names = await userNames(deps, [app.consumer.ownerId]);
    const apps = await deps.authorizations.list(signedIn.actor);
    await renderManagementPage(ctx, 'my-grants', {
      title: 'Connected apps',
      base,
      csrfToken: signedIn.csrfToken,
      apps: apps.map((a) => present(a, names)),
      notice: `The application "${present(app, names).name}" is no longer authorized to access your account. You will have the option to authorize it again when you use it.`,
    });
  });

  router.post(`${literalPath(base)}/revoke-all`, async (ctx) => {
    const signedIn = await requireSignIn(ctx, deps);
    if (!signedIn) return;
    const form = await readBody(ctx);
    checkFormToken(deps, signedIn, form);
    const count = await deps.authorizations.revokeAll(signedIn.actor);
    await renderManagementPage(ctx, 'my-grants', {
      title: 'Connected apps',
      base,
      csrfToken: signedIn.csrfToken,
      apps: [],
      notice: `Access revoked for ${count} application${count === 1 ? '' : 's'}.`,
    });
  });

  return router;
}

function idParam(raw: string | undefined): number {
  return raw && /^\d{1,10}$/.test(raw) ? Number(raw) : 0;
}
