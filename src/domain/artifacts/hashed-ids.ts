import { createHash } from 'node:crypto';
import type { ArtifactIndex, ArtifactStore } from './artifact-store.js';

/**
 * Models whose id is itself a bearer credential: a refresh token, an authorization code, the site
 * session cookie (unsigned). They are stored under a SHA-256 of the id and without the id in the
 * payload, so a database or Redis dump holds nothing a client could present (docs/mediawiki-compat.md
 * "Credentials at rest"). The ids are 256-bit random values, so an unsalted hash suffices.
 */
export const CREDENTIAL_MODELS: ReadonlySet<string> = new Set(['RefreshToken', 'AuthorizationCode', 'SiteSession']);

export function storageId(model: string, id: string): string {
  return CREDENTIAL_MODELS.has(model) ? createHash('sha256').update(id).digest('base64url') : id;
}

/** The artifact store, with credential ids hashed on the way in and restored on the way out. */
export function hashingCredentialIds(store: ArtifactStore): ArtifactStore {
  const hashed = (model: string) => CREDENTIAL_MODELS.has(model);
  return {
    upsert(model: string, id: string, payload: object, expiresIn: number | undefined, index?: ArtifactIndex) {
      if (!hashed(model)) return store.upsert(model, id, payload, expiresIn, index);
      const { jti: _jti, ...rest } = payload as Record<string, unknown>;
      return store.upsert(model, storageId(model, id), rest, expiresIn, index);
    },
    async find(model: string, id: string) {
      const found = await store.find(model, storageId(model, id));
      return found && hashed(model) ? { ...found, jti: id } : found;
    },
    findByUid: (model, uid) => store.findByUid(model, uid),
    findByUserCode: (model, userCode) => store.findByUserCode(model, userCode),
    consume: (model, id) => store.consume(model, storageId(model, id)),
    destroy: (model, id) => store.destroy(model, storageId(model, id)),
    revokeByGrantId: (model, grantId) => store.revokeByGrantId(model, grantId),
    addOnce: (model, id, expiresIn) => store.addOnce(model, storageId(model, id), expiresIn),
    increment: (model, id, windowSeconds) => store.increment(model, storageId(model, id), windowSeconds),
    collectGarbage: () => store.collectGarbage(),
  };
}
