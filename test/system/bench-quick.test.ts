import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LoadResult, LoadSpec } from '../../bench/load-spec.js';
import { REPO_ROOT, run } from '../helpers/cli.js';

/**
 * Issue 4: `npm run bench -- --quick` runs in CI in under two minutes and fails on any unexpected
 * response (ratios are reported, not asserted). Runs the built benchmark (`npm run build` first).
 */
describe('the benchmark', () => {
  it('runs every workload against every target in quick mode, in under two minutes, without errors', { timeout: 150_000 }, async () => {
    const started = Date.now();
    const results = mkdtempSync(join(tmpdir(), 'wikiauth-bench-results-'));
    const result = await run(process.execPath, ['dist/bench/run.js', '--quick', '--results', results], { cwd: REPO_ROOT, env: {}, timeoutMs: 140_000 });
    const seconds = (Date.now() - started) / 1000;
    expect(result.stderr).not.toContain('FAILED');
    expect(result.code).toBe(0);
    expect(seconds).toBeLessThan(120);
    const rows = result.stdout.split('\n').filter((line) => /^\| (?!workload|---)/.test(line));
    expect(rows).toHaveLength(6 * 4);
    for (const row of rows) {
      const [, workload, target, rps, , , errors] = row.split('|').map((cell) => cell.trim());
      expect([workload, target, Number(rps) > 0, Number(errors)]).toEqual([workload, target, true, 0]);
    }
    expect(result.stdout).toContain('oidc-provider (memory)');
    expect(result.stdout).toContain('wikiauth MariaDB+Redis ×2');
    const [saved] = readdirSync(results);
    expect(JSON.parse(readFileSync(join(results, saved!), 'utf8')).rows).toHaveLength(6 * 4);
    rmSync(results, { recursive: true, force: true });
  });

  it('counts every response it did not expect as an error: a wrong status, a redirect elsewhere, a body without the member', async () => {
    let served = 0;
    const server = createServer((req, res) => {
      served++;
      if (req.url === '/fail') res.writeHead(500).end('{"error":"server_error"}');
      else if (req.url === '/elsewhere') res.writeHead(303, { location: 'https://evil.example/callback?code=x' }).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"other":true}');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dir = mkdtempSync(join(tmpdir(), 'wikiauth-bench-test-'));
    try {
      for (const step of [
        { name: 'status', method: 'GET', path: '/fail', expect: { status: [200] } },
        { name: 'redirect', method: 'GET', path: '/elsewhere', expect: { status: [303], redirectTo: 'https://app.example/callback?' } },
        { name: 'body', method: 'GET', path: '/ok', expect: { status: [200], json: 'access_token' } },
      ] as const) {
        const spec: LoadSpec = { url, connections: 2, duration: 1, amount: 20, steps: [step] };
        writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
        const out = await run(process.execPath, ['dist/bench/load.js', join(dir, 'spec.json')], { cwd: REPO_ROOT, env: {} });
        const result = JSON.parse(out.stdout) as LoadResult;
        expect([step.name, result.requests, result.errors]).toEqual([step.name, 20, 20]);
      }
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
    expect(served).toBeGreaterThanOrEqual(60);
  });
});
