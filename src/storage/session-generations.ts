import type { ArtifactStore } from '../domain/artifacts/artifact-store.js';
import type { SessionGenerations } from '../domain/accounts/session-generations.js';

const MODEL = 'SessionGeneration';
/** Longer than any site session: an expired counter starts again at 1, past every session it ended. */
const LIFETIME_SECONDS = 10 * 365 * 24 * 3600;

/** Generations as atomic counters in the artifact store (Redis when configured, else SQL). */
export function storedSessionGenerations(store: ArtifactStore): SessionGenerations {
  return {
    async current(userId) {
      return Number((await store.find(MODEL, String(userId)))?.count ?? 0);
    },
    async bump(userId) {
      await store.increment(MODEL, String(userId), LIFETIME_SECONDS);
    },
  };
}
