/**
 * A consumer (OAuth 1.0a consumer or OAuth 2 client), as stored in `oauth_registered_consumer`.
 * Grant names here are the current ones (`basic`, `mwoauth-authonly`); storage maps them to
 * MediaWiki's legacy names.
 */
export const STAGES = ['proposed', 'approved', 'rejected', 'expired', 'disabled'] as const;
export type Stage = (typeof STAGES)[number];

/** `oarc_stage` values (Consumer::STAGE_*). */
export const STAGE_NUMBER: Readonly<Record<Stage, number>> = { proposed: 0, approved: 1, rejected: 2, expired: 3, disabled: 4 };

export const OAUTH2_GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;
export type OAuth2GrantType = (typeof OAUTH2_GRANT_TYPES)[number];

/** OIDC client metadata MediaWiki has no column for (`wikiauth_consumer_meta`). */
export interface ConsumerMetadata {
  readonly post_logout_redirect_uris?: readonly string[];
  readonly id_token_signed_response_alg?: string;
  readonly require_auth_time?: boolean;
  readonly [extra: string]: unknown;
}

export interface Consumer {
  readonly id: number;
  readonly key: string;
  readonly name: string;
  readonly ownerId: number;
  readonly version: string;
  readonly callbackUrl: string;
  readonly callbackIsPrefix: boolean;
  readonly description: string;
  readonly email: string;
  readonly emailAuthenticated: string | null;
  readonly developerAgreement: boolean;
  readonly ownerOnly: boolean;
  readonly wiki: string;
  readonly grants: readonly string[];
  readonly registration: string;
  /** Raw 32-hex `oarc_secret_key`; clients see hmacDBSecret() of it. */
  readonly secretKey: string | null;
  readonly rsaKey: string | null;
  /** MWRestrictions JSON. */
  readonly restrictions: string;
  readonly stage: Stage;
  readonly stageTimestamp: string;
  readonly deleted: boolean;
  readonly oauthVersion: 1 | 2;
  readonly oauth2AllowedGrants: readonly OAuth2GrantType[];
  readonly oauth2IsConfidential: boolean;
  readonly metadata: ConsumerMetadata;
  /** An administrator's mark: its users are not asked to consent (docs/mediawiki-compat.md "Trusted consumers"). */
  readonly trusted?: boolean;
  /** An administrator's setting: its users must sign in with two factors (docs/sign-in.md, "Authentication levels"). */
  readonly requireTwoFactor?: boolean;
}

export type NewConsumer = Omit<Consumer, 'id'>;

export type ConsumerChanges = Partial<
  Pick<Consumer, 'stage' | 'stageTimestamp' | 'deleted' | 'secretKey' | 'rsaKey' | 'restrictions' | 'metadata' | 'callbackUrl' | 'grants' | 'trusted' | 'requireTwoFactor'>
>;

export interface ConsumerQuery {
  readonly ownerId?: number;
  readonly stage?: Stage;
  readonly name?: string;
  readonly oauthVersion?: 1 | 2;
  readonly includeDeleted?: boolean;
  /** Only consumers whose stage changed before this TS_MW timestamp (expiring idle proposals). */
  readonly stageTimestampBefore?: string;
  /** Newest stage change first (default), or newest registration first (REST ListClients). */
  readonly order?: 'stageTimestamp' | 'id';
  readonly limit?: number;
  readonly offset?: number;
}

/** Storage port for consumers. */
export interface ConsumerRepository {
  findByKey(key: string): Promise<Consumer | undefined>;
  findById(id: number): Promise<Consumer | undefined>;
  /** Latest registered version of a name for an owner (MediaWiki requires new versions to be greater). */
  latestVersion(name: string, ownerId: number): Promise<string | undefined>;
  create(consumer: NewConsumer): Promise<Consumer>;
  update(id: number, changes: ConsumerChanges): Promise<void>;
  /**
   * Compare-and-set: apply the changes only if the row still has the expected values; false if
   * someone changed it first (optimistic locking of management actions).
   */
  updateIf(id: number, expected: ConsumerChanges, changes: ConsumerChanges): Promise<boolean>;
  /** Deletes the consumer and its metadata (authorizations are removed by the caller first). */
  delete(id: number): Promise<void>;
  list(query: ConsumerQuery): Promise<{ consumers: Consumer[]; total: number }>;
}

/** Consumer::isUsableBy (docs/mediawiki-compat.md §2). */
export function isUsableBy(consumer: Consumer, userId: number): boolean {
  if (consumer.stage === 'approved') return !consumer.ownerOnly || consumer.ownerId === userId;
  if (consumer.stage === 'proposed') return consumer.ownerId === userId;
  return false;
}
