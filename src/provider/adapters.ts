import type { Adapter, AdapterPayload } from 'oidc-provider';
import { errors } from 'oidc-provider';
import type { ArtifactStore } from '../domain/artifacts/artifact-store.js';
import type { ClientRegistrationService } from '../domain/consumers/client-registration.js';
import type { ConsumerService } from '../domain/consumers/consumer-service.js';
import type { AccessTokenRegistry, GrantRecordRepository } from '../domain/grants/access-token-registry.js';
import type { AuthorizationRepository } from '../domain/grants/authorization.js';
import type { AccessTokenSigner } from './access-token-format.js';
import { accessTokenAdapters, authorizationGrants, type AccessTokenAdapterDeps } from './access-token-adapter.js';
import { consumerToClient } from './client-metadata.js';
import { RefreshTokens } from './refresh-token-adapter.js';
import type { ConsumerLookup } from '../domain/consumers/consumer-cache.js';
import { registrationError, registrationRequest, type PendingSecrets } from './registration.js';

export interface AdapterDeps {
  readonly artifacts: ArtifactStore;
  readonly consumers: ConsumerService;
  readonly consumerCache: ConsumerLookup;
  readonly authorizations: AuthorizationRepository;
  readonly grants: GrantRecordRepository;
  readonly accessTokens: AccessTokenRegistry;
  readonly registrations: ClientRegistrationService;
  readonly pendingSecrets: PendingSecrets;
  readonly signer: AccessTokenSigner;
  /** MediaWiki's `$wgOAuth2RefreshTokenGracePeriod`, seconds. */
  readonly refreshTokenGracePeriod: number;
}

const now = () => Math.floor(Date.now() / 1000);

/**
 * oidc-provider's storage contract, one adapter per model:
 * - Client: MediaWiki consumers; written only by dynamic registration (RFC 7591/7592);
 * - Grant: `wikiauth_grant`, pointing at the user's `oauth_accepted_consumer` row;
 * - AccessToken, ClientCredentials: MediaWiki JWTs, an artifact by `jti` plus its
 *   `oauth2_access_tokens` registration (access-token-adapter.ts);
 * - everything else: the artifact store, with atomic consume.
 */
export function createAdapterFactory(deps: AdapterDeps): (name: string) => Adapter {
  const acceptanceOfGrant = new Map<string, number>();
  const accessTokenStore = artifactAdapter('AccessToken', deps);
  const refreshTokens = new RefreshTokens(artifactAdapter('RefreshToken', deps), {
    gracePeriod: deps.refreshTokenGracePeriod,
    revokeAccessToken: async (jti) => {
      await deps.accessTokens.revoke(jti);
      await accessTokenStore.destroy(jti);
    },
  });
  const tokenDeps: AccessTokenAdapterDeps = {
    signer: deps.signer,
    registry: deps.accessTokens,
    consumers: deps.consumerCache,
    authorizations: deps.authorizations,
    acceptanceOfGrant: async (grantId) => acceptanceOfGrant.get(grantId) ?? (await deps.grants.find(grantId))?.acceptanceId,
    accessTokenSaved: (jti) => refreshTokens.accessTokenSaved(jti),
  };
  const tokens = accessTokenAdapters({ AccessToken: accessTokenStore, ClientCredentials: artifactAdapter('ClientCredentials', deps) }, tokenDeps);
  const refreshTokenAdapter = refreshTokens.adapter();
  return (name: string) => {
    if (name === 'Client') return clientAdapter(deps);
    if (name === 'Grant') return authorizationGrants(grantAdapter(deps, acceptanceOfGrant), tokenDeps);
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

function grantAdapter(deps: AdapterDeps, acceptanceOfGrant: Map<string, number>): Adapter {
  return {
    async upsert(id, payload, expiresIn) {
      const acceptanceId = await acceptanceFor(deps, String(payload.clientId), String(payload.accountId));
      remember(acceptanceOfGrant, id, acceptanceId);
      await deps.grants.save(id, acceptanceId, payload, expiresIn ? now() + expiresIn : undefined);
    },
    async find(id) {
      const record = await deps.grants.find(id);
      if (!record) return undefined;
      remember(acceptanceOfGrant, id, record.acceptanceId);
      return record.payload as AdapterPayload;
    },
    // Logout, code replay and refresh reuse destroy a Grant, never the user's authorization.
    async destroy(id) {
      acceptanceOfGrant.delete(id);
      await deps.grants.destroy(id);
    },
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

async function acceptanceFor(deps: AdapterDeps, clientId: string, accountId: string): Promise<number> {
  const consumer = await deps.consumerCache.get(clientId);
  const authorization = consumer && (await deps.authorizations.find(Number(accountId), consumer.id, consumer.wiki));
  if (!authorization) throw new errors.AccessDenied('the user has not authorized this application');
  return authorization.id;
}

function remember(map: Map<string, number>, grantId: string, acceptanceId: number): void {
  if (map.size > 10_000) map.clear();
  map.set(grantId, acceptanceId);
}

async function unsupported(): Promise<never> {
  throw new TypeError('not supported for this model');
}
