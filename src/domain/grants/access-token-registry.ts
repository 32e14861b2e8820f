/**
 * MediaWiki's `oauth2_access_tokens`: every OAuth 2 access token is registered with the
 * authorization it came from (`oaat_acceptance_id`, 0 for an anonymous client_credentials token),
 * so revoking an authorization revokes its tokens (docs/mediawiki-compat.md §1).
 */
export interface AccessTokenRegistry {
  /** `identifier` is the token's `jti`, never the token itself (a database dump holds no bearer credential). */
  register(identifier: string, expiresAt: number | undefined, acceptanceId: number): Promise<void>;
  /** The registration; MediaWiki treats a missing row like a revoked one. */
  find(identifier: string): Promise<RegisteredAccessToken | undefined>;
  /** `oaat_revoked = 1`: revocation, refresh of the token, reuse of a rotated refresh token. */
  revoke(identifier: string): Promise<void>;
  /** Revoke several at once (every access token of a provider Grant: logout, code or refresh-token replay). */
  revokeAll(identifiers: readonly string[]): Promise<void>;
  /** Revoke every access token registered with an authorization (an owner-only consumer's secret reset). */
  revokeByAcceptance(acceptanceId: number): Promise<void>;
}

export interface RegisteredAccessToken {
  readonly acceptanceId: number;
  readonly revoked: boolean;
}

/** Durable record of an oidc-provider Grant, pointing at the authorization it belongs to. */
export interface GrantRecordRepository {
  save(id: string, acceptanceId: number, payload: object, expiresAt: number | undefined): Promise<void>;
  find(id: string): Promise<{ payload: Record<string, unknown>; acceptanceId: number } | undefined>;
  destroy(id: string): Promise<void>;
  collectGarbage(): Promise<number>;
}
