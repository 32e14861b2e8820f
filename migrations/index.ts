import type { Knex } from 'knex';
import * as createUser from './20261124000001_create-user.js';
import * as createConsumers from './20261124000002_create-consumers.js';
import * as createAuthorizations from './20261124000003_create-authorizations.js';
import * as createKeys from './20261124000004_create-keys.js';
import * as createManagementLog from './20261124000005_create-management-log.js';
import * as createArtifacts from './20261124000006_create-artifacts.js';
import * as consumerTrusted from './20261206000007_consumer-trusted.js';
import * as oathauthUsers from './20261206000008_oathauth-users.js';
import * as consumerTwoFactor from './20261206000009_consumer-two-factor.js';

export interface Migration {
  up(db: Knex): Promise<void>;
  down(db: Knex): Promise<void>;
}

/** Every migration, in order. Listed rather than scanned: directory scans of .ts fail under vitest. */
export const MIGRATIONS: ReadonlyArray<readonly [string, Migration]> = [
  ['20261124000001_create-user', createUser],
  ['20261124000002_create-consumers', createConsumers],
  ['20261124000003_create-authorizations', createAuthorizations],
  ['20261124000004_create-keys', createKeys],
  ['20261124000005_create-management-log', createManagementLog],
  ['20261124000006_create-artifacts', createArtifacts],
  ['20261206000007_consumer-trusted', consumerTrusted],
  ['20261206000008_oathauth-users', oathauthUsers],
  ['20261206000009_consumer-two-factor', consumerTwoFactor],
];

export const migrationSource: Knex.MigrationSource<readonly [string, Migration]> = {
  getMigrations: async () => [...MIGRATIONS],
  getMigrationName: ([name]) => name,
  getMigration: async ([, migration]) => migration,
};
