import { requireRight, type Actor } from '../accounts/actor.js';
import type { Consumer, ConsumerRepository } from '../consumers/consumer.js';
import { NotFoundError, PermissionError } from '../errors.js';
import type { Authorization, AuthorizationRepository } from './authorization.js';

export interface ConnectedApp {
  readonly authorization: Authorization;
  readonly consumer: Consumer;
}

export interface AuthorizationServiceDeps {
  readonly authorizations: AuthorizationRepository;
  readonly consumers: ConsumerRepository;
}

/**
 * The apps a user authorized (Special:OAuthManageMyGrants, ConsumerAcceptanceSubmitControl
 * "renounce"). Revoking deletes the `oauth_accepted_consumer` row and everything hanging off it:
 * grants, OAuth 2 access and refresh tokens, codes, and the OAuth 1.0a access token, at once.
 */
export class AuthorizationService {
  readonly #deps: AuthorizationServiceDeps;

  constructor(deps: AuthorizationServiceDeps) {
    this.#deps = deps;
  }

  /** The actor's connected apps, newest first. */
  async list(actor: Actor): Promise<ConnectedApp[]> {
    requireRight(actor, 'mwoauthmanagemygrants');
    const authorizations = await this.#deps.authorizations.listByUser(actor.id);
    const apps = await Promise.all(
      authorizations.map(async (authorization) => {
        const consumer = await this.#deps.consumers.findById(authorization.consumerId);
        return consumer && { authorization, consumer };
      }),
    );
    return apps.filter((app): app is ConnectedApp => app !== undefined);
  }

  /** One of the actor's own authorizations; anyone else's is "not found" (no probing). */
  async find(actor: Actor, id: number): Promise<ConnectedApp> {
    requireRight(actor, 'mwoauthmanagemygrants');
    const authorization = Number.isSafeInteger(id) && id > 0 ? await this.#deps.authorizations.findById(id) : undefined;
    const consumer = authorization && authorization.userId === actor.id ? await this.#deps.consumers.findById(authorization.consumerId) : undefined;
    if (!authorization || !consumer) throw new NotFoundError('This connected application');
    return { authorization, consumer };
  }

  /** How many users authorized a consumer: private, like other users' acceptances (`mwoauthviewprivate`). */
  async countForConsumer(actor: Actor, consumerId: number): Promise<number> {
    if (!actor.rights.has('mwoauthviewprivate')) throw new PermissionError('mwoauthviewprivate');
    return this.#deps.authorizations.countByConsumer(consumerId);
  }

  async revoke(actor: Actor, id: number): Promise<ConnectedApp> {
    const app = await this.find(actor, id);
    await this.#delete({ id: app.authorization.id });
    return app;
  }

  async revokeAll(actor: Actor): Promise<number> {
    requireRight(actor, 'mwoauthmanagemygrants');
    return this.#delete({ userId: actor.id });
  }

  async #delete(where: { id?: number; userId?: number }): Promise<number> {
    // The repository removes grants and tokens with the rows, in every store (src/services.ts revokingGrantArtifacts).
    const { count } = await this.#deps.authorizations.delete(where);
    return count;
  }
}
