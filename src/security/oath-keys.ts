import { generateSecret, generateURI } from 'otplib';
import type { OathKey } from '../domain/accounts/two-factor.js';

/** OATHAuth's TOTPKey::newFromRandom: a secret of 26 random bytes, 42 base32 characters unpadded. */
const SECRET_BYTES = 26;
/** Ten recovery ("scratch") codes of 10 random bytes each, 16 base32 characters. */
const SCRATCH_TOKENS = 10;
const SCRATCH_TOKEN_BYTES = 10;

/** A new TOTP key in OATHAuth's shape, so the wiki accepts a row written from it. */
export function newOathKey(): OathKey {
  return {
    secret: generateSecret({ length: SECRET_BYTES }),
    scratchTokens: Array.from({ length: SCRATCH_TOKENS }, () => generateSecret({ length: SCRATCH_TOKEN_BYTES })),
  };
}

/**
 * The Key URI an authenticator app reads from the QR code: `otpauth://totp/<issuer>:<account>` with
 * the secret and the issuer, as OATHAuth's enable form builds it (issuer = the site's name).
 */
export function otpauthUri(issuer: string, account: string, secret: string): string {
  return generateURI({ issuer, label: account, secret });
}
