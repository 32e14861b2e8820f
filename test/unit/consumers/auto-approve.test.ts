import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { canBeAutoApproved } from '../../../src/domain/consumers/auto-approve.js';
import { validateRestrictions, validateRsaKey } from '../../../src/domain/consumers/restrictions.js';

const consumer = (grants: string[], callbackUrl = 'https://app.example/cb', callbackIsPrefix = false) => ({ grants, callbackUrl, callbackIsPrefix });

describe('auto-approval (Workflow::consumerCanBeAutoApproved)', () => {
  it('approves when every grant is listed and the scheme matches', () => {
    const rules = [{ grants: ['mwoauth-authonly', 'mwoauth-authonlyprivate'], protocols: ['https'] }];
    expect(canBeAutoApproved(consumer(['mwoauth-authonly']), rules)).toBe(true);
    expect(canBeAutoApproved(consumer(['mwoauth-authonly'], 'http://localhost/cb'), rules)).toBe(false);
    expect(canBeAutoApproved(consumer(['basic', 'editpage']), rules)).toBe(false);
  });

  it('needs only one condition, and `basic` must be listed like any grant', () => {
    const rules = [{ grants: ['editpage'] }, { grants: ['basic', 'editpage'] }];
    expect(canBeAutoApproved(consumer(['basic', 'editpage']), rules)).toBe(true);
    expect(canBeAutoApproved(consumer(['basic', 'editpage']), [{ grants: ['editpage'] }])).toBe(false);
  });

  it('never approves without conditions, an unknown rule, or a wildcard-port prefix callback', () => {
    expect(canBeAutoApproved(consumer(['mwoauth-authonly']), [])).toBe(false);
    expect(canBeAutoApproved(consumer(['mwoauth-authonly']), [{ grants: ['mwoauth-authonly'], colour: ['red'] } as never])).toBe(false);
    expect(canBeAutoApproved(consumer(['mwoauth-authonly'], 'https://app.example:1/', true), [{}])).toBe(false);
    expect(canBeAutoApproved(consumer(['mwoauth-authonly'], 'https://app.example:1/', false), [{}])).toBe(true);
  });
});

describe('OAUTH_AUTO_APPROVE and OAUTH_REQUEST_EXPIRATION_AGE', () => {
  const base = { DATABASE_URL: 'sqlite:/tmp/never-opened.sqlite', SECRET_KEY: 'x'.repeat(32) };

  it('default to no auto-approval and 30 days', () => {
    const config = loadConfig(base);
    expect(config.autoApprove).toEqual([]);
    expect(config.requestExpirationAge).toBe(30 * 86400);
  });

  it('parse conditions and durations', () => {
    const config = loadConfig({ ...base, OAUTH_AUTO_APPROVE: '[{"grants":["mwoauth-authonly"],"protocols":["HTTPS"]}]', OAUTH_REQUEST_EXPIRATION_AGE: 'P7D' });
    expect(config.autoApprove).toEqual([{ grants: ['mwoauth-authonly'], protocols: ['https'] }]);
    expect(config.requestExpirationAge).toBe(7 * 86400);
    expect(loadConfig({ ...base, OAUTH_REQUEST_EXPIRATION_AGE: '0' }).requestExpirationAge).toBe(0);
  });

  it.each(['{', '{}', '[1]', '[{"grants":"basic"}]', '[{"colour":["red"]}]', '[{"protocols":[""]}]'])('refuse %s with a message naming the variable', (raw) => {
    expect(() => loadConfig({ ...base, OAUTH_AUTO_APPROVE: raw })).toThrow(/^OAUTH_AUTO_APPROVE: /);
  });

  it('refuses a bad expiration age', () => {
    expect(() => loadConfig({ ...base, OAUTH_REQUEST_EXPIRATION_AGE: 'soon' })).toThrow(/^OAUTH_REQUEST_EXPIRATION_AGE: /);
  });
});

describe('restrictions and RSA keys', () => {
  it('accepts MWRestrictions JSON and writes it compactly', () => {
    expect(validateRestrictions('{ "IPAddresses": ["0.0.0.0/0", "::/0"] }')).toBe('{"IPAddresses":["0.0.0.0/0","::/0"]}');
    expect(validateRestrictions('{"IPAddresses":["192.0.2.1"],"Pages":["Main Page"]}')).toBe('{"IPAddresses":["192.0.2.1"],"Pages":["Main Page"]}');
  });

  it.each(['', '[]', '{}', '{"IPAddresses":"1.2.3.4"}', '{"IPAddresses":["1.2.3.4/33"]}', '{"IPAddresses":["nope"]}', '{"IPAddresses":[],"Pages":[1]}', '{"IPAddresses":[],"Other":1}'])(
    'refuses %s',
    (json) => {
      expect(() => validateRestrictions(json)).toThrow(expect.objectContaining({ code: 'invalid_restrictions' }));
    },
  );

  it('accepts a PEM RSA public key, nothing else', () => {
    expect(validateRsaKey('  ')).toBeNull();
    expect(() => validateRsaKey('-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----')).toThrow(expect.objectContaining({ code: 'invalid_rsa_key' }));
  });
});
