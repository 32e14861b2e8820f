import { describe, expect, it } from 'vitest';
import { checkOAuthVersion, checkTimestamp, requireNonce } from '../../../src/oauth1/checks.js';

const p = (entries: Record<string, string>) => new Map(Object.entries(entries));
const NOW = 1700000000;

describe('request checks (OAuthServer::get_version / check_timestamp / check_nonce)', () => {
  it('oauth_version: absent or 1.0 pass, anything else fails', () => {
    expect(() => checkOAuthVersion(p({}))).not.toThrow();
    expect(() => checkOAuthVersion(p({ oauth_version: '1.0' }))).not.toThrow();
    expect(() => checkOAuthVersion(p({ oauth_version: '1.0a' }))).toThrow("OAuth version '1.0a' not supported");
  });

  it('oauth_timestamp: required, within ±300 s', () => {
    expect(() => checkTimestamp(p({}), NOW)).toThrow('Missing timestamp parameter. The parameter is required');
    expect(() => checkTimestamp(p({ oauth_timestamp: '0' }), NOW)).toThrow('Missing timestamp parameter');
    expect(checkTimestamp(p({ oauth_timestamp: String(NOW - 300) }), NOW)).toBe(NOW - 300);
    expect(checkTimestamp(p({ oauth_timestamp: String(NOW + 300) }), NOW)).toBe(NOW + 300);
    expect(() => checkTimestamp(p({ oauth_timestamp: String(NOW - 301) }), NOW)).toThrow(
      `Expired timestamp, yours ${NOW - 301}, ours ${NOW}`,
    );
    expect(() => checkTimestamp(p({ oauth_timestamp: 'soon' }), NOW)).toThrow('Expired timestamp, yours soon');
  });

  it('oauth_nonce: required', () => {
    expect(requireNonce(p({ oauth_nonce: 'abc' }))).toBe('abc');
    expect(() => requireNonce(p({ oauth_nonce: '' }))).toThrow('Missing nonce parameter. The parameter is required');
  });
});
