import type { Knex } from 'knex';
import type { Config } from './config/config.js';
import { AccountService } from './domain/accounts/account-service.js';
import { ClientRegistrationService } from './domain/consumers/client-registration.js';
import { ConsumerCache } from './domain/consumers/consumer-cache.js';
import { ConsumerService } from './domain/consumers/consumer-service.js';
import { ConsumerWorkflow } from './domain/consumers/consumer-workflow.js';
import type { ManagementLog } from './domain/consumers/management-log.js';
import type { Clock } from './domain/clock.js';
import { DomainError } from './domain/errors.js';
import { ShortMemo } from './domain/short-memo.js';
import type { UserProfile } from './domain/accounts/account-service.js';
import type { AccessTokenRegistry, GrantRecordRepository } from './domain/grants/access-token-registry.js';
import type { AuthorizationRepository } from './domain/grants/authorization.js';
import { AuthorizationService } from './domain/grants/authorization-service.js';
import { GrantService } from './domain/grants/grant-service.js';
import { KeyService } from './domain/keys/key-service.js';
import { AccessTokenJwt } from './domain/tokens/access-token-jwt.js';
import { OwnerOnlyTokenIssuer } from './domain/tokens/owner-only-token.js';
import { createKnex } from './storage/sql/create-knex.js';
import { withDatabaseLock } from './storage/sql/database-lock.js';
import { translateDriverError, unavailableOnDriverErrors } from './storage/driver-errors.js';
import { migrateLatest, pendingMigrations } from './storage/sql/migrate.js';
import { SqlAccessTokenRegistry, SqlGrantRecordRepository } from './storage/sql/sql-access-token-registry.js';
import { SqlAccountRepository } from './storage/sql/sql-account-repository.js';
import { SqlAuthorizationRepository } from './storage/sql/sql-authorization-repository.js';
import { openWikiSessions, placeStores, type PlacedStores } from './compose-storage.js';
import type { OpenedWikiSessions } from './storage/mediawiki-sessions.js';
import { ProviderArtifacts } from './provider/artifact-placement.js';
import { SqlConsumerRepository } from './storage/sql/sql-consumer-repository.js';
import { SqlKeyRepository } from './storage/sql/sql-key-repository.js';
import { SqlManagementLog } from './storage/sql/sql-management-log.js';
import { commonPasswords } from './storage/common-passwords.js';
import type { SessionGenerations } from './domain/accounts/session-generations.js';
import { MediaWikiManagementLog } from './storage/sql/mediawiki-management-log.js';
import { inspectMediaWikiSchema, STANDALONE_SCHEMA } from './storage/sql/mediawiki-schema.js';
import type { WikiSessionSource } from './domain/accounts/wiki-session.js';
import { TwoFactorService } from './domain/accounts/two-factor-service.js';
import { enrolmentLayout, sqlEnrolmentRepository, type EnrolmentLayout } from './storage/sql/sql-enrolment-repository.js';
import { otplibTotp } from './security/totp.js';

/** User::MAINTENANCE_SCRIPT_USER: who command-line actions are logged as on a wiki. */
const MAINTENANCE_USER = 'Maintenance script';

/** Storage plus the domain services on top of it: what the CLI and the HTTP app share. */
export interface Services {
  readonly config: Config;
  readonly db: Knex;
  readonly accounts: AccountService;
  readonly consumers: ConsumerService;
  /** Consumers by key for hot paths; cleared by every consumer write of this process. */
  readonly consumerCache: ConsumerCache;
  /** User profiles for token requests, memoized a few seconds (three queries each). */
  readonly profiles: { profile(id: number): Promise<UserProfile | undefined> };
  /** Stages, reviews, updates and expiry of consumers, with MediaWiki's rights. */
  readonly consumerWorkflow: ConsumerWorkflow;
  /** RFC 7591/7592 clients as consumers (issue 7). */
  readonly registrations: ClientRegistrationService;
  readonly authorizations: AuthorizationRepository;
  /** The apps a user authorized: list, revoke one, revoke all. */
  readonly authorizationService: AuthorizationService;
  /** Consent, OAuth 1.0a authorize, provider Grants and access tokens under authorizations. */
  readonly grants: GrantService;
  /** The short-lived ports, each on the backend chosen for it (src/compose-storage.ts). */
  readonly stores: PlacedStores;
  /** oidc-provider's artifacts over their durable and short-lived places. */
  readonly providerArtifacts: ProviderArtifacts;
  /** Per-user session generations: site sessions check theirs on each use. */
  readonly sessionGenerations: SessionGenerations;
  /** Two-factor enrolments in OATHAuth's tables: isEnrolled, verifySecondFactor, confirmNewKey, enrol, disable. */
  readonly twoFactor: TwoFactorService;
  readonly grantRecords: GrantRecordRepository;
  readonly accessTokens: AccessTokenRegistry;
  readonly keys: KeyService;
  readonly log: ManagementLog;
  /** Resolves when the database answers (`/readyz`). */
  ping(): Promise<void>;
  /** Whether any account exists (the first start says how to create one). */
  hasAccounts(): Promise<boolean>;
  /** Signing keys exist; instances starting together on an empty database agree on the first ones. */
  ensureFirstKeys(): Promise<void>;
  /** The wiki's session store and users (MEDIAWIKI_SESSION=1). */
  readonly wikiSessions: WikiSessionSource | undefined;
  /** Dependencies `/readyz` reports on, besides the database. */
  readonly readinessChecks: Record<string, () => Promise<void>>;
  close(): Promise<void>;
}

/**
 * Open storage and build the services. SQLite migrates itself; a shared MariaDB/MySQL database is
 * migrated deliberately with `wikiauth migrate`, so two instances never race on a schema change.
 */
export async function openServices(config: Config, opts: { checkSchema?: boolean; clock?: Clock } = {}): Promise<Services> {
  const db = createKnex(config.database);
  let schema = STANDALONE_SCHEMA;
  let layout: EnrolmentLayout = 'users';
  try {
    if (config.database.client === 'sqlite') {
      await migrateLatest(db);
    } else if (opts.checkSchema !== false) {
      const pending = await pendingMigrations(db);
      if (pending.length) {
        throw new DomainError('schema_outdated', `the database needs ${pending.length} migration(s); run \`wikiauth migrate\` first`);
      }
    }
    if (config.mediawiki) schema = await inspectMediaWikiSchema(db);
    layout = await enrolmentLayout(db);
  } catch (err) {
    await db.destroy();
    throw translateDriverError(err, 'the database');
  }
  const accountRepository = unavailableOnDriverErrors(new SqlAccountRepository(db, schema));
  const stores = await placeStores(config, db);
  const { sessionGenerations } = stores;
  let wiki: OpenedWikiSessions | undefined;
  try {
    wiki = config.wikiSession && (await openWikiSessions(config.wikiSession, db));
  } catch (err) {
    stores.close();
    await db.destroy();
    throw translateDriverError(err, 'the database');
  }
  const readinessChecks = { ...stores.readinessChecks, ...wiki?.readinessChecks };
  const providerArtifacts = new ProviderArtifacts(stores.providerArtifacts);
  const authorizations = revokingGrantArtifacts(unavailableOnDriverErrors(new SqlAuthorizationRepository(db)), providerArtifacts);
  const twoFactor = new TwoFactorService({
    enrolments: unavailableOnDriverErrors(sqlEnrolmentRepository(db, layout)),
    steps: stores.usedTotpSteps,
    totp: otplibTotp,
    sessions: sessionGenerations,
  });
  const accounts = new AccountService(accountRepository, {
    rights: config.rights,
    blockDisablesLogin: config.blockDisablesLogin,
    pbkdf2: config.passwordPbkdf2,
    commonPasswords: commonPasswords(),
    sessions: sessionGenerations,
  }, { passwordChanged: (userId) => grants.passwordChanged(userId) });
  // On a wiki's database the log is the wiki's own; the command line acts as MediaWiki's maintenance user.
  const log = unavailableOnDriverErrors(
    config.mediawiki ? new MediaWikiManagementLog(db, async () => (await accounts.systemAccount(MAINTENANCE_USER)).id) : new SqlManagementLog(db),
  );
  const memo = opts.clock ? { clock: opts.clock } : {};
  const consumerCache = new ConsumerCache((key) => consumers.findByKey(key), memo);
  const consumerRepository = consumerCache.watching(unavailableOnDriverErrors(new SqlConsumerRepository(db)));
  const accessTokens = unavailableOnDriverErrors(new SqlAccessTokenRegistry(db));
  const keys = new KeyService(unavailableOnDriverErrors(new SqlKeyRepository(db)), config.secretKey, config.oauth2PrivateKey);
  const ownerOnlyTokens = new OwnerOnlyTokenIssuer({
    signer: async () => {
      await keys.ensureKeys();
      return new AccessTokenJwt((await keys.keySet()).accessToken);
    },
    registry: accessTokens,
    issuer: config.issuer,
  });
  const consumers: ConsumerService = new ConsumerService({
    consumers: consumerRepository,
    accounts: accountRepository,
    authorizations,
    log,
    secretKey: config.secretKey,
    autoApprove: config.autoApprove,
    ownerOnlyTokens,
    ownerOnlyCallbackUrl: `${config.issuer}${config.scriptPath}/index.php?title=Special:OAuth/verified`,
  });
  const grantRecords = unavailableOnDriverErrors(new SqlGrantRecordRepository(db));
  const grants = new GrantService({ authorizations, grantRecords, accessTokens, consumers: consumerCache });
  const profileMemo = new ShortMemo((id: number) => accounts.profile(id), memo);
  return {
    config,
    db,
    accounts,
    consumers,
    consumerCache,
    profiles: { profile: (id) => profileMemo.get(id) },
    consumerWorkflow: new ConsumerWorkflow({
      consumers: consumerRepository,
      service: consumers,
      authorizations,
      log,
      secretKey: config.secretKey,
      requestExpirationAge: config.requestExpirationAge,
      ownerOnlyTokens,
    }),
    registrations: new ClientRegistrationService({ consumers: consumerRepository, consumerService: consumers, accounts, log, approve: config.registration.approve, autoApprove: config.autoApprove }),
    authorizations,
    authorizationService: new AuthorizationService({ authorizations, consumers: consumerRepository }),
    stores,
    providerArtifacts,
    sessionGenerations,
    twoFactor,
    grants,
    grantRecords,
    accessTokens,
    readinessChecks,
    wikiSessions: wiki?.source,
    keys,
    log,
    ping: async () => void (await db.raw('select 1')),
    // One row is enough to know: a wiki's `user` table may hold millions.
    hasAccounts: async () => (await db('user').first('user_id')) !== undefined,
    ensureFirstKeys: () => withDatabaseLock(db, 'wikiauth_first_keys', () => keys.ensureKeys()),
    close: async () => {
      stores.close();
      wiki?.close();
      await db.destroy();
    },
  };
}

/**
 * The SQL repository deletes an authorization with its grants, tokens and SQL artifacts in one
 * transaction; a separate short-lived store cannot join it, so its artifacts of those grants go
 * right after.
 */
function revokingGrantArtifacts(repository: AuthorizationRepository, artifacts: ProviderArtifacts): AuthorizationRepository {
  return {
    findById: (id) => repository.findById(id),
    findByAccessToken: (token) => repository.findByAccessToken(token),
    find: (userId, consumerId, wiki) => repository.find(userId, consumerId, wiki),
    listByUser: (userId) => repository.listByUser(userId),
    countByConsumer: (consumerId) => repository.countByConsumer(consumerId),
    upsert: (input, opts) => repository.upsert(input, opts),
    async delete(where) {
      const deleted = await repository.delete(where);
      await artifacts.dropGrants(deleted.grantIds);
      return deleted;
    },
  };
}
