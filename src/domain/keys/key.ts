/** A signing key (JWKS) or cookie key, as kept in `wikiauth_key`. */
export type KeyUse = 'sig' | 'cookie';

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
