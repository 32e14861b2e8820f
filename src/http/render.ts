import { join } from 'node:path';
import ejs from 'ejs';
import type { Context } from 'koa';
import { PROJECT_ROOT } from '../project-root.js';
import { pagesOf } from './site-paths.js';

const VIEWS = join(PROJECT_ROOT, 'views') + '/';

export interface PageLocals {
  readonly title: string;
  readonly [key: string]: unknown;
}

/**
 * Render `views/<name>.ejs` inside `views/layout.ejs`. Every value reaches the page through `<%= %>`
 * (escaped); only the rendered body is inserted raw into the layout. `pages` gives every template the
 * paths of the site's own pages.
 */
export async function renderPage(ctx: Context, name: string, locals: PageLocals, status = 200): Promise<void> {
  const dir = VIEWS;
  const options: ejs.Options & { async: true } = { cache: true, root: dir, views: [dir], async: true };
  const data = { ...locals, currentUser: ctx.state.user?.name ?? null, pages: pagesOf(ctx) };
  const body = await ejs.renderFile(`${dir}${name}.ejs`, data, options);
  const html = await ejs.renderFile(`${dir}layout.ejs`, { ...data, body }, options);
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('Cache-Control', 'no-store');
  ctx.body = html;
}
