import type { ArtifactIndex, ArtifactStore } from '../domain/artifacts/artifact-store.js';

/**
 * Models whose artifacts are durable (issue 4): losing Redis must not sign anyone's apps out or
 * break "revoke all". Access tokens stay beside their `oauth2_access_tokens` registration; refresh
 * tokens live for a month; registration tokens as long as their client.
 */
export const DURABLE_MODELS: ReadonlySet<string> = new Set(['AccessToken', 'RefreshToken', 'Grant', 'Client', 'InitialAccessToken', 'RegistrationAccessToken']);

/** oidc-provider models whose artifacts carry a grant id (lib/helpers/revoke.js), plus interactions. */
const GRANT_BEARING_MODELS = ['AuthorizationCode', 'DeviceCode', 'BackchannelAuthenticationRequest', 'PreAuthorizedCode', 'Interaction'];

/**
 * A short-lived model may still be asked to keep something for a very long time (an owner-only
 * consumer's token that never expires, MediaWiki §3.5): that goes to the durable store, and reads
 * of these models look there when the short-lived store has nothing.
 */
const MAY_BE_LONG_LIVED: ReadonlySet<string> = new Set(['ClientCredentials']);
const LONG_LIVED_SECONDS = 366 * 86400;

/**
 * One ArtifactStore for callers, two underneath: durable models in SQL, everything else (sessions,
 * interactions, codes, replay caches, client-credentials tokens, site sessions, throttle counters,
 * OAuth 1.0a request tokens and nonces) in the short-lived store, chosen by model name.
 */
export class ArtifactRouter implements ArtifactStore {
  readonly #durable: ArtifactStore;
  readonly #shortLived: ArtifactStore;

  constructor(durable: ArtifactStore, shortLived: ArtifactStore) {
    this.#durable = durable;
    this.#shortLived = shortLived;
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
    return MAY_BE_LONG_LIVED.has(model) ? this.#durable.consume(model, id) : false;
  }

  async destroy(model: string, id: string): Promise<void> {
    await this.#storeFor(model).destroy(model, id);
    if (MAY_BE_LONG_LIVED.has(model)) await this.#durable.destroy(model, id);
  }

  revokeByGrantId(model: string, grantId: string): Promise<void> {
    return this.#storeFor(model).revokeByGrantId(model, grantId);
  }

  /**
   * A deleted authorization (consumer deleted, password changed, user revoked it): the SQL side went
   * with it in one transaction; drop the short-lived artifacts of its grants too. They are useless
   * without the grant (oidc-provider checks it on every exchange), so this is tidiness, and a Redis
   * outage must not undo or fail the revocation itself.
   */
  async revokeGrants(grantIds: readonly string[]): Promise<void> {
    const models = GRANT_BEARING_MODELS.filter((model) => !DURABLE_MODELS.has(model));
    await Promise.all(grantIds.flatMap((grantId) => models.map((model) => this.#shortLived.revokeByGrantId(model, grantId)))).catch(() => undefined);
  }

  addOnce(model: string, id: string, expiresIn: number): Promise<boolean> {
    return this.#storeFor(model).addOnce(model, id, expiresIn);
  }

  increment(model: string, id: string, windowSeconds: number): Promise<number> {
    return this.#storeFor(model).increment(model, id, windowSeconds);
  }

  async collectGarbage(): Promise<number> {
    const [durable, shortLived] = await Promise.all([this.#durable.collectGarbage(), this.#shortLived.collectGarbage()]);
    return durable + shortLived;
  }

  #storeFor(model: string): ArtifactStore {
    return DURABLE_MODELS.has(model) ? this.#durable : this.#shortLived;
  }

  async #read(model: string, read: (store: ArtifactStore) => Promise<Record<string, unknown> | undefined>) {
    const found = await read(this.#storeFor(model));
    return found ?? (MAY_BE_LONG_LIVED.has(model) ? read(this.#durable) : undefined);
  }
}
