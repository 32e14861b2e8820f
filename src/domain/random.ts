import { createHmac, randomBytes } from 'node:crypto';

/** MWCryptRand::generateHex(32): consumer keys, secrets, tokens, verifiers. */
export function generateHex32(): string {
  return randomBytes(16).toString('hex');
}

/**
 * Utils::hmacDBSecret: what clients see is HMAC-SHA1(stored value, $wgOAuthSecretKey), so a
 * database dump alone cannot authenticate (docs/mediawiki-compat.md §3). 40 lowercase hex
 * characters, safe in Basic credentials without URL-encoding.
 */
export function hmacDBSecret(stored: string, secretKey: string): string {
  return createHmac('sha1', secretKey).update(stored).digest('hex');
}
