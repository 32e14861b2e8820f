import type { Adapter, AdapterPayload } from 'oidc-provider';
import { errors } from 'oidc-provider';
import type { ArtifactStore } from '../domain/artifacts/artifact-store.js';
import type { ClientRegistrationService } from '../domain/consumers/client-registration.js';
import type { ConsumerService } from '../domain/consumers/consumer-service.js';
import type { AccessTokenRegistry, GrantRecordRepository } from '../domain/grants/access-token-registry.js';
import type { AuthorizationRepository } from '../domain/grants/authorization.js';
import { consumerToClient } from './client-metadata.js';
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
}

const now = () => Math.floor(Date.now() / 1000);

/**
 * oidc-provider's storage contract, one adapter per model:
 * - Client: MediaWiki consumers; written only by dynamic registration (RFC 7591/7592);
 * - Grant: `wikiauth_grant`, pointing at the user's `oauth_accepted_consumer` row;
 * - AccessToken: an artifact plus its `oauth2_access_tokens` registration;
 * - everything else: the artifact store, with atomic consume.
 */
export function createAdapterFactory(deps: AdapterDeps): (name: string) => Adapter {
  const acceptanceOfGrant = new Map<string, number>();
  return (name: string) => {
    if (name === 'Client') return clientAdapter(deps);
    if (name === 'Grant') return grantAdapter(deps, acceptanceOfGrant);
    return artifactAdapter(name, deps, acceptanceOfGrant);
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

function artifactAdapter(model: string, deps: AdapterDeps, acceptanceOfGrant: Map<string, number>): Adapter {
  const { artifacts } = deps;
  return {
    async upsert(id, payload, expiresIn) {
      const grantId = typeof payload.grantId === 'string' ? payload.grantId : undefined;
      await artifacts.upsert(model, id, payload, expiresIn, {
        ...(grantId ? { grantId } : {}),
        ...(typeof payload.uid === 'string' ? { uid: payload.uid } : {}),
        ...(typeof payload.userCode === 'string' ? { userCode: payload.userCode } : {}),
      });
      if (model === 'AccessToken' || model === 'ClientCredentials') {
        const acceptanceId = grantId ? (acceptanceOfGrant.get(grantId) ?? (await deps.grants.find(grantId))?.acceptanceId ?? 0) : 0;
        await deps.accessTokens.register(id, typeof payload.exp === 'number' ? payload.exp : expiresIn ? now() + expiresIn : undefined, acceptanceId);
      }
    },
    find: async (id) => (await artifacts.find(model, id)) as AdapterPayload | undefined,
    findByUid: async (uid) => (await artifacts.findByUid(model, uid)) as AdapterPayload | undefined,
    findByUserCode: async (code) => (await artifacts.findByUserCode(model, code)) as AdapterPayload | undefined,
    async consume(id) {
      // The loser of a concurrent exchange gets invalid_grant, never a second token set.
      if (!(await artifacts.consume(model, id))) throw new errors.InvalidGrant('grant already used');
    },
    async destroy(id) {
      await artifacts.destroy(model, id);
      if (model === 'AccessToken' || model === 'ClientCredentials') await deps.accessTokens.remove(id);
    },
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
