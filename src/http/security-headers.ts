import type { Middleware } from 'koa';

const OWN_PAGE_POLICY = "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'";
// RFC 6797 §6.1: one year, subdomains left to the operator (a wiki's other hosts may not be on TLS).
const HSTS = 'max-age=31536000';

/**
 * No page of ours may be framed (clickjacking on sign-in and consent: RFC 6749 §10.13), and our
 * own pages run no script at all. Provider-rendered pages (form_post) carry their own script, so
 * they only get the framing rules.
 *
 * The headers are set before anything runs, so every answer carries them — also an error page
 * rendered after a route threw, and a response written straight to the socket; only the page
 * policy is decided afterwards. HSTS goes out on secure requests only (RFC 6797 §7.2), which
 * includes https seen by a trusted TLS-terminating proxy.
 */
export const securityHeaders: Middleware = async (ctx, next) => {
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('Content-Security-Policy', "frame-ancestors 'none'");
  if (ctx.secure) ctx.set('Strict-Transport-Security', HSTS);
  try {
    await next();
  } finally {
    // No form-action: browsers apply it to every redirect after a form submission, and sign-in and
    // consent forms end in a redirect chain to whichever application asked (CSP 3 §6.3.1).
    if (ctx.state.ownPage) ctx.set('Content-Security-Policy', OWN_PAGE_POLICY);
  }
};
