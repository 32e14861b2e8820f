/**
 * `returnto` must stay on this site: a path starting with a single `/` (no scheme-relative `//`, no
 * backslash tricks). Anything else falls back to the main page (no open redirect).
 */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || value.length > 4096) return '/';
  if (!/^\/(?![/\\])/.test(value) || /[\\\u0000-\u001f]/.test(value)) return '/';
  return value;
}
