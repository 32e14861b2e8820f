import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeIdentifyJwt, type IdentifyClaims } from '../../../src/oauth1/identify-jwt.js';

const SECRET = '0123456789abcdef0123456789abcdef01234567';
const claims: IdentifyClaims = {
  iss: 'https://wiki.example.org', aud: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', exp: 1700000100, iat: 1700000000,
  sub: '42', username: 'Zoë/Example', editcount: 7, confirmed_email: true, email_verified: true, blocked: false,
  registered: '20230101000000', groups: ['*', 'user', 'autoconfirmed'], rights: ['read', 'edit'],
  grants: ['mwoauth-authonly'], nonce: '11112222333344445555',
};

// Produced by encodeIdentifyJwt and accepted by PyJWT 2.6.0 (Debian python3-jwt, the decoder
// mwoauth uses): jwt.decode(token, SECRET, audience=<consumer key>, algorithms=['HS256'],
// options={'verify_exp': False}) returned the claims above; get_unverified_header gave
// {'typ': 'JWT', 'alg': 'HS256'}.
const EXPECTED =
  'eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJodHRwczovL3dpa2kuZXhhbXBsZS5vcmciLCJhdWQiOiJhMWIyYzNkNGU1ZjYwNzE4MjkzYTRiNWM2ZDdlOGY5MCIsImV4cCI6MTcwMDAwMDEwMCwiaWF0IjoxNzAwMDAwMDAwLCJzdWIiOiI0MiIsInVzZXJuYW1lIjoiWm9cdTAwZWIvRXhhbXBsZSIsImVkaXRjb3VudCI6NywiY29uZmlybWVkX2VtYWlsIjp0cnVlLCJlbWFpbF92ZXJpZmllZCI6dHJ1ZSwiYmxvY2tlZCI6ZmFsc2UsInJlZ2lzdGVyZWQiOiIyMDIzMDEwMTAwMDAwMCIsImdyb3VwcyI6WyIqIiwidXNlciIsImF1dG9jb25maXJtZWQiXSwicmlnaHRzIjpbInJlYWQiLCJlZGl0Il0sImdyYW50cyI6WyJtd29hdXRoLWF1dGhvbmx5Il0sIm5vbmNlIjoiMTExMTIyMjIzMzMzNDQ0NDU1NTUifQ.CWGiE9qHxAlTtwMmc9fXfN_9-GwIzd4YmTx4VNqMA-U';

describe('encodeIdentifyJwt (SpecialMWOAuth::outputJWT)', () => {
  const token = encodeIdentifyJwt(claims, SECRET);
  const [h, p, s] = token.split('.') as [string, string, string];

  it('is the PyJWT-verified token, byte for byte', () => {
    expect(token).toBe(EXPECTED);
  });

  it('has php-jwt\'s header and PHP JSON (slashes kept, non-ASCII \\u-escaped, claim order kept)', () => {
    expect(Buffer.from(h, 'base64url').toString()).toBe('{"typ":"JWT","alg":"HS256"}');
    const json = Buffer.from(p, 'base64url').toString();
    expect(json).toContain('"iss":"https://wiki.example.org"');
    expect(json).toContain('"username":"Zo\\u00eb/Example"');
    expect(Object.keys(JSON.parse(json) as object)).toEqual(Object.keys(claims));
    expect(token).not.toContain('=');
  });

  it('is HMAC-SHA256 over header.payload keyed with the consumer secret', () => {
    expect(s).toBe(createHmac('sha256', SECRET).update(`${h}.${p}`).digest('base64url'));
  });

  it('drops undefined claims and refuses a key shorter than 256 bits (php-jwt 7)', () => {
    const withUndefined = encodeIdentifyJwt({ ...claims, email: undefined }, SECRET);
    expect(withUndefined).toBe(EXPECTED);
    expect(() => encodeIdentifyJwt(claims, 'short')).toThrow(TypeError);
  });
});
