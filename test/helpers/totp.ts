import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A secret shaped like OATHAuth's: base32 of 26 random bytes, unpadded (42 characters). */
export function newSecret(): string {
  let bits = '';
  for (const byte of randomBytes(26)) bits += byte.toString(2).padStart(8, '0');
  let secret = '';
  // The last group is padded with zero bits (RFC 4648 §6), as OATHAuth's encoder does.
  for (let i = 0; i < bits.length; i += 5) secret += ALPHABET[parseInt(bits.slice(i, i + 5).padEnd(5, '0'), 2)];
  return secret;
}

/** The code an authenticator shows at `at` (epoch seconds), from Debian's oathtool. */
export function oathtoolCode(secret: string, at = Date.now() / 1000): string {
  return execFileSync('oathtool', ['--totp', '-b', '-N', `@${Math.floor(at)}`, secret], { encoding: 'utf8' }).trim();
}

/**
 * Codes for successive sign-ins of one user: each call gives the next 30-second step, starting two
 * steps back, so up to seven sign-ins fit in OATHAuth's window (4 steps either side of now) even
 * though a step, once used, is refused.
 */
export function codeSequence(secret: string): () => string {
  let step = Math.floor(Date.now() / 30_000) - 2;
  return () => oathtoolCode(secret, step++ * 30);
}
