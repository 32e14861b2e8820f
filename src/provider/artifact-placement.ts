import { hashingCredentialIds } from '../domain/artifacts/hashed-ids.js';
import type { ArtifactIndex, ProviderArtifactStore } from '../domain/artifacts/provider-artifacts.js';

/**
 * oidc-provider models whose artifacts are durable: losing Redis must not sign anyone's apps out or
 * break "revoke all". Access tokens stay beside their `oauth2_access_tokens` registration; refresh
 * tokens live for a month; registration tokens as long as their client.
 */
export const DURABLE_MODELS: ReadonlySet<string> = new Set(['AccessToken', 'RefreshToken', 'Grant', 'Client', 'InitialAccessToken', 'RegistrationAccessToken']);

/** Models whose id is a bearer credential, stored hashed (src/domain/artifacts/hashed-ids.ts). */
const CREDENTIAL_MODELS: ReadonlySet<string> = new Set(['RefreshToken', 'AuthorizationCode']);

/** oidc-provider models whose artifacts carry a grant id (lib/helpers/revoke.js), plus interactions. */
const GRANT_BEARING_MODELS = ['AuthorizationCode', 'DeviceCode', 'BackchannelAuthenticationRequest', 'PreAuthorizedCode', 'Interaction'];

/**
 * A short-lived model may still be asked to keep something for a very long time (an owner-only
 * consumer's token that never expires, docs/mediawiki-compat.md): that goes to the durable store,
 * and reads of these models look there when the short-lived store has nothing.
 */
const MAY_BE_LONG_LIVED: ReadonlySet<string> = new Set(['ClientCredentials']);
const LONG_LIVED_SECONDS = 366 * 86400;

/** The two stores the composition root gives the provider (both SQL without Redis). */
export interface ProviderArtifactPlaces {
  readonly durable: ProviderArtifactStore;
  readonly shortLived: ProviderArtifactStore;
}

/**
 * The provider's artifacts over the places the composition root chose: durable models in one,
 * everything else (sessions, interactions, codes, replay caches, client-credentials tokens) in the
 * other, credential ids hashed in both.
 */
export class ProviderArtifacts implements ProviderArtifactStore {
  readonly #durable: ProviderArtifactStore;
  readonly #shortLived: ProviderArtifactStore;
  /** False when both places are one store (no Redis): nothing to look up twice. */
  readonly #separate: boolean;

  constructor(places: ProviderArtifactPlaces) {
    this.#separate = places.durable !== places.shortLived;
    this.#durable = hashingCredentialIds(places.durable, CREDENTIAL_MODELS);
    this.#shortLived = hashingCredentialIds(places.shortLived, CREDENTIAL_MODELS);
  }

  upsert(model: string, id: string, payload: object, expiresIn: number | undefined, index?: ArtifactIndex): Promise<void> {
    const longLived = expiresIn === undefined || expiresIn > LONG_LIVED_SECONDS;
    if (DURABLE_MODELS.has(model) || (longLived && MAY_BE_LONG_LIVED.has(model))) return this.#durable.upsert(model, id, payload, expiresIn, index);
    return this.#shortLived.upsert(model, id, payload, expiresIn, index);
  }

  find(model: string, id: string) {
    return this.#read(model, (store) => store.find(model, id));
  }

  findByUid(model: string, uid: string) {
    return this.#read(model, (store) => store.findByUid(model, uid));
  }

  findByUserCode(model: string, userCode: string) {
    return this.#read(model, (store) => store.findByUserCode(model, userCode));
  }

  async consume(model: string, id: string): Promise<boolean> {
    if (await this.#storeFor(model).consume(model, id)) return true;
    return this.#separate && MAY_BE_LONG_LIVED.has(model) ? this.#durable.consume(model, id) : false;
  }

  async destroy(model: string, id: string): Promise<void> {
    await this.#storeFor(model).destroy(model, id);
    if (this.#separate && MAY_BE_LONG_LIVED.has(model)) await this.#durable.destroy(model, id);
  }

  revokeByGrantId(model: string, grantId: string): Promise<void> {
    return this.#storeFor(model).revokeByGrantId(model, grantId);
  }

  idsByGrantId(model: string, grantId: string): Promise<string[]> {
    return this.#storeFor(model).idsByGrantId(model, grantId);
  }

  /**
   * A deleted authorization (consumer deleted, password changed, user revoked it): the SQL side went
   * with it in one transaction; drop the short-lived artifacts of its grants too. They are useless
   * without the grant (oidc-provider checks it on every exchange), so this is tidiness, and an
   * outage of the short-lived store must not undo or fail the revocation itself.
   */
  async dropGrants(grantIds: readonly string[]): Promise<void> {
    if (!this.#separate) return;
    const models = GRANT_BEARING_MODELS.filter((model) => !DURABLE_MODELS.has(model));
    await Promise.all(grantIds.flatMap((grantId) => models.map((model) => this.#shortLived.revokeByGrantId(model, grantId)))).catch(() => undefined);
  }

  #storeFor(model: string): ProviderArtifactStore {
    return DURABLE_MODELS.has(model) ? this.#durable : this.#shortLived;
  }

  async #read(model: string, read: (store: ProviderArtifactStore) => Promise<Record<string, unknown> | undefined>) {
    const found = await read(this.#storeFor(model));
    return found ?? (this.#separate && MAY_BE_LONG_LIVED.has(model) ? read(this.#durable) : undefined);
  }
}
