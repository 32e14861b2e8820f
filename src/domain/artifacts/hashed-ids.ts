import { createHash } from 'node:crypto';
import type { ProviderArtifactStore } from './provider-artifacts.js';
import type { SiteSessionStore } from './stores.js';

/*
 * Ids that are themselves bearer credentials (a refresh token, an authorization code, the site
 * session cookie, which is unsigned) are stored under a SHA-256 of the id and without the id in the
 * payload, so a database or Redis dump holds nothing a client could present
 * (docs/mediawiki-compat.md "Credentials at rest"). The ids are 256-bit random values, so an
 * unsalted hash suffices.
 */
export function credentialStorageId(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}

/** A store of records by an id a cookie carries. */
interface CookieKeyedStore<R> {
  save(id: string, record: R, ttlSeconds: number): Promise<void>;
  find(id: string): Promise<R | undefined>;
  destroy(id: string): Promise<void>;
}

/** Records stored under the hash of their cookie value (site sessions, pending two-factor sign-ins). */
export function hashingCookieIds<R, S extends CookieKeyedStore<R>>(store: S): S {
  return {
    ...store,
    save: (id: string, record: R, ttl: number) => store.save(credentialStorageId(id), record, ttl),
    find: (id: string) => store.find(credentialStorageId(id)),
    destroy: (id: string) => store.destroy(credentialStorageId(id)),
  };
}

/** Site sessions stored under the hash of their cookie value. */
export function hashingSiteSessionIds(store: SiteSessionStore): SiteSessionStore {
  return hashingCookieIds(store);
}

/** Provider artifacts of the given kinds stored under the hash of their id, the id restored as `jti` on reads. */
export function hashingCredentialIds(store: ProviderArtifactStore, credentialKinds: ReadonlySet<string>): ProviderArtifactStore {
  const hashed = (kind: string) => credentialKinds.has(kind);
  const storageId = (kind: string, id: string) => (hashed(kind) ? credentialStorageId(id) : id);
  return {
    upsert(kind, id, payload, expiresIn, index) {
      if (!hashed(kind)) return store.upsert(kind, id, payload, expiresIn, index);
      const { jti: _jti, ...rest } = payload as Record<string, unknown>;
      return store.upsert(kind, storageId(kind, id), rest, expiresIn, index);
    },
    async find(kind, id) {
      const found = await store.find(kind, storageId(kind, id));
      return found && hashed(kind) ? { ...found, jti: id } : found;
    },
    findByUid: (kind, uid) => store.findByUid(kind, uid),
    findByUserCode: (kind, userCode) => store.findByUserCode(kind, userCode),
    consume: (kind, id) => store.consume(kind, storageId(kind, id)),
    destroy: (kind, id) => store.destroy(kind, storageId(kind, id)),
    revokeByGrantId: (kind, grantId) => store.revokeByGrantId(kind, grantId),
    idsByGrantId(kind, grantId) {
      // A hash cannot be turned back into the credential it stands for.
      if (hashed(kind)) throw new TypeError(`${kind}: ids are stored hashed`);
      return store.idsByGrantId(kind, grantId);
    },
  };
}
