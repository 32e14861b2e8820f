import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { AccessTokenRegistry, RegisteredAccessToken } from '../domain/grants/access-token-registry.js';
import type { GrantService } from '../domain/grants/grant-service.js';
import type { AuthorizationRepository } from '../domain/grants/authorization.js';
import { grantsInScope, scopesOfAuthorization } from '../domain/grants/scopes.js';
import { looksLikeJwt, type AccessTokenClaims } from '../domain/tokens/access-token-jwt.js';
import type { AccessTokenSigner } from './access-token-format.js';
import type { ConsumerLookup } from '../domain/consumers/consumer-cache.js';

export interface AccessTokenAdapterDeps {
  readonly signer: AccessTokenSigner;
  readonly registry: AccessTokenRegistry;
  readonly consumers: ConsumerLookup;
  readonly authorizations: AuthorizationRepository;
  /** Registers each token under its authorization (src/domain/grants/grant-service.ts). */
  readonly grants: Pick<GrantService, 'registerAccessToken'>;
  /** The ids (jtis) of a model's stored tokens under a Grant. */
  tokenIdsOfGrant(model: Model, grantId: string): Promise<string[]>;
  /** A user's access token was stored (pairs it with the refresh token of the same response). */
  accessTokenSaved(jti: string): Promise<void>;
}

type Model = 'AccessToken' | 'ClientCredentials';

const now = () => Math.floor(Date.now() / 1000);

/** Grant ids standing for a wiki-issued token's authorization: `mediawiki:<oaac_id>:<consumer key>`. */
const AUTHORIZATION_GRANT = /^mediawiki:(\d+):([0-9a-f]{32})$/;

/**
 * Access-token storage (docs/mediawiki-compat.md "Access tokens"). The payload is kept under the
 * token's `jti`, which is registered in `oauth2_access_tokens` with its authorization; the JWT
 * itself is stored nowhere. Reading one takes the JWT: signature and times checked as MediaWiki
 * does, then the registration (missing or `oaat_revoked` = revoked). A token another process
 * (the wiki) signed with the same key and registered is read from its claims and its registration.
 */
export function accessTokenAdapters(inner: Record<Model, Adapter>, deps: AccessTokenAdapterDeps): Record<Model, Adapter> {
  const adapter = (model: Model, other: Model): Adapter => ({
    async upsert(id, payload, expiresIn) {
      await inner[model].upsert(id, payload, expiresIn);
      const exp = typeof payload.exp === 'number' ? payload.exp : expiresIn ? now() + expiresIn : undefined;
      await deps.grants.registerAccessToken(id, holder(model, payload), exp);
      if (model === 'AccessToken') await deps.accessTokenSaved(id);
    },
    async find(value) {
      const token = await verifiedToken(value, deps);
      if (!token) return undefined;
      const { claims, registered } = token;
      const stored = await inner[model].find(claims.jti);
      if (stored) return stored.clientId === claims.aud && (model === 'ClientCredentials' || stored.accountId === claims.sub) ? stored : undefined;
      if (await inner[other].find(claims.jti)) return undefined;
      return model === 'AccessToken' ? wikiUserToken(claims, registered, deps) : wikiMachineToken(claims, registered, deps);
    },
    async destroy(id) {
      await inner[model].destroy(id);
      await deps.registry.revoke(id);
    },
    async revokeByGrantId(grantId) {
      // The stored ids of a Grant's tokens are their registered jtis.
      await deps.registry.revokeAll(await deps.tokenIdsOfGrant(model, grantId));
      await inner[model].revokeByGrantId(grantId);
    },
    consume: (id) => inner[model].consume(id),
    findByUid: (uid) => inner[model].findByUid(uid),
    findByUserCode: (code) => inner[model].findByUserCode(code),
  });
  return { AccessToken: adapter('AccessToken', 'ClientCredentials'), ClientCredentials: adapter('ClientCredentials', 'AccessToken') };
}

/** Whose token it is, for its registration: a user's Grant, or the client of a client_credentials token. */
function holder(model: Model, payload: AdapterPayload): { grantId?: string } | { clientId: string } {
  if (model === 'ClientCredentials') return { clientId: String(payload.clientId) };
  return typeof payload.grantId === 'string' ? { grantId: payload.grantId } : {};
}

async function verifiedToken(value: string, deps: AccessTokenAdapterDeps): Promise<{ claims: AccessTokenClaims; registered: RegisteredAccessToken } | undefined> {
  if (typeof value !== 'string' || !looksLikeJwt(value)) return undefined;
  const claims = await deps.signer.jwt.verify(value).catch(() => undefined);
  if (!claims) return undefined;
  const registered = await deps.registry.find(claims.jti);
  return registered && !registered.revoked ? { claims, registered } : undefined;
}

/** A user's token the wiki issued: its user is the authorization's (as the wiki's session provider decides). */
async function wikiUserToken(claims: AccessTokenClaims, registered: RegisteredAccessToken, deps: AccessTokenAdapterDeps): Promise<AdapterPayload | undefined> {
  if (claims.sub === '' || registered.acceptanceId === 0) return undefined;
  const grant = await authorizationGrant(`mediawiki:${registered.acceptanceId}:${claims.aud}`, deps);
  if (!grant) return undefined;
  return {
    ...times(claims),
    jti: claims.jti,
    kind: 'AccessToken',
    clientId: claims.aud,
    accountId: grant.accountId,
    grantId: grant.jti,
    scope: scopesOfAuthorization(grantsInScope(claims.scopes)).join(' '),
  };
}

/** A machine token the wiki issued (client_credentials of a consumer that is not owner-only). */
async function wikiMachineToken(claims: AccessTokenClaims, registered: RegisteredAccessToken, deps: AccessTokenAdapterDeps): Promise<AdapterPayload | undefined> {
  if (claims.sub !== '' || registered.acceptanceId !== 0) return undefined;
  const consumer = await deps.consumers.get(claims.aud);
  if (!consumer || consumer.ownerOnly || consumer.oauthVersion !== 2) return undefined;
  return { ...times(claims), jti: claims.jti, kind: 'ClientCredentials', clientId: claims.aud, scope: grantsInScope(claims.scopes).join(' ') };
}

/** MediaWiki writes times as floats; oidc-provider keeps whole seconds. */
function times(claims: AccessTokenClaims) {
  return { iat: Math.floor(claims.iat), exp: Math.floor(claims.exp) };
}

/**
 * The oidc-provider Grant a wiki-issued token stands on: the authorization itself, read-only
 * (logging out or revoking the token must never delete the user's authorization).
 */
export function authorizationGrants(inner: Adapter, deps: AccessTokenAdapterDeps): Adapter {
  return {
    find: async (id) => (AUTHORIZATION_GRANT.test(id) ? authorizationGrant(id, deps) : inner.find(id)),
    upsert: async (id, payload, expiresIn) => (AUTHORIZATION_GRANT.test(id) ? undefined : inner.upsert(id, payload, expiresIn)),
    destroy: async (id) => (AUTHORIZATION_GRANT.test(id) ? undefined : inner.destroy(id)),
    consume: (id) => inner.consume(id),
    findByUid: (uid) => inner.findByUid(uid),
    findByUserCode: (code) => inner.findByUserCode(code),
    revokeByGrantId: (grantId) => inner.revokeByGrantId(grantId),
  };
}

async function authorizationGrant(id: string, deps: AccessTokenAdapterDeps): Promise<AdapterPayload | undefined> {
  const [, acceptanceId, key] = AUTHORIZATION_GRANT.exec(id) ?? [];
  if (!acceptanceId || !key) return undefined;
  const [authorization, consumer] = await Promise.all([deps.authorizations.findById(Number(acceptanceId)), deps.consumers.get(key)]);
  if (!authorization || !consumer || authorization.consumerId !== consumer.id || consumer.oauthVersion !== 2) return undefined;
  return { jti: id, kind: 'Grant', iat: now(), accountId: String(authorization.userId), clientId: key, openid: { scope: scopesOfAuthorization(authorization.grants).join(' ') } };
}
