import { execFileSync } from 'node:child_process';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { UNDECODABLE, WikiSessionAuthenticator, type WikiSessionCookies, type WikiSessionSource } from '../../src/domain/accounts/wiki-session.js';
import { mediaWikiUserToken } from '../../src/security/mediawiki-user-token.js';
import { decodePhp, decodeSqlBagValue, genericKey, objectCacheKey } from '../../src/storage/mediawiki-sessions.js';

// MediaWiki's session rules (SessionManager::loadSessionInfoFromStore, CookieSessionProvider,
// User::getToken), with PHP itself as the reference for hashing and serialization.

function php(code: string): Buffer {
  return execFileSync('php', ['-r', code]);
}

const USER_TOKEN = '0123456789abcdef0123456789abcdef';
const NOW = 1_800_000_000;

describe("User::getToken with $wgAuthenticationTokenVersion", () => {
  it('is the tail of HMAC-whirlpool keyed by user_token, as PHP computes it', async () => {
    const expected = php(`echo substr( hash_hmac( 'whirlpool', '1', '${USER_TOKEN}' ), -32 );`).toString();
    expect(await mediaWikiUserToken('1')(USER_TOKEN)).toBe(expected);
    expect(await mediaWikiUserToken('2')(USER_TOKEN)).not.toBe(expected);
  });

  it('is the raw token without a version; no token or the invalid marker match nothing', async () => {
    expect(await mediaWikiUserToken(undefined)(USER_TOKEN)).toBe(USER_TOKEN);
    expect(await mediaWikiUserToken('1')('')).toBeUndefined();
    expect(await mediaWikiUserToken('1')('*** INVALID ***')).toBeUndefined();
  });
});

describe('store keys', () => {
  it('are <keyspace>:MWSession:<id> in the objectcache table and in Redis', () => {
    const id = 'a'.repeat(32);
    expect(objectCacheKey('wiki-mw_', id)).toBe(`wiki-mw_:MWSession:${id}`);
    expect(genericKey('wiki-mw_', id)).toBe(`wiki-mw_:MWSession:${id}`);
    // Redis keys escape every component; SQL keys only the components after the keyspace.
    expect(genericKey('a:b%c', id)).toBe(`a%3Ab%25c:MWSession:${id}`);
    expect(objectCacheKey('my wiki', id)).toBe(`my_wiki:MWSession:${id}`);
  });

  it('replace a component too long for the objectcache key column by its md5, as SqlBagOStuff does', () => {
    const id = 'b'.repeat(200);
    const expected = php(`echo md5( '${id}' );`).toString();
    expect(objectCacheKey('wiki', id)).toBe(`wiki:MWSession:#${expected}`);
  });
});

describe('decoding stored sessions', () => {
  const session = `[ 'data' => [ 'AuthManager:lastAuthTimestamp' => 1700000000, 'o' => new DateTimeImmutable( '@0' ) ], 'metadata' => [ 'userId' => 3, 'userName' => 'Bob', 'userToken' => null, 'expires' => 1700003600 ] ]`;

  it("reads SqlBagOStuff's gzdeflate(serialize()) and RedisBagOStuff's plain serialize()", () => {
    const deflated = php(`echo gzdeflate( serialize( ${session} ) );`);
    const plain = php(`echo serialize( ${session} );`);
    for (const decoded of [decodeSqlBagValue(deflated), decodeSqlBagValue(plain), decodePhp(plain)]) {
      expect(decoded).toMatchObject({ data: { 'AuthManager:lastAuthTimestamp': 1700000000 }, metadata: { userId: 3, userName: 'Bob', userToken: null, expires: 1700003600 } });
      // An object is a record of its fields, of no class of ours, never a plain array.
      const object = (decoded as { data: { o: object } }).data.o;
      expect(Object.getPrototypeOf(object)).not.toBe(Object.prototype);
      expect(object).toMatchObject({ date: '1970-01-01 00:00:00.000000' });
    }
  });

  it('answers UNDECODABLE for garbage, truncated data, bombs and what the decoder cannot read', () => {
    expect(decodeSqlBagValue(Buffer.from([0xff, 0x00, 0x13, 0x37]))).toBe(UNDECODABLE);
    expect(decodePhp(Buffer.from('a:2:{s:4:"data";a:0:{}s:8:"metadata";a:9:{'))).toBe(UNDECODABLE);
    expect(decodeSqlBagValue(deflateRawSync(Buffer.alloc(20_000_000, 'a')))).toBe(UNDECODABLE);
    expect(decodePhp(Buffer.from(`${'a:1:{i:0;'.repeat(25_000)}N;${'}'.repeat(25_000)}`))).toBe(UNDECODABLE);
    expect(decodePhp(php('echo serialize( new ArrayObject( [ 1 ] ) );'))).toBe(UNDECODABLE);
  });

  it('does not let a `__proto__` key reach any prototype', () => {
    const decoded = decodePhp(Buffer.from('a:1:{s:9:"__proto__";a:1:{s:8:"polluted";b:1;}}')) as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(decoded, 'polluted')).toBe(false);
  });
});

describe('WikiSessionAuthenticator', () => {
  const SESSION_ID = 'abcdefghijklmnopqrstuv0123456789';
  const derived = (token: string) => mediaWikiUserToken('1')(token);
  const metadata = async (extra: Record<string, unknown> = {}) => ({
    provider: 'MediaWiki\\Session\\CookieSessionProvider',
    providerMetadata: null,
    userId: 3,
    userName: 'Bob',
    userToken: await derived(USER_TOKEN),
    remember: false,
    forceHTTPS: false,
    expires: NOW + 3600,
    loggedOut: 0,
    persisted: true,
    ...extra,
  });
  const stored = async (meta: Record<string, unknown> = {}, data: Record<string, unknown> = { 'AuthManager:lastAuthTimestamp': NOW - 600 }) => ({ data, metadata: await metadata(meta) });

  function authenticator(value: unknown, opts: { user?: { name: string; token: string } | null; lockedOut?: boolean } = {}) {
    const calls: Array<[string, number]> = [];
    const source: WikiSessionSource = {
      async load(sessionId, userId) {
        calls.push([sessionId, userId]);
        return { stored: value, user: opts.user === null ? undefined : (opts.user ?? { name: 'Bob', token: USER_TOKEN }) };
      },
    };
    const auth = new WikiSessionAuthenticator({ source, derivedToken: derived, lockedOut: async () => opts.lockedOut ?? false, now: () => NOW * 1000 });
    return { auth, calls };
  }
  const cookies = (extra: Partial<WikiSessionCookies> = {}): WikiSessionCookies => ({ sessionId: SESSION_ID, userId: '3', userName: 'Bob', token: undefined, ...extra });

  it("signs in the user of a valid stored session, at the wiki's sign-in time", async () => {
    const { auth, calls } = authenticator(await stored());
    expect(await auth.authenticate(cookies())).toEqual({ userId: 3, authTime: NOW - 600 });
    expect(calls).toEqual([[SESSION_ID, 3]]);
    // Without the sign-in time (a session resumed from remember-me cookies) it is now.
    expect(await authenticator(await stored({}, {})).auth.authenticate(cookies())).toEqual({ userId: 3, authTime: NOW });
    expect(await authenticator(await stored({}, { 'AuthManager:lastAuthTimestamp': NOW + 99 })).auth.authenticate(cookies())).toEqual({ userId: 3, authTime: NOW });
    // UserName is optional; a Token cookie, when sent, must be the user's.
    expect(await authenticator(await stored()).auth.authenticate(cookies({ userName: undefined, token: await derived(USER_TOKEN) }))).toMatchObject({ userId: 3 });
  });

  it('asks the store only for well-formed cookies, and never without a UserID cookie', async () => {
    for (const bad of [{ sessionId: undefined }, { sessionId: 'short' }, { sessionId: `${SESSION_ID}/..` }, { sessionId: 'x'.repeat(129) }, { userId: undefined }, { userId: '0' }, { userId: '03' }, { userId: '3 ' }, { userId: '1e3' }, { userId: '12345678901' }]) {
      const { auth, calls } = authenticator(await stored());
      expect(await auth.authenticate(cookies(bad)), JSON.stringify(bad)).toBeUndefined();
      expect(calls).toEqual([]);
    }
  });

  it('refuses what MediaWiki refuses', async () => {
    const refused = async (value: unknown, cookieChange: Partial<WikiSessionCookies> = {}, opts: Parameters<typeof authenticator>[1] = {}) => (await authenticator(value, opts).auth.authenticate(cookies(cookieChange))) === undefined;
    expect(await refused(undefined), 'no stored session').toBe(true);
    expect(await refused(UNDECODABLE)).toBe(true);
    expect(await refused(await stored(), {}, { user: null }), 'no such user').toBe(true);
    expect(await refused(await stored(), { userName: 'Alice' }), 'UserName of another user').toBe(true);
    expect(await refused(await stored(), { token: 'f'.repeat(32) }), 'a wrong Token cookie').toBe(true);
    expect(await refused(await stored({ userId: 4 })), 'the session of another user').toBe(true);
    expect(await refused(await stored({ userId: '3' })), 'a user id that is not an integer').toBe(true);
    expect(await refused(await stored({ userName: 'Robert' })), 'a renamed user').toBe(true);
    expect(await refused(await stored(), {}, { user: { name: 'Bob', token: 'fedcba9876543210fedcba9876543210' } }), 'a new user_token').toBe(true);
    expect(await refused(await stored({}), {}, { user: { name: 'Bob', token: '*** INVALID ***' } }), 'a system user').toBe(true);
    expect(await refused(await stored({ userId: 0, userName: null, userToken: null }), { userId: '3' }), 'an anonymous session').toBe(true);
    expect(await refused(await stored({}), {}, { lockedOut: true }), 'blocked with $wgBlockDisablesLogin').toBe(true);
  });

  it('is stricter than MediaWiki where a session proves less than a sign-in', async () => {
    const refused = async (value: unknown) => (await authenticator(value).auth.authenticate(cookies())) === undefined;
    expect(await refused(await stored({ userToken: null })), 'no user token in the session').toBe(true);
    expect(await refused(await stored({ provider: 'MediaWiki\\Session\\BotPasswordSessionProvider' })), 'a bot password session').toBe(true);
    expect(await refused(await stored({ expires: NOW })), 'expired').toBe(true);
    expect(await refused(await stored({ loggedOut: NOW - 60 })), 'logged out after its sign-in').toBe(true);
    expect(await refused(await stored({ loggedOut: NOW - 60 }, {})), 'logged out, no sign-in time').toBe(true);
    expect(await refused(await stored({ loggedOut: NOW - 6000 })), 'signed in again after a logout').toBe(false);
  });

  it('takes only PHP arrays for the blob, its data and its metadata', async () => {
    const refused = async (value: unknown) => (await authenticator(value).auth.authenticate(cookies())) === undefined;
    const valid = await stored();
    class Incomplete {}
    expect(await refused(Object.assign(new Incomplete(), valid))).toBe(true);
    expect(await refused({ data: valid.data, metadata: Object.assign(new Incomplete(), valid.metadata) })).toBe(true);
    expect(await refused({ data: [], metadata: valid.metadata }), 'an empty data array is an array').toBe(false);
    expect(await refused(Object.create(valid) as object), 'inherited fields are not the blob').toBe(true);
    expect(await refused('a:0:{}')).toBe(true);
    expect(await refused(42)).toBe(true);
  });
});
