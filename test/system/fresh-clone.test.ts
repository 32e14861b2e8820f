import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lines, run } from '../helpers/cli.js';
import { freshClone, newcomerEnv, NPM_CI_TIMEOUT_MS, type FreshClone } from '../helpers/fresh-clone.js';

describe('a fresh clone of the committed HEAD', () => {
  let clone: FreshClone | undefined;

  afterAll(async () => {
    await clone?.cleanup();
  });

  it('installs with npm ci', async () => {
    clone = await freshClone();
    expect(existsSync(join(clone.dir, 'dist', 'src', 'cli', 'main.js'))).toBe(true);
  }, NPM_CI_TIMEOUT_MS + 30_000);

  it('runs `npx wikiauth createAndPromote` with no environment set, keeping its data under ./data', async () => {
    if (!clone) throw new Error('npm ci did not pass');
    // Only PATH and HOME: no DATABASE_URL, SECRET_KEY or anything else from the test process.
    const result = await run('npx', ['wikiauth', 'createAndPromote', 'Admin', 'secretpass', '--email', 'a@example.org'], { cwd: clone.dir, env: {} });
    // npx itself may warn about the machine's npm configuration; wikiauth must say nothing there.
    expect(lines(result.stderr).filter((line) => !line.startsWith('npm warn'))).toEqual([]);
    expect(result.code).toBe(0);
    expect(lines(result.stdout)).toEqual(['Account "Admin" created (id 1).']);
    expect(existsSync(join(clone.dir, 'data', 'wikiauth.sqlite'))).toBe(true);
    expect(existsSync(join(clone.dir, 'data', 'secret_key'))).toBe(true);
  });

  it('serves discovery within 15 seconds of `npm start`, with no environment set', async () => {
    if (!clone) throw new Error('npm ci did not pass');
    const started = Date.now();
    const child = spawn('npm', ['start'], { cwd: clone.dir, env: newcomerEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    try {
      let discovery: Record<string, unknown> | undefined;
      while (!discovery && Date.now() - started < 15_000) {
        try {
          const res = await fetch('http://localhost:8080/.well-known/openid-configuration', { signal: AbortSignal.timeout(1000) });
          if (res.ok) discovery = (await res.json()) as Record<string, unknown>;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
      expect(discovery, output).toBeDefined();
      expect(discovery!.issuer).toBe('http://localhost:8080');
      expect(discovery!.authorization_endpoint).toBe('http://localhost:8080/w/rest.php/oauth2/authorize');
      expect(output).toContain('listening on http://localhost:8080');
    } finally {
      process.kill(-child.pid!, 'SIGTERM');
    }
  }, 30_000);
});
