/**
 * The request checks `OAuthServer` runs around the signature, in its order:
 * version (`get_version`), then — after the consumer and token lookups, which need storage —
 * timestamp and nonce (`check_signature`), then the signature itself (signature.ts).
 * PHP's `!$x` treats '' and '0' as missing; kept.
 */
import { OAuth1Errors } from '../mediawiki/oauth-errors.js';
import { getParam, type OAuthParams } from '../mediawiki/params.js';

/** RFC 5849 §3.3 freshness window MediaWiki allows (`OAuthServer::TIMESTAMP_THRESHOLD`). */
export const TIMESTAMP_THRESHOLD_SECONDS = 300;

const missing = (v: string | undefined): v is undefined => v === undefined || v === '' || v === '0';

/** `oauth_version` absent means 1.0 (RFC 5849 §3.1 makes it optional); anything else fails. */
export function checkOAuthVersion(params: OAuthParams): void {
  const version = getParam(params, 'oauth_version');
  if (!missing(version) && version !== '1.0') throw OAuth1Errors.unsupportedVersion(version);
}

/**
 * `check_timestamp`: returns the timestamp (seconds) for the nonce store's expiry
 * (`lookup_nonce` keeps a nonce until timestamp + 300). A non-numeric value, a TypeError in
 * PHP 8, is reported as expired here.
 */
export function checkTimestamp(params: OAuthParams, nowSeconds: number): number {
  const ts = getParam(params, 'oauth_timestamp');
  if (missing(ts)) throw OAuth1Errors.missingTimestamp();
  const value = /^\s*\d+\s*$/.test(ts) ? Number(ts) : NaN;
  if (!(Math.abs(nowSeconds - value) <= TIMESTAMP_THRESHOLD_SECONDS)) {
    throw OAuth1Errors.expiredTimestamp(ts, nowSeconds);
  }
  return value;
}

/** `check_nonce`, first half: presence. The caller then claims it per (consumer, token). */
export function requireNonce(params: OAuthParams): string {
  const nonce = getParam(params, 'oauth_nonce');
  if (missing(nonce)) throw OAuth1Errors.missingNonce();
  return nonce;
}
