import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot } from '../helpers/browser.js';
import { run } from '../helpers/cli.js';
import { sqliteDatabase, type TestDatabase } from '../helpers/databases.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { oathtoolCode } from '../helpers/totp.js';

const USER = { name: 'Quinn Scanner', password: 'quinn-password-1' };
const SHOT = 'oath';

/**
 * Enrolment as a person does it: Chromium shows Special:OATHManage with its scripts off (our pages
 * have none), the QR code on the screen is read by a real barcode reader (zbar), the code comes from
 * an independent TOTP implementation with the secret from that QR code, and the recovery codes are
 * on the next screen only.
 */
describe('two-factor enrolment in Chromium', () => {
  let db: TestDatabase;
  let server: TestServer;
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    db = sqliteDatabase();
    server = await startServer(db);
    await server.services.accounts.create(USER);
    browser = await launchChromium();
    dir = mkdtempSync(join(tmpdir(), 'wikiauth-qr-'));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function logIn(page: Page): Promise<void> {
    await page.getByLabel('Username').fill(USER.name);
    await page.getByLabel('Password').fill(USER.password);
    await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/wiki/Special:UserLogin')), page.getByLabel('Password').press('Enter')]);
  }

  it('the QR code scans to the key shown as text, and its code enables two-factor authentication', async () => {
    const context = await browser.newContext({ baseURL: server.issuer, viewport: { width: 900, height: 1200 }, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto('/wiki/Special:OATHManage?action=enable&module=totp');
    await logIn(page);
    await expect(page.locator('#mw-oath-secret').textContent()).resolves.toMatch(/^[A-Z2-7 ]+$/);
    const shown = (await page.locator('#mw-oath-secret').textContent())!.replace(/ /g, '');
    await screenshot(page, SHOT, 'enable');

    const png = join(dir, 'qr.png');
    await page.locator('#mw-oath-qrcode').screenshot({ path: png });
    const scan = await run('zbarimg', ['--quiet', '--raw', '-Sqrcode.enable', png], { cwd: dir, env: {} });
    expect(scan.code, scan.stderr).toBe(0);
    const uri = new URL(scan.stdout.trim());
    expect(`${uri.protocol}//${uri.host}`).toBe('otpauth://totp');
    expect(decodeURIComponent(uri.pathname)).toBe(`/${new URL(server.issuer).host}:${USER.name}`);
    expect(uri.searchParams.get('secret')).toBe(shown);

    await page.getByLabel('Enter a code from your application to verify').fill(oathtoolCode(uri.searchParams.get('secret')!));
    await Promise.all([page.waitForLoadState(), page.getByRole('button', { name: 'Continue' }).click()]);
    await expect(page.locator('#mw-notice').textContent()).resolves.toContain('Two-factor authentication will now be enforced');
    await expect(page.locator('#mw-oath-scratch-tokens li').count()).resolves.toBe(10);
    await screenshot(page, SHOT, 'recovery-codes');
    await context.close();
  });
});
