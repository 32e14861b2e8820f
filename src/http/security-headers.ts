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
    // Browsers apply form-action to every redirect after a form submission too: a consent form
    // whose answer redirects to the application names that application (ctx.state.formActionTargets).
    const formAction = ["'self'", ...((ctx.state.formActionTargets as string[] | undefined) ?? [])].join(' ');
    ctx.set('Content-Security-Policy', `default-src 'none'; style-src 'self'; img-src 'self' data:; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`);
  } else if (!ctx.response.get('Content-Security-Policy')) {
    ctx.set('Content-Security-Policy', "frame-ancestors 'none'");
  }
};
