import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load-config.js';
import type { Config } from '../../src/config/config.js';
import type { TestDatabase } from './databases.js';

export const TEST_SECRET_KEY = 'test-secret-key-0123456789abcdef0123456789abcdef';

/**
 * A Config for tests, built through the real loader from an explicit environment. DATA_DIR is never
 * written: the database and the secret key are given.
 */
export function testConfig(db: TestDatabase, env: Record<string, string> = {}): Config {
  return loadConfig(
    { DATABASE_URL: db.url, SECRET_KEY: TEST_SECRET_KEY, PORT: '0', DATA_DIR: join(tmpdir(), 'wikiauth-test-data-unused'), ...db.env, ...env },
    process.cwd(),
  );
}
