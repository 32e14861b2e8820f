import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lines, runCli, REPO_ROOT } from '../../helpers/cli.js';
import { TestWiki } from '../../helpers/mediawiki.js';
import type { HttpSession } from '../../helpers/http-session.js';
import type { TestServer } from '../../helpers/server.js';
import { openForm, signIn } from '../../helpers/site.js';
import { oathtoolCode } from '../../helpers/totp.js';

// Two-factor enrolment through wikiauth's Special:OATHManage on a real MediaWiki 1.39 database with
// Debian's bundled OATHAuth: the row wikiauth writes is the wiki's own, so the wiki's login asks for
// the code and accepts one from the key enrolled here; turning it off here (page or command line)
// turns it off on the wiki.

const ENABLE = '/wiki/Special:OATHManage?action=enable&module=totp';
const DISABLE = '/wiki/Special:OATHManage?action=disable&module=totp';
const PAGE_USER = { name: 'Page Enrolled', password: 'Page-pass-24680' };
const CLI_USER = { name: 'Cli Enrolled', password: 'Cli-pass-13579' };


describe('Special:OATHManage on a MediaWiki 1.39 database with OATHAuth', () => {
  let wiki: TestWiki;
  let env: Record<string, string>;
  let server: TestServer;

  beforeAll(async () => {
    wiki = await TestWiki.install({ db: 'mysql', settings: ["wfLoadExtension( 'OATHAuth' );"], update: true });
    await wiki.serve();
    for (const user of [PAGE_USER, CLI_USER]) await wiki.createUser(user.name, user.password);
    env = { DATABASE_URL: wiki.databaseUrl, SECRET_KEY: wiki.secretKey, MEDIAWIKI_DB: '1' };
    const migrated = await runCli(['migrate'], { env, cwd: REPO_ROOT });
    expect(migrated.code, migrated.stderr).toBe(0);
    server = await wiki.startWikiauth(env);
  }, 240_000);

  afterAll(async () => {
    await server?.close();
    await wiki?.destroy();
  });

  /** Enrol through wikiauth's pages; returns the secret read from the page and the signed-in browser. */
  async function enrol(user: { name: string; password: string }, at: number): Promise<{ secret: string; agent: HttpSession }> {
    const agent = await signIn(server.issuer, user);
    const page = await openForm(agent, ENABLE, 'mw-oath-enable-form');
    const secret = /<kbd id="mw-oath-secret">([A-Z2-7 ]+)<\/kbd>/.exec(page.html)![1]!.replace(/ /g, '');
    const res = await agent.postForm(page.action, { ...page.fields, token: oathtoolCode(secret, at) });
    expect(res.status, (await res.text()).slice(0, 300)).toBe(200);
    return { secret, agent };
  }

  it("the wiki asks for the code of a key enrolled here, accepts it, and lets the password alone in once it is disabled here", async () => {
    const t0 = Date.now() / 1000;
    const { secret, agent } = await enrol(PAGE_USER, t0);

    const client = wiki.apiClient();
    const first = await client.clientLogin(PAGE_USER.name, PAGE_USER.password);
    expect(first.status).toBe('UI');
    expect(JSON.stringify(first.requests)).toContain('OATHToken');
    expect((await client.clientLoginContinue({ OATHToken: oathtoolCode(secret, t0 + 30) })).status).toBe('PASS');

    const page = await openForm(agent, DISABLE, 'mw-oath-disable-form');
    expect((await agent.postForm(page.action, { ...page.fields, token: oathtoolCode(secret, t0 + 60) })).status).toBe(200);
    expect((await wiki.apiClient().clientLogin(PAGE_USER.name, PAGE_USER.password)).status).toBe('PASS');
  });

  it('disableOATHAuthForUser removes the wiki\'s row, as the wiki\'s own script does', async () => {
    await enrol(CLI_USER, Date.now() / 1000);
    expect((await wiki.apiClient().clientLogin(CLI_USER.name, CLI_USER.password)).status).toBe('UI');
    const result = await runCli(['disableOATHAuthForUser', 'Cli_Enrolled'], { env, cwd: REPO_ROOT });
    expect(result.stderr).toBe('');
    expect(lines(result.stdout)).toEqual(['OATHAuth disabled for Cli Enrolled.']);
    expect((await wiki.apiClient().clientLogin(CLI_USER.name, CLI_USER.password)).status).toBe('PASS');
  });
});
