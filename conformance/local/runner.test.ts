import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, REPO_ROOT } from '../../test/helpers/cli.js';

/**
 * The runner against a stand-in for the suite's REST API (the real suite cannot run here: it needs
 * Maven Central and MongoDB). Checks what we send: the plan configuration with every placeholder
 * filled, the browser automation and per-module overrides, one runner call per module, the export.
 */
describe('conformance/runner/run-plans.ts', () => {
  let suite: Server;
  let base: string;
  const plans: { name: string; variant: unknown; config: Record<string, any> }[] = [];
  const started: string[] = [];
  let exportDir: string;

  beforeAll(async () => {
    exportDir = mkdtempSync(join(tmpdir(), 'wikiauth-conformance-'));
    suite = createServer(async (req, res) => {
      const url = new URL(req.url!, 'http://suite');
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization !== 'Bearer suite-token') return send(401, { error: 'unauthorized' });
      if (req.method === 'POST' && url.pathname === '/api/plan') {
        plans.push({ name: url.searchParams.get('planName')!, variant: JSON.parse(url.searchParams.get('variant')!), config: JSON.parse(await body(req)) });
        const modules = url.searchParams.get('planName') === 'oidcc-config-certification-test-plan' ? ['oidcc-discovery-endpoint-verification'] : ['oidcc-server', 'oidcc-scope-profile'];
        return send(201, { id: `plan${plans.length}`, modules: modules.map((testModule) => ({ testModule })) });
      }
      if (req.method === 'POST' && url.pathname === '/api/runner') {
        started.push(url.searchParams.get('test')!);
        return send(201, { id: `${url.searchParams.get('test')}-${started.length}`, name: url.searchParams.get('test'), url: 'x' });
      }
      if (url.pathname.startsWith('/api/info/')) {
        const module = url.pathname.slice('/api/info/'.length).replace(/-\d+$/, '');
        return send(200, { status: 'FINISHED', result: module === 'oidcc-scope-profile' ? 'WARNING' : 'PASSED' });
      }
      if (url.pathname.startsWith('/api/log/')) {
        const scope = url.pathname.includes('oidcc-scope-profile');
        return send(200, [{ src: 'ValidateIdToken', result: 'SUCCESS' }, ...(scope ? [{ src: 'VerifyScopesReturnedInUserInfoClaims', result: 'WARNING' }] : [])]);
      }
      if (url.pathname.startsWith('/api/plan/exporthtml/')) {
        res.writeHead(200, { 'content-type': 'application/zip' });
        return res.end(Buffer.from('PK'));
      }
      send(404, { error: 'not found' });
    });
    await new Promise<void>((resolve) => suite.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(suite.address() as { port: number }).port}/`;
  });

  afterAll(async () => {
    await new Promise((resolve) => suite.close(resolve));
    rmSync(exportDir, { recursive: true, force: true });
  });

  it('creates each plan with a complete configuration, runs every module, and checks results against the documented ones', async () => {
    const result = await run(join(REPO_ROOT, 'node_modules/.bin/vite-node'), ['conformance/runner/run-plans.ts', 'oidcc-config-certification-test-plan.json', 'oidcc-basic-certification-test-plan.json', '--export-dir', exportDir], {
      cwd: REPO_ROOT,
      timeoutMs: 60_000,
      env: {
        CONFORMANCE_SERVER: base,
        CONFORMANCE_TOKEN: 'suite-token',
        WIKIAUTH_ISSUER: 'https://login.example.org/',
        CONFORMANCE_USER: 'Conformance',
        CONFORMANCE_PASSWORD: 'secret',
        CLIENT_ID: 'a'.repeat(32),
        CLIENT_SECRET: 'b'.repeat(40),
        CLIENT2_ID: 'c'.repeat(32),
        CLIENT2_SECRET: 'd'.repeat(40),
        POST_CLIENT_ID: 'e'.repeat(32),
        POST_CLIENT_SECRET: 'f'.repeat(40),
      },
    });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('All modules ended as documented.');
    expect(plans.map((p) => p.name)).toEqual(['oidcc-config-certification-test-plan', 'oidcc-basic-certification-test-plan']);
    const basic = plans[1]!;
    expect(basic.variant).toEqual({ server_metadata: 'discovery', client_registration: 'static_client' });
    expect(JSON.stringify(basic.config)).not.toContain('{{');
    expect(basic.config).toMatchObject({
      alias: 'wikiauth',
      server: { discoveryUrl: 'https://login.example.org/.well-known/openid-configuration', login_hint: 'Conformance' },
      client: { client_id: 'a'.repeat(32), client_secret: 'b'.repeat(40) },
      client2: { client_id: 'c'.repeat(32) },
      client_secret_post: { client_id: 'e'.repeat(32) },
    });
    const login = basic.config.browser[0].tasks[0];
    expect(login.match).toBe('https://login.example.org/wiki/Special:UserLogin*');
    expect(login.commands).toContainEqual(['text', 'name', 'wpName', 'Conformance']);
    expect(login.commands).toContainEqual(['click', 'id', 'wpLoginAttempt']);
    expect(basic.config.browser[0].tasks[1].commands).toEqual([['click', 'id', 'wpAccept']]);
    expect(basic.config.browser[1].tasks[0].commands).toEqual([['click', 'id', 'wpLogoutConfirm']]);
    // An override keeps the other entries and replaces the matching one.
    const override = basic.config.override['oidcc-ensure-registered-redirect-uri'].browser;
    expect(override).toHaveLength(2);
    expect(override[0].tasks[0].commands[0]).toEqual(['wait', 'xpath', '//*', 10, 'The application sent an invalid request', 'update-image-placeholder']);
    expect(started).toEqual(['oidcc-discovery-endpoint-verification', 'oidcc-server', 'oidcc-scope-profile']);
    const report = JSON.parse(readFileSync(join(exportDir, 'results.json'), 'utf8')) as unknown[];
    expect(report).toHaveLength(3);
  });
});

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (data += chunk)).on('end', () => resolve(data));
  });
}
