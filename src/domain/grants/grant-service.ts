import type { ConsumerLookup } from '../consumers/consumer-cache.js';
import type { Consumer } from '../consumers/consumer.js';
import { DomainError } from '../errors.js';
import type { AccessTokenRegistry, GrantRecordRepository } from './access-token-registry.js';
import type { Authorization, AuthorizationRepository } from './authorization.js';
import { grantsToStore, scopesOfAuthorization } from './scopes.js';

export interface GrantServiceDeps {
  readonly authorizations: AuthorizationRepository;
  readonly grantRecords: GrantRecordRepository;
  readonly accessTokens: AccessTokenRegistry;
  readonly consumers: ConsumerLookup;
}

const now = () => Math.floor(Date.now() / 1000);

/**
 * The rules of a user's authorization of a consumer (`oauth_accepted_consumer`, docs/architecture.md
 * "Where each rule lives"): how consent and OAuth 1.0a authorize create it, how a provider Grant
 * and every OAuth 2 access token hang off it, how it is rebuilt for a later request, and that a
 * password change revokes them all. The provider adapters only translate to and from these calls.
 */
export class GrantService {
  readonly #deps: GrantServiceDeps;

  constructor(deps: GrantServiceDeps) {
    this.#deps = deps;
  }

  /** OAuth 2 consent: the scopes asked for, plus the irrevocable grants, within the consumer's (T413947). */
  consent(consumer: Consumer, userId: number, scopes: Iterable<string>): Promise<Authorization> {
    return this.#deps.authorizations.upsert({ wiki: consumer.wiki, userId, consumerId: consumer.id, grants: grantsToStore(consumer, scopes), oauthVersion: 2 });
  }

  /** OAuth 1.0a authorize: accepted with all the consumer's grants; a new authorization gets a fresh token and secret, an existing one keeps them (confirmUpdate). */
  authorizeOAuth1(consumer: Consumer, userId: number): Promise<Authorization> {
    return this.#deps.authorizations.upsert({ wiki: consumer.wiki, userId, consumerId: consumer.id, grants: consumer.grants, oauthVersion: 1 });
  }

  /**
   * The scopes of a grant rebuilt from the user's stored authorization, so a later request with the
   * same or fewer scopes skips consent also in a new browser session; undefined without one.
   */
  async existingScopes(consumer: Consumer, userId: number): Promise<string[] | undefined> {
    const authorization = await this.#deps.authorizations.find(userId, consumer.id, consumer.wiki);
    if (!authorization) return undefined;
    return scopesOfAuthorization(authorization.grants);
  }

  /**
   * A provider Grant belongs to the user's authorization of its client: saved pointing at it, so
   * revoking the authorization revokes the Grant. No authorization: `not_authorized`.
   */
  async saveGrant(grantId: string, clientKey: string, userId: number, payload: object, expiresIn: number | undefined): Promise<void> {
    const consumer = await this.#deps.consumers.get(clientKey);
    const authorization = consumer && (await this.#deps.authorizations.find(userId, consumer.id, consumer.wiki));
    if (!authorization) throw new DomainError('not_authorized', 'the user has not authorized this application');
    await this.#deps.grantRecords.save(grantId, authorization.id, payload, expiresIn ? now() + expiresIn : undefined);
  }

  async findGrant(grantId: string): Promise<Record<string, unknown> | undefined> {
    return (await this.#deps.grantRecords.find(grantId))?.payload;
  }

  /** Logout, code replay and refresh reuse destroy a Grant, never the user's authorization. */
  destroyGrant(grantId: string): Promise<void> {
    return this.#deps.grantRecords.destroy(grantId);
  }

  /**
   * Every OAuth 2 access token is registered (MediaWiki's `oauth2_access_tokens`) with an
   * authorization: a user's token with the one of its Grant; a client_credentials token with its
   * owner's authorization when the consumer is owner-only, else with none (0, a machine token).
   */
  async registerAccessToken(tokenId: string, holder: { readonly grantId?: string } | { readonly clientId: string }, expiresAt: number | undefined): Promise<void> {
    await this.#deps.accessTokens.register(tokenId, expiresAt, await this.#acceptanceOfToken(holder));
  }

  async #acceptanceOfToken(holder: { readonly grantId?: string } | { readonly clientId: string }): Promise<number> {
    if (!('clientId' in holder)) return holder.grantId ? ((await this.acceptanceOfGrant(holder.grantId)) ?? 0) : 0;
    const consumer = await this.#deps.consumers.get(holder.clientId);
    if (!consumer?.ownerOnly) return 0;
    return (await this.#deps.authorizations.find(consumer.ownerId, consumer.id, consumer.wiki))?.id ?? 0;
  }

  /** The `oauth_accepted_consumer` id a provider Grant belongs to. */
  async acceptanceOfGrant(grantId: string): Promise<number | undefined> {
    return (await this.#deps.grantRecords.find(grantId))?.acceptanceId;
  }

  /** A new password revokes every authorization of the user (and so its grants and tokens). */
  async passwordChanged(userId: number): Promise<number> {
    return (await this.#deps.authorizations.delete({ userId })).count;
  }
}
