import { describe, expect, it } from 'vitest';
import type { UserProfile } from '../../../src/domain/accounts/account-service.js';
import { OAuth1Errors } from '../../../src/mediawiki/oauth-errors.js';
import { userTalkUrl, wfUrlencode } from '../../../src/oauth1/links.js';
import { plainText, responseFormat } from '../../../src/oauth1/responses.js';
import { phpIntval } from '../../../src/oauth1/special-oauth.js';
import { userStatement } from '../../../src/oauth1/user-statement.js';

describe('phpIntval (WebRequest::getInt for ?oauth_version=)', () => {
  it.each([
    ['1', 1], ['1.0', 1], ['2', 2], [' 2x', 2], ['', 0], ['abc', 0], ['-3', -3],
  ])('%j → %d', (value, expected) => expect(phpIntval(value)).toBe(expected));
});

describe('links in error messages', () => {
  it('wfUrlencode keeps the characters MediaWiki keeps in page URLs', () => {
    expect(wfUrlencode('User_talk:A/b_(c);d@e$f!g*h,i~j')).toBe('User_talk:A/b_(c);d@e$f!g*h,i~j');
    expect(wfUrlencode('a b&c?d#é')).toBe('a+b%26c%3Fd%23%C3%A9');
  });

  it('userTalkUrl is the full URL of the talk page, spaces as underscores', () => {
    expect(userTalkUrl('https://wiki.example', 'Some User')).toBe('https://wiki.example/wiki/User_talk:Some_User');
  });
});

describe('responses', () => {
  it('reads format= as MediaWiki does: raw and json, anything else a page', () => {
    expect(responseFormat(undefined, 'raw')).toBe('raw');
    expect(responseFormat('json', 'raw')).toBe('json');
    expect(responseFormat('xml', 'raw')).toBe('html');
    expect(responseFormat(undefined, 'html')).toBe('html');
  });

  it('plainText shows a message as on the rendered page', () => {
    expect(plainText(OAuth1Errors.badConsumer('Tool <b>', 'https://w.example/wiki/User_talk:A'))).toBe(
      '"Tool <b>" is not approved as a Connected App. Contact the application author for help.\n\nConnected OAuth app not approved.',
    );
    expect(plainText(OAuth1Errors.badConsumer('[[x]] [y z]', 'u'))).toContain('"[[x]] [y z]" is not approved');
    expect(plainText(OAuth1Errors.invalidSignature())).toBe('An error occurred in the OAuth protocol: Invalid signature');
    expect(plainText(OAuth1Errors.consumerOwnerOnly('Bot', 'k'))).toBe(
      '"Bot" is an owner-only Connected App. To fetch the access token, see Special:OAuthConsumerRegistration/update/k.\n\nConsumer is owner-only, E010',
    );
  });
});

describe('userStatement (UserStatementProvider)', () => {
  const profile: UserProfile = {
    account: {
      id: 7, name: 'Alice', realName: 'Alice L', email: 'a@example.org', emailAuthenticated: '20260101000000',
      registration: '20250101000000', editCount: 3, touched: '20260101000000', passwordHash: '', isTemp: false,
    },
    groups: ['*', 'user', 'autoconfirmed'],
    rights: ['edit', 'read'],
    blocked: false,
  };
  const input = { issuer: 'https://wiki.example', consumerKey: 'k', nonce: 'n', nowSeconds: 1000 };

  it('has MediaWiki\'s claims in its order, rights unrestricted, no private info without the gate', () => {
    const claims = userStatement(profile, { ...input, grants: ['basic'] });
    expect(Object.keys(claims)).toEqual([
      'iss', 'aud', 'exp', 'iat', 'sub', 'username', 'editcount', 'confirmed_email', 'email_verified', 'blocked', 'registered', 'groups', 'rights', 'grants', 'nonce',
    ]);
    expect(claims).toMatchObject({ iss: 'https://wiki.example', aud: 'k', exp: 1100, iat: 1000, sub: '7', registered: '20250101000000', rights: ['edit', 'read'] });
  });

  it('adds realname and email for mwoauth-authonlyprivate or privateinfo; email only once confirmed', () => {
    expect(userStatement(profile, { ...input, grants: ['mwoauth-authonlyprivate'] })).toMatchObject({ realname: 'Alice L', email: 'a@example.org' });
    expect(userStatement(profile, { ...input, grants: ['basic', 'privateinfo'] })).toHaveProperty('email');
    const unconfirmed = { ...profile, account: { ...profile.account, emailAuthenticated: null } };
    expect(userStatement(unconfirmed, { ...input, grants: ['mwoauth-authonlyprivate'] })).toMatchObject({ email: '', confirmed_email: false });
  });
});
