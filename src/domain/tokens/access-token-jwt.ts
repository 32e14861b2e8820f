import { createPrivateKey, createPublicKey, sign, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { DomainError } from '../errors.js';

/**
 * The claims of a MediaWiki OAuth 2 access token, in the order MediaWiki issues them
 * (docs/mediawiki-compat.md "Access tokens"): `aud` the consumer key, `jti` the id registered in
 * `oauth2_access_tokens`, `sub` the user id as a string ("" for a machine token), `scopes` the
 * current grant names. MediaWiki writes the times as floats; integers are equally valid.
 */
export interface AccessTokenClaims {
  readonly aud: string;
  readonly jti: string;
  readonly iat: number;
  readonly nbf: number;
  readonly exp: number;
  readonly sub: string;
  readonly iss: string;
  readonly scopes: readonly string[];
}

/** A token that is not a valid access token of this site; `reason` is for logs and hints only. */
export class AccessTokenRejected extends DomainError {
  constructor(reason: string) {
    super('invalid_token', reason);
    this.name = 'AccessTokenRejected';
  }
}

interface KeyPair {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Whether a value has the compact JWS shape (three base64url parts). */
export function looksLikeJwt(value: string): boolean {
  return value.length <= 8192 && JWT_SHAPE.test(value);
}

/**
 * Sign and check access tokens with the wiki's `$wgOAuth2PrivateKey`/`$wgOAuth2PublicKey` pair:
 * RS256 (RFC 7518 §3.3), header `typ: JWT` as MediaWiki's library writes it plus our `kid` (the
 * key is published in JWKS for offline verification; MediaWiki ignores the header field).
 */
export class AccessTokenJwt {
  readonly #key: KeyPair;

  /** From the private JWK of the key pair (its `kid` is published in JWKS). */
  constructor(privateJwk: JsonWebKey & { kid: string }) {
    const privateKey = createPrivateKey({ key: privateJwk, format: 'jwk' });
    this.#key = { kid: privateJwk.kid, privateKey, publicKey: createPublicKey(privateKey) };
  }

  get kid(): string {
    return this.#key.kid;
  }

  async sign(claims: AccessTokenClaims): Promise<string> {
    const payload = { aud: claims.aud, jti: claims.jti, iat: claims.iat, nbf: claims.nbf, exp: claims.exp, sub: claims.sub, iss: claims.iss, scopes: [...claims.scopes] };
    const input = `${b64url({ typ: 'JWT', alg: 'RS256', kid: this.#key.kid })}.${b64url(payload)}`;
    // RS256 = RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3), node's default padding for RSA keys.
    return `${input}.${sign('sha256', Buffer.from(input), this.#key.privateKey).toString('base64url')}`;
  }

  /**
   * The checks MediaWiki's resource server makes (BearerTokenValidator): RS256 signature with the
   * public key, `iat` and `nbf` not in the future and `exp` in the future, all with no leeway;
   * plus the claims it relies on being present (`scopes` is required: without it the wiki fails).
   */
  async verify(value: string, now = Date.now() / 1000): Promise<AccessTokenClaims> {
    if (!looksLikeJwt(value)) throw new AccessTokenRejected('not a JWT');
    const [header, body, signature] = value.split('.') as [string, string, string];
    if (parseJson(header)?.alg !== 'RS256') throw new AccessTokenRejected('not RS256');
    if (!verify('sha256', Buffer.from(`${header}.${body}`), this.#key.publicKey, Buffer.from(signature, 'base64url'))) throw new AccessTokenRejected('bad signature');
    const payload = parseJson(body);
    if (!payload) throw new AccessTokenRejected('missing claims');
    const { aud, jti, iat, nbf, exp, sub, iss, scopes } = payload;
    if (typeof aud !== 'string' || typeof jti !== 'string' || !jti || typeof sub !== 'string') throw new AccessTokenRejected('missing claims');
    if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string')) throw new AccessTokenRejected('missing scopes');
    if (typeof exp !== 'number' || exp <= now) throw new AccessTokenRejected('expired');
    if (typeof iat !== 'number' || iat > now) throw new AccessTokenRejected('issued in the future');
    if (typeof nbf !== 'number' || nbf > now) throw new AccessTokenRejected('not yet valid');
    return { aud, jti, iat, nbf, exp, sub, iss: typeof iss === 'string' ? iss : '', scopes: scopes as string[] };
  }
}

function b64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A base64url JSON object, or undefined. */
function parseJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
