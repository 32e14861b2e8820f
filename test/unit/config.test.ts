import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config.js';
import { parseDurationSeconds } from '../../src/config/duration.js';
import { loadConfig } from '../../src/config/load-config.js';
import { STANDALONE_RIGHTS } from '../../src/domain/accounts/rights.js';

const KEY = 'k'.repeat(32);
const dirs: string[] = [];

/** A scratch working folder, so generated secret keys never land in the repository. */
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wikiauth-config-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function configError(env: Record<string, string>, cwd = scratch()): ConfigError {
  try {
    loadConfig({ SECRET_KEY: KEY, ...env }, cwd);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('loadConfig defaults', () => {
  it('runs embedded on SQLite under ./data with MediaWiki-like defaults', () => {
    const cwd = scratch();
    const config = loadConfig({ SECRET_KEY: KEY }, cwd);
    expect(config).toEqual({
      port: 8080,
      host: undefined,
      issuer: 'http://localhost:8080',
      database: { client: 'sqlite', filename: join(cwd, 'data', 'wikiauth.sqlite') },
      dataDir: join(cwd, 'data'),
      redis: undefined,
      secretKey: KEY,
      trustProxy: { hops: 0 },
      tls: undefined,
      scriptPath: '/w',
      pagePathPrefix: '',
      wikiId: '*',
      ttl: { accessToken: 3600, idToken: 3600, refreshToken: 30 * 86400, authorizationCode: 600, session: 14 * 86400 },
      autoApprove: [],
      requestExpirationAge: 30 * 86400,
      registration: { mode: 'off', initialAccessToken: undefined, approve: false },
      requirePkce: false,
      rateLimits: {
        token: { ip: { count: 3000, seconds: 60 }, client: { count: 3000, seconds: 60 } },
        oauth1: { ip: { count: 300, seconds: 60 }, client: { count: 300, seconds: 60 } },
        register: { ip: { count: 100, seconds: 3600 } },
        propose: { ip: { count: 100, seconds: 3600 }, user: { count: 50, seconds: 3600 } },
      },
      rateLimitExempt: [],
      passwordPbkdf2: { algo: 'sha512', rounds: 30000, length: 64 },
      mediawiki: undefined,
      wikiSession: undefined,
      rights: STANDALONE_RIGHTS,
      blockDisablesLogin: false,
      oauth2PrivateKey: undefined,
      refreshTokenGracePeriod: 600,
    });
  });

  it('reads the OAuth 2 key pair files (the wiki\'s $wgOAuth2PrivateKey/$wgOAuth2PublicKey) and the refresh grace period', () => {
    const dir = scratch();
    const pair = () => generateKeyPairSync('rsa', { modulusLength: 1024 });
    const { privateKey, publicKey } = pair();
    writeFileSync(join(dir, 'oauth2.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(join(dir, 'oauth2.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(join(dir, 'other.pub'), pair().publicKey.export({ type: 'spki', format: 'pem' }));
    const at = (env: Record<string, string>) => loadConfig({ SECRET_KEY: KEY, ...env }, dir);
    expect(at({ OAUTH2_PRIVATE_KEY_FILE: 'oauth2.key', OAUTH2_PUBLIC_KEY_FILE: 'oauth2.pub' }).oauth2PrivateKey).toContain('PRIVATE KEY');
    expect(() => at({ OAUTH2_PRIVATE_KEY_FILE: 'oauth2.key', OAUTH2_PUBLIC_KEY_FILE: 'other.pub' })).toThrow(/OAUTH2_PUBLIC_KEY_FILE: does not belong/);
    expect(() => at({ OAUTH2_PUBLIC_KEY_FILE: 'oauth2.pub' })).toThrow(/OAUTH2_PRIVATE_KEY_FILE/);
    expect(() => at({ OAUTH2_PRIVATE_KEY_FILE: 'oauth2.pub' })).toThrow(/OAUTH2_PRIVATE_KEY_FILE/);
    expect(at({ REFRESH_TOKEN_GRACE_PERIOD: 'PT1M' }).refreshTokenGracePeriod).toBe(60);
    expect(at({ REFRESH_TOKEN_GRACE_PERIOD: '0' }).refreshTokenGracePeriod).toBe(0);
    expect(() => at({ REFRESH_TOKEN_GRACE_PERIOD: 'soon' })).toThrow(/REFRESH_TOKEN_GRACE_PERIOD/);
  });


  it("reads MediaWiki database mode: the wiki's prefix on every table, its wiki id, its rights file", () => {
    const cwd = scratch();
    writeFileSync(join(cwd, 'rights.json'), JSON.stringify({
      GroupPermissions: { '*': { read: true, edit: false }, user: { edit: true }, sysop: [] },
      RevokePermissions: [],
      AutoConfirmAge: 86400,
      AutoConfirmCount: 3,
      BlockDisablesLogin: true,
    }));
    const config = loadConfig({ SECRET_KEY: KEY, DATABASE_URL: 'mysql://u@db/wikidb', MEDIAWIKI_DB: '1', MEDIAWIKI_TABLE_PREFIX: 'mw_', MEDIAWIKI_RIGHTS_FILE: 'rights.json' }, cwd);
    expect(config.mediawiki).toEqual({ tablePrefix: 'mw_', wikiId: 'wikidb-mw_' });
    expect(config.database).toEqual({ client: 'mysql', url: 'mysql://u@db/wikidb', tablePrefix: 'mw_', mediawiki: true });
    expect(config.wikiId).toBe('wikidb-mw_');
    expect(config.rights).toEqual({ groupPermissions: { '*': ['read'], user: ['edit'], sysop: [] }, revokePermissions: {}, implicitGroups: ['*', 'user', 'autoconfirmed'], autoConfirmAge: 86400, autoConfirmCount: 3 });
    expect(config.blockDisablesLogin).toBe(true);
    expect(loadConfig({ SECRET_KEY: KEY, DATABASE_URL: 'mysql://u@db/wikidb', MEDIAWIKI_DB: '1', MEDIAWIKI_RIGHTS_FILE: 'rights.json', BLOCK_DISABLES_LOGIN: '0' }, cwd).blockDisablesLogin).toBe(false);
    // Without a file: MediaWiki 1.39's defaults plus Extension:OAuth's one right.
    const defaults = loadConfig({ SECRET_KEY: KEY, DATABASE_URL: 'sqlite:wiki/my_wiki.sqlite', MEDIAWIKI_DB: '1' }, cwd);
    expect(defaults.wikiId).toBe('my_wiki');
    expect(defaults.rights.groupPermissions.user).toContain('mwoauthmanagemygrants');
    expect(defaults.rights.groupPermissions.user).not.toContain('mwoauthproposeconsumer');
    expect(defaults.blockDisablesLogin).toBe(false);
  });

  it('refuses bad MediaWiki mode settings in one line naming the variable', () => {
    const cwd = scratch();
    expect(configError({ MEDIAWIKI_TABLE_PREFIX: 'mw_' }, cwd).variable).toBe('MEDIAWIKI_TABLE_PREFIX');
    expect(configError({ MEDIAWIKI_DB: '1', MEDIAWIKI_TABLE_PREFIX: 'mw-' }, cwd).variable).toBe('MEDIAWIKI_TABLE_PREFIX');
    expect(configError({ MEDIAWIKI_RIGHTS_FILE: 'missing.json' }, cwd).message).toMatch(/^MEDIAWIKI_RIGHTS_FILE: cannot read JSON/);
    writeFileSync(join(cwd, 'bad.json'), JSON.stringify({ GroupPermissions: { user: { edit: 'yes' } } }));
    expect(configError({ MEDIAWIKI_RIGHTS_FILE: 'bad.json' }, cwd).message).toMatch(/GroupPermissions\["user"\]/);
    writeFileSync(join(cwd, 'odd.json'), JSON.stringify({ GroupPermission: {} }));
    expect(configError({ MEDIAWIKI_RIGHTS_FILE: 'odd.json' }, cwd).message).toMatch(/unknown setting "GroupPermission"/);
  });

  it("reads PASSWORD_PBKDF2 like $wgPasswordConfig['pbkdf2'], refusing what MediaWiki could not verify", () => {
    expect(loadConfig({ SECRET_KEY: KEY, PASSWORD_PBKDF2: 'sha256:60000:32' }, scratch()).passwordPbkdf2).toEqual({ algo: 'sha256', rounds: 60000, length: 32 });
    expect(configError({ SECRET_KEY: KEY, PASSWORD_PBKDF2: 'md5:1:16' }).variable).toBe('PASSWORD_PBKDF2');
  });

  it('reads TRUST_PROXY as hops or proxy addresses, and RATE_LIMITS like $wgRateLimits', () => {
    const at = (env: Record<string, string>) => loadConfig({ SECRET_KEY: KEY, ...env }, scratch());
    expect(at({ TRUST_PROXY: '2' }).trustProxy).toEqual({ hops: 2 });
    expect(at({ TRUST_PROXY: 'off' }).trustProxy).toEqual({ hops: 0 });
    expect(at({ TRUST_PROXY: '10.0.0.1, 192.168.0.0/16, ::1' }).trustProxy).toEqual({ ranges: ['10.0.0.1', '192.168.0.0/16', '::1'] });
    const limits = at({ RATE_LIMITS: '{"token":{"ip":[10,60],"client":null}}', RATE_LIMITS_EXEMPT: '127.0.0.1' });
    expect(limits.rateLimits.token).toEqual({ ip: { count: 10, seconds: 60 } });
    expect(limits.rateLimits.oauth1.ip).toEqual({ count: 300, seconds: 60 });
    expect(limits.rateLimitExempt).toEqual(['127.0.0.1']);
    expect(at({ RATE_LIMITS: 'off' }).rateLimits.token).toEqual({});
    expect(at({ REQUIRE_PKCE: '1' }).requirePkce).toBe(true);
  });

  it('reads the dynamic client registration policy', () => {
    const token = 't'.repeat(32);
    expect(loadConfig({ SECRET_KEY: KEY, REGISTRATION: 'open' }, scratch()).registration).toEqual({ mode: 'open', initialAccessToken: undefined, approve: false });
    expect(loadConfig({ SECRET_KEY: KEY, REGISTRATION: 'open', REGISTRATION_APPROVE: '1' }, scratch()).registration.approve).toBe(true);
    expect(loadConfig({ SECRET_KEY: KEY, REGISTRATION: 'token', REGISTRATION_TOKEN: token }, scratch()).registration).toEqual({ mode: 'token', initialAccessToken: token, approve: true });
    expect(loadConfig({ SECRET_KEY: KEY, REGISTRATION: 'token', REGISTRATION_TOKEN: token, REGISTRATION_APPROVE: 'no' }, scratch()).registration.approve).toBe(false);
  });

  it('is frozen all the way down', () => {
    const config = loadConfig({ SECRET_KEY: KEY }, scratch());
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.ttl)).toBe(true);
    expect(Object.isFrozen(config.database)).toBe(true);
  });

  it('derives the issuer from PORT and follows an explicit ISSUER without trailing slash', () => {
    expect(loadConfig({ SECRET_KEY: KEY, PORT: '9000' }, scratch()).issuer).toBe('http://localhost:9000');
    expect(loadConfig({ SECRET_KEY: KEY, ISSUER: 'https://id.example.org/' }, scratch()).issuer).toBe('https://id.example.org');
  });

  it('reads the DATABASE_URL spellings', () => {
    const cwd = scratch();
    const at = (url: string) => loadConfig({ SECRET_KEY: KEY, DATABASE_URL: url }, cwd).database;
    expect(at('sqlite:./db/x.sqlite')).toEqual({ client: 'sqlite', filename: join(cwd, 'db', 'x.sqlite') });
    expect(at('sqlite:/var/tmp/x.sqlite')).toEqual({ client: 'sqlite', filename: '/var/tmp/x.sqlite' });
    expect(at('sqlite:///var/tmp/x.sqlite')).toEqual({ client: 'sqlite', filename: '/var/tmp/x.sqlite' });
    expect(at('mysql://u:p@db:3306/wiki')).toEqual({ client: 'mysql', url: 'mysql://u:p@db:3306/wiki' });
    expect(at('mariadb://u:p@db/wiki')).toEqual({ client: 'mysql', url: 'mysql://u:p@db/wiki' });
  });

  it('reads the remaining variables', () => {
    const config = loadConfig(
      { SECRET_KEY: KEY, REDIS_URL: 'redis://127.0.0.1:6379/2', REDIS_PREFIX: 'wa:', TRUST_PROXY: 'yes', SCRIPT_PATH: '', HOST: '127.0.0.1', WIKI_ID: 'mywiki' },
      scratch(),
    );
    expect(config.redis).toEqual({ url: 'redis://127.0.0.1:6379/2', prefix: 'wa:' });
    expect(config.trustProxy).toEqual({ hops: 1 });
    expect(config.scriptPath).toBe('');
    expect(config.host).toBe('127.0.0.1');
    expect(config.wikiId).toBe('mywiki');
  });

  it('reads PAGE_PATH_PREFIX: none by default, a trailing slash dropped', () => {
    expect(loadConfig({ SECRET_KEY: KEY }, scratch()).pagePathPrefix).toBe('');
    expect(loadConfig({ SECRET_KEY: KEY, PAGE_PATH_PREFIX: '/auth/' }, scratch()).pagePathPrefix).toBe('/auth');
    expect(loadConfig({ SECRET_KEY: KEY, PAGE_PATH_PREFIX: '/id/wiki-auth.v2' }, scratch()).pagePathPrefix).toBe('/id/wiki-auth.v2');
    expect(loadConfig({ SECRET_KEY: KEY, PAGE_PATH_PREFIX: '/' }, scratch()).pagePathPrefix).toBe('');
  });

  it('reads TLS files and then defaults the issuer to https', () => {
    const cwd = scratch();
    writeFileSync(join(cwd, 'cert.pem'), '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n');
    writeFileSync(join(cwd, 'key.pem'), '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n');
    const config = loadConfig({ SECRET_KEY: KEY, TLS_CERT: 'cert.pem', TLS_KEY: 'key.pem' }, cwd);
    expect(config.tls?.cert).toContain('BEGIN CERTIFICATE');
    expect(config.issuer).toBe('https://localhost:8080');
  });
});

describe('loadConfig rejects bad values with one line naming the variable', () => {
  const cases: Array<[variable: string, env: Record<string, string>]> = [
    ['PORT', { PORT: 'http' }],
    ['PORT', { PORT: '65536' }],
    ['PORT', { PORT: '-1' }],
    ['ISSUER', { ISSUER: 'not a url' }],
    ['ISSUER', { ISSUER: 'ftp://id.example.org' }],
    ['ISSUER', { ISSUER: 'https://id.example.org/?x=1' }],
    ['ISSUER', { ISSUER: 'https://id.example.org/#top' }],
    ['ISSUER', { ISSUER: 'https://user@id.example.org' }],
    ['DATABASE_URL', { DATABASE_URL: 'postgres://u@db/wiki' }],
    ['DATABASE_URL', { DATABASE_URL: 'sqlite:' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://db' }],
    ['REDIS_URL', { REDIS_URL: '127.0.0.1:6379' }],
    ['REDIS_PREFIX', { REDIS_URL: 'redis://127.0.0.1', REDIS_PREFIX: 'a b' }],
    ['SECRET_KEY', { SECRET_KEY: 'short' }],
    ['TRUST_PROXY', { TRUST_PROXY: 'maybe' }],
    ['TRUST_PROXY', { TRUST_PROXY: '10.0.0.1, 10.0.0.0/33' }],
    ['RATE_LIMITS', { RATE_LIMITS: '{"tokens":{}}' }],
    ['RATE_LIMITS', { RATE_LIMITS: '{"token":{"ip":[0,60]}}' }],
    ['RATE_LIMITS_EXEMPT', { RATE_LIMITS_EXEMPT: 'localhost' }],
    ['REQUIRE_PKCE', { REQUIRE_PKCE: 'sometimes' }],
    ['TLS_CERT', { TLS_KEY: 'key.pem' }],
    ['TLS_KEY', { TLS_CERT: 'cert.pem' }],
    ['TLS_CERT', { TLS_CERT: 'missing.pem', TLS_KEY: 'missing.pem' }],
    ['SCRIPT_PATH', { SCRIPT_PATH: 'w' }],
    ['SCRIPT_PATH', { SCRIPT_PATH: '/w?x' }],
    ['PAGE_PATH_PREFIX', { PAGE_PATH_PREFIX: 'auth' }],
    ['PAGE_PATH_PREFIX', { PAGE_PATH_PREFIX: '/auth/../wiki' }],
    ['PAGE_PATH_PREFIX', { PAGE_PATH_PREFIX: '//evil.example' }],
    ['PAGE_PATH_PREFIX', { PAGE_PATH_PREFIX: '/a:b' }],
    ['ACCESS_TOKEN_TTL', { ACCESS_TOKEN_TTL: '1h' }],
    ['ID_TOKEN_TTL', { ID_TOKEN_TTL: '0' }],
    ['REFRESH_TOKEN_TTL', { REFRESH_TOKEN_TTL: 'P' }],
    ['AUTH_CODE_TTL', { AUTH_CODE_TTL: 'PT' }],
    ['SESSION_TTL', { SESSION_TTL: '-5' }],
    ['REGISTRATION', { REGISTRATION: 'anyone' }],
    ['REGISTRATION_TOKEN', { REGISTRATION: 'token' }],
    ['REGISTRATION_TOKEN', { REGISTRATION: 'token', REGISTRATION_TOKEN: 'too-short' }],
    ['REGISTRATION_APPROVE', { REGISTRATION: 'open', REGISTRATION_APPROVE: 'sometimes' }],
  ];

  it.each(cases)('%s = %j', (variable, env) => {
    const err = configError(env);
    expect(err.variable).toBe(variable);
    expect(err.message.startsWith(`${variable}: `)).toBe(true);
    expect(err.message).not.toContain('\n');
  });

  it('names TLS_KEY when the key file is not PEM', () => {
    const cwd = scratch();
    writeFileSync(join(cwd, 'cert.pem'), '-----BEGIN CERTIFICATE-----\n');
    writeFileSync(join(cwd, 'key.txt'), 'not a key');
    expect(configError({ TLS_CERT: 'cert.pem', TLS_KEY: 'key.txt' }, cwd).variable).toBe('TLS_KEY');
  });
});

describe('durations', () => {
  it('accepts seconds and ISO 8601 durations', () => {
    expect(parseDurationSeconds('3600')).toBe(3600);
    expect(parseDurationSeconds('PT1H')).toBe(3600);
    expect(parseDurationSeconds('P1M')).toBe(30 * 86400);
    expect(parseDurationSeconds('P1DT2H3M4S')).toBe(86400 + 7200 + 180 + 4);
    expect(parseDurationSeconds('pt10m')).toBe(600);
  });

  it('refuses what is neither', () => {
    for (const text of ['', 'P', 'PT', 'P1H', '1h', '1.5', 'PT-1S']) expect(parseDurationSeconds(text)).toBeUndefined();
  });

  it('sets every lifetime from its variable', () => {
    const config = loadConfig(
      { SECRET_KEY: KEY, ACCESS_TOKEN_TTL: 'PT1H', ID_TOKEN_TTL: '600', REFRESH_TOKEN_TTL: 'P1M', AUTH_CODE_TTL: 'PT30S', SESSION_TTL: 'P1W' },
      scratch(),
    );
    expect(config.ttl).toEqual({ accessToken: 3600, idToken: 600, refreshToken: 30 * 86400, authorizationCode: 30, session: 7 * 86400 });
  });
});

describe('SECRET_KEY', () => {
  it('is generated once in DATA_DIR in SQLite mode and reused', () => {
    const cwd = scratch();
    const first = loadConfig({ DATA_DIR: 'state' }, cwd);
    const file = join(cwd, 'state', 'secret_key');
    expect(first.secretKey).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.secretKey);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadConfig({ DATA_DIR: 'state' }, cwd).secretKey).toBe(first.secretKey);
  });

  it('prefers an explicit SECRET_KEY and then writes no file', () => {
    const cwd = scratch();
    expect(loadConfig({ SECRET_KEY: KEY }, cwd).secretKey).toBe(KEY);
    expect(existsSync(join(cwd, 'data', 'secret_key'))).toBe(false);
  });

  it('refuses a damaged generated key', () => {
    const cwd = scratch();
    loadConfig({}, cwd);
    writeFileSync(join(cwd, 'data', 'secret_key'), 'abc\n');
    expect(configError({ SECRET_KEY: '' }, cwd).variable).toBe('SECRET_KEY');
  });

  it('is required with a shared MariaDB/MySQL database', () => {
    const cwd = scratch();
    const err = configError({ SECRET_KEY: '', DATABASE_URL: 'mysql://root@127.0.0.1:3306/wiki' }, cwd);
    expect(err.variable).toBe('SECRET_KEY');
    expect(existsSync(join(cwd, 'data'))).toBe(false);
  });
});

describe("MEDIAWIKI_SESSION: the wiki's session signs users in", () => {
  const wiki = { SECRET_KEY: KEY, DATABASE_URL: 'mysql://u@db/wikidb', MEDIAWIKI_DB: '1' };

  it("is off unless set, and then takes MediaWiki's cookie names and cache keyspace", () => {
    expect(loadConfig(wiki, scratch()).wikiSession).toBeUndefined();
    expect(loadConfig({ ...wiki, MEDIAWIKI_SESSION: '1' }, scratch()).wikiSession).toEqual({
      cookiePrefix: 'wikidb',
      sessionCookie: 'wikidb_session',
      keyspace: 'wikidb',
      store: { kind: 'database' },
      tokenVersion: undefined,
    });
    // $wgCookiePrefix = <dbname>_<dbprefix>; the wiki id is <dbname>-<dbprefix>.
    expect(loadConfig({ ...wiki, MEDIAWIKI_TABLE_PREFIX: 'mw_', MEDIAWIKI_SESSION: '1' }, scratch()).wikiSession).toMatchObject({ cookiePrefix: 'wikidb_mw_', sessionCookie: 'wikidb_mw__session', keyspace: 'wikidb-mw_' });
  });

  it("takes the wiki's $wgCookiePrefix (with MediaWiki's replacements), $wgSessionName, $wgCachePrefix, Redis and the token version", () => {
    const config = loadConfig(
      { ...wiki, MEDIAWIKI_SESSION: '1', MEDIAWIKI_COOKIE_PREFIX: 'my.wiki [en]', MEDIAWIKI_SESSION_NAME: 'sess', MEDIAWIKI_CACHE_PREFIX: 'farm:en', MEDIAWIKI_SESSION_STORE: 'redis://cache:6379/2', MEDIAWIKI_AUTH_TOKEN_VERSION: '1' },
      scratch(),
    );
    expect(config.wikiSession).toEqual({ cookiePrefix: 'my_wiki__en]', sessionCookie: 'sess', keyspace: 'farm:en', store: { kind: 'redis', url: 'redis://cache:6379/2' }, tokenVersion: '1' });
  });

  it("reads a SQLite wiki's cache file, relative to the working folder", () => {
    const cwd = scratch();
    const config = loadConfig({ SECRET_KEY: KEY, DATABASE_URL: 'sqlite:/var/lib/mediawiki/data/my_wiki.sqlite', MEDIAWIKI_DB: '1', MEDIAWIKI_SESSION: '1', MEDIAWIKI_SESSION_STORE: 'sqlite:data/wikicache.sqlite' }, cwd);
    expect(config.wikiSession).toMatchObject({ sessionCookie: 'my_wiki_session', keyspace: 'my_wiki', store: { kind: 'sqlite', filename: join(cwd, 'data', 'wikicache.sqlite') } });
  });

  it('refuses settings that cannot work', () => {
    expect(configError({ MEDIAWIKI_SESSION: '1' }).variable).toBe('MEDIAWIKI_SESSION');
    expect(configError({ ...wiki, MEDIAWIKI_SESSION: '1', MEDIAWIKI_SESSION_STORE: 'sqlite:' }).variable).toBe('MEDIAWIKI_SESSION_STORE');
    expect(configError({ ...wiki, MEDIAWIKI_COOKIE_PREFIX: 'x' }).variable).toBe('MEDIAWIKI_COOKIE_PREFIX');
    expect(configError({ ...wiki, MEDIAWIKI_SESSION: '1', MEDIAWIKI_SESSION_STORE: 'memcached://x' }).variable).toBe('MEDIAWIKI_SESSION_STORE');
    expect(configError({ ...wiki, MEDIAWIKI_SESSION: '1', MEDIAWIKI_SESSION_NAME: 'a;b' }).variable).toBe('MEDIAWIKI_SESSION_NAME');
  });
});
