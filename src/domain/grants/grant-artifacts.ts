import type { ArtifactStore } from '../artifacts/artifact-store.js';

/** oidc-provider models that carry a `grantId`: revoking the grant must revoke them all. */
export const GRANT_BOUND_MODELS = ['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest'] as const;

/**
 * After authorizations were deleted: drop every short-lived artifact of their grants. The SQL
 * store already lost them in the same transaction; a Redis store learns it here.
 */
export function revokeGrantArtifacts(artifacts: ArtifactStore): (grantIds: string[]) => Promise<void> {
  return async (grantIds) => {
    await Promise.all(grantIds.flatMap((grantId) => GRANT_BOUND_MODELS.map((model) => artifacts.revokeByGrantId(model, grantId))));
  };
}
