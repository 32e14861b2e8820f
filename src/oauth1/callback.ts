/**
 * `oauth_callback` rules of `MWOAuthServer::checkCallback` (RFC 5849 §2.1 requires the
 * parameter; MediaWiki requires it to be "oob" unless the consumer registered a callback
 * prefix), and the redirect MediaWiki builds after authorization
 * (`Consumer::generateCallbackUrl` → `wfAppendQuery`).
 */
import { OAuth1Errors } from '../mediawiki/oauth-errors.js';
import { urlencode } from '../mediawiki/php.js';

/** Components as MediaWiki's `UrlUtils::parse` (PHP `parse_url`) reports them. */
export interface UrlParts {
  scheme: string;
  host: string;
  port?: number;
  user?: string;
  pass?: string;
  path?: string;
  query?: string;
  fragment?: string;
}

/**
 * `UrlUtils::parse` for the URLs callbacks use: lower-case scheme (required), host kept as
 * written (compared case-sensitively, as MediaWiki does), an invalid port makes the URL invalid,
 * and an empty `?` still counts as a query (PHP 8).
 */
export function parseUrl(input: string): UrlParts | null {
  const relative = input.startsWith('//');
  const url = relative ? `http:${input}` : input;
  const m = /^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#([\s\S]*))?$/.exec(url);
  if (!m || m[1] === undefined) return null;
  const parts: UrlParts = { scheme: relative ? '' : m[1].toLowerCase(), host: '' };
  const authority = m[2];
  if (authority !== undefined) {
    const at = authority.lastIndexOf('@');
    if (at !== -1) {
      const userinfo = authority.slice(0, at);
      const colon = userinfo.indexOf(':');
      parts.user = colon === -1 ? userinfo : userinfo.slice(0, colon);
      if (colon !== -1) parts.pass = userinfo.slice(colon + 1);
    }
    const hp = /^(\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(authority.slice(at + 1))!;
    parts.host = hp[1]!;
    const port = hp[2];
    if (port !== undefined && port !== '') {
      if (!/^\d+$/.test(port) || Number(port) > 65535) return null;
      parts.port = Number(port);
    }
    if (parts.host === '' && parts.scheme !== 'file') return null;
  }
  if (m[3]) parts.path = m[3];
  if (m[4] !== undefined) parts.query = m[4];
  if (m[5] !== undefined) parts.fragment = m[5];
  return parts;
}

/** `MWOAuthServer::componentMatches`: absent in the registered URL matches anything. */
function componentMatches(part: 'path' | 'query', want: UrlParts, got: UrlParts, exact = false): boolean {
  const expected = want[part];
  if (expected === undefined) return true;
  const actual = got[part];
  if (actual === undefined) return false;
  if (exact || actual === expected) return actual === expected;
  // Paths match on segment boundaries (docs/security.md, "Callback prefixes"): `/cb` admits
  // `/cb/done` but not `/cbx`, which may be someone else's page on a shared host.
  if (part === 'path') return actual.startsWith(expected.endsWith('/') ? expected : `${expected}/`);
  return actual.startsWith(expected);
}

/**
 * A callback is compared as text but followed by a browser, which normalizes it first (WHATWG URL
 * §4.4): `/cb/../../x`, `/cb/%2e%2e/x` and `/cb\..\x` all pass a textual prefix check and land
 * outside it (RFC 9700 §4.1.3). So the callback must contain nothing a browser would rewrite:
 * no backslash or control character, no dot-segment (plain or percent-encoded), no encoded slash
 * or backslash, and the path and host a WHATWG parser reads must be those compared.
 */
function browserSeesTheSame(raw: string, parts: UrlParts): boolean {
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u0020\u007f]/.test(raw)) return false;
  const path = parts.path ?? '';
  if (/%(2e|2f|5c)/i.test(path)) return false;
  if (path.split('/').some((segment) => segment === '.' || segment === '..')) return false;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  const special = ['http:', 'https:'].includes(url.protocol);
  return url.pathname === (path === '' && special ? '/' : path) && url.hostname === (special ? parts.host.toLowerCase() : parts.host);
}

export interface CallbackCheck {
  /** The consumer's registered callback URL (or URL prefix). */
  registeredUrl: string;
  /** `oarc_callback_is_prefix`. */
  isPrefix: boolean;
  /** `oauth_callback` as sent to initiate. */
  callback: string | undefined;
}

/**
 * Validates `oauth_callback` at initiate and returns the URL to send the user back to after
 * authorization: the registered URL for "oob" (MediaWiki substitutes it in
 * `generateCallbackUrl`), else the client's own URL. Prefix matching is MediaWiki's, by parsed
 * components: scheme equal or http→https; host exact; port equal or both absent, or registered
 * port 1 = any port; path a prefix ending on a segment boundary (exact when the registered URL has
 * a query); query a prefix; no userinfo (T428324). Stricter than MediaWiki, which compares raw
 * strings: `/cbx` no longer matches `/cb`, and anything a browser would normalize is refused.
 */
export function checkCallback({ registeredUrl, isPrefix, callback }: CallbackCheck): string {
  if (!isPrefix) {
    if (callback !== 'oob') throw OAuth1Errors.callbackNotOob();
    return registeredUrl;
  }
  if (!callback || callback === '0') throw OAuth1Errors.callbackNotOobOrPrefix();
  if (callback === 'oob') return registeredUrl;

  const got = parseUrl(callback);
  if (!got || got.user !== undefined || got.pass !== undefined || !browserSeesTheSame(callback, got)) throw OAuth1Errors.callbackNotOobOrPrefix();
  const want = parseUrl(registeredUrl);
  const match =
    want !== null &&
    (want.scheme === 'http' ? got.scheme === 'http' || got.scheme === 'https' : want.scheme === got.scheme) &&
    want.host === got.host &&
    (want.port === 1 || want.port === got.port) &&
    componentMatches('path', want, got, want.query !== undefined) &&
    componentMatches('query', want, got);
  if (!match) throw OAuth1Errors.callbackNotOobOrPrefix();
  return callback;
}

export type QueryParams = Readonly<Record<string, string | number | null | undefined>>;

/**
 * `wfAppendQuery`: adds `?` or `&` before the fragment, keeping any existing query. Record
 * values are encoded like `wfArrayToCgi` (PHP `urlencode`; null/undefined skipped).
 */
export function appendQuery(url: string, query: string | QueryParams): string {
  const qs =
    typeof query === 'string'
      ? query
      : Object.entries(query)
          .filter((e): e is [string, string | number] => e[1] !== null && e[1] !== undefined)
          .map(([k, v]) => `${urlencode(k)}=${urlencode(String(v))}`)
          .join('&');
  if (qs === '') return url;
  const hash = url.indexOf('#');
  const base = hash === -1 ? url : url.slice(0, hash);
  const fragment = hash === -1 ? '' : url.slice(hash);
  return `${base}${base.includes('?') ? '&' : '?'}${qs}${fragment}`;
}

/** Where the browser goes after the user accepts: `oauth_verifier` then `oauth_token`. */
export function callbackRedirectUrl(callbackUrl: string, verifier: string, requestToken: string): string {
  return appendQuery(callbackUrl, { oauth_verifier: verifier, oauth_token: requestToken });
}
