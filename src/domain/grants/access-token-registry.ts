/**
 * MediaWiki's `oauth2_access_tokens`: every OAuth 2 access token is registered with the
 * authorization it came from (`oaat_acceptance_id`, 0 for an anonymous client_credentials token),
 * so revoking an authorization revokes its tokens (docs/mediawiki-compat.md §1).
 */
export interface AccessTokenRegistry {
  register(identifier: string, expiresAt: number | undefined, acceptanceId: number): Promise<void>;
  remove(identifier: string): Promise<void>;
}

/** Durable record of an oidc-provider Grant, pointing at the authorization it belongs to. */
export interface GrantRecordRepository {
  save(id: string, acceptanceId: number, payload: object, expiresAt: number | undefined): Promise<void>;
  find(id: string): Promise<{ payload: Record<string, unknown>; acceptanceId: number } | undefined>;
  destroy(id: string): Promise<void>;
  collectGarbage(): Promise<number>;
}
