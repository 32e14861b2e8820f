import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const VERIFIER = fileURLToPath(new URL('./verify_jwt.py', import.meta.url));
/** The claims MediaWiki 1.39 puts in an OAuth 2 access token, in its order. */
export const MEDIAWIKI_CLAIMS = ['aud', 'jti', 'iat', 'nbf', 'exp', 'sub', 'iss', 'scopes'];

/** PyJWT's view of a token (an independent verifier): RS256 with the PEM public key, times checked. */
export function verifyWithPython(publicKeyFile: string, value: string): { header: Record<string, unknown>; claims: Record<string, any> } {
  const run = spawnSync('/usr/bin/python3', [VERIFIER, publicKeyFile], { input: value, encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
}

/** Verify with PyJWT and check the token carries exactly MediaWiki's claims with these values. */
export function expectMediaWikiToken(publicKeyFile: string, value: string, expected: { aud: string; sub: string; iss: string; scopes: string[] }): Record<string, any> {
  const { header, claims } = verifyWithPython(publicKeyFile, value);
  expect(header).toMatchObject({ typ: 'JWT', alg: 'RS256' });
  expect(Object.keys(claims)).toEqual(MEDIAWIKI_CLAIMS);
  const now = Date.now() / 1000;
  expect(claims).toMatchObject(expected);
  expect(claims.iat).toBeLessThanOrEqual(now);
  expect(claims.nbf).toBe(claims.iat);
  expect(claims.exp).toBeGreaterThan(now);
  return claims;
}
