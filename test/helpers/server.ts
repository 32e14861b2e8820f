import { freePort } from '../../bench/processes.js';
import type { Config } from '../../src/config/config.js';
import type { Clock } from '../../src/domain/clock.js';
import { createKnex } from '../../src/storage/sql/create-knex.js';
import { migrateLatest } from '../../src/storage/sql/migrate.js';
import { start, type RunningServer } from '../../src/main.js';
import type { TestDatabase } from './databases.js';
import { ALICE, seedUsers } from './fixtures.js';
import { testConfig } from './config.js';


/** One free-port helper for tests and the benchmark. */
export { freePort };

export interface TestServer extends RunningServer {
  readonly config: Config;
  readonly issuer: string;
}

/** Start the real service in-process on a free loopback port against a test database. */
export async function startServer(db: TestDatabase, env: Record<string, string> = {}, opts: { clock?: Clock } = {}): Promise<TestServer> {
  const port = await freePort();
  const scheme = env.TLS_CERT ? 'https' : 'http';
  const config = testConfig(db, { PORT: String(port), HOST: '127.0.0.1', ISSUER: `${scheme}://127.0.0.1:${port}`, ...env });
  if (config.database.client === 'mysql') {
    // A shared database is migrated deliberately (`wikiauth migrate`), not by the server.
    const knex = createKnex(config.database);
    await migrateLatest(knex).finally(() => knex.destroy());
  }
  const running = await start(config, opts);
  return { ...running, config, issuer: config.issuer };
}

export interface SeededServer extends TestServer {
  /** Alice's account id (the `sub` her tokens carry). */
  readonly aliceId: number;
}

/** `startServer`, then the users of `fixtures.ts` (Alice, Bob, Admin) created through the service. */
export async function startSeededServer(db: TestDatabase, env: Record<string, string> = {}, opts: { clock?: Clock } = {}): Promise<SeededServer> {
  const server = await startServer(db, env, opts);
  await seedUsers(server.services);
  const alice = await server.services.accounts.findByName(ALICE.name);
  return { ...server, aliceId: alice!.id };
}
