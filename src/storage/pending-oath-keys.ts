import type { ArtifactStore } from '../domain/artifacts/artifact-store.js';
import type { PendingOathKeys } from '../domain/accounts/two-factor-setup.js';
import { formatOathData, parseOathData } from '../domain/accounts/two-factor.js';

const MODEL = 'PendingOathKey';
/** Long enough to install an app and scan the code; an expired key is replaced by a new one. */
const LIFETIME_SECONDS = 30 * 60;

/** Unconfirmed keys in the artifact store (Redis when configured, else SQL), so every instance sees them. */
export function storedPendingOathKeys(store: ArtifactStore): PendingOathKeys {
  return {
    async find(userId) {
      const data = (await store.find(MODEL, String(userId)))?.data;
      return typeof data === 'string' ? parseOathData(data) : undefined;
    },
    keep: (userId, key) => store.upsert(MODEL, String(userId), { data: formatOathData(key) }, LIFETIME_SECONDS),
    forget: (userId) => store.destroy(MODEL, String(userId)),
  };
}
