import { describe, expect, it } from 'vitest';
import { appendQuery, callbackRedirectUrl, checkCallback, parseUrl } from '../../../src/oauth1/callback.js';
import { OAuth1Error } from '../../../src/mediawiki/oauth-errors.js';

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (e instanceof OAuth1Error) return e.code;
    throw e;
  }
};

describe('checkCallback without a prefix (callbackIsPrefix = false)', () => {
  const registeredUrl = 'https://tool.example.org/oauth/callback';

  it('accepts only "oob" and answers with the registered URL', () => {
    expect(checkCallback({ registeredUrl, isPrefix: false, callback: 'oob' })).toBe(registeredUrl);
    for (const callback of [undefined, '', 'OOB', registeredUrl]) {
      expect(code(() => checkCallback({ registeredUrl, isPrefix: false, callback }))).toBe('mwoauth-callback-not-oob');
    }
  });
});

describe('checkCallback with a prefix (MWOAuthServer::checkCallback)', () => {
  // [registered prefix, requested callback, accepted?]
  const matrix: Array<[string, string, boolean]> = [
    ['https://tool.example.org/cb', 'https://tool.example.org/cb', true],
    ['https://tool.example.org/cb', 'https://tool.example.org/cb/deeper?x=1', true],
    ['https://tool.example.org/cb', 'https://tool.example.org/cbx', false], // path-segment boundary
    ['https://tool.example.org/cb/', 'https://tool.example.org/cb/x', true],
    ['https://app.example/cb', 'https://app.example/cb/../../x', false], // dot-segments
    ['https://app.example/cb', 'https://app.example/cb/./x', false],
    ['https://app.example/cb', 'https://app.example/cb\\..\\..\\evil', false], // backslashes
    ['https://app.example/cb', 'https://app.example/cb/%2e%2e/%2E%2E/x', false], // encoded dots
    ['https://app.example/cb', 'https://app.example/cb/.%2e/x', false],
    ['https://app.example/cb', 'https://app.example/cb/%2f..%2fx', false], // encoded slash
    ['https://app.example/cb', 'https://app.example/cb/%5c..%5cx', false], // encoded backslash
    ['https://app.example/cb', 'https://app.example/cb/\t../x', false], // a tab browsers drop
    ['https://app.example/cb', 'https://app.example/cb/x..y/z.done', true], // dots inside a segment are fine
    ['https://tool.example.org/cb', 'https://tool.example.org/other', false],
    ['https://tool.example.org', 'https://tool.example.org/anything', true], // no path registered
    ['http://tool.example.org/cb', 'https://tool.example.org/cb', true], // http → https upgrade
    ['https://tool.example.org/cb', 'http://tool.example.org/cb', false], // no downgrade
    ['https://tool.example.org/cb', 'https://evil.example.org/cb', false],
    ['https://tool.example.org/cb', 'https://Tool.example.org/cb', false], // host compared exactly
    ['https://tool.example.org/cb', 'https://tool.example.org.evil.net/cb', false],
    ['https://tool.example.org/cb', 'https://tool.example.org:8443/cb', false], // port must match
    ['https://tool.example.org:8443/cb', 'https://tool.example.org:8443/cb', true],
    ['https://tool.example.org:8443/cb', 'https://tool.example.org/cb', false],
    ['http://localhost:1/cb', 'http://localhost:5000/cb', true], // port 1 = any port
    ['http://localhost:1/cb', 'http://localhost/cb', true],
    ['https://tool.example.org/cb?app=1', 'https://tool.example.org/cb?app=1&state=2', true], // query prefix
    ['https://tool.example.org/cb?app=1', 'https://tool.example.org/cb?app=2', false],
    ['https://tool.example.org/cb?app=1', 'https://tool.example.org/cb', false], // query required
    ['https://tool.example.org/cb?app=1', 'https://tool.example.org/cb/x?app=1', false], // exact path with query
    ['https://tool.example.org/cb', 'https://user:pw@tool.example.org/cb', false], // userinfo (T428324)
    ['https://tool.example.org/cb', 'https://@tool.example.org/cb', false],
    ['myapp://auth', 'myapp://auth/done', true], // custom scheme (native app)
    ['myapp://auth', 'otherapp://auth', false],
    ['https://tool.example.org/cb', 'tool.example.org/cb', false], // no scheme
    ['https://tool.example.org/cb', 'https://tool.example.org:99999/cb', false], // invalid port
  ];

  it.each(matrix)('registered %s, callback %s → %s', (registeredUrl, callback, ok) => {
    const run = () => checkCallback({ registeredUrl, isPrefix: true, callback });
    if (ok) expect(run()).toBe(callback);
    else expect(code(run)).toBe('mwoauth-callback-not-oob-or-prefix');
  });

  it('"oob" still works and answers with the registered prefix; empty is refused', () => {
    const registeredUrl = 'https://tool.example.org/cb';
    expect(checkCallback({ registeredUrl, isPrefix: true, callback: 'oob' })).toBe(registeredUrl);
    for (const callback of [undefined, '']) {
      expect(code(() => checkCallback({ registeredUrl, isPrefix: true, callback }))).toBe(
        'mwoauth-callback-not-oob-or-prefix',
      );
    }
  });
});

describe('parseUrl (UrlUtils::parse)', () => {
  it('reports the components PHP parse_url gives', () => {
    expect(parseUrl('HTTPS://u:p@Host.example:8080/p/a?q=1#f')).toEqual({
      scheme: 'https', user: 'u', pass: 'p', host: 'Host.example', port: 8080, path: '/p/a', query: 'q=1', fragment: 'f',
    });
    expect(parseUrl('https://h.example?')).toEqual({ scheme: 'https', host: 'h.example', query: '' });
    expect(parseUrl('//h.example/x')).toEqual({ scheme: '', host: 'h.example', path: '/x' });
    expect(parseUrl('/relative')).toBeNull();
  });
});

describe('appendQuery (wfAppendQuery) and the redirect after authorization', () => {
  it('adds ? or &, keeps the fragment last, encodes like PHP urlencode', () => {
    expect(appendQuery('https://t.example/cb', { a: 'x y', b: '~é' })).toBe('https://t.example/cb?a=x+y&b=%7E%C3%A9');
    expect(appendQuery('https://t.example/cb?s=1', 'a=2')).toBe('https://t.example/cb?s=1&a=2');
    expect(appendQuery('https://t.example/cb#top', { a: 1, skip: null, gone: undefined })).toBe('https://t.example/cb?a=1#top');
    expect(appendQuery('https://t.example/cb', {})).toBe('https://t.example/cb');
  });

  it('sends oauth_verifier then oauth_token', () => {
    expect(callbackRedirectUrl('https://t.example/cb?state=s', 'v123', 't456')).toBe(
      'https://t.example/cb?state=s&oauth_verifier=v123&oauth_token=t456',
    );
  });
});
