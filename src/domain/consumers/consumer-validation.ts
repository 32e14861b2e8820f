import { DomainError } from '../errors.js';
import { isKnownGrant } from '../grants/catalogue.js';
import { OAUTH2_GRANT_TYPES, type OAuth2GrantType } from './consumer.js';

/**
 * Field rules of MediaWiki's ConsumerSubmitControl / ConsumerValidator
 * (docs/mediawiki-compat.md §2).
 */
export function validateName(name: string): string {
  const trimmed = name.trim();
  // oarc_name is VARBINARY(128); control characters would break every page that shows it.
  if (trimmed === '' || Buffer.byteLength(trimmed) > 128 || /\p{Cc}/u.test(trimmed)) {
    throw new DomainError('invalid_name', 'The application name must be 1 to 128 bytes of printable text');
  }
  return trimmed;
}

export function validateDescription(description: string): string {
  const trimmed = description.trim();
  if (trimmed === '' || Buffer.byteLength(trimmed) >= 65535) {
    throw new DomainError('invalid_description', 'The description must be 1 to 65534 bytes long');
  }
  return trimmed;
}

// Composer's VersionParser::normalize accepts `1`, `1.2.3.4`, `v1.0`, `1.0-beta2`, `1.0.0-RC1`…
const VERSION = /^v?(\d+(?:\.\d+){0,3})(?:[-.]?(alpha|beta|a|b|rc|RC|patch|pl|p|dev)[.-]?(\d*))?$/i;

export function validateVersion(version: string): string {
  const trimmed = version.trim();
  if (Buffer.byteLength(trimmed) > 32 || !VERSION.test(trimmed)) {
    throw new DomainError('invalid_version', `"${version}" is not a valid version (for example 1.0 or 2.1.0-beta)`);
  }
  return trimmed;
}

const STABILITY = ['dev', 'alpha', 'a', 'beta', 'b', 'rc', '', 'patch', 'pl', 'p'];
const STABILITY_RANK = (s: string) => {
  const i = STABILITY.indexOf(s.toLowerCase());
  return i < 0 ? 0 : [0, 1, 1, 2, 2, 3, 4, 5, 5, 5][i]!;
};

/** PHP's version_compare for the versions validateVersion accepts: -1, 0 or 1. */
export function compareVersions(a: string, b: string): number {
  const pa = VERSION.exec(a.trim());
  const pb = VERSION.exec(b.trim());
  if (!pa || !pb) return a.localeCompare(b);
  const na = pa[1]!.split('.').map(Number);
  const nb = pb[1]!.split('.').map(Number);
  for (let i = 0; i < Math.max(na.length, nb.length); i++) {
    const d = (na[i] ?? 0) - (nb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  const s = STABILITY_RANK(pa[2] ?? '') - STABILITY_RANK(pb[2] ?? '');
  if (s !== 0) return Math.sign(s);
  return Math.sign(Number(pa[3] || 0) - Number(pb[3] || 0));
}

const LOCAL_HOST = /^(localhost|127\.0\.0\.1|\[::1\]|.+\.localhost)$/i;

/**
 * Callback URL rules. OAuth 2 (RFC 8252 §7, MediaWiki T412542): https, or http on a loopback host;
 * custom URI schemes only for non-confidential (native) clients. OAuth 1.0a: any http(s) URL.
 */
export function validateCallbackUrl(url: string, opts: { oauthVersion: 1 | 2; confidential: boolean }): string {
  const trimmed = url.trim();
  if (trimmed.length > 2000) throw new DomainError('invalid_callback_url', 'The callback URL may be at most 2000 characters');
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    throw new DomainError('invalid_callback_url', `"${url}" is not a valid URL`);
  }
  if (parsed.hash) throw new DomainError('invalid_callback_url', 'The callback URL must not have a fragment');
  if (parsed.username || parsed.password) throw new DomainError('invalid_callback_url', 'The callback URL must not contain credentials');
  const scheme = parsed.protocol.slice(0, -1).toLowerCase();
  if (scheme === 'https') return trimmed;
  if (scheme === 'http') {
    if (opts.oauthVersion === 1 || LOCAL_HOST.test(parsed.hostname)) return trimmed;
    throw new DomainError('invalid_callback_url', 'The callback URL must use https (http is allowed only on localhost)');
  }
  if (opts.oauthVersion === 2 && !opts.confidential && /^[a-z][a-z0-9+.-]*$/.test(scheme) && !['javascript', 'data', 'file', 'vbscript'].includes(scheme)) {
    return trimmed;
  }
  throw new DomainError('invalid_callback_url', `The callback URL scheme "${scheme}" is not allowed for this kind of application`);
}

export function validateGrantNames(grants: readonly string[]): void {
  const unknown = grants.filter((g) => !isKnownGrant(g));
  if (unknown.length) throw new DomainError('invalid_grant_name', `Unknown grant(s): ${unknown.join(', ')}`);
}

export function validateOAuth2GrantTypes(types: readonly string[]): OAuth2GrantType[] {
  const unknown = types.filter((t) => !(OAUTH2_GRANT_TYPES as readonly string[]).includes(t));
  if (unknown.length) {
    throw new DomainError('invalid_grant_type', `Unknown OAuth 2 grant type(s): ${unknown.join(', ')} (allowed: ${OAUTH2_GRANT_TYPES.join(', ')})`);
  }
  if (types.length === 0) throw new DomainError('invalid_grant_type', 'At least one OAuth 2 grant type is needed');
  return [...new Set(types)] as OAuth2GrantType[];
}
