import { createPrivateKey, createPublicKey, randomBytes, type JsonWebKey, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError, type AutoApproveCondition, type Config, type DatabaseConfig, type Limit, type ProxyTrust, type RateLimitAction, type RateLimits, type RegistrationPolicy, type TokenLifetimes } from './config.js';
import { parseDurationSeconds } from './duration.js';
import { DEFAULT_PBKDF2, parsePbkdf2Setting } from '../domain/accounts/password.js';
import { parseBoolean, value, type Env } from './env.js';
import { parseMediaWikiMode, parseRightsSettings } from './mediawiki-settings.js';
import { parseWikiSession } from './wiki-session-settings.js';


const SECRET_FILE = 'secret_key';

/**
 * Environment → validated, frozen Config. The only place that reads the environment.
 * In embedded (SQLite) mode an unset SECRET_KEY is generated once and kept in the data folder.
 */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const dataDir = resolve(cwd, value(env, 'DATA_DIR') ?? 'data');
  const port = parsePort(env);
  const tls = parseTls(env, cwd);
  const mediawiki = parseMediaWikiMode(env, parseDatabase(env, cwd, dataDir));
  const database = { ...parseDatabase(env, cwd, dataDir), ...(mediawiki ? { tablePrefix: mediawiki.tablePrefix, mediawiki: true } : {}) };
  const scriptPath = parseScriptPath(env);
  const rights = parseRightsSettings(env, cwd, mediawiki !== undefined);
  return deepFreeze({
    port,
    host: value(env, 'HOST'),
    issuer: parseIssuer(env, port, tls !== undefined),
    database,
    dataDir,
    redis: parseRedis(env),
    secretKey: resolveSecretKey(env, database, dataDir),
    trustProxy: parseTrustProxy(env),
    tls,
    scriptPath,
    pagePathPrefix: parsePagePathPrefix(env),
    // On a wiki's database this site is that wiki (WikiMap::getCurrentWikiId); '*' rows match it too.
    wikiId: value(env, 'WIKI_ID') ?? mediawiki?.wikiId ?? '*',
    ttl: parseLifetimes(env),
    autoApprove: parseAutoApprove(env),
    requestExpirationAge: parseRequestExpirationAge(env),
    registration: parseRegistration(env),
    oauth2PrivateKey: parseOAuth2KeyPair(env, cwd),
    refreshTokenGracePeriod: parseGracePeriod(env),
    requirePkce: parseBoolean(env, 'REQUIRE_PKCE', false),
    rateLimits: parseRateLimits(env),
    rateLimitExempt: parseAddressList(env, 'RATE_LIMITS_EXEMPT') ?? [],
    passwordPbkdf2: parsePasswordPbkdf2(env),
    mediawiki,
    wikiSession: parseWikiSession(env, mediawiki, database, cwd),
    rights: rights.policy,
    blockDisablesLogin: parseBoolean(env, 'BLOCK_DISABLES_LOGIN', rights.blockDisablesLogin ?? false),
  });
}

/** `PASSWORD_PBKDF2=sha512:30000:64` (MediaWiki's defaults): digest, iterations, key bytes. */
function parsePasswordPbkdf2(env: Env): Config['passwordPbkdf2'] {
  const raw = value(env, 'PASSWORD_PBKDF2');
  if (raw === undefined) return DEFAULT_PBKDF2;
  const params = parsePbkdf2Setting(raw);
  if (!params) throw new ConfigError('PASSWORD_PBKDF2', `"${raw}" is not digest:iterations:bytes with a digest of sha1, sha224, sha256, sha384 or sha512, e.g. sha512:30000:64`);
  return params;
}

function parsePort(env: Env): number {
  const raw = value(env, 'PORT');
  if (raw === undefined) return 8080;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) throw new ConfigError('PORT', `expected a port number 0-65535, got "${raw}"`);
  return port;
}

function parseIssuer(env: Env, port: number, tls: boolean): string {
  const raw = value(env, 'ISSUER');
  if (raw === undefined) return `${tls ? 'https' : 'http'}://localhost:${port}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('ISSUER', `expected an http(s) URL, got "${raw}"`);
  }
  // OIDC Discovery §3: the issuer is an https URL with no query or fragment (http for local use).
  if (!['http:', 'https:'].includes(url.protocol) || url.search || url.hash || url.username) {
    throw new ConfigError('ISSUER', 'expected an http(s) URL without query, fragment or credentials');
  }
  return url.href.replace(/\/+$/, '');
}

function parseDatabase(env: Env, cwd: string, dataDir: string): DatabaseConfig {
  const raw = value(env, 'DATABASE_URL');
  if (raw === undefined) return { client: 'sqlite', filename: resolve(dataDir, 'wikiauth.sqlite') };
  if (raw.startsWith('sqlite:')) {
    const path = raw.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path) throw new ConfigError('DATABASE_URL', 'sqlite: needs a file path, e.g. sqlite:./data/wikiauth.sqlite');
    return { client: 'sqlite', filename: isAbsolute(path) ? path : resolve(cwd, path) };
  }
  if (/^(mysql|mariadb):\/\//.test(raw)) {
    try {
      const url = new URL(raw);
      if (!url.hostname || url.pathname.length <= 1) throw new Error('missing host or database');
    } catch {
      throw new ConfigError('DATABASE_URL', 'expected mysql://user:password@host:port/database');
    }
    return { client: 'mysql', url: raw.replace(/^mariadb:/, 'mysql:') };
  }
  throw new ConfigError('DATABASE_URL', 'expected sqlite:<path> or mysql://user:password@host:port/database');
}

function parseRedis(env: Env): Config['redis'] {
  const url = value(env, 'REDIS_URL');
  if (url === undefined) return undefined;
  if (!/^rediss?:\/\/[^/]/.test(url)) throw new ConfigError('REDIS_URL', 'expected redis://host:port[/db]');
  const prefix = value(env, 'REDIS_PREFIX') ?? 'wikiauth:';
  if (/\s/.test(prefix)) throw new ConfigError('REDIS_PREFIX', 'must not contain whitespace');
  return { url, prefix };
}

/**
 * `TRUST_PROXY`: a number of hops (`1` = one reverse proxy; yes/no as 1/0) or a comma-separated list
 * of proxy addresses/CIDR ranges.
 */
function parseTrustProxy(env: Env): ProxyTrust {
  const raw = value(env, 'TRUST_PROXY');
  if (raw === undefined || /^(0|false|no|off)$/i.test(raw)) return { hops: 0 };
  if (/^(true|yes|on)$/i.test(raw)) return { hops: 1 };
  if (/^\d{1,2}$/.test(raw)) return { hops: Number(raw) };
  return { ranges: parseAddressList(env, 'TRUST_PROXY', 'a number of proxies or ')! };
}

/** A comma-separated list of IP addresses and CIDR ranges. */
function parseAddressList(env: Env, name: string, alternative = ''): string[] | undefined {
  const raw = value(env, name);
  if (raw === undefined) return undefined;
  const ranges = raw.split(',').map((entry) => entry.trim());
  for (const range of ranges) {
    const [address = '', bits, extra] = range.split('/');
    const max = isIP(address) === 4 ? 32 : 128;
    const ok = isIP(address) !== 0 && extra === undefined && (bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= max));
    if (!ok) throw new ConfigError(name, `expected ${alternative}a list of IP addresses/CIDR ranges, got "${range}"`);
  }
  return ranges;
}

/**
 * Defaults stop floods and guessing without getting in a busy client's way: 50 token requests a
 * second sustained per address and per client, 5 OAuth 1.0a handshakes a second, and registrations
 * and proposals by the hundred per hour (a row each in `oauth_registered_consumer`).
 */
const DEFAULT_RATE_LIMITS: RateLimits = {
  token: { ip: { count: 3000, seconds: 60 }, client: { count: 3000, seconds: 60 } },
  oauth1: { ip: { count: 300, seconds: 60 }, client: { count: 300, seconds: 60 } },
  register: { ip: { count: 100, seconds: 3600 } },
  propose: { ip: { count: 100, seconds: 3600 }, user: { count: 50, seconds: 3600 } },
};

/**
 * `RATE_LIMITS`: `off`, or JSON in the shape of MediaWiki's `$wgRateLimits`, e.g.
 * `{"token":{"ip":[100,60],"client":[1000,60]}}`; actions and kinds not given keep their default,
 * `null` turns one off.
 */
function parseRateLimits(env: Env): RateLimits {
  const raw = value(env, 'RATE_LIMITS');
  if (raw === undefined) return DEFAULT_RATE_LIMITS;
  if (/^(off|0|false|no)$/i.test(raw)) return { token: {}, oauth1: {}, register: {}, propose: {} };
  const fail = (why: string): never => {
    throw new ConfigError('RATE_LIMITS', `${why}; expected off or JSON like {"token":{"ip":[100,60],"client":[1000,60]}}`);
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return fail('not valid JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return fail('not a JSON object');
  const limits: Record<string, Record<string, Limit | undefined>> = Object.fromEntries(Object.entries(DEFAULT_RATE_LIMITS).map(([action, kinds]) => [action, { ...kinds }]));
  for (const [action, kinds] of Object.entries(parsed)) {
    if (!(action in limits)) fail(`unknown action "${action}" (token, oauth1, register, propose)`);
    if (!kinds || typeof kinds !== 'object' || Array.isArray(kinds)) fail(`"${action}" must be an object`);
    for (const [kind, pair] of Object.entries(kinds as object)) {
      if (!['ip', 'client', 'user'].includes(kind)) fail(`unknown key kind "${kind}" in "${action}" (ip, client, user)`);
      if (pair === null) {
        delete limits[action]![kind];
        continue;
      }
      if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((n) => Number.isSafeInteger(n) && n > 0)) fail(`"${action}.${kind}" must be [count, seconds] with positive integers, or null`);
      limits[action]![kind] = { count: pair[0], seconds: pair[1] };
    }
  }
  return limits as unknown as Record<RateLimitAction, Record<string, Limit>>;
}

function parseTls(env: Env, cwd: string): Config['tls'] {
  const cert = value(env, 'TLS_CERT');
  const key = value(env, 'TLS_KEY');
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined || key === undefined) {
    throw new ConfigError(cert === undefined ? 'TLS_CERT' : 'TLS_KEY', 'TLS_CERT and TLS_KEY must be set together');
  }
  return { cert: readPem(cwd, 'TLS_CERT', cert), key: readPem(cwd, 'TLS_KEY', key) };
}

function readPem(cwd: string, name: string, path: string): string {
  try {
    const text = readFileSync(resolve(cwd, path), 'utf8');
    if (!text.includes('-----BEGIN ')) throw new Error('not PEM');
    return text;
  } catch {
    throw new ConfigError(name, `cannot read a PEM file at "${path}"`);
  }
}

/**
 * `OAUTH2_PRIVATE_KEY_FILE` / `OAUTH2_PUBLIC_KEY_FILE`: the PEM files behind the wiki's
 * `$wgOAuth2PrivateKey` / `$wgOAuth2PublicKey`, so the wiki accepts our access tokens and we accept
 * its own. The public file, when given, must belong to the private key.
 */
function parseOAuth2KeyPair(env: Env, cwd: string): string | undefined {
  const privatePath = value(env, 'OAUTH2_PRIVATE_KEY_FILE');
  const publicPath = value(env, 'OAUTH2_PUBLIC_KEY_FILE');
  if (privatePath === undefined) {
    if (publicPath !== undefined) throw new ConfigError('OAUTH2_PRIVATE_KEY_FILE', 'must be set with OAUTH2_PUBLIC_KEY_FILE');
    return undefined;
  }
  const privatePem = readPem(cwd, 'OAUTH2_PRIVATE_KEY_FILE', privatePath);
  let key: KeyObject;
  try {
    key = createPrivateKey(privatePem);
  } catch {
    throw new ConfigError('OAUTH2_PRIVATE_KEY_FILE', `"${privatePath}" is not a private key`);
  }
  if (key.asymmetricKeyType !== 'rsa') throw new ConfigError('OAUTH2_PRIVATE_KEY_FILE', 'expected an RSA key (tokens are RS256)');
  if (publicPath !== undefined) {
    const publicPem = readPem(cwd, 'OAUTH2_PUBLIC_KEY_FILE', publicPath);
    const derived = createPublicKey(key).export({ format: 'jwk' });
    let given: JsonWebKey;
    try {
      given = createPublicKey(publicPem).export({ format: 'jwk' });
    } catch {
      throw new ConfigError('OAUTH2_PUBLIC_KEY_FILE', `"${publicPath}" is not a public key`);
    }
    if (given.n !== derived.n || given.e !== derived.e) throw new ConfigError('OAUTH2_PUBLIC_KEY_FILE', 'does not belong to OAUTH2_PRIVATE_KEY_FILE');
  }
  return privatePem;
}

function parseGracePeriod(env: Env): number {
  const raw = value(env, 'REFRESH_TOKEN_GRACE_PERIOD');
  if (raw === undefined) return 600;
  const seconds = raw === '0' ? 0 : parseDurationSeconds(raw);
  if (seconds === undefined || seconds < 0 || !Number.isSafeInteger(seconds)) {
    throw new ConfigError('REFRESH_TOKEN_GRACE_PERIOD', `expected seconds or an ISO 8601 duration such as PT10M, got "${raw}"`);
  }
  return seconds;
}

function parseScriptPath(env: Env): string {
  const raw = env['SCRIPT_PATH'];
  if (raw === undefined) return '/w';
  const path = raw.trim().replace(/\/+$/, '');
  if (path !== '' && !/^\/[A-Za-z0-9._~\-/]*$/.test(path)) {
    throw new ConfigError('SCRIPT_PATH', `expected a path such as /w (or empty), got "${raw}"`);
  }
  return path;
}

/** `PAGE_PATH_PREFIX=/auth`: path segments without dot-segments; a trailing slash is dropped. */
function parsePagePathPrefix(env: Env): string {
  const raw = value(env, 'PAGE_PATH_PREFIX');
  if (raw === undefined) return '';
  const path = raw.trim().replace(/\/+$/, '');
  if (path !== '' && !/^(\/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)+$/.test(path)) {
    throw new ConfigError('PAGE_PATH_PREFIX', `expected a path such as /auth (or empty), got "${raw}"`);
  }
  return path;
}

function parseLifetimes(env: Env): TokenLifetimes {
  const duration = (name: string, fallback: number): number => {
    const raw = value(env, name);
    if (raw === undefined) return fallback;
    const seconds = parseDurationSeconds(raw);
    if (seconds === undefined || seconds <= 0 || !Number.isSafeInteger(seconds)) {
      throw new ConfigError(name, `expected seconds or an ISO 8601 duration such as PT1H, got "${raw}"`);
    }
    return seconds;
  };
  return {
    accessToken: duration('ACCESS_TOKEN_TTL', 3600),
    idToken: duration('ID_TOKEN_TTL', 3600),
    refreshToken: duration('REFRESH_TOKEN_TTL', 30 * 86400),
    authorizationCode: duration('AUTH_CODE_TTL', 600),
    session: duration('SESSION_TTL', 14 * 86400),
  };
}

/**
 * `OAUTH_AUTO_APPROVE`: JSON like `[{"grants":["mwoauth-authonly"],"protocols":["https"]}]`.
 * MediaWiki lets an unknown rule quietly fail its condition; here it is a start-up error.
 */
function parseAutoApprove(env: Env): AutoApproveCondition[] {
  const raw = value(env, 'OAUTH_AUTO_APPROVE');
  if (raw === undefined) return [];
  const fail = (why: string): never => {
    throw new ConfigError('OAUTH_AUTO_APPROVE', `${why}; expected JSON like [{"grants":["mwoauth-authonly"],"protocols":["https"]}]`);
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return fail('not valid JSON');
  }
  if (!Array.isArray(parsed)) return fail('not a JSON array');
  return parsed.map((condition: unknown, i) => {
    if (!condition || typeof condition !== 'object' || Array.isArray(condition)) return fail(`condition ${i} is not an object`);
    const rules: Record<string, readonly string[]> = {};
    for (const [rule, list] of Object.entries(condition)) {
      if (rule !== 'grants' && rule !== 'protocols') fail(`condition ${i} has an unknown rule "${rule}"`);
      if (!Array.isArray(list) || !list.every((item) => typeof item === 'string' && item !== '')) fail(`condition ${i}: "${rule}" must be a list of names`);
      rules[rule] = (list as string[]).map((item) => (rule === 'protocols' ? item.toLowerCase() : item));
    }
    return rules as AutoApproveCondition;
  });
}

function parseRequestExpirationAge(env: Env): number {
  const raw = value(env, 'OAUTH_REQUEST_EXPIRATION_AGE');
  if (raw === undefined) return 30 * 86400;
  const seconds = parseDurationSeconds(raw);
  if (seconds === undefined || !Number.isSafeInteger(seconds)) {
    throw new ConfigError('OAUTH_REQUEST_EXPIRATION_AGE', `expected seconds or an ISO 8601 duration such as P30D (0 = never), got "${raw}"`);
  }
  return seconds;
}

function parseRegistration(env: Env): RegistrationPolicy {
  const mode = value(env, 'REGISTRATION') ?? 'off';
  if (mode !== 'off' && mode !== 'open' && mode !== 'token') {
    throw new ConfigError('REGISTRATION', `expected off, open or token, got "${mode}"`);
  }
  const token = value(env, 'REGISTRATION_TOKEN');
  if (mode === 'token' && (token === undefined || token.length < 32 || !/^[A-Za-z0-9._~+/-]+=*$/.test(token))) {
    throw new ConfigError('REGISTRATION_TOKEN', 'REGISTRATION=token needs a Bearer token of at least 32 characters');
  }
  // A token holder was chosen by the operator; anonymous registrations wait for review.
  const approve = parseBoolean(env, 'REGISTRATION_APPROVE', mode === 'token');
  return { mode, initialAccessToken: mode === 'token' ? token : undefined, approve };
}

function resolveSecretKey(env: Env, database: DatabaseConfig, dataDir: string): string {
  const given = value(env, 'SECRET_KEY');
  if (given !== undefined) {
    if (given.length < 32) throw new ConfigError('SECRET_KEY', 'must be at least 32 characters');
    return given;
  }
  if (database.client !== 'sqlite') {
    throw new ConfigError('SECRET_KEY', 'is required with a shared database (every instance must use the same key)');
  }
  const file = resolve(dataDir, SECRET_FILE);
  if (existsSync(file)) {
    const stored = readFileSync(file, 'utf8').trim();
    if (stored.length < 32) throw new ConfigError('SECRET_KEY', `the generated key in ${file} is damaged`);
    return stored;
  }
  mkdirSync(dataDir, { recursive: true });
  const generated = randomBytes(32).toString('hex');
  // `wx` fails if another process created the file first; then use theirs.
  try {
    writeFileSync(file, `${generated}\n`, { mode: 0o600, flag: 'wx' });
    return generated;
  } catch {
    return readFileSync(file, 'utf8').trim();
  }
}

function deepFreeze<T>(object: T): T {
  for (const child of Object.values(object as object)) {
    if (child && typeof child === 'object') deepFreeze(child);
  }
  return Object.freeze(object);
}
