import type { AccessTokenRegistry } from '../domain/grants/access-token-registry.js';
import type { AccessTokenJwt } from '../domain/tokens/access-token-jwt.js';

const BASE64URL_PARTS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * The `hint` MediaWiki's resource server gives for a refused token (league's BearerTokenValidator
 * with the JWT parser's messages, docs/mediawiki-compat.md "OAuth 2 errors"): why a value is not a
 * JWT or its parts are not JSON; "could not be verified" for a bad signature or times; "has been
 * revoked" for a `jti` that is not registered or is revoked. Undefined when the token passes those
 * checks and was refused for a reason of this site's own (the caller then says that reason).
 */
export async function mediaWikiTokenHint(value: string, deps: { jwt: () => AccessTokenJwt; registry: Pick<AccessTokenRegistry, 'find'> }): Promise<string | undefined> {
  if (value.split('.').length !== 3) return 'The JWT string must have two dots';
  if (!BASE64URL_PARTS.test(value) || value.length > 8192) return 'Error while decoding from Base64Url, invalid base64 characters detected';
  if (!value.split('.').slice(0, 2).every(decodesAsJsonObject)) return 'Error while decoding from JSON';
  const claims = await deps.jwt().verify(value).catch(() => undefined);
  if (!claims) return 'Access token could not be verified';
  const registered = await deps.registry.find(claims.jti);
  if (!registered || registered.revoked) return 'Access token has been revoked';
  return undefined;
}

function decodesAsJsonObject(part: string): boolean {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof parsed === 'object' && parsed !== null;
  } catch {
    return false;
  }
}
