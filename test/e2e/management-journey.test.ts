import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as client from 'openid-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot } from '../helpers/browser.js';
import { sqliteDatabase, type TestDatabase } from '../helpers/databases.js';
import { ADMIN, ALICE, BOB } from '../helpers/fixtures.js';
import { startSeededServer, type TestServer } from '../helpers/server.js';
import { pkceAuthorizationUrl } from '../helpers/pkce.js';

const SHOT = 'journey';

/** The test app's redirect target: a tiny local server that remembers the callback URLs it saw. */
async function startTestApp(): Promise<{ server: Server; redirectUri: string; callbacks: URL[] }> {
  const callbacks: URL[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/callback') callbacks.push(url);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>Test app</title><h1>Signed in to the test app</h1>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, redirectUri: `http://127.0.0.1:${port}/callback`, callbacks };
}

/**
 * The whole life of an OAuth 2 client in a real browser: a developer proposes it and copies its
 * secret, an administrator approves it with a reason, a third user signs in to an openid-client
 * app through the consent page and later revokes it on Special:OAuthManageMyGrants, after which
 * the app's refresh and access tokens are refused.
 */
describe('consumer journey in Chromium', () => {
  let db: TestDatabase;
  let server: TestServer;
  let browser: Browser;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    db = sqliteDatabase();
    server = await startSeededServer(db);
    browser = await launchChromium();
    app = await startTestApp();
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
    await db?.drop();
    await new Promise((resolve) => (app ? app.server.close(resolve) : resolve(undefined)));
  });

  /** A fresh browser profile for one person; any script dialog (an XSS) fails the test. */
  async function personPage(): Promise<Page> {
    const context = await browser.newContext({ baseURL: server.issuer, viewport: { width: 1000, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on('dialog', (dialog) => {
      throw new Error(`unexpected script dialog: ${dialog.message()}`);
    });
    return page;
  }

  /** The login form, filled through its labels and sent with the keyboard. */
  async function logIn(page: Page, user: { name: string; password: string }): Promise<void> {
    await expect(page.locator('#userloginForm')).toBeDefined();
    await page.getByLabel('Username').fill(user.name);
    await page.getByLabel('Password').fill(user.password);
    await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/wiki/Special:UserLogin')), page.getByLabel('Password').press('Enter')]);
  }

  let clientKey = '';
  let clientSecret = '';

  it('a developer signs in, proposes an OAuth 2 client and copies its secret', async () => {
    const page = await personPage();
    await page.goto('/wiki/Special:OAuthConsumerRegistration/propose/oauth2');
    expect(new URL(page.url()).pathname).toBe('/wiki/Special:UserLogin');
    await screenshot(page, SHOT, '01-login');
    await logIn(page, ALICE);
    expect(new URL(page.url()).pathname).toBe('/wiki/Special:OAuthConsumerRegistration/propose/oauth2');
    await page.getByLabel('Application name').fill('Journey App');
    await page.getByLabel('Version').fill('1.0');
    await page.getByLabel('Application description').fill('Signs people in and edits pages for them.');
    await page.getByLabel('OAuth "callback" URL').fill(app.redirectUri);
    await page.getByLabel('Request authorization for specific permissions.').check();
    await page.getByLabel(/Edit existing pages/).check();
    await page.getByLabel(/I accept that this site may disable my application/).check();
    expect(await page.getByLabel('Client is confidential').isChecked()).toBe(true);
    await screenshot(page, SHOT, '02-propose-form');
    await Promise.all([page.waitForURL('**/propose/oauth2'), page.getByRole('button', { name: 'Propose consumer' }).click()]);
    await page.waitForSelector('#mw-consumer-secret');
    await screenshot(page, SHOT, '03-consumer-created');
    clientKey = (await page.locator('#mw-consumer-key').textContent())!.trim();
    clientSecret = (await page.locator('#mw-consumer-secret').textContent())!.trim();
    expect(clientKey).toMatch(/^[0-9a-f]{32}$/);
    expect(clientSecret).toMatch(/^[0-9a-f]{40}$/);
    await expect(page.getByRole('status').textContent()).resolves.toContain('An administrator will review it');

    // The secret is shown once: the list and update pages do not repeat it.
    await page.goto('/wiki/Special:OAuthConsumerRegistration/list');
    await screenshot(page, SHOT, '04-my-consumers');
    expect(await page.content()).not.toContain(clientSecret);
    await page.getByRole('link', { name: 'update Journey App' }).click();
    await screenshot(page, SHOT, '05-update-form');
    expect(await page.content()).not.toContain(clientSecret);

    // A hostile name stays text on every page that shows it.
    await page.goto('/wiki/Special:OAuthConsumerRegistration/propose/oauth2');
    await page.getByLabel('Application name').fill('<script>alert(1)</script>');
    await page.getByLabel('Application description').fill('<img src=x onerror=alert(2)>');
    await page.getByLabel('OAuth "callback" URL').fill('https://evil.example/cb');
    await page.getByLabel('User identity verification only, no ability to read pages or act on a user\'s behalf.').check();
    await page.getByLabel(/I accept that this site may disable my application/).check();
    await Promise.all([page.waitForURL('**/propose/oauth2'), page.getByRole('button', { name: 'Propose consumer' }).click()]);
    await expect(page.locator('#firstHeading').textContent()).resolves.toContain('<script>alert(1)</script>');
    await screenshot(page, SHOT, '06-hostile-name-created');
  });

  it('an administrator approves it with a reason', async () => {
    const page = await personPage();
    await page.goto('/wiki/Special:OAuthManageConsumers');
    await logIn(page, ADMIN);
    await screenshot(page, SHOT, '07-manage-hub');
    await page.getByRole('link', { name: 'Proposed requests' }).first().click();
    await screenshot(page, SHOT, '08-proposed-queue');
    await expect(page.getByText('<script>alert(1)</script>').first().isVisible()).resolves.toBe(true);
    await page.getByRole('link', { name: 'review/manage Journey App' }).click();
    expect(new URL(page.url()).pathname).toBe(`/wiki/Special:OAuthManageConsumers/${clientKey}`);
    await page.getByLabel('Approve').check();
    await page.getByLabel('Reason (required)').fill('Checked the callback and the grants');
    await screenshot(page, SHOT, '09-review-form');
    await Promise.all([page.waitForURL(/done=approve/), page.getByLabel('Reason (required)').press('Enter')]);
    await expect(page.locator('#mw-notice').textContent()).resolves.toBe('The request has been approved.');
    await expect(page.locator('#mw-consumer-log').textContent()).resolves.toContain('Checked the callback and the grants');
    await screenshot(page, SHOT, '10-approved');
    expect((await server.services.consumers.findByKey(clientKey))!.stage).toBe('approved');
  });

  it('a third user signs in to an openid-client app, then revokes it; its tokens are refused', async () => {
    const config = await client.discovery(new URL(server.issuer), clientKey, clientSecret, undefined, { execute: [client.allowInsecureRequests] });
    const state = client.randomState();
    const nonce = client.randomNonce();
    const { url: authorizationUrl, verifier } = await pkceAuthorizationUrl(config, {
      redirect_uri: app.redirectUri,
      scope: 'openid profile editpage offline_access',
      prompt: 'consent',
      state,
      nonce,
    });

    const page = await personPage();
    await page.goto(authorizationUrl.href);
    await logIn(page, BOB);
    await page.waitForSelector('#mw-mwoauth-authorize-form');
    await expect(page.locator('#firstHeading').textContent()).resolves.toContain('Journey App');
    await screenshot(page, SHOT, '11-consent');
    await Promise.all([page.waitForURL(`${app.redirectUri}?**`), page.locator('#wpAccept').click()]);
    await screenshot(page, SHOT, '12-test-app');
    // The callback as the browser navigated to it (and the app received it).
    const callback = new URL(page.url());
    expect(app.callbacks.map((seen) => seen.search)).toContain(callback.search);
    expect(callback.searchParams.get('code')).toBeTruthy();

    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    expect(tokens.refresh_token).toBeTruthy();
    const claims = tokens.claims()!;
    expect(claims.sub).toBe(String((await server.services.accounts.findByName('Bob'))!.id));
    const userinfo = () => fetch(`${server.issuer}/w/rest.php/oauth2/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect((await userinfo()).status).toBe(200);
    expect((await client.tokenIntrospection(config, tokens.refresh_token!)).active).toBe(true);

    await page.goto('/wiki/Special:OAuthManageMyGrants');
    await screenshot(page, SHOT, '13-connected-apps');
    await page.getByRole('link', { name: 'review access of Journey App' }).click();
    await screenshot(page, SHOT, '14-connected-app');
    await page.getByRole('button', { name: 'Revoke access' }).click();
    await page.waitForSelector('#mw-notice');
    await expect(page.locator('#mw-notice').textContent()).resolves.toContain('"Journey App" is no longer authorized');
    await expect(page.locator('#mw-no-grants').isVisible()).resolves.toBe(true);
    await screenshot(page, SHOT, '15-revoked');

    expect((await client.tokenIntrospection(config, tokens.refresh_token!)).active).toBe(false);
    expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
    expect((await userinfo()).status).toBe(401);
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('shows the public pages: the application list, a consumer page and Special:ListGrants', async () => {
    const page = await personPage();
    await page.goto('/wiki/Special:OAuthListConsumers?stage=any');
    await expect(page.getByText('<script>alert(1)</script>').first().isVisible()).resolves.toBe(true);
    await screenshot(page, SHOT, '16-list-consumers');
    await page.getByRole('link', { name: /Journey App/ }).click();
    await expect(page.locator('#mw-consumer-log').textContent()).resolves.toContain('approved');
    await screenshot(page, SHOT, '17-consumer-page');
    await page.goto('/wiki/Special:ListGrants');
    await expect(page.getByRole('table', { name: 'Grants and the rights they give' }).isVisible()).resolves.toBe(true);
    await screenshot(page, SHOT, '18-list-grants');
  });
});
