import type Provider from 'oidc-provider';
import introspection from 'oidc-provider/lib/actions/introspection.js';
import revocation from 'oidc-provider/lib/actions/revocation.js';
import rejectStructuredTokens from 'oidc-provider/lib/shared/reject_structured_tokens.js';
import type { AccessTokenJwt } from '../domain/tokens/access-token-jwt.js';
import { grantsInScope } from '../domain/grants/scopes.js';
import type { ConsumerLookup } from '../domain/consumers/consumer-cache.js';

/** The access-token key pair of the provider being served (replaced when the key set changes). */
export class AccessTokenSigner {
  #jwt: AccessTokenJwt | undefined;

  get jwt(): AccessTokenJwt {
    if (!this.#jwt) throw new TypeError('no access-token key yet');
    return this.#jwt;
  }

  set jwt(jwt: AccessTokenJwt) {
    this.#jwt = jwt;
  }
}

interface TokenModel {
  prototype: { getValueAndPayload(): Promise<{ value: string; payload?: Record<string, unknown> }> };
}

/**
 * OAuth 2 access tokens in MediaWiki's format (docs/mediawiki-compat.md "Access tokens"): the
 * value a client receives is an RS256 JWT whose `jti` is the id oidc-provider stores the token
 * under (the adapter keeps the payload by `jti`, see access-token-adapter.ts). oidc-provider's own
 * JWT format cannot serve here: it stores nothing, so such tokens could not be revoked,
 * introspected or used at userinfo, and its claims differ from MediaWiki's.
 */
export function installAccessTokenFormat(provider: Provider, deps: { signer: AccessTokenSigner; consumers: ConsumerLookup }): void {
  for (const model of [provider.AccessToken, provider.ClientCredentials] as unknown as TokenModel[]) {
    const opaque = model.prototype.getValueAndPayload;
    model.prototype.getValueAndPayload = async function (this: { kind: string; clientId: string; scope?: string }) {
      // MediaWiki's client_credentials without `scope`: every grant of the consumer.
      if (this.kind === 'ClientCredentials' && !this.scope) this.scope = (await deps.consumers.get(this.clientId))?.grants.join(' ') || undefined;
      const { payload } = await opaque.call(this);
      if (!payload) throw new TypeError('access tokens are stored');
      const clientId = String(payload.clientId);
      return { value: await deps.signer.jwt.sign({
        aud: clientId,
        jti: String(payload.jti),
        iat: Number(payload.iat),
        nbf: Number(payload.iat),
        exp: Number(payload.exp),
        sub: typeof payload.accountId === 'string' ? payload.accountId : await machineSubject(deps.consumers, clientId),
        iss: provider.issuer,
        scopes: grantsInScope(String(payload.scope ?? '').split(' ')),
      }), payload };
    };
  }
}

/** MediaWiki: a client_credentials token of an owner-only consumer is its owner's; others have no user (""). */
async function machineSubject(consumers: ConsumerLookup, clientId: string): Promise<string> {
  const consumer = await consumers.get(clientId);
  return consumer?.ownerOnly ? String(consumer.ownerId) : '';
}

/**
 * oidc-provider refuses any JWT at introspection and revocation (RFC 7009/7662 say nothing of the
 * sort: it assumes a JWT is one of its stateless tokens). Ours are stored, so they can be revoked
 * and introspected like opaque ones; the stacks are module-level, so this is done once.
 */
function allowStoredJwts(): void {
  for (const stack of [introspection, revocation]) {
    const at = stack.indexOf(rejectStructuredTokens);
    // The version is pinned; a new layout must fail loudly, not refuse our tokens quietly.
    if (at < 0) throw new TypeError('oidc-provider layout changed: no structured-token refusal to lift');
    stack.splice(at, 1);
  }
}

allowStoredJwts();
