import { expect } from 'vitest';
import { runCli, REPO_ROOT } from './cli.js';
import type { TestWiki } from './mediawiki.js';
import type { TestServer } from './server.js';

/** wikiauth's environment beside a test wiki, signing in from the wiki's sessions (docs/sign-in.md). */
export function wikiSessionEnv(wiki: TestWiki, extra: Record<string, string> = {}): Record<string, string> {
  // The installer's LocalSettings.php sets $wgAuthenticationTokenVersion = "1".
  return wiki.wikiauthEnv({ MEDIAWIKI_SESSION: '1', MEDIAWIKI_AUTH_TOKEN_VERSION: '1', ...extra });
}

/** `wikiauth migrate` on the wiki's database. */
export async function migrateWiki(wiki: TestWiki): Promise<void> {
  const migrated = await runCli(['migrate'], { env: wikiSessionEnv(wiki), cwd: REPO_ROOT });
  expect(migrated.code, migrated.stderr).toBe(0);
}

/** wikiauth in-process on the wiki's (migrated) database, with the wiki-session settings and `extra`. */
export function startBesideWiki(wiki: TestWiki, extra: Record<string, string> = {}): Promise<TestServer> {
  return wiki.startWikiauth(wikiSessionEnv(wiki, extra));
}
