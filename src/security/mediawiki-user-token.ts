import { createHMAC, createWhirlpool } from 'hash-wasm';

/** User::INVALID_TOKEN: a system user's token; MediaWiki answers a random value, so nothing matches. */
const INVALID_TOKEN = '*** INVALID ***';
/** User::TOKEN_LENGTH: the derived token is the hash's last 32 hex digits. */
const TOKEN_LENGTH = 32;
const REMEMBERED = 10_000;

/**
 * MediaWiki's User::getToken for `$wgAuthenticationTokenVersion` (`version`): unset, the raw
 * `user_token`; set, the last 32 hex digits of HMAC(key `user_token`, message version) with
 * MWCryptHash's algorithm, whirlpool (PHP always has it; Node's OpenSSL 3 keeps it in the legacy
 * provider, so it comes from WebAssembly here). A user without a token, or with the invalid marker,
 * has no session token that could match.
 */
export function mediaWikiUserToken(version: string | undefined): (userToken: string) => Promise<string | undefined> {
  // A site session from the wiki derives its user's token on every use; each HMAC costs about a
  // millisecond (a WebAssembly instance), so derived tokens are remembered, a bounded number of them.
  const derived = new Map<string, string>();
  return async (userToken) => {
    if (userToken === '' || userToken === INVALID_TOKEN) return undefined;
    if (version === undefined) return userToken;
    const known = derived.get(userToken);
    if (known !== undefined) return known;
    const hmac = await createHMAC(createWhirlpool(), userToken);
    hmac.init();
    hmac.update(version);
    const token = hmac.digest('hex').slice(-TOKEN_LENGTH);
    if (derived.size >= REMEMBERED) derived.clear();
    derived.set(userToken, token);
    return token;
  };
}
