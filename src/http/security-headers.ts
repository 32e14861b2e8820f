import type { Middleware } from 'koa';

/**
 * No page of ours may be framed (clickjacking on sign-in and consent: RFC 6749 §10.13), and our
 * own pages run no script at all. Provider-rendered pages (form_post) carry their own script, so
 * they only get the framing rules.
 *
 * Browsers apply `form-action` to every redirect that follows a form submission (CSP 3 §6.4.1),
 * so a form whose answer ends at an application's redirect URI must allow that origin: a page sets
 * `ctx.state.formAction` to its sources, or to null for no restriction.
 */
export const securityHeaders: Middleware = async (ctx, next) => {
  await next();
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'no-referrer');
  if (ctx.state.ownPage) {
    const formAction: string | null = ctx.state.formAction === undefined ? "'self'" : ctx.state.formAction;
    ctx.set('Content-Security-Policy', `default-src 'none'; style-src 'self'; img-src 'self' data:; ${formAction === null ? '' : `form-action ${formAction}; `}frame-ancestors 'none'; base-uri 'none'`);
  } else if (!ctx.response.get('Content-Security-Policy')) {
    ctx.set('Content-Security-Policy', "frame-ancestors 'none'");
  }
};
