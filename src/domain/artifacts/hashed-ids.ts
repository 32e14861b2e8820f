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

/** Site sessions stored under the hash of their cookie value. */
export function hashingSiteSessionIds(store: SiteSessionStore): SiteSessionStore {
  return {
    save: (id, session, ttl) => store.save(credentialStorageId(id), session, ttl),
    find: (id) => store.find(credentialStorageId(id)),
    destroy: (id) => store.destroy(credentialStorageId(id)),
  };
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
  };
}
