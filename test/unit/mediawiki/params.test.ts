import { describe, expect, it } from 'vitest';
import {
  collectOAuthParams,
  getParam,
  parseAuthorizationHeader,
  parseFormParameters,
} from '../../../src/mediawiki/params.js';

describe('parseAuthorizationHeader (OAuthUtil::split_header)', () => {
  it('reads quoted and unquoted values, urldecodes them and ignores realm', () => {
    const h = parseAuthorizationHeader(
      'OAuth realm="Example", oauth_consumer_key="ck%3D1", oauth_version=1.0,oauth_nonce="a+b%2Bc"',
    );
    expect(Object.fromEntries(h)).toEqual({ oauth_consumer_key: 'ck=1', oauth_version: '1.0', oauth_nonce: 'a b+c' });
  });

  it('keeps PHP quirks: unquoted values run to the comma, "0" and "" read as empty, (:? typo', () => {
    const h = parseAuthorizationHeader(
      'OAuth oauth_a=x y, oauth_b="0", oauth_c="", oauth_d= "q", oauth_e=:"colon", oauth_f="1"',
    );
    expect(Object.fromEntries(h)).toEqual({
      oauth_a: 'x y', oauth_b: '', oauth_c: '', oauth_d: ' "q"', oauth_e: 'colon', oauth_f: '1',
    });
  });

  it('matches lower-case oauth_ names only, the last repeated key wins', () => {
    const h = parseAuthorizationHeader('OAuth OAUTH_X="1", oauth_Y="2", oauth_token="a", oauth_token="b", foo="c"');
    expect(Object.fromEntries(h)).toEqual({ oauth_token: 'b' });
  });
});

describe('parseFormParameters (OAuthUtil::parse_parameters)', () => {
  it('decodes + as space, keeps bare keys as empty values and repeated keys as lists', () => {
    const p = parseFormParameters('c2&a3=2+q&a3=x%20y&e=%zz&&k=a=b');
    expect(Object.fromEntries(p)).toEqual({ c2: '', a3: ['2 q', 'x y'], e: '%zz', k: 'a=b' });
  });
});

describe('collectOAuthParams (MWOAuthRequest::fromRequest)', () => {
  const header = 'OAuth oauth_consumer_key="fromHeader", oauth_nonce="n1"';

  it('merges query, form body and header; later sources override', () => {
    const p = collectOAuthParams({
      query: '?title=Special%3AOAuth%2Finitiate&oauth_consumer_key=fromQuery&x=q',
      method: 'POST',
      contentType: 'application/x-www-form-urlencoded',
      body: 'x=body&oauth_consumer_key=fromBody',
      authorization: header,
    });
    expect(Object.fromEntries(p)).toEqual({
      title: 'Special:OAuth/initiate', oauth_consumer_key: 'fromHeader', x: 'body', oauth_nonce: 'n1',
    });
  });

  it('repeated query keys keep the last value ($_GET)', () => {
    expect(collectOAuthParams({ query: 'a=1&a=2' }).get('a')).toBe('2');
    expect(collectOAuthParams({ query: new URLSearchParams('a=1&a=2') }).get('a')).toBe('2');
  });

  it('reads the body only for POST with a form content type (prefix, case-sensitive)', () => {
    const body = 'b=1';
    const got = (method: string | undefined, contentType: string | undefined) =>
      collectOAuthParams({ query: '', method, contentType, body }).get('b');
    expect(got('POST', 'application/x-www-form-urlencoded; charset=utf-8')).toBe('1');
    expect(got('post', 'application/x-www-form-urlencoded')).toBe('1');
    expect(got('PUT', 'application/x-www-form-urlencoded')).toBeUndefined();
    expect(got('POST', 'application/json')).toBeUndefined();
    expect(got('POST', 'Application/X-WWW-Form-Urlencoded')).toBeUndefined();
    expect(got('POST', undefined)).toBeUndefined();
  });

  it('uses the header only when it starts with exactly "OAuth "', () => {
    for (const auth of ['Bearer oauth_nonce="x"', 'oauth oauth_nonce="x"', 'OAuth\toauth_nonce="x"', 'OAuthoauth_nonce="x"']) {
      expect(collectOAuthParams({ query: '', authorization: auth }).has('oauth_nonce')).toBe(false);
    }
    expect(collectOAuthParams({ query: '', authorization: 'OAuth oauth_nonce="x"' }).get('oauth_nonce')).toBe('x');
  });

  it('getParam returns strings, and the last value of a repeated body key', () => {
    const p = collectOAuthParams({ query: '', method: 'POST', contentType: 'application/x-www-form-urlencoded', body: 't=1&t=2' });
    expect(getParam(p, 't')).toBe('2');
    expect(getParam(p, 'missing')).toBeUndefined();
  });
});
