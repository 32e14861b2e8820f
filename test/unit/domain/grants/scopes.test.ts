import { describe, expect, it } from 'vitest';
import type { Consumer } from '../../../../src/domain/consumers/consumer.js';
import { allowedScopes, effectiveRequestedScopes, grantsInScope, grantsToStore } from '../../../../src/domain/grants/scopes.js';

const consumer = (grants: string[], grantTypes: string[] = ['authorization_code']) => ({ grants, oauth2AllowedGrants: grantTypes }) as unknown as Consumer;

describe('allowedScopes', () => {
  it('is the grants plus openid and profile; email only behind the private-info gate; offline_access only with refresh_token', () => {
    expect(allowedScopes(consumer(['basic', 'editpage']))).toEqual(['basic', 'editpage', 'openid', 'profile']);
    expect(allowedScopes(consumer(['basic', 'privateinfo']))).toEqual(['basic', 'privateinfo', 'openid', 'profile', 'email']);
    expect(allowedScopes(consumer(['mwoauth-authonlyprivate'], ['authorization_code', 'refresh_token']))).toEqual(['mwoauth-authonlyprivate', 'openid', 'profile', 'email', 'offline_access']);
    expect(allowedScopes(consumer(['mwoauth-authonly']))).toEqual(['mwoauth-authonly', 'openid', 'profile']);
  });
});

describe('effectiveRequestedScopes (MediaWiki authorize defaults)', () => {
  const app = consumer(['basic', 'editpage', 'privateinfo']);

  it('no scope, or nothing usable, means every grant of the consumer', () => {
    expect(effectiveRequestedScopes(app, undefined)).toEqual(['basic', 'editpage', 'privateinfo']);
    expect(effectiveRequestedScopes(app, '  ')).toEqual(['basic', 'editpage', 'privateinfo']);
    expect(effectiveRequestedScopes(app, 'delete oversight')).toEqual(['basic', 'editpage', 'privateinfo']);
  });

  it('drops what the consumer may not ask for and keeps the irrevocable grants (T413947)', () => {
    expect(effectiveRequestedScopes(app, 'openid editpage delete')).toEqual(['openid', 'editpage', 'basic']);
    expect(effectiveRequestedScopes(app, 'openid email')).toEqual(['openid', 'email', 'basic']);
    expect(effectiveRequestedScopes(consumer(['basic']), 'openid email')).toEqual(['openid', 'basic']);
  });
});

describe('grantsToStore', () => {
  it('stores the asked grants plus the irrevocable ones, within the consumer grants, in its order', () => {
    expect(grantsToStore(consumer(['basic', 'editpage', 'privateinfo']), ['openid', 'privateinfo'])).toEqual(['basic', 'privateinfo']);
    expect(grantsToStore(consumer(['mwoauth-authonly']), ['openid'])).toEqual(['mwoauth-authonly']);
    expect(grantsToStore(consumer(['editpage']), ['delete', 'editpage'])).toEqual(['editpage']);
  });
});

describe('grantsInScope', () => {
  it('keeps the MediaWiki grants of a token scope and nothing else', () => {
    expect(grantsInScope(['openid', 'profile', 'email', 'offline_access', 'basic', 'nonsense', 'editpage'])).toEqual(['basic', 'editpage']);
  });
});
