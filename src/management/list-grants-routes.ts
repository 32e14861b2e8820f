import Router from '@koa/router';
import { AUTH_ONLY_GRANTS, GRANTS } from '../domain/grants/catalogue.js';
import { literalPath } from '../http/route-path.js';
import { groupLabel } from './grant-groups.js';
import { currentActor, renderManagementPage, type ManagementDeps } from './page-context.js';

/** Special:ListGrants: every grant with its rights, group and risk (where Special:OAuth/grants leads). */
export function listGrantsRoutes(deps: ManagementDeps): Router {
  const router = new Router();
  router.get(literalPath(deps.pages.listGrants), async (ctx) => {
    await currentActor(ctx, deps);
    const all = [...GRANTS.values()];
    await renderManagementPage(ctx, 'list-grants', {
      title: 'Grants',
      grants: all.filter((g) => !AUTH_ONLY_GRANTS.includes(g.name)).map((g) => ({ ...g, group: groupLabel(g.group) })),
      authOnly: all.filter((g) => AUTH_ONLY_GRANTS.includes(g.name)),
    });
  });
  return router;
}
