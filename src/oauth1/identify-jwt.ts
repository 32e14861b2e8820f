/**
 * The compact JWS Special:OAuth/identify returns (`SpecialMWOAuth::outputJWT`, firebase/php-jwt 7
 * `JWT::encode($statement, $consumer->secret, 'HS256')`): header `{"typ":"JWT","alg":"HS256"}`,
 * JSON as PHP prints it (slashes unescaped, non-ASCII as \uXXXX), base64url without padding,
 * HMAC-SHA256 keyed with the client-facing consumer secret. mwoauth verifies it with PyJWT
 * (audience = consumer key, `iat` an integer, `nonce` = the request's oauth_nonce).
 */
import { createHmac } from 'node:crypto';
import { phpJsonEncode, type JsonValue } from '../mediawiki/php.js';

/** The claims MediaWiki's `UserStatementProvider` emits (plus `nonce`); order is kept. */
export interface IdentifyClaims {
  /** `$wgCanonicalServer`; mwoauth compares its host:port with the wiki URL's. */
  iss: string;
  /** The consumer key. */
  aud: string;
  /** now + 100 s (integer seconds). */
  exp: number;
  iat: number;
  /** Central user id as a string ("0" if the name is not owned). */
  sub: string;
  /** The identify request's `oauth_nonce`. */
  nonce: string;
  readonly [claim: string]: JsonValue | undefined;
}

const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/**
 * Throws a TypeError for a secret under 256 bits, as php-jwt 7 (`validateHmacKeyLength`) does;
 * MediaWiki's secrets (40 hex digits, or 32 without `$wgOAuthSecretKey`) always pass.
 */
export function encodeIdentifyJwt(claims: IdentifyClaims, consumerSecret: string): string {
  if (Buffer.byteLength(consumerSecret, 'utf8') < 32) throw new TypeError('HS256 key shorter than 256 bits');
  const payload: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(claims)) if (v !== undefined) payload[k] = v;
  const signingInput = `${b64url(phpJsonEncode({ typ: 'JWT', alg: 'HS256' }))}.${b64url(phpJsonEncode(payload))}`;
  const signature = createHmac('sha256', Buffer.from(consumerSecret, 'utf8')).update(signingInput).digest();
  return `${signingInput}.${b64url(signature)}`;
}
