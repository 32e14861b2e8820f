import { generateKeyPairSync, sign as rsaSign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { OAuth1Error } from '../../../src/mediawiki/oauth-errors.js';
import { collectOAuthParams } from '../../../src/mediawiki/params.js';
import {
  normalizeParams,
  normalizeUrl,
  parseRsaPublicKey,
  signHmacSha1,
  signatureBaseString,
  verifyHmacSha1,
  verifyRsaSha1,
  verifySignature,
} from '../../../src/oauth1/signature.js';

// RFC 5849 §3.4.1.1 example request and its base string, verbatim from the RFC. The same value
// was also produced by oauthlib 3.2.2 (Debian python3-oauthlib: collect_parameters +
// normalize_parameters + base_string_uri + signature_base_string).
const RFC_BASE =
  'POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7';
const RFC_HEADER =
  'OAuth realm="Example",oauth_consumer_key="9djdj82h48djs9d2",oauth_token="kkk9d7dh3k39sjv7",' +
  'oauth_signature_method="HMAC-SHA1",oauth_timestamp="137131201",oauth_nonce="7d8f3e4a",' +
  'oauth_signature="bYT5CMsGcbgUdFHObYMEfcx6bsw%3D"';

describe('RFC 5849 §3.4.1 base string', () => {
  it('matches the RFC example exactly when all sources are concatenated (RFC semantics)', () => {
    // §3.4.1.3.1: query, header (minus realm and oauth_signature) and body, all kept.
    const pairs: Array<[string, string]> = [
      ['b5', '=%3D'], ['a3', 'a'], ['c@', ''], ['a2', 'r b'],
      ['oauth_consumer_key', '9djdj82h48djs9d2'], ['oauth_token', 'kkk9d7dh3k39sjv7'],
      ['oauth_signature_method', 'HMAC-SHA1'], ['oauth_timestamp', '137131201'],
      ['oauth_nonce', '7d8f3e4a'], ['oauth_signature', 'bYT5CMsGcbgUdFHObYMEfcx6bsw='],
      ['c2', ''], ['a3', '2 q'],
    ];
    expect(signatureBaseString('post', 'http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b', pairs)).toBe(RFC_BASE);
  });

  it('with MediaWiki collection the body a3 replaces the query a3 (array_merge)', () => {
    const params = collectOAuthParams({
      query: 'b5=%3D%253D&a3=a&c%40=&a2=r%20b',
      method: 'POST',
      contentType: 'application/x-www-form-urlencoded',
      body: 'c2&a3=2+q',
      authorization: RFC_HEADER,
    });
    expect(params.get('a3')).toBe('2 q');
    expect(signatureBaseString('POST', 'http://example.com/request', params)).toBe(
      RFC_BASE.replace('%26a3%3Da', ''),
    );
  });

  it('normalises the URL: lower-case scheme/host, default ports dropped, raw path, no query', () => {
    expect(normalizeUrl('HTTP://Example.COM:80/r%20v/X?id=123')).toBe('http://example.com/r%20v/X');
    expect(normalizeUrl('https://www.example.net:8080/?q=1')).toBe('https://www.example.net:8080/');
    expect(normalizeUrl('https://example.net:443/w/index.php')).toBe('https://example.net/w/index.php');
    expect(normalizeUrl('http://example.net:443/a')).toBe('http://example.net:443/a');
    expect(normalizeUrl('http://user:pw@[::1]:8080/a#frag')).toBe('http://[::1]:8080/a');
    expect(normalizeUrl('https://example.net')).toBe('https://example.net/');
  });

  it('sorts by encoded name then value in byte order and encodes RFC 3986 style', () => {
    const params = new Map<string, string | string[]>([
      ['b', 'x'], ['a', ['z', 'y', 'Z']], ['A', '!*\'()~ é'], ['oauth_signature', 'skip'],
    ]);
    expect(normalizeParams(params)).toBe('A=%21%2A%27%28%29~%20%C3%A9&a=Z&a=y&a=z&b=x');
  });
});

describe('HMAC-SHA1 (RFC 5849 §3.4.2)', () => {
  it('agrees with openssl and oauthlib', () => {
    // printf '%s' "$RFC_BASE" | openssl dgst -sha1 -hmac 'j49sk3j29djd&dh893hdasih9' -binary | base64
    // and oauthlib.oauth1.rfc5849.signature.sign_hmac_sha1(RFC_BASE, 'j49sk3j29djd', 'dh893hdasih9')
    expect(signHmacSha1(RFC_BASE, 'j49sk3j29djd', 'dh893hdasih9')).toBe('r6/TJjbCOr97/+UU0NsvSne7s5g=');
    // Secrets are percent-encoded into the key: openssl with -hmac 's3cr%26t%2B%3D%2F~%20%C3%A9&tok%20en'.
    expect(signHmacSha1(RFC_BASE, 's3cr&t+=/~ é', 'tok en')).toBe('QKjcS+Nb0sy9sBos7jFd5TtnbOo=');
  });

  it('verifies in constant time and rejects near misses', () => {
    expect(verifyHmacSha1(RFC_BASE, 'r6/TJjbCOr97/+UU0NsvSne7s5g=', 'j49sk3j29djd', 'dh893hdasih9')).toBe(true);
    expect(verifyHmacSha1(RFC_BASE, 'r6/TJjbCOr97/+UU0NsvSne7s5h=', 'j49sk3j29djd', 'dh893hdasih9')).toBe(false);
    expect(verifyHmacSha1(RFC_BASE, 'short', 'j49sk3j29djd', 'dh893hdasih9')).toBe(false);
    expect(verifyHmacSha1(RFC_BASE + 'x', 'r6/TJjbCOr97/+UU0NsvSne7s5g=', 'j49sk3j29djd', 'dh893hdasih9')).toBe(false);
  });
});

// Requests signed by oauthlib 3.2.2 (the library under requests_oauthlib, which mwoauth uses):
// Client(key, client_secret=…, [resource_owner_key/secret], callback_uri, nonce, timestamp).sign(…).
const CONSUMER_SECRET = '0123456789abcdef0123456789abcdef01234567';
const TOKEN_SECRET = '76543210fedcba9876543210fedcba9876543210';

describe('verifySignature against oauthlib-signed requests', () => {
  it('initiate (POST, title in the query, mixed-case host and explicit :443)', () => {
    const url = 'https://Wiki.Example.org:443/w/index.php?title=Special%3AOAuth%2Finitiate';
    const params = collectOAuthParams({
      query: 'title=Special%3AOAuth%2Finitiate',
      method: 'POST',
      authorization:
        'OAuth oauth_nonce="83067413941373291717", oauth_timestamp="1700000000", oauth_version="1.0", ' +
        'oauth_signature_method="HMAC-SHA1", oauth_consumer_key="a1b2c3d4e5f60718293a4b5c6d7e8f90", ' +
        'oauth_callback="oob", oauth_signature="A4zvA2ndKbeYwP7eizCxLf1dILw%3D"',
    });
    expect(verifySignature({ method: 'POST', url, params, consumerSecret: CONSUMER_SECRET })).toBe(true);
    expect(verifySignature({ method: 'GET', url, params, consumerSecret: CONSUMER_SECRET })).toBe(false);
    expect(verifySignature({ method: 'POST', url, params, consumerSecret: CONSUMER_SECRET, tokenSecret: 'x' })).toBe(false);
  });

  it('identify with an access token on a non-default port', () => {
    const params = collectOAuthParams({
      query: new URLSearchParams('title=Special%3AOAuth%2Fidentify'),
      method: 'POST',
      authorization:
        'OAuth oauth_nonce="11112222333344445555", oauth_timestamp="1700000100", oauth_version="1.0", ' +
        'oauth_signature_method="HMAC-SHA1", oauth_consumer_key="a1b2c3d4e5f60718293a4b5c6d7e8f90", ' +
        'oauth_token="fedcba9876543210fedcba9876543210", oauth_signature="81hHMKunruaLRRieD83K%2Bs9dMYs%3D"',
    });
    const input = { method: 'POST', params, consumerSecret: CONSUMER_SECRET, tokenSecret: TOKEN_SECRET };
    expect(verifySignature({ ...input, url: 'http://localhost:8080/w/index.php?title=x' })).toBe(true);
    expect(verifySignature({ ...input, url: 'http://localhost/w/index.php' })).toBe(false);
  });

  it('API POST with a form body (+, UTF-8, reserved characters, a repeated key)', () => {
    const params = collectOAuthParams({
      query: '',
      method: 'POST',
      contentType: 'application/x-www-form-urlencoded; charset=UTF-8',
      body: 'action=edit&title=Caf%C3%A9+au+lait&text=a%2Bb%3Dc%26d%7E%21%2A&tags=x&tags=y&format=json',
      authorization:
        'OAuth oauth_nonce="99998888777766665555", oauth_timestamp="1700000200", oauth_version="1.0", ' +
        'oauth_signature_method="HMAC-SHA1", oauth_consumer_key="a1b2c3d4e5f60718293a4b5c6d7e8f90", ' +
        'oauth_token="fedcba9876543210fedcba9876543210", oauth_signature="uzUCuXXAPHCCgqWBaSYTSLXZhHk%3D"',
    });
    expect(params.get('tags')).toEqual(['x', 'y']);
    const input = { method: 'POST', url: 'https://wiki.example.org/w/api.php', params, consumerSecret: CONSUMER_SECRET };
    expect(verifySignature({ ...input, tokenSecret: TOKEN_SECRET })).toBe(true);
    expect(verifySignature({ ...input, tokenSecret: '' })).toBe(false);
  });

  it('RSA-SHA1 request signed by oauthlib (cryptography backend)', () => {
    const pem = [
      '-----BEGIN PUBLIC KEY-----',
      'MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC0ASFh/j9ufQwFQIQ1fyN+TnSY',
      'jtdcOHRufwZR51y22u5hBcN7Uo7G6anLMQrL8wF8GmCas6VlFgLeGcQrD9gOBu7w',
      'rozaLNKUv8Wb0erArkkJnGPK4gJk9s19PS7RF4Prw18Wuf40hea+SEEWIMapflFg',
      'Sys3DfPLtjutxcWxgQIDAQAB',
      '-----END PUBLIC KEY-----',
    ].join('\n');
    const params = collectOAuthParams({
      query: 'title=Special%3AOAuth%2Finitiate',
      authorization:
        'OAuth oauth_nonce="55554444333322221111", oauth_timestamp="1700000300", oauth_version="1.0", ' +
        'oauth_signature_method="RSA-SHA1", oauth_consumer_key="a1b2c3d4e5f60718293a4b5c6d7e8f90", ' +
        'oauth_callback="oob", oauth_signature="f%2Fk2Cx617GfeXe7pj%2FllSJB7x141Q4Cij2eJDRX%2FuLdl6auUg09mv90icT' +
        'ymGbpzyQJVzUbUtCOb12EXu9UxWRWXIT2Q95blka%2Bc7ks0GVuJDPAB5FZXhLHqWVnLnfROifz%2FCVrOp8i%2BN0wRT8pUSnTj1MJ3' +
        'fYFe0nXpRv8nt%2B0%3D"',
    });
    const url = 'https://wiki.example.org/w/index.php?title=Special%3AOAuth%2Finitiate';
    expect(verifySignature({ method: 'POST', url, params, rsaPublicKey: pem })).toBe(true);
    expect(verifySignature({ method: 'GET', url, params, rsaPublicKey: pem })).toBe(false);
    // An RSA request never falls back to the HMAC secret.
    expect(verifySignature({ method: 'POST', url, params, consumerSecret: CONSUMER_SECRET })).toBe(false);
  });

  it('throws MediaWiki library errors for a missing or unsupported signature method', () => {
    const params = (method?: string) => new Map(method === undefined ? [] : [['oauth_signature_method', method]]);
    const run = (method?: string) => () =>
      verifySignature({ method: 'GET', url: 'http://x/', params: params(method), consumerSecret: 's' });
    expect(run('PLAINTEXT')).toThrow(OAuth1Error);
    expect(run('PLAINTEXT')).toThrow(
      "Signature method 'PLAINTEXT' not supported try one of the following: HMAC-SHA1, RSA-SHA1",
    );
    expect(run('hmac-sha1')).toThrow("Signature method 'hmac-sha1' not supported");
    expect(run()).toThrow('No signature method parameter. This parameter is required');
    expect(run('')).toThrow('No signature method parameter. This parameter is required');
  });

  it('an empty consumer secret never verifies', () => {
    const params = new Map([['oauth_signature_method', 'HMAC-SHA1']]);
    const base = signatureBaseString('GET', 'http://x/', params);
    params.set('oauth_signature', signHmacSha1(base, ''));
    expect(verifySignature({ method: 'GET', url: 'http://x/', params, consumerSecret: '' })).toBe(false);
  });
});

describe('RSA-SHA1 (RFC 5849 §3.4.3) with a key made here', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const base = signatureBaseString('GET', 'https://wiki.example.org/w/index.php', [['title', 'Special:OAuth/identify']]);
  const signature = rsaSign('sha1', Buffer.from(base), privateKey).toString('base64');

  it('verifies a node:crypto signature and rejects a tampered base string', () => {
    expect(verifyRsaSha1(base, signature, pem)).toBe(true);
    expect(verifyRsaSha1(base, signature, publicKey)).toBe(true);
    expect(verifyRsaSha1(base.replace('identify', 'initiate'), signature, pem)).toBe(false);
    expect(verifyRsaSha1(base, 'AAAA', pem)).toBe(false);
    expect(verifyRsaSha1(base, signature, 'not a key')).toBe(false);
  });

  it('parseRsaPublicKey accepts SPKI and PKCS#1 PEM, refuses private, non-RSA and junk', () => {
    expect(parseRsaPublicKey(pem).ok).toBe(true);
    const pkcs1 = publicKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    expect(pkcs1).toContain('BEGIN RSA PUBLIC KEY');
    expect(parseRsaPublicKey(pkcs1).ok).toBe(true);
    const priv = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(parseRsaPublicKey(priv)).toMatchObject({ ok: false, code: 'invalid-key' });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' });
    expect(parseRsaPublicKey(ec.toString())).toMatchObject({
      ok: false, code: 'mwoauth-invalid-field-rsaKey-not-rsa', message: 'Invalid public key (must be an RSA key)',
    });
    expect(parseRsaPublicKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----')).toMatchObject({ ok: false });
  });
});
