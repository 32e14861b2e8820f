import { afterAll, beforeAll } from 'vitest';
import type { Clock } from '../../src/domain/clock.js';
import type { TestDatabase } from './databases.js';
import { startSeededServer, type SeededServer } from './server.js';

/** What the enclosing describe's hooks started: read it inside hooks and tests, not while collecting. */
export interface SeededSuite {
  readonly db: TestDatabase;
  readonly server: SeededServer;
}

/**
 * Registers the hooks of the usual integration suite: before all its tests, a fresh database from
 * `makeDb` and a seeded server on it (`startSeededServer`); after them, the server closed and the
 * database dropped.
 */
export function useSeededServer(
  makeDb: () => TestDatabase | Promise<TestDatabase>,
  env: Record<string, string> = {},
  opts: { clock?: Clock } = {},
): SeededSuite {
  let db: TestDatabase | undefined;
  let server: SeededServer | undefined;
  beforeAll(async () => {
    db = await makeDb();
    server = await startSeededServer(db, env, opts);
  });
  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useSeededServer: read in a test or hook, after beforeAll');
    return value;
  };
  return {
    get db() {
      return started(db);
    },
    get server() {
      return started(server);
    },
  };
}
