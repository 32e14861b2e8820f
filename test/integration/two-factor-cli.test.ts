import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatOathData } from '../../src/domain/accounts/two-factor.js';
import { newOathKey } from '../../src/security/oath-keys.js';
import { lines, runCli, type CliResult } from '../helpers/cli.js';
import { TEST_SECRET_KEY } from '../helpers/config.js';
import { DIALECTS, type TestDatabase } from '../helpers/databases.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { signIn } from '../helpers/site.js';

const USER = { name: 'Olive oath', password: 'olive-password-1' };

function expectOneLineError(result: CliResult, code: number, pattern: RegExp): void {
  expect(result.code, result.stderr).toBe(code);
  expect(result.stdout).toBe('');
  expect(lines(result.stderr)).toHaveLength(1);
  expect(result.stderr).toMatch(pattern);
}

// `wikiauth disableOATHAuthForUser` (OATHAuth's maintenance script) on a server's database: the
// enrolment goes, and with it every site session of the user, on every instance.
describe.each(DIALECTS)('disableOATHAuthForUser on %s', (_name, makeDb) => {
  let db: TestDatabase;
  let server: TestServer;
  let cwd: string;
  let userId: number;
  const cli = (...args: string[]) => runCli(args, { cwd, env: { DATABASE_URL: db.url, SECRET_KEY: TEST_SECRET_KEY, ...db.env } });

  beforeAll(async () => {
    db = await makeDb();
    server = await startServer(db);
    cwd = mkdtempSync(join(tmpdir(), 'wikiauth-oath-cli-'));
    userId = (await server.services.accounts.create(USER)).id;
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('refuses a missing name, an unknown user and a user without two-factor, each with one line', async () => {
    expectOneLineError(await cli('disableOATHAuthForUser'), 2, /^wikiauth: expected one user name \(usage: disableOATHAuthForUser <username>\)$/m);
    expectOneLineError(await cli('disableOATHAuthForUser', 'Nobody here'), 1, /^wikiauth: User Nobody here doesn't exist!$/m);
    expectOneLineError(await cli('disableOATHAuthForUser', 'Olive_oath'), 1, /^wikiauth: User Olive oath doesn't have OATHAuth enabled!$/m);
  });

  it('removes the enrolment (the name read as MediaWiki reads it) and ends the old sessions', async () => {
    const agent = await signIn(server.issuer, USER);
    // The row as OATHAuth writes it.
    await server.services.db('oathauth_users').insert({ id: userId, module: 'totp', data: formatOathData(newOathKey()) });
    expect(await server.services.twoFactor.isEnrolled(userId)).toBe(true);
    const page = await agent.get('/wiki/Special:OATHManage');
    expect(page.status).toBe(200);
    await page.arrayBuffer();

    const result = await cli('disableOATHAuthForUser', 'olive_oath');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(lines(result.stdout)).toEqual(['OATHAuth disabled for Olive oath.']);
    expect(await server.services.db('oathauth_users').where({ id: userId }).first()).toBeUndefined();

    // The old cookie now gets the sign-in page.
    const after = await agent.get('/wiki/Special:OATHManage');
    expect(after.status).toBe(302);
    expect(after.headers.get('location')).toMatch(/^\/wiki\/Special:UserLogin\?returnto=/);
    expectOneLineError(await cli('disableOATHAuthForUser', 'Olive oath'), 1, /doesn't have OATHAuth enabled!$/m);
  });
});
