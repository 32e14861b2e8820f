import type { Adapter, AdapterPayload } from 'oidc-provider';
import { errors } from 'oidc-provider';
import type { ArtifactStore } from '../domain/artifacts/artifact-store.js';
import type { ClientRegistrationService } from '../domain/consumers/client-registration.js';
import type { ConsumerService } from '../domain/consumers/consumer-service.js';
import { DomainError } from '../domain/errors.js';
import type { GrantService } from '../domain/grants/grant-service.js';
import { consumerToClient } from './client-metadata.js';
import type { ConsumerLookup } from '../domain/consumers/consumer-cache.js';
import { registrationError, registrationRequest, type PendingSecrets } from './registration.js';

export interface AdapterDeps {
  readonly artifacts: ArtifactStore;
  readonly consumers: ConsumerService;
  readonly consumerCache: ConsumerLookup;
  readonly grants: GrantService;
  readonly registrations: ClientRegistrationService;
  readonly pendingSecrets: PendingSecrets;
}

const now = () => Math.floor(Date.now() / 1000);

/** Models whose tokens MediaWiki registers in `oauth2_access_tokens`. */
const ACCESS_TOKEN_MODELS: ReadonlySet<string> = new Set(['AccessToken', 'ClientCredentials']);

/**
 * oidc-provider's storage contract, one adapter per model, each a translation with no state of
 * its own between calls:
 * - Client: MediaWiki consumers; written only by dynamic registration (RFC 7591/7592);
 * - Grant: the grant service, which keeps it beside the user's `oauth_accepted_consumer` row;
 * - AccessToken, ClientCredentials: an artifact, registered with the grant service;
 * - everything else: the artifact store, with atomic consume.
 */
export function createAdapterFactory(deps: AdapterDeps): (name: string) => Adapter {
  return (name: string) => {
    if (name === 'Client') return clientAdapter(deps);
    if (name === 'Grant') return grantAdapter(deps.grants);
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
  const { artifacts, grants } = deps;
  return {
    async upsert(id, payload, expiresIn) {
      const grantId = typeof payload.grantId === 'string' ? payload.grantId : undefined;
      await artifacts.upsert(model, id, payload, expiresIn, {
        ...(grantId ? { grantId } : {}),
        ...(typeof payload.uid === 'string' ? { uid: payload.uid } : {}),
        ...(typeof payload.userCode === 'string' ? { userCode: payload.userCode } : {}),
      });
      if (ACCESS_TOKEN_MODELS.has(model)) {
        await grants.registerAccessToken(id, grantId, typeof payload.exp === 'number' ? payload.exp : expiresIn ? now() + expiresIn : undefined);
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
      if (ACCESS_TOKEN_MODELS.has(model)) await grants.removeAccessToken(id);
    },
    revokeByGrantId: (grantId) => artifacts.revokeByGrantId(model, grantId),
  };
}

async function unsupported(): Promise<never> {
  throw new TypeError('not supported for this model');
}
