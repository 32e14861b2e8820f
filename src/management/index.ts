import type Router from '@koa/router';
import { listGrantsRoutes } from './list-grants-routes.js';
import { listRoutes } from './list-routes.js';
import { manageRoutes } from './manage-routes.js';
import { myGrantsRoutes } from './my-grants-routes.js';
import type { ManagementDeps } from './page-context.js';
import { registrationRoutes } from './registration-routes.js';

export type { ManagementDeps };

/** The management special pages, ready to mount. */
export function managementRouters(deps: ManagementDeps, opts: { tokenEndpoint: string }): Router[] {
  return [registrationRoutes(deps, opts), manageRoutes(deps), listRoutes(deps), myGrantsRoutes(deps), listGrantsRoutes(deps)];
}
