/**
 * A user's authorization of a consumer: one `oauth_accepted_consumer` row per (user, consumer,
 * wiki), for OAuth 1.0a and OAuth 2 alike (docs/architecture.md §3 "Authorizations").
 */
export interface Authorization {
  readonly id: number;
  readonly wiki: string;
  readonly userId: number;
  readonly consumerId: number;
  /** OAuth 1.0a access token key (32 hex); generated for OAuth 2 too, as MediaWiki does. */
  readonly accessToken: string;
  /** Raw 32-hex secret; clients see hmacDBSecret() of it. */
  readonly accessSecret: string;
  readonly grants: readonly string[];
  readonly accepted: string;
  readonly oauthVersion: 1 | 2;
}

export interface AuthorizationRepository {
  findById(id: number): Promise<Authorization | undefined>;
  findByAccessToken(token: string): Promise<Authorization | undefined>;
  find(userId: number, consumerId: number, wiki: string): Promise<Authorization | undefined>;
  listByUser(userId: number): Promise<Authorization[]>;
  /** How many users authorized a consumer. */
  countByConsumer(consumerId: number): Promise<number>;
  /**
   * Insert the row for (user, consumer, wiki) with a fresh token and secret, or update its grants
   * keeping them (MediaWiki's `confirmUpdate`: a second device must not sign the first one out).
   * `renewCredentials` replaces token and secret too (an owner-only consumer's secret reset).
   */
  upsert(input: Omit<Authorization, 'id' | 'accessToken' | 'accessSecret' | 'accepted'>, opts?: { renewCredentials?: boolean }): Promise<Authorization>;
  /**
   * Delete authorizations and everything durable that hangs off them (grants, registered access
   * tokens, SQL-stored artifacts of those grants). Returns the grant ids removed, so short-lived
   * stores elsewhere (Redis) can drop their artifacts too.
   */
  delete(where: { id?: number; userId?: number; consumerId?: number }): Promise<{ count: number; grantIds: string[] }>;
}
