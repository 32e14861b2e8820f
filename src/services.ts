import type { Knex } from 'knex';
import type { Config } from './config/config.js';
import { AccountService } from './domain/accounts/account-service.js';
import type { ArtifactStore } from './domain/artifacts/artifact-store.js';
import { hashingCredentialIds } from './domain/artifacts/hashed-ids.js';
import { ClientRegistrationService } from './domain/consumers/client-registration.js';
import { ConsumerService } from './domain/consumers/consumer-service.js';
import { ConsumerWorkflow } from './domain/consumers/consumer-workflow.js';
import type { ManagementLog } from './domain/consumers/management-log.js';
import { DomainError } from './domain/errors.js';
import type { AccessTokenRegistry, GrantRecordRepository } from './domain/grants/access-token-registry.js';
import type { AuthorizationRepository } from './domain/grants/authorization.js';
import { AuthorizationService } from './domain/grants/authorization-service.js';
import { KeyService } from './domain/keys/key-service.js';
import { AccessTokenJwt } from './domain/tokens/access-token-jwt.js';
import { OwnerOnlyTokenIssuer } from './domain/tokens/owner-only-token.js';
import { createKnex } from './storage/sql/create-knex.js';
import { migrateLatest, pendingMigrations } from './storage/sql/migrate.js';
import { SqlAccessTokenRegistry, SqlGrantRecordRepository } from './storage/sql/sql-access-token-registry.js';
import { SqlAccountRepository } from './storage/sql/sql-account-repository.js';
import { openShortLivedStorage } from './storage/short-lived-storage.js';
import { SqlConsumerRepository } from './storage/sql/sql-consumer-repository.js';
import { SqlKeyRepository } from './storage/sql/sql-key-repository.js';
import { SqlManagementLog } from './storage/sql/sql-management-log.js';

/** Storage plus the domain services on top of it: what the CLI and the HTTP app share. */
export interface Services {
  readonly config: Config;
  readonly db: Knex;
  readonly accounts: AccountService;
  readonly consumers: ConsumerService;
  /** Stages, reviews, updates and expiry of consumers, with MediaWiki's rights. */
  readonly consumerWorkflow: ConsumerWorkflow;
  /** RFC 7591/7592 clients as consumers (issue 7). */
  readonly registrations: ClientRegistrationService;
  readonly authorizations: AuthorizationRepository;
  /** The apps a user authorized: list, revoke one, revoke all. */
  readonly authorizationService: AuthorizationService;
  readonly artifacts: ArtifactStore;
  readonly grantRecords: GrantRecordRepository;
  readonly accessTokens: AccessTokenRegistry;
  readonly keys: KeyService;
  readonly log: ManagementLog;
  /** Dependencies `/readyz` reports on, besides the database. */
  readonly readinessChecks: Record<string, () => Promise<void>>;
  close(): Promise<void>;
}

/**
 * Open storage and build the services. SQLite migrates itself; a shared MariaDB/MySQL database is
 * migrated deliberately with `wikiauth migrate`, so two instances never race on a schema change.
 */
export async function openServices(config: Config, opts: { checkSchema?: boolean } = {}): Promise<Services> {
  const db = createKnex(config.database);
  try {
    if (config.database.client === 'sqlite') {
      await migrateLatest(db);
    } else if (opts.checkSchema !== false) {
      const pending = await pendingMigrations(db);
      if (pending.length) {
        throw new DomainError('schema_outdated', `the database needs ${pending.length} migration(s); run \`wikiauth migrate\` first`);
      }
    }
  } catch (err) {
    await db.destroy();
    throw err;
  }
  const accountRepository = new SqlAccountRepository(db);
  const shortLived = await openShortLivedStorage(config, db);
  const { authorizations, readinessChecks, close: closeShortLived } = shortLived;
  const artifacts = hashingCredentialIds(shortLived.artifacts);
  const log = new SqlManagementLog(db);
  const consumerRepository = new SqlConsumerRepository(db);
  const accessTokens = new SqlAccessTokenRegistry(db);
  const keys = new KeyService(new SqlKeyRepository(db), config.secretKey, config.oauth2PrivateKey);
  const consumers = new ConsumerService({
    consumers: consumerRepository,
    accounts: accountRepository,
    authorizations,
    log,
    secretKey: config.secretKey,
    autoApprove: config.autoApprove,
    ownerOnlyTokens: new OwnerOnlyTokenIssuer({
      signer: async () => {
        await keys.ensureKeys();
        return new AccessTokenJwt((await keys.keySet()).accessToken);
      },
      registry: accessTokens,
      issuer: config.issuer,
    }),
    ownerOnlyCallbackUrl: `${config.issuer}${config.scriptPath}/index.php?title=Special:OAuth/verified`,
  });
  const accounts = new AccountService(accountRepository);
  return {
    config,
    db,
    accounts,
    consumers,
    consumerWorkflow: new ConsumerWorkflow({
      consumers: consumerRepository,
      service: consumers,
      authorizations,
      log,
      secretKey: config.secretKey,
      requestExpirationAge: config.requestExpirationAge,
    }),
    registrations: new ClientRegistrationService({ consumers: consumerRepository, consumerService: consumers, accounts, log, approve: config.registration.approve, autoApprove: config.autoApprove }),
    authorizations,
    authorizationService: new AuthorizationService({ authorizations, consumers: consumerRepository }),
    artifacts,
    grantRecords: new SqlGrantRecordRepository(db),
    accessTokens,
    readinessChecks,
    keys,
    log,
    close: async () => {
      closeShortLived();
      await db.destroy();
    },
  };
}
