/**
 * OAuth 1.0a parameter collection, the way MediaWiki's `MWOAuthRequest::fromRequest` does it
 * (RFC 5849 §3.4.1.3.1 names the sources; MediaWiki merges them instead of concatenating):
 *   1. the query string; a repeated key keeps its last value (PHP's `$_GET` overrides
 *      `OAuthUtil::parse_parameters` of the URL in `OAuthRequest::__construct`);
 *   2. the body, only for POST with a Content-Type starting with
 *      `application/x-www-form-urlencoded`; a repeated body key keeps every value;
 *   3. the `Authorization` header, only if it starts with exactly `OAuth `.
 * Each later source replaces a key of an earlier one (PHP `array_merge`), so a key sent in both
 * query and body is signed with the body value only — unlike RFC 5849, which signs both.
 *
 * Not reproduced: PHP's key mangling in `$_GET` (`a.b` → `a_b`, `a[]` arrays) and the stray
 * empty key MediaWiki signs for `a=1&&b=2`. Requests using those fail MediaWiki's check for any
 * RFC client anyway; here `a[]` is a plain key and empty pieces are skipped.
 */
import { urldecode } from './php.js';

/** One value, or every value of a key repeated in a form body (signed sorted by value). */
export type ParamValue = string | readonly string[];
export type OAuthParams = ReadonlyMap<string, ParamValue>;

export interface ParamSources {
  /** Raw query string (leading `?` allowed) or already-decoded `URLSearchParams`. */
  query: URLSearchParams | string;
  /** HTTP method; when given, the body is read only for POST (`WebRequest::wasPosted`). */
  method?: string;
  contentType?: string;
  /** Raw request body (`WebRequest::getRawPostString`). */
  body?: string;
  authorization?: string;
}

function pieces(input: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const piece of input.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const key = eq === -1 ? piece : piece.slice(0, eq);
    const value = eq === -1 ? '' : piece.slice(eq + 1);
    out.push([urldecode(key), urldecode(value)]);
  }
  return out;
}

/** `OAuthUtil::parse_parameters`: urldecode (so `+` is a space); repeated keys keep all values. */
export function parseFormParameters(input: string): Map<string, ParamValue> {
  const out = new Map<string, ParamValue>();
  for (const [key, value] of pieces(input)) {
    const prev = out.get(key);
    if (prev === undefined) out.set(key, value);
    else out.set(key, typeof prev === 'string' ? [prev, value] : [...prev, value]);
  }
  return out;
}

function parseQuery(query: URLSearchParams | string): Map<string, ParamValue> {
  const out = new Map<string, ParamValue>();
  const entries = typeof query === 'string' ? pieces(query.replace(/^\?/, '')) : query.entries();
  for (const [key, value] of entries) out.set(key, value);
  return out;
}

/**
 * `OAuthUtil::split_header`, quirks included: the regex is unanchored and its `(:?` is a typo
 * for `(?:` (so `oauth_x=:"v"` reads `v`); a quoted value that PHP's `empty()` treats as empty
 * (`""` or `"0"`) falls back to the unquoted group, which is then `''`; values are urldecoded
 * (`+` is a space); keys not starting `oauth_` (such as `realm`) never match. Last key wins.
 */
export function parseAuthorizationHeader(header: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of header.matchAll(/(oauth_[a-z_-]*)=(:?"([^"]*)"|([^,]*))/g)) {
    const quoted = m[3] ?? '';
    const raw = quoted === '' || quoted === '0' ? (m[4] ?? '') : quoted;
    out.set(m[1]!, urldecode(raw));
  }
  return out;
}

/** All request parameters, signed or not, keyed as MediaWiki's `OAuthRequest` holds them. */
export function collectOAuthParams(src: ParamSources): Map<string, ParamValue> {
  const params = parseQuery(src.query);
  const posted = src.method === undefined || src.method.toUpperCase() === 'POST';
  if (posted && src.body && src.contentType?.startsWith('application/x-www-form-urlencoded')) {
    for (const [k, v] of parseFormParameters(src.body)) params.set(k, v);
  }
  if (src.authorization?.startsWith('OAuth ')) {
    for (const [k, v] of parseAuthorizationHeader(src.authorization)) params.set(k, v);
  }
  return params;
}

/**
 * One parameter as a string (`OAuthRequest::get_parameter`). A key repeated in the body yields
 * its last value; PHP would hand back an array and fail further on.
 */
export function getParam(params: OAuthParams, name: string): string | undefined {
  const v = params.get(name);
  if (v === undefined || typeof v === 'string') return v;
  return v[v.length - 1];
}
