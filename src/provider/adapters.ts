import type { Adapter, AdapterPayload } from 'oidc-provider';
import { errors } from 'oidc-provider';
import type { ProviderArtifactStore } from '../domain/artifacts/provider-artifacts.js';
import type { ClientRegistrationService } from '../domain/consumers/client-registration.js';
import type { ConsumerService } from '../domain/consumers/consumer-service.js';
import { DomainError } from '../domain/errors.js';
import type { GrantService } from '../domain/grants/grant-service.js';
import type { AccessTokenRegistry } from '../domain/grants/access-token-registry.js';
import type { AuthorizationRepository } from '../domain/grants/authorization.js';
import type { AccessTokenSigner } from './access-token-format.js';
import { accessTokenAdapters, authorizationGrants, type AccessTokenAdapterDeps } from './access-token-adapter.js';
import { consumerToClient } from './client-metadata.js';
import { RefreshTokens } from './refresh-token-adapter.js';
import type { ConsumerLookup } from '../domain/consumers/consumer-cache.js';
import { registrationError, registrationRequest, type PendingSecrets } from './registration.js';

export interface AdapterDeps {
  /** Every model without an adapter of its own (src/provider/artifact-placement.ts places them). */
  readonly artifacts: ProviderArtifactStore;
  readonly consumers: ConsumerService;
  readonly consumerCache: ConsumerLookup;
  readonly grants: GrantService;
  readonly registrations: ClientRegistrationService;
  readonly pendingSecrets: PendingSecrets;
  readonly signer: AccessTokenSigner;
  readonly accessTokens: AccessTokenRegistry;
  readonly authorizations: AuthorizationRepository;
  /** MediaWiki's `$wgOAuth2RefreshTokenGracePeriod`, seconds. */
  readonly refreshTokenGracePeriod: number;
}


/**
 * oidc-provider's storage contract, one adapter per model, each a translation with no state of
 * its own between calls:
 * - Client: MediaWiki consumers; written only by dynamic registration (RFC 7591/7592);
 * - Grant: the grant service, which keeps it beside the user's `oauth_accepted_consumer` row;
 * - AccessToken, ClientCredentials: MediaWiki JWTs, an artifact by `jti` plus its
 *   `oauth2_access_tokens` registration (access-token-adapter.ts);
 * - RefreshToken: paired with its access token, with a grace period (refresh-token-adapter.ts);
 * - everything else: the provider's artifact store, with atomic consume.
 */
export function createAdapterFactory(deps: AdapterDeps): (name: string) => Adapter {
  const accessTokenStore = artifactAdapter('AccessToken', deps);
  const refreshTokens = new RefreshTokens(artifactAdapter('RefreshToken', deps), {
    gracePeriod: deps.refreshTokenGracePeriod,
    // The access-token adapter's own revocation (store and registration row); `tokens` is set below
    // before any token is refreshed.
    revokeAccessToken: (jti) => tokens.AccessToken.destroy(jti),
  });
  const tokenDeps: AccessTokenAdapterDeps = {
    signer: deps.signer,
    registry: deps.accessTokens,
    consumers: deps.consumerCache,
    authorizations: deps.authorizations,
    grants: deps.grants,
    tokenIdsOfGrant: (model, grantId) => deps.artifacts.idsByGrantId(model, grantId),
    accessTokenSaved: (jti) => refreshTokens.accessTokenSaved(jti),
  };
  const tokens = accessTokenAdapters({ AccessToken: accessTokenStore, ClientCredentials: artifactAdapter('ClientCredentials', deps) }, tokenDeps);
  const refreshTokenAdapter = refreshTokens.adapter();
  return (name: string) => {
    if (name === 'Client') return clientAdapter(deps);
    if (name === 'Grant') return authorizationGrants(grantAdapter(deps.grants), tokenDeps);
    if (name === 'AccessToken' || name === 'ClientCredentials') return tokens[name];
    if (name === 'RefreshToken') return refreshTokenAdapter;
    return artifactAdapter(name, deps);
  };
}

function clientAdapter({ consumerCache, consumers, registrations, pendingSecrets }: AdapterDeps): Adapter {
  return {
    async find(id) {
      if (!/^[0-9a-f]{32}$/.test(id)) return undefined;
      const consumer = await consumerCache.get(id);
      return consumer && (consumerToClient(consumer, consumers.clientSecret(consumer)) as AdapterPayload | undefined);
    },
    // Called by the registration endpoints only (create, RFC 7592 update): clients otherwise are
    // managed as consumers (CLI, management pages).
    async upsert(id, payload) {
      const request = registrationRequest(payload);
      try {
        if (await consumers.findByKey(id)) await registrations.update(id, request);
        else await registrations.register(id, pendingSecrets.take(payload.client_secret) ?? null, request);
      } catch (err) {
        throw registrationError(err);
      }
    },
    async destroy(id) {
      try {
        await registrations.remove(id);
      } catch (err) {
        throw registrationError(err);
      }
    },
    consume: unsupported,
    findByUid: async () => undefined,
    findByUserCode: async () => undefined,
    revokeByGrantId: async () => undefined,
  };
}

function grantAdapter(grants: GrantService): Adapter {
  return {
    async upsert(id, payload, expiresIn) {
      try {
        await grants.saveGrant(id, String(payload.clientId), Number(payload.accountId), payload, expiresIn);
      } catch (err) {
        if (err instanceof DomainError && err.code === 'not_authorized') throw new errors.AccessDenied(err.message);
        throw err;
      }
    },
    find: async (id) => (await grants.findGrant(id)) as AdapterPayload | undefined,
    destroy: (id) => grants.destroyGrant(id),
    consume: unsupported,
    findByUid: async () => undefined,
    findByUserCode: async () => undefined,
    revokeByGrantId: async () => undefined,
  };
}

function artifactAdapter(model: string, deps: AdapterDeps): Adapter {
  const { artifacts } = deps;
  return {
    async upsert(id, payload, expiresIn) {
      const grantId = typeof payload.grantId === 'string' ? payload.grantId : undefined;
      await artifacts.upsert(model, id, payload, expiresIn, {
        ...(grantId ? { grantId } : {}),
        ...(typeof payload.uid === 'string' ? { uid: payload.uid } : {}),
        ...(typeof payload.userCode === 'string' ? { userCode: payload.userCode } : {}),
      });
    },
    find: async (id) => (await artifacts.find(model, id)) as AdapterPayload | undefined,
    findByUid: async (uid) => (await artifacts.findByUid(model, uid)) as AdapterPayload | undefined,
    findByUserCode: async (code) => (await artifacts.findByUserCode(model, code)) as AdapterPayload | undefined,
    async consume(id) {
      // The loser of a concurrent exchange gets invalid_grant, never a second token set.
      if (!(await artifacts.consume(model, id))) throw new errors.InvalidGrant('grant already used');
    },
    destroy: (id) => artifacts.destroy(model, id),
    revokeByGrantId: (grantId) => artifacts.revokeByGrantId(model, grantId),
  };
}

async function unsupported(): Promise<never> {
  throw new TypeError('not supported for this model');
}
