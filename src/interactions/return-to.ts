/**
 * `returnto` must stay on this site: a path starting with a single `/` (no scheme-relative `//`, no
 * backslash tricks). Anything else falls back to `home`, the site's main page (no open redirect).
 */
export function safeReturnTo(value: unknown, home = '/'): string {
  if (typeof value !== 'string' || value.length > 4096) return home;
  if (!/^\/(?![/\\])/.test(value) || /[\\\u0000-\u001f]/.test(value)) return home;
  return value;
}
