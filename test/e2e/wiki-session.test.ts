import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot } from '../helpers/browser.js';
import { seedClient, type SeededClient } from '../helpers/fixtures.js';
import { TestWiki, WIKI_ADMIN } from '../helpers/mediawiki.js';
import type { TestServer } from '../helpers/server.js';
import { migrateWiki, startBesideWiki } from '../helpers/wiki-session.js';

const USER = { name: 'Robin Browser', password: 'Robin-pass-86420' };
const SHOT = 'wiki-session';

/**
 * The wiki's session as a person meets it: Chromium signs in on the wiki's own Special:UserLogin form,
 * then opens an application's authorization request on wikiauth (another port of the same host, so
 * the browser sends the wiki's cookies itself) and gets the consent page, no password form; after the
 * wiki's own Special:UserLogout the same request shows the password form.
 */
describe("the wiki's session in Chromium", () => {
  let wiki: TestWiki;
  let server: TestServer;
  let client: SeededClient;
  let browser: Browser;

  beforeAll(async () => {
    wiki = await TestWiki.install({ db: 'mysql' });
    await wiki.serve();
    await wiki.createUser(USER.name, USER.password);
    await migrateWiki(wiki);
    server = await startBesideWiki(wiki);
    await server.services.accounts.setEmail(WIKI_ADMIN.name, 'admin@wiki.example');
    // A callback on a server that answers (the wiki's, with a 404), so the browser shows where it landed.
    client = await seedClient(server.services, { owner: WIKI_ADMIN.name, grants: ['basic'], redirectUri: `${wiki.url}/callback` });
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await wiki?.destroy();
  });

  /** Open the authorization request. */
  async function authorize(page: Page): Promise<string> {
    const url = `${server.issuer}/w/rest.php/oauth2/authorize?${new URLSearchParams({ response_type: 'code', client_id: client.key, redirect_uri: client.redirectUri, scope: 'openid', state: 'st' })}`;
    await page.goto(url);
    return page.url();
  }

  it('signs in from the wiki without a password and asks for it after the wiki\'s logout', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();

    await page.goto(`${wiki.url}/w/index.php?title=Special:UserLogin`);
    await page.fill('#wpName1', USER.name);
    await page.fill('#wpPassword1', USER.password);
    await Promise.all([page.waitForNavigation(), page.click('#wpLoginAttempt')]);
    expect(await page.content()).toContain(USER.name);
    const cookies = await context.cookies(server.issuer);
    expect(cookies.map((c) => c.name)).toContain(`${wiki.dbName}_session`);

    await authorize(page);
    await screenshot(page, SHOT, 'consent');
    expect(await page.locator('#mw-mwoauth-authorize-form').count()).toBe(1);
    expect(await page.locator('#userloginForm').count()).toBe(0);
    await Promise.all([page.waitForURL(`${client.redirectUri}**`), page.click('#wpAccept')]);
    expect(new URL(page.url()).searchParams.get('code')).toBeTruthy();

    // The wiki's own logout page: a form to confirm (MediaWiki 1.39 logs out on POST only).
    await page.goto(`${wiki.url}/w/index.php?title=Special:UserLogout`);
    await Promise.all([page.waitForNavigation(), page.locator('#mw-content-text form [type=submit]').click()]);
    const signedOut = await page.request.get(`${wiki.url}/w/api.php?action=query&meta=userinfo&format=json&formatversion=2`);
    expect(((await signedOut.json()) as { query: { userinfo: { anon?: boolean } } }).query.userinfo.anon).toBe(true);

    await authorize(page);
    await screenshot(page, SHOT, 'after-wiki-logout');
    expect(await page.locator('#userloginForm').count()).toBe(1);
    await context.close();
  });
});
