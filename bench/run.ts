/**
 * `npm run bench [-- --quick] [--duration S] [--connections N] [--workloads a,b] [--targets a,b]`
 *
 * Every workload against every target in one run, each on a fresh target process, load from a
 * separate autocannon process on loopback. Prints a markdown table with each wikiauth target's ratio
 * to the ceiling (stock oidc-provider on its in-memory adapter) and saves JSON under bench/results/.
 * Exits non-zero when any response was not the expected one (ratios are reported, not asserted).
 * `--results DIR` saves the JSON elsewhere; `--cpu-prof DIR` writes a V8 CPU profile of every target process under DIR/<workload>/<target>/.
 * MariaDB and Redis: BENCH_MYSQL_URL (mysql://root@127.0.0.1:3306), BENCH_REDIS_URL (redis://127.0.0.1:6379).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { LoadResult, LoadSpec } from './load-spec.js';
import { runNode } from './processes.js';
import { markdownTable, type Row } from './report.js';
import { stockTarget, wikiauthMariadbRedisTarget, wikiauthSqliteTarget, type Target } from './targets.js';
import { WORKLOADS } from './workloads.js';

const LOAD = fileURLToPath(new URL('./load.js', import.meta.url));
const RESULTS = fileURLToPath(new URL('../../bench/results/', import.meta.url));

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    duration: { type: 'string' },
    connections: { type: 'string' },
    codes: { type: 'string' },
    workloads: { type: 'string' },
    targets: { type: 'string' },
    'cpu-prof': { type: 'string' },
    results: { type: 'string' },
  },
});
const quick = values.quick ?? false;
const settings = {
  duration: Number(values.duration ?? (quick ? 1 : 10)),
  connections: Number(values.connections ?? (quick ? 4 : 10)),
  // Stock's in-memory adapter is an LRU of 1000 entries: a code and its access token are two.
  codes: Math.min(450, Number(values.codes ?? (quick ? 60 : 400))),
};
const backends = { mysqlServer: process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306', redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379' };
const matches = (filter: string | undefined, name: string) => !filter || filter.split(',').some((part) => name.toLowerCase().includes(part.trim().toLowerCase()));

const targets: Target[] = [stockTarget(), wikiauthSqliteTarget(), wikiauthMariadbRedisTarget(backends, 1), wikiauthMariadbRedisTarget(backends, 2)].filter(
  (target) => target.ceiling || matches(values.targets, target.name),
);
const workloads = WORKLOADS.filter((workload) => matches(values.workloads, workload.name));
const log = (line: string) => process.stderr.write(`${line}\n`);
const slug = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

const started = Date.now();
const scratch = mkdtempSync(join(tmpdir(), 'wikiauth-bench-load-'));
const rows: Row[] = [];
try {
  for (const target of targets) await target.setup();
  for (const workload of workloads) {
    for (const target of targets) {
      const profileDir = values['cpu-prof'] && join(resolve(values['cpu-prof']), slug(workload.name), slug(target.name));
      const running = await target.start(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []);
      try {
        const prepared = await workload.prepare({ url: running.url, client: running.client, connections: settings.connections, codes: settings.codes });
        const spec: LoadSpec = { url: running.url, connections: settings.connections, duration: settings.duration, ...(prepared.amount ? { amount: prepared.amount } : {}), steps: prepared.steps };
        const specFile = join(scratch, 'spec.json');
        writeFileSync(specFile, JSON.stringify(spec));
        const result = JSON.parse(await runNode(LOAD, [specFile])) as LoadResult;
        rows.push({ workload: workload.name, target: target.name, ceiling: target.ceiling, ...result, peakRss: running.peakRss() });
        log(`${workload.name} · ${target.name}: ${Math.round(result.requestsPerSecond)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, ${result.errors} errors${result.errors ? ` (${result.errorSamples.join('; ')})` : ''}`);
      } finally {
        await running.stop();
      }
    }
  }
} finally {
  for (const target of targets) await target.teardown().catch((err: Error) => log(`teardown of ${target.name}: ${err.message}`));
  rmSync(scratch, { recursive: true, force: true });
}

const environment = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', ...settings, quick, seconds: Math.round((Date.now() - started) / 1000) };
const table = markdownTable(rows);
process.stdout.write(`${table}\n\n${environment.cpus} × ${environment.cpu}, Node ${environment.node}; ${settings.connections} connections, ${settings.duration} s per run (code exchange: ${settings.codes} codes); ${environment.seconds} s in all.\n`);
const resultsDir = values.results ? resolve(values.results) : RESULTS;
mkdirSync(resultsDir, { recursive: true });
const file = join(resultsDir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}${quick ? '-quick' : ''}.json`);
writeFileSync(file, `${JSON.stringify({ environment, rows }, null, 2)}\n`);
log(`saved ${file}`);

const failed = rows.filter((row) => row.errors > 0);
if (failed.length) {
  log(`FAILED: unexpected responses in ${failed.map((row) => `${row.workload} · ${row.target} (${row.errors})`).join(', ')}`);
  process.exitCode = 1;
}
