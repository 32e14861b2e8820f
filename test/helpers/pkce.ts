import * as client from 'openid-client';

/**
 * An authorization request URL with a fresh PKCE code verifier sent as its S256 challenge
 * (RFC 7636 §4.1-4.3), and that verifier for the token request.
 */
export async function pkceAuthorizationUrl(config: client.Configuration, params: Record<string, string>): Promise<{ url: URL; verifier: string }> {
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(config, { ...params, code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
  return { url, verifier };
}
