/**
 * Drive a hosted OpenID conformance suite (https://www.certification.openid.net, or your own) against
 * a public HTTPS wikiauth, through the suite's REST API: create each plan with our configuration,
 * run every module in order, wait for it, compare with conformance/expected-results.json, export.
 *
 *   CONFORMANCE_TOKEN=… WIKIAUTH_ISSUER=https://login.example.org … \
 *     npx vite-node conformance/runner/run-plans.ts [plan files…] [--export-dir DIR]
 *
 * See conformance/README.md for every variable. Exit code 0 when no module FAILED or was
 * INTERRUPTED and every result is the documented one.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { browserFor, loadBrowserConfig } from '../local/harness/browser.js';
import { loadExpected } from '../local/harness/expected.js';

const PLANS_DIR = new URL('../plans/', import.meta.url);
const DEFAULT_PLANS = [
  'oidcc-config-certification-test-plan.json',
  'oidcc-basic-certification-test-plan.json',
  'oidcc-formpost-basic-certification-test-plan.json',
  'oidcc-rp-initiated-logout-certification-test-plan.json',
];
const POLL_MS = 2000;
const MODULE_TIMEOUT_MS = 5 * 60 * 1000;

interface PlanFile {
  readonly planName: string;
  readonly variant: Record<string, string>;
  readonly config: Record<string, unknown>;
}

interface ModuleResult {
  readonly module: string;
  readonly id: string;
  readonly status: string;
  readonly result: string;
  readonly warnings: string[];
  readonly failures: string[];
}

function env(name: string, fallback?: string): string {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === '') throw new Error(`${name} is not set (see conformance/README.md)`);
  return value;
}

/** The {{placeholders}} of the plan files, from the environment. */
function placeholderValues(): Record<string, string> {
  const optional = (name: string) => process.env[name] ?? '';
  return {
    issuer: env('WIKIAUTH_ISSUER').replace(/\/+$/, ''),
    alias: env('CONFORMANCE_ALIAS', 'wikiauth'),
    user: env('CONFORMANCE_USER'),
    password: env('CONFORMANCE_PASSWORD'),
    client_id: optional('CLIENT_ID'),
    client_secret: optional('CLIENT_SECRET'),
    client2_id: optional('CLIENT2_ID'),
    client2_secret: optional('CLIENT2_SECRET'),
    post_client_id: optional('POST_CLIENT_ID'),
    post_client_secret: optional('POST_CLIENT_SECRET'),
    registration_token: optional('REGISTRATION_TOKEN'),
  };
}

function fill(value: unknown, values: Record<string, string>): unknown {
  if (typeof value === 'string') return value.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => values[name] ?? whole);
  if (Array.isArray(value)) return value.map((v) => fill(v, values));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, values)]));
  return value;
}

class SuiteApi {
  readonly #base: string;
  readonly #token: string;

  constructor(base: string, token: string) {
    this.#base = base.replace(/\/?$/, '/');
    this.#token = token;
  }

  async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.#base}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.#token}`, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${(await res.text()).slice(0, 500)}`);
    const type = res.headers.get('content-type') ?? '';
    return (type.includes('json') ? await res.json() : await res.arrayBuffer()) as T;
  }
}

async function runPlan(api: SuiteApi, file: string, values: Record<string, string>, exportDir: string): Promise<{ plan: string; results: ModuleResult[] }> {
  const plan = JSON.parse(readFileSync(new URL(file, PLANS_DIR), 'utf8')) as PlanFile;
  const browserConfig = loadBrowserConfig(values);
  const config = fill(plan.config, values) as Record<string, unknown>;
  config.browser = browserConfig.browser;
  // Per-module browser overrides: the default entries with the module's replacements.
  config.override = Object.fromEntries(Object.keys(browserConfig.moduleOverrides).map((module) => [module, { browser: browserFor(browserConfig, module) }]));

  const variant = encodeURIComponent(JSON.stringify(plan.variant));
  const created = await api.call<{ id: string; modules: { testModule: string; variant?: Record<string, string> }[] }>('POST', `api/plan?planName=${plan.planName}&variant=${variant}`, config);
  console.log(`${plan.planName} ${JSON.stringify(plan.variant)}: plan ${created.id}, ${created.modules.length} modules`);

  const results: ModuleResult[] = [];
  // With an alias the suite runs modules one at a time (they share the redirect URI).
  for (const { testModule, variant: moduleVariant } of created.modules) {
    const query = `test=${testModule}&plan=${created.id}${moduleVariant ? `&variant=${encodeURIComponent(JSON.stringify(moduleVariant))}` : ''}`;
    const { id } = await api.call<{ id: string }>('POST', `api/runner?${query}`);
    const info = await waitForModule(api, id);
    const log = await api.call<{ src?: string; result?: string }[]>('GET', `api/log/${id}`);
    const conditions = (result: string) => [...new Set(log.filter((e) => e.result === result && e.src).map((e) => e.src!))].sort();
    const outcome: ModuleResult = { module: testModule, id, status: info.status, result: info.result ?? 'UNKNOWN', warnings: conditions('WARNING'), failures: conditions('FAILURE') };
    results.push(outcome);
    console.log(`  ${testModule}: ${outcome.status} ${outcome.result}${outcome.warnings.length ? ` (warnings: ${outcome.warnings.join(', ')})` : ''}`);
  }

  const archive = await api.call<ArrayBuffer>('GET', `api/plan/exporthtml/${created.id}`);
  writeFileSync(join(exportDir, `${basename(file, '.json')}-${created.id}.zip`), Buffer.from(archive));
  return { plan: plan.variant.client_registration === 'dynamic_client' ? `${plan.planName}[client_registration=dynamic_client]` : plan.planName, results };
}

async function waitForModule(api: SuiteApi, id: string): Promise<{ status: string; result?: string }> {
  const deadline = Date.now() + MODULE_TIMEOUT_MS;
  let started = false;
  for (;;) {
    const info = await api.call<{ status: string; result?: string }>('GET', `api/info/${id}`);
    if (info.status === 'FINISHED' || info.status === 'INTERRUPTED') return info;
    // Modules that need a manual start (none in these plans) stay CONFIGURED.
    if (info.status === 'CONFIGURED' && !started && Date.now() > deadline - MODULE_TIMEOUT_MS + 10_000) {
      await api.call('POST', `api/runner/${id}`);
      started = true;
    }
    if (Date.now() > deadline) return { status: `TIMEOUT (${info.status})`, ...(info.result ? { result: info.result } : {}) };
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function main(): Promise<number> {
  const { values: args, positionals } = parseArgs({ options: { 'export-dir': { type: 'string', default: 'conformance-results' } }, allowPositionals: true });
  const exportDir = args['export-dir']!;
  mkdirSync(exportDir, { recursive: true });
  const api = new SuiteApi(env('CONFORMANCE_SERVER', 'https://www.certification.openid.net/'), env('CONFORMANCE_TOKEN'));
  const values = placeholderValues();
  const expected = loadExpected();
  let ok = true;
  const report: unknown[] = [];
  for (const file of positionals.length ? positionals.map((p) => basename(p)) : DEFAULT_PLANS) {
    const { plan, results } = await runPlan(api, file, values, exportDir);
    for (const r of results) {
      const want = expected[plan]?.[r.module] ?? { result: 'PASSED' };
      const wantWarnings = [...(want.warnings ?? [])].sort();
      const failed = r.status !== 'FINISHED' || r.result === 'FAILED';
      const differs = r.result !== want.result || JSON.stringify(r.warnings) !== JSON.stringify(wantWarnings);
      if (failed || differs) {
        ok = false;
        console.log(`  ✗ ${r.module}: expected ${want.result}${wantWarnings.length ? ` [${wantWarnings.join(', ')}]` : ''}, got ${r.status} ${r.result}${r.failures.length ? ` failures: ${r.failures.join(', ')}` : ''}`);
      }
      report.push({ plan, ...r, expected: want.result });
    }
  }
  writeFileSync(join(exportDir, 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(ok ? 'All modules ended as documented.' : 'Some modules did not end as documented (see above).');
  return ok ? 0 : 1;
}

process.exitCode = await main().catch((err: unknown) => {
  console.error(`conformance runner: ${(err as Error).message}`);
  return 2;
});
