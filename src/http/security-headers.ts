import type { Middleware } from 'koa';

/**
 * No page of ours may be framed (clickjacking on sign-in and consent: RFC 6749 §10.13), and our
 * own pages run no script at all. Provider-rendered pages (form_post) carry their own script, so
 * they only get the framing rules.
 */
export const securityHeaders: Middleware = async (ctx, next) => {
  await next();
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'no-referrer');
  if (ctx.state.ownPage) {
    // No form-action: browsers apply it to every redirect after a form submission, and sign-in and
    // consent forms end in a redirect chain to whichever application asked (CSP 3 §6.3.1).
    ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'");
  } else if (!ctx.response.get('Content-Security-Policy')) {
    ctx.set('Content-Security-Policy', "frame-ancestors 'none'");
  }
};
