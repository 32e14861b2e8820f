import { expect } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { runCli, REPO_ROOT } from './cli.js';
import type { TestDatabase } from './databases.js';
import type { TestWiki } from './mediawiki.js';
import { startServer, type TestServer } from './server.js';

/** wikiauth's environment beside a test wiki, signing in from the wiki's sessions (docs/sign-in.md). */
export function wikiSessionEnv(wiki: TestWiki, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: wiki.databaseUrl,
    SECRET_KEY: wiki.secretKey,
    MEDIAWIKI_DB: '1',
    ...(wiki.prefix ? { MEDIAWIKI_TABLE_PREFIX: wiki.prefix } : {}),
    MEDIAWIKI_SESSION: '1',
    // The installer's LocalSettings.php sets $wgAuthenticationTokenVersion = "1".
    MEDIAWIKI_AUTH_TOKEN_VERSION: '1',
    ...extra,
  };
}

/** `wikiauth migrate` on the wiki's database. */
export async function migrateWiki(wiki: TestWiki): Promise<void> {
  const migrated = await runCli(['migrate'], { env: wikiSessionEnv(wiki), cwd: REPO_ROOT });
  expect(migrated.code, migrated.stderr).toBe(0);
}

/** wikiauth in-process on the wiki's (migrated) database, with the wiki-session settings and `extra`. */
export function startBesideWiki(wiki: TestWiki, extra: Record<string, string> = {}): Promise<TestServer> {
  const env = wikiSessionEnv(wiki, extra);
  const database: TestDatabase = { name: wiki.db === 'mysql' ? 'mariadb' : 'sqlite', config: loadConfig(env).database, url: wiki.databaseUrl, env, drop: async () => {} };
  return startServer(database);
}
