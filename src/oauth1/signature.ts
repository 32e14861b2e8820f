/**
 * RFC 5849 §3.4 signatures as MediaWiki's `OAuthRequest` / `OAuthSignatureMethod*` compute them.
 * PLAINTEXT is not offered (MediaWiki only enables it with $wgOAuthAllowInsecurePlaintextSignature).
 */
import { createHmac, createPublicKey, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { OAuth1Errors } from '../mediawiki/oauth-errors.js';
import { getParam, type ParamValue } from '../mediawiki/params.js';
import { rfc3986Encode } from '../mediawiki/php.js';

export const SIGNATURE_METHODS = ['HMAC-SHA1', 'RSA-SHA1'] as const;
export type SignatureMethod = (typeof SIGNATURE_METHODS)[number];

/** Parameters as collected (a Map) or as a plain list of pairs (RFC 5849 concatenation). */
export type SignableParams = Iterable<readonly [string, ParamValue]>;

/**
 * §3.4.1.2 base string URI (`OAuthRequest::get_normalized_http_url`): lower-case scheme and
 * host, port only when not the scheme's default, the path exactly as requested (not decoded or
 * re-encoded; `/` if empty), no query or fragment. Userinfo is dropped, as PHP's parse_url does.
 */
export function normalizeUrl(url: string): string {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)/.exec(url);
  if (!m) throw new TypeError(`normalizeUrl: not an absolute URL: ${url}`);
  const scheme = m[1]!.toLowerCase();
  const authority = m[2]!.slice(m[2]!.lastIndexOf('@') + 1);
  const hp = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(authority);
  const host = (hp?.[1] ?? authority).toLowerCase();
  const port = hp?.[2] ? String(Number(hp[2])) : '';
  const isDefault = port === '' || (scheme === 'http' && port === '80') || (scheme === 'https' && port === '443');
  return `${scheme}://${host}${isDefault ? '' : ':' + port}${m[3] || '/'}`;
}

/**
 * §3.4.1.3.2 normalised parameters (`OAuthUtil::build_http_query` of
 * `get_signable_parameters`): encode names and values, sort by name then value in byte order
 * (`strcmp`), join with `=` and `&`. `oauth_signature` is left out (§3.4.1.3.1).
 */
export function normalizeParams(params: SignableParams): string {
  const pairs: Array<[string, string]> = [];
  for (const [key, value] of params) {
    if (key === 'oauth_signature') continue;
    for (const v of typeof value === 'string' ? [value] : value) pairs.push([rfc3986Encode(key), rfc3986Encode(v)]);
  }
  // Encoded strings are ASCII, so UTF-16 comparison is byte order.
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  pairs.sort((a, b) => cmp(a[0], b[0]) || cmp(a[1], b[1]));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

/** §3.4.1.1: `METHOD&enc(base URI)&enc(normalised params)`. */
export function signatureBaseString(method: string, url: string, params: SignableParams): string {
  return [method.toUpperCase(), normalizeUrl(url), normalizeParams(params)].map(rfc3986Encode).join('&');
}

/** §3.4.2 HMAC-SHA1, key `enc(client secret)&enc(token secret)`; base64 result. */
export function signHmacSha1(base: string, consumerSecret: string, tokenSecret = ''): string {
  const key = `${rfc3986Encode(consumerSecret)}&${rfc3986Encode(tokenSecret)}`;
  return createHmac('sha1', key).update(base, 'utf8').digest('base64');
}

/** Constant-time compare, like PHP's `hash_equals` (a length mismatch is simply false). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

export function verifyHmacSha1(base: string, signature: string, consumerSecret: string, tokenSecret = ''): boolean {
  return safeEqual(signHmacSha1(base, consumerSecret, tokenSecret), signature);
}

/** §3.4.3 RSA-SHA1 (RSASSA-PKCS1-v1_5 over SHA-1), as `openssl_verify` does it. */
export function verifyRsaSha1(base: string, signatureB64: string, publicKey: string | KeyObject): boolean {
  try {
    const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
    return verify('sha1', Buffer.from(base, 'utf8'), key, Buffer.from(signatureB64, 'base64'));
  } catch {
    return false;
  }
}

export type RsaKeyCheck =
  | { ok: true; key: KeyObject }
  | { ok: false; code: 'mwoauth-invalid-field-rsaKey-not-rsa' | 'invalid-key'; message: string };

/**
 * Consumer registration check (`ConsumerValidator`, field rsaKey): a PEM public key or
 * certificate whose key type is RSA. A private key is refused: Node would derive the public
 * half, but the registration must never store private material.
 */
export function parseRsaPublicKey(pem: string): RsaKeyCheck {
  if (/PRIVATE KEY-----/.test(pem)) return { ok: false, code: 'invalid-key', message: 'A private key was given' };
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch (e) {
    return { ok: false, code: 'invalid-key', message: e instanceof Error ? e.message : String(e) };
  }
  if (key.asymmetricKeyType !== 'rsa') {
    return { ok: false, code: 'mwoauth-invalid-field-rsaKey-not-rsa', message: 'Invalid public key (must be an RSA key)' };
  }
  return { ok: true, key };
}

export interface VerifyInput {
  method: string;
  /** The public URL the client used (scheme/host/port as seen by the client); query ignored. */
  url: string;
  /** Everything collected by `collectOAuthParams`, query included. */
  params: ReadonlyMap<string, ParamValue>;
  consumerSecret?: string;
  /** '' (or absent) for initiate, which is signed with the consumer only. */
  tokenSecret?: string;
  rsaPublicKey?: string | KeyObject | null;
}

/**
 * `OAuthSignatureMethod::check_signature` for the method the request names. MediaWiki checks
 * timestamp and nonce before this (see checks.ts). Throws OAuth1Error for a missing or
 * unsupported `oauth_signature_method`; returns false for a wrong signature (the caller throws
 * `OAuth1Errors.invalidSignature()`). An empty consumer secret or a missing RSA key never
 * verifies.
 */
export function verifySignature(input: VerifyInput): boolean {
  const method = getParam(input.params, 'oauth_signature_method');
  // PHP's `!$method`: '' and '0' both count as missing.
  if (!method || method === '0') throw OAuth1Errors.missingSignatureMethod();
  if (!(SIGNATURE_METHODS as readonly string[]).includes(method)) throw OAuth1Errors.unsupportedSignatureMethod(method);
  const signature = getParam(input.params, 'oauth_signature') ?? '';
  const base = signatureBaseString(input.method, input.url, input.params);
  if (method === 'HMAC-SHA1') {
    if (!input.consumerSecret) return false;
    return verifyHmacSha1(base, signature, input.consumerSecret, input.tokenSecret ?? '');
  }
  if (!input.rsaPublicKey) return false;
  return verifyRsaSha1(base, signature, input.rsaPublicKey);
}
