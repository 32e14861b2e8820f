/**
 * A signing key (JWKS), cookie key, or the OAuth 2 access-token key pair (MediaWiki's
 * `$wgOAuth2PrivateKey`, generated here when no PEM files are configured), as kept in `wikiauth_key`.
 */
export type KeyUse = 'sig' | 'cookie' | 'oauth2';

export interface StoredKey {
  readonly kid: string;
  readonly use: KeyUse;
  readonly alg: string;
  /** Public JWK as JSON (signing keys only). */
  readonly publicJwk: string | null;
  /** Private part, encrypted with a key derived from SECRET_KEY. */
  readonly encryptedPrivate: string;
  readonly created: string;
  /** TS_MW from which the key signs; null = published, not yet signing. */
  readonly activated: string | null;
  readonly retired: string | null;
}

export interface KeyRepository {
  /** In the order stored, oldest first. */
  list(use?: KeyUse): Promise<StoredKey[]>;
  insert(key: StoredKey): Promise<void>;
  setActivated(kid: string, activated: string): Promise<void>;
  setRetired(kid: string, retired: string): Promise<void>;
}
