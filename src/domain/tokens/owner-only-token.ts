import { randomBytes } from 'node:crypto';
import type { Consumer } from '../consumers/consumer.js';
import type { AccessTokenRegistry } from '../grants/access-token-registry.js';
import type { Authorization } from '../grants/authorization.js';
import { AccessTokenJwt } from './access-token-jwt.js';

/** MediaWiki's owner-only tokens expire in P1000Y: never, for practical purposes. */
const THOUSAND_YEARS = 1000 * 365.25 * 86400;

/** Mints the one access token an owner-only OAuth 2 consumer gets at registration (docs/mediawiki-compat.md). */
export interface OwnerOnlyTokens {
  /** `revokeExisting`: every earlier token of the authorization stops working (a secret reset). */
  issue(consumer: Consumer, ownerAuthorization: Authorization, opts?: { revokeExisting?: boolean }): Promise<string>;
}

/**
 * As MediaWiki's `ClientEntity::getOwnerOnlyAccessToken`: a JWT for the owner with every grant of
 * the consumer, registered with the owner's authorization, shown once and stored only by `jti`.
 * Its `jti` is 80 hex characters like the wiki's own.
 */
export class OwnerOnlyTokenIssuer implements OwnerOnlyTokens {
  readonly #deps: { readonly signer: () => Promise<AccessTokenJwt>; readonly registry: AccessTokenRegistry; readonly issuer: string };

  constructor(deps: { signer: () => Promise<AccessTokenJwt>; registry: AccessTokenRegistry; issuer: string }) {
    this.#deps = deps;
  }

  async issue(consumer: Consumer, ownerAuthorization: Authorization, opts: { revokeExisting?: boolean } = {}): Promise<string> {
    // MediaWiki deletes the rows (AccessTokenRepository::deleteForApprovalId); marking them revoked
    // has the same effect and keeps the record (docs/mediawiki-compat.md "Owner-only consumers").
    if (opts.revokeExisting) await this.#deps.registry.revokeByAcceptance(ownerAuthorization.id);
    const jti = randomBytes(40).toString('hex');
    const iat = Math.floor(Date.now() / 1000);
    const exp = Math.floor(iat + THOUSAND_YEARS);
    const token = await (await this.#deps.signer()).sign({ aud: consumer.key, jti, iat, nbf: iat, exp, sub: String(consumer.ownerId), iss: this.#deps.issuer, scopes: consumer.grants });
    await this.#deps.registry.register(jti, exp, ownerAuthorization.id);
    return token;
  }
}
