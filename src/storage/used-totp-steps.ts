import type { ArtifactStore } from '../domain/artifacts/artifact-store.js';
import type { UsedTotpSteps } from '../domain/accounts/two-factor-service.js';

const CLAIM_MODEL = 'OathTotpStep';
const LAST_MODEL = 'OathTotpLastStep';
/**
 * OATHAuth's stash lifetime for the last used step: 30 s × (1 + 2 × window radius 4). A step older than
 * that is outside the window anyway.
 */
const LIFETIME_SECONDS = 270;

/**
 * Used TOTP steps in the artifact store (Redis when configured, else SQL), seen by every instance. A
 * step is claimed with one atomic add, so two sign-ins racing with one code get one success; the last
 * claimed step then refuses every earlier one.
 */
export function storedTotpSteps(store: ArtifactStore): UsedTotpSteps {
  const last = async (userId: number) => {
    const found = await store.find(LAST_MODEL, String(userId));
    return found === undefined ? undefined : Number(found.step);
  };
  return {
    last,
    async claim(userId, step) {
      if (!(await store.addOnce(CLAIM_MODEL, `${userId}:${step}`, LIFETIME_SECONDS))) return false;
      const previous = await last(userId);
      if (previous === undefined || step > previous) await store.upsert(LAST_MODEL, String(userId), { step }, LIFETIME_SECONDS);
      return true;
    },
  };
}
