import { describe, expect, it } from 'vitest';
import { grantsFromList } from '../../src/domain/consumers/consumer-service.js';
import {
  compareVersions,
  validateCallbackUrl,
  validateDescription,
  validateGrantNames,
  validateName,
  validateOAuth2GrantTypes,
  validateVersion,
} from '../../src/domain/consumers/consumer-validation.js';
import { DomainError } from '../../src/domain/errors.js';
import { generateHex32, hmacDBSecret } from '../../src/domain/random.js';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    return (err as DomainError).code;
  }
  throw new Error('expected a DomainError');
}

describe('validateName', () => {
  it('trims and accepts up to 128 bytes of printable text', () => {
    expect(validateName('  My tool ')).toBe('My tool');
    expect(validateName('a'.repeat(128))).toBe('a'.repeat(128));
    expect(validateName('Zoë’s tool')).toBe('Zoë’s tool');
  });

  it('refuses empty, too long (in bytes) and control characters', () => {
    for (const name of ['', '   ', 'a'.repeat(129), 'é'.repeat(65), 'a\tb', 'a\u0000b']) {
      expect(codeOf(() => validateName(name))).toBe('invalid_name');
    }
  });
});

describe('validateDescription', () => {
  it('accepts 1 to 65534 bytes', () => {
    expect(validateDescription(' Does things ')).toBe('Does things');
    expect(validateDescription('d'.repeat(65534))).toHaveLength(65534);
  });

  it('refuses empty and 65535 bytes', () => {
    for (const text of ['', ' \n ', 'd'.repeat(65535)]) expect(codeOf(() => validateDescription(text))).toBe('invalid_description');
  });
});

describe('validateVersion', () => {
  it('accepts what Composer normalizes', () => {
    for (const version of ['1', '1.0', 'v1.0', '1.2.3.4', '1.0-beta2', '1.0.0-RC1', '2.1alpha', '1.0-dev']) {
      expect(validateVersion(version)).toBe(version);
    }
    expect(validateVersion(' 1.0 ')).toBe('1.0');
  });

  it('refuses the rest', () => {
    for (const version of ['', 'abc', '1.2.3.4.5', '1.0 beta', '1.0-gamma', `1.${'0'.repeat(31)}`]) {
      expect(codeOf(() => validateVersion(version))).toBe('invalid_version');
    }
  });
});

describe('compareVersions', () => {
  it('orders like PHP version_compare', () => {
    expect(compareVersions('1.0', '1.1')).toBe(-1);
    expect(compareVersions('2.0', '1.9.9')).toBe(1);
    expect(compareVersions('1.10', '1.9')).toBe(1);
    expect(compareVersions('v1.2', '1.2')).toBe(0);
    expect(compareVersions('1.0-alpha', '1.0-beta')).toBe(-1);
    expect(compareVersions('1.0-beta', '1.0-RC1')).toBe(-1);
    expect(compareVersions('1.0-RC1', '1.0')).toBe(-1);
    expect(compareVersions('1.0-beta2', '1.0-beta1')).toBe(1);
    expect(compareVersions('1.0-pl1', '1.0')).toBe(1);
  });
});

describe('validateCallbackUrl', () => {
  const confidential = { oauthVersion: 2 as const, confidential: true };
  const native = { oauthVersion: 2 as const, confidential: false };
  const oauth1 = { oauthVersion: 1 as const, confidential: true };

  it('OAuth 2: https anywhere, http only on loopback hosts', () => {
    expect(validateCallbackUrl(' https://app.example/cb ', confidential)).toBe('https://app.example/cb');
    for (const url of ['http://localhost:3000/cb', 'http://127.0.0.1/cb', 'http://[::1]:8000/cb', 'http://dev.localhost/cb']) {
      expect(validateCallbackUrl(url, confidential)).toBe(url);
    }
    expect(codeOf(() => validateCallbackUrl('http://app.example/cb', confidential))).toBe('invalid_callback_url');
  });

  it('OAuth 2: custom schemes only for non-confidential clients, never script schemes', () => {
    expect(validateCallbackUrl('org.example.app:/cb', native)).toBe('org.example.app:/cb');
    expect(codeOf(() => validateCallbackUrl('org.example.app:/cb', confidential))).toBe('invalid_callback_url');
    for (const url of ['javascript:alert(1)', 'data:text/html,x', 'file:///etc/passwd']) {
      expect(codeOf(() => validateCallbackUrl(url, native))).toBe('invalid_callback_url');
    }
  });

  it('OAuth 1.0a: any http(s) URL', () => {
    expect(validateCallbackUrl('http://app.example/cb', oauth1)).toBe('http://app.example/cb');
    expect(codeOf(() => validateCallbackUrl('org.example.app:/cb', oauth1))).toBe('invalid_callback_url');
  });

  it('refuses non-URLs, fragments, credentials and overlong URLs', () => {
    for (const url of ['not a url', 'https://app.example/cb#x', 'https://u:p@app.example/cb', `https://app.example/${'a'.repeat(2000)}`]) {
      expect(codeOf(() => validateCallbackUrl(url, confidential))).toBe('invalid_callback_url');
    }
  });
});

describe('grant names and OAuth 2 grant types', () => {
  it('knows the API names only (legacy stored names are not grants)', () => {
    expect(() => validateGrantNames(['basic', 'editpage', 'mwoauth-authonly'])).not.toThrow();
    expect(codeOf(() => validateGrantNames(['useoauth']))).toBe('invalid_grant_name');
    expect(codeOf(() => validateGrantNames(['openid']))).toBe('invalid_grant_name');
  });

  it('accepts the three OAuth 2 grant types, de-duplicated', () => {
    expect(validateOAuth2GrantTypes(['authorization_code', 'refresh_token', 'authorization_code'])).toEqual(['authorization_code', 'refresh_token']);
    expect(validateOAuth2GrantTypes(['client_credentials'])).toEqual(['client_credentials']);
    expect(codeOf(() => validateOAuth2GrantTypes(['password']))).toBe('invalid_grant_type');
    expect(codeOf(() => validateOAuth2GrantTypes([]))).toBe('invalid_grant_type');
  });

  it('turns a CLI grant list into what MediaWiki stores', () => {
    expect(grantsFromList(['editpage'])).toEqual(['basic', 'editpage']);
    expect(grantsFromList(['basic', 'editpage'])).toEqual(['basic', 'editpage']);
    expect(grantsFromList(['mwoauth-authonly'])).toEqual(['mwoauth-authonly']);
    expect(grantsFromList(['mwoauth-authonlyprivate', 'editpage'])).toEqual(['mwoauth-authonlyprivate']);
    expect(grantsFromList(['mwoauth-authonly', 'mwoauth-authonlyprivate'])).toEqual(['mwoauth-authonlyprivate']);
    expect(codeOf(() => grantsFromList(['editpage', 'bogus']))).toBe('invalid_grant_name');
  });
});

describe('secrets', () => {
  it('generates 32 lowercase hex characters', () => {
    const a = generateHex32();
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(generateHex32()).not.toBe(a);
  });

  it('hands out HMAC-SHA1(stored, SECRET_KEY) as hex, like Utils::hmacDBSecret', () => {
    // The widely published HMAC-SHA1 example (key "key"), so the argument order is pinned.
    expect(hmacDBSecret('The quick brown fox jumps over the lazy dog', 'key')).toBe('de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9');
  });
});
