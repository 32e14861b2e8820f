import { createPublicKey } from 'node:crypto';
import { isIP } from 'node:net';
import { DomainError } from '../errors.js';

/** MWRestrictions default: usable from anywhere. */
export const DEFAULT_RESTRICTIONS = '{"IPAddresses":["0.0.0.0/0","::/0"]}';

/**
 * MWRestrictions::newFromJson: an object with `IPAddresses` (addresses or CIDR ranges) and
 * optionally `Pages` (page names). Returns MediaWiki's compact JSON (toJson), `Pages` only when
 * non-empty. (Stored and shown; enforcing it on API calls belongs to the wiki.)
 */
export function validateRestrictions(json: string): string {
  const fail = (why: string): never => {
    throw new DomainError('invalid_restrictions', `Invalid usage restrictions: ${why}`);
  };
  if (json.length > 65535) fail('too long');
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return fail('not valid JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return fail('expected a JSON object');
  const { IPAddresses: ips, Pages: pages, ...rest } = parsed as Record<string, unknown>;
  if (Object.keys(rest).length) fail(`unknown key "${Object.keys(rest)[0]}"`);
  if (!Array.isArray(ips)) return fail('"IPAddresses" must be a list of IP addresses or ranges');
  for (const ip of ips) {
    if (typeof ip !== 'string' || !isIpOrRange(ip)) fail(`"${String(ip)}" is not an IP address or range`);
  }
  if (pages !== undefined && (!Array.isArray(pages) || !pages.every((p) => typeof p === 'string'))) {
    fail('"Pages" must be a list of page names');
  }
  const list = (pages ?? []) as string[];
  return JSON.stringify({ IPAddresses: ips, ...(list.length ? { Pages: list } : {}) });
}

function isIpOrRange(text: string): boolean {
  const [address, prefix, ...more] = text.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || more.length) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** ConsumerValidator: an OAuth 1.0a RSA key must be a PEM RSA public key; empty means none. */
export function validateRsaKey(pem: string): string | null {
  const trimmed = pem.trim();
  if (trimmed === '') return null;
  try {
    const key = createPublicKey(trimmed);
    if (key.asymmetricKeyType === 'rsa') return trimmed;
  } catch {
    // fall through to the one error below
  }
  throw new DomainError('invalid_rsa_key', 'The RSA key must be a PEM-encoded RSA public key');
}
