import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Router from '@koa/router';
import { PROJECT_ROOT } from '../project-root.js';
import type { PagePaths } from './site-paths.js';

/** The stylesheet (our pages allow no inline styles or scripts). */
export function staticRoutes(pages: PagePaths): Router {
  const css = readFileSync(join(PROJECT_ROOT, 'views', 'static', 'wikiauth.css'));
  const router = new Router();
  router.get(pages.stylesheet, (ctx) => {
    ctx.type = 'text/css; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = css;
  });
  return router;
}
