import { verify } from 'otplib';
import type { TotpVerifier } from '../domain/accounts/two-factor.js';
import { normalizeCode } from '../domain/accounts/two-factor.js';

/** RFC 6238 §4: 30-second steps, HMAC-SHA1, 6 digits — OATHAuth's TOTP. */
const PERIOD = 30;
/** OATHAuth's `$wgOATHAuthWindowRadius` default: 4 steps either side, 9 codes in all. */
const WINDOW_RADIUS = 4;

/** TOTP through otplib, with OATHAuth's window and its rule that a used step is never accepted again. */
export const otplibTotp: TotpVerifier = {
  async verify(secret, code, afterStep, nowSeconds = Date.now() / 1000) {
    const token = normalizeCode(code);
    if (!/^\d{6}$/.test(token)) return undefined;
    const result = await verify({
      secret: base32Bytes(secret),
      token,
      epoch: Math.floor(nowSeconds),
      period: PERIOD,
      epochTolerance: WINDOW_RADIUS * PERIOD,
      ...(afterStep === undefined ? {} : { afterTimeStep: Math.min(afterStep, Math.floor(nowSeconds / PERIOD) + WINDOW_RADIUS) }),
    });
    return result.valid ? Math.floor(nowSeconds / PERIOD) + result.delta : undefined;
  },
};

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * RFC 4648 §6 base32 to bytes, leaving out the bits past the last whole byte as OATHAuth's decoder
 * does (a strict decoder refuses secrets whose unused bits are not zero).
 */
function base32Bytes(secret: string): Uint8Array {
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of secret.toUpperCase().replace(/=+$/, '')) {
    const value = ALPHABET.indexOf(char);
    if (value < 0) throw new TypeError('not a base32 secret');
    buffer = ((buffer << 5) | value) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  return Uint8Array.from(bytes);
}
