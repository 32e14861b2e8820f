import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, type JsonWebKey, type KeyObject } from 'node:crypto';
import { DomainError } from '../errors.js';
import { fromMwTimestamp, toMwTimestamp } from '../mw-timestamp.js';
import type { KeyRepository, StoredKey } from './key.js';
import { SecretBox } from './secret-box.js';

export interface PrivateJwk extends JsonWebKey {
  kid: string;
  alg: string;
  use: 'sig';
}

/** What the provider is built from; `version` changes whenever the effective set does. */
export interface KeySet {
  readonly version: string;
  /** Signing key first (oidc-provider signs with the first key matching the algorithm). */
  readonly signing: PrivateJwk[];
  /** Newest first; the first signs cookies, all verify (Keygrip). */
  readonly cookie: string[];
  /** The OAuth 2 access-token key pair (MediaWiki's `$wgOAuth2PrivateKey`); published in JWKS, never signs ID tokens. */
  readonly accessToken: PrivateJwk;
}

export interface KeyInfo {
  readonly kid: string;
  readonly use: string;
  readonly alg: string;
  readonly created: string;
  readonly state: 'signing' | 'published' | 'pending' | 'retired';
  readonly activated: string | null;
  readonly retired: string | null;
}

/**
 * Signing and cookie keys live in the database so every instance uses the same ones. Rotation
 * (OIDC Core §10.1.1): a new key is published in JWKS first and signs only from its activation
 * time, so relying parties can fetch it before they meet a token signed with it; `retire`
 * removes an old key from JWKS once no token signed with it can still be valid.
 */
export class KeyService {
  readonly #keys: KeyRepository;
  readonly #box: SecretBox;

  readonly #configuredAccessTokenKey: PrivateJwk | undefined;

  /** `accessTokenKeyPem`: the wiki's `$wgOAuth2PrivateKey` when configured (PEM); else one is generated and stored. */
  constructor(keys: KeyRepository, secretKey: string, accessTokenKeyPem?: string) {
    this.#keys = keys;
    this.#box = new SecretBox(secretKey, 'signing-keys');
    this.#configuredAccessTokenKey = accessTokenKeyPem === undefined ? undefined : rsaJwk(createPrivateKey(accessTokenKeyPem));
  }

  /** First start: one RS256 signing key (mandatory to implement, OIDC Core §15.1) and a cookie key. */
  async ensureKeys(): Promise<void> {
    const keys = await this.#keys.list();
    const now = toMwTimestamp();
    if (!keys.some((k) => k.use === 'sig' && !k.retired)) await this.#keys.insert(this.#newSigningKey(now, now));
    if (!keys.some((k) => k.use === 'cookie' && !k.retired)) await this.#keys.insert(this.#newCookieKey(now));
    if (!this.#configuredAccessTokenKey && !keys.some((k) => k.use === 'oauth2' && !k.retired)) await this.#keys.insert(this.#newRsaKey('oauth2', now, now));
  }

  /** Publish a new signing key now; it starts signing after `activateInSeconds`. */
  async rotate(activateInSeconds: number): Promise<StoredKey> {
    if (!Number.isInteger(activateInSeconds) || activateInSeconds < 0) {
      throw new DomainError('invalid_delay', 'The activation delay must be a whole number of seconds ≥ 0');
    }
    const now = new Date();
    const key = this.#newSigningKey(toMwTimestamp(now), toMwTimestamp(new Date(now.getTime() + activateInSeconds * 1000)));
    await this.#keys.insert(key);
    return key;
  }

  /**
   * Remove a key from JWKS. The key that currently signs cannot be retired, and (unless forced) a
   * superseded key stays published until `minAgeSeconds` (the longest lifetime of a token it may
   * have signed) has passed since its successor started signing.
   */
  async retire(kid: string, opts: { minAgeSeconds?: number; force?: boolean } = {}, now = new Date()): Promise<void> {
    const keys = await this.#keys.list('sig');
    const key = keys.find((k) => k.kid === kid);
    if (!key) throw new DomainError('unknown_key', `No signing key with kid "${kid}"`);
    if (key.retired) throw new DomainError('already_retired', `The key "${kid}" is already retired`);
    if (signingKey(keys, now)?.kid === kid) {
      throw new DomainError('key_in_use', `The key "${kid}" is the one signing tokens now; rotate first, then retire it once the new key signs`);
    }
    // A successor activated in the same second supersedes it too (see signingKey).
    const position = keys.indexOf(key);
    const supersededAt = keys
      .filter((k, i) => k.activated && key.activated && fromMwTimestamp(k.activated) <= now &&
        (k.activated > key.activated || (k.activated === key.activated && i > position)))
      .map((k) => fromMwTimestamp(k.activated!).getTime())
      .sort((a, b) => a - b)[0];
    const age = supersededAt === undefined ? Infinity : (now.getTime() - supersededAt) / 1000;
    if (!opts.force && key.activated && age < (opts.minAgeSeconds ?? 0)) {
      const wait = Math.ceil((opts.minAgeSeconds ?? 0) - age);
      throw new DomainError('key_still_needed', `Tokens signed with "${kid}" may still be valid for ${wait} s; retire it later or pass --force`);
    }
    await this.#keys.setRetired(kid, toMwTimestamp(now));
  }

  async list(now = new Date()): Promise<KeyInfo[]> {
    const keys = await this.#keys.list();
    const signer = signingKey(keys.filter((k) => k.use === 'sig'), now)?.kid;
    const ts = toMwTimestamp(now);
    return keys.map((k) => ({
      kid: k.kid,
      use: k.use,
      alg: k.alg,
      created: k.created,
      activated: k.activated,
      retired: k.retired,
      state: k.retired ? 'retired' : k.kid === signer ? 'signing' : k.activated && k.activated <= ts ? 'published' : k.use === 'sig' ? 'pending' : 'published',
    }));
  }

  /** The effective key set at `now`; cheap enough to poll every few seconds. */
  async keySet(now = new Date()): Promise<KeySet> {
    const keys = (await this.#keys.list()).filter((k) => !k.retired);
    const sig = keys.filter((k) => k.use === 'sig');
    const signer = signingKey(sig, now);
    if (!signer) throw new DomainError('no_signing_key', 'No active signing key; run `wikiauth keys rotate --activate-in 0`');
    const ordered = [signer, ...sig.filter((k) => k !== signer).sort((a, b) => b.created.localeCompare(a.created))];
    const cookie = keys.filter((k) => k.use === 'cookie').sort((a, b) => b.created.localeCompare(a.created));
    const stored = keys.filter((k) => k.use === 'oauth2').sort((a, b) => b.created.localeCompare(a.created))[0];
    const accessToken = this.#configuredAccessTokenKey ?? (stored && (JSON.parse(this.#box.open(stored.encryptedPrivate)) as PrivateJwk));
    if (!accessToken) throw new DomainError('no_signing_key', 'No OAuth 2 access-token key; run `wikiauth keys list` once to create one');
    const version = createHash('sha256').update([ordered.map((k) => k.kid).join(','), cookie.map((k) => k.kid).join(','), accessToken.kid].join('|')).digest('base64url');
    return {
      version,
      signing: ordered.map((k) => JSON.parse(this.#box.open(k.encryptedPrivate)) as PrivateJwk),
      cookie: cookie.map((k) => this.#box.open(k.encryptedPrivate)),
      accessToken,
    };
  }

  #newSigningKey(created: string, activated: string): StoredKey {
    return this.#newRsaKey('sig', created, activated);
  }

  #newRsaKey(use: 'sig' | 'oauth2', created: string, activated: string): StoredKey {
    const jwk = rsaJwk(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = jwk;
    return {
      kid: jwk.kid,
      use,
      alg: 'RS256',
      publicJwk: JSON.stringify(pub),
      encryptedPrivate: this.#box.seal(JSON.stringify(jwk)),
      created,
      activated,
      retired: null,
    };
  }

  #newCookieKey(created: string): StoredKey {
    return {
      kid: `cookie-${randomBytes(8).toString('hex')}`,
      use: 'cookie',
      alg: 'HS256',
      publicJwk: null,
      encryptedPrivate: this.#box.seal(randomBytes(32).toString('base64url')),
      created,
      activated: created,
      retired: null,
    };
  }
}

/** A private RSA key as a JWK for RS256 signing, its kid the RFC 7638 thumbprint (stable, derived from the key). */
function rsaJwk(privateKey: KeyObject): PrivateJwk {
  if (privateKey.asymmetricKeyType !== 'rsa') throw new DomainError('bad_key', 'The OAuth 2 key must be an RSA private key');
  const jwk = privateKey.export({ format: 'jwk' });
  const kid = createHash('sha256').update(JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n })).digest('base64url');
  return { ...jwk, kid, alg: 'RS256', use: 'sig' };
}

/**
 * The newest key whose activation time has come. TS_MW has whole seconds, so a key rotated with
 * no delay can tie with its predecessor; the key stored last (keys come in storage order) wins.
 */
function signingKey(keys: readonly StoredKey[], now: Date): StoredKey | undefined {
  return [...keys]
    .reverse()
    .filter((k) => !k.retired && k.activated !== null && fromMwTimestamp(k.activated) <= now)
    .sort((a, b) => b.activated!.localeCompare(a.activated!) || b.created.localeCompare(a.created))[0];
}
