import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT } from './cli.js';

export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-results', 'screenshots');

/**
 * Headless Chromium from the system package (docs/architecture.md §10). playwright-core gives every launch a
 * fresh temporary profile and removes it on close; each `browser.newContext()` is a separate
 * cookie jar (one per user).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Save a full-page screenshot as test-results/screenshots/<prefix>-<name>.png. */
export async function screenshot(page: Page, prefix: string, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${prefix}-${name}.png`), fullPage: true });
}
