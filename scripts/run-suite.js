// Runs vitest with bounded time (docs/testing.md): a test worker blocked inside native code (once seen
// in Node's crypto) never reports again and would hold `npm test` forever. The progress log written by
// test/helpers/progress-reporter.ts tells which file a worker took and did not finish; past its limit
// the run is killed, that file is named, and every file without a result is run once more. The last
// line is the plain count, "N passed, N failed", taken from vitest's JSON report(s).
//
//   node scripts/run-suite.js [vitest options and filters]
//
// SUITE_TIMEOUT_SECONDS (default 1200) bounds each run of vitest and, doubled, all runs together;
// FILE_TIMEOUT_SECONDS (default 480) bounds one file; SUITE_RESULTS_DIR (default test-results) holds
// the reports.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const suiteLimitMs = seconds('SUITE_TIMEOUT_SECONDS', 1200) * 1000;
const fileLimitMs = seconds('FILE_TIMEOUT_SECONDS', 480) * 1000;
const resultsDir = resolve(process.env.SUITE_RESULTS_DIR ?? 'test-results');
const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
const POLL_MS = 1000;
const began = Date.now();
const deadline = began + 2 * suiteLimitMs;

function seconds(variable, fallback) {
  const value = Number(process.env[variable] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${variable} must be a positive number of seconds`);
  return value;
}

function say(line) {
  console.log(`suite: ${line}`);
}

function readProgress(file) {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => {
      try {
        return [JSON.parse(line)];
      } catch {
        return []; // the last line may be cut by the kill
      }
    });
}

/** Files a worker took and has not finished, with how long they have run. */
function running(events, now) {
  const ended = new Set(events.filter((e) => e.event === 'ended').map((e) => e.file));
  return events.filter((e) => e.event === 'queued' && !ended.has(e.file)).map((e) => ({ file: e.file, ms: now - e.at }));
}

/**
 * Runs vitest once; resolves with its exit code and, when the run was cut short, the files that
 * hung (it had to be killed) or whose worker died (vitest ended without its JSON report).
 */
function attempt(label, args) {
  const progressLog = join(resultsDir, `progress-${label}.jsonl`);
  const jsonReport = join(resultsDir, `vitest-${label}.json`);
  rmSync(progressLog, { force: true });
  rmSync(jsonReport, { force: true });
  const limitMs = Math.min(suiteLimitMs, deadline - Date.now());
  const started = Date.now();
  // Its own process group, so that killing it also ends the workers it forked.
  const child = spawn(process.execPath, [vitest, 'run', ...args], {
    stdio: 'inherit',
    detached: true,
    env: { ...process.env, CI_PROGRESS_LOG: progressLog, CI_JSON_REPORT: jsonReport },
  });
  return new Promise((done) => {
    let hung;
    const timer = setInterval(() => {
      const now = Date.now();
      const busy = running(readProgress(progressLog), now);
      const stuck = busy.filter((f) => f.ms > fileLimitMs);
      if (stuck.length) hung = { reason: `over ${fileLimitMs / 1000} s`, files: stuck.map((f) => f.file) };
      else if (now - started > limitMs) hung = { reason: `still running when the run's ${Math.round(limitMs / 1000)} s passed`, files: busy.map((f) => f.file) };
      if (!hung) return;
      clearInterval(timer);
      for (const file of hung.files) say(`${file} hung (${hung.reason}); stopping vitest`);
      if (!hung.files.length) say(`the run passed its ${Math.round(limitMs / 1000)} s; stopping vitest`);
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, POLL_MS);
    child.on('exit', (code, signal) => {
      clearInterval(timer);
      const events = readProgress(progressLog);
      if (!hung && !existsSync(jsonReport)) {
        // A worker that crashes (a native assertion, a signal) ends the whole run early.
        hung = { files: running(events, Date.now()).map((f) => f.file) };
        for (const file of hung.files) say(`${file} ended without a result (its worker died); vitest stopped`);
      }
      done({ code: code ?? (signal ? 1 : 0), hung: hung?.files, events, jsonReport });
    });
  });
}

/** Counts from vitest's JSON report when the run finished, else from the files that ended before the kill. */
function counts(result) {
  if (!result.hung && existsSync(result.jsonReport)) {
    const report = JSON.parse(readFileSync(result.jsonReport, 'utf8'));
    return {
      passed: report.numPassedTests,
      failed: report.numFailedTests,
      skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
    };
  }
  const total = { passed: 0, failed: 0, skipped: 0 };
  for (const e of result.events.filter((event) => event.event === 'ended')) {
    total.passed += e.passed;
    total.failed += e.failed;
    total.skipped += e.skipped;
  }
  return total;
}

/** Files of the run without a result: the hung ones, the ones beside them, and those never started. */
function unfinished(result) {
  const planned = result.events.find((e) => e.event === 'planned')?.files ?? [];
  const ended = new Set(result.events.filter((e) => e.event === 'ended').map((e) => e.file));
  return [...new Set([...(result.hung ?? []), ...planned])].filter((file) => !ended.has(file));
}

/** The options of the first run without its file filters (on the retry the files are the filter). */
function optionsOnly(args) {
  const kept = [];
  for (let i = 0; i < args.length; i += 1) {
    if (!args[i].startsWith('-')) continue;
    kept.push(args[i]);
    if (!args[i].includes('=') && args[i + 1] !== undefined && !args[i + 1].startsWith('-')) kept.push(args[(i += 1)]);
  }
  return kept;
}

function add(total, more) {
  total.passed += more.passed;
  total.failed += more.failed;
  total.skipped += more.skipped;
}

mkdirSync(resultsDir, { recursive: true });
const args = process.argv.slice(2);
const total = { passed: 0, failed: 0, skipped: 0 };
const waitingRetry = new Set(); // hung or died once; run again alone once nothing else is left
const retried = new Set();
const MAX_RUNS = 4;
const MIN_RUN_MS = 30_000;
let ok = true;
let next = args;
for (let run = 1; next; run += 1) {
  const result = await attempt(String(run), next);
  add(total, counts(result));
  ok &&= Boolean(result.hung) || result.code === 0; // a killed run's finished files are in the counts
  next = undefined;
  for (const file of result.hung ?? []) {
    if (retried.has(file)) {
      say(`${file} hung or died again: counted as one failed test`);
      total.failed += 1;
    } else waitingRetry.add(file);
  }
  const interrupted = result.hung ? unfinished(result).filter((f) => !result.hung.includes(f)) : [];
  const files = interrupted.length ? interrupted : [...waitingRetry];
  if (!files.length) continue;
  if (run >= MAX_RUNS || deadline - Date.now() < MIN_RUN_MS) {
    for (const file of new Set([...files, ...waitingRetry])) say(`${file} has no result after ${run} runs in ${Math.round((Date.now() - began) / 1000)} s: counted as one failed test`);
    total.failed += new Set([...files, ...waitingRetry]).size;
    continue;
  }
  if (!interrupted.length) {
    for (const file of files) retried.add(file);
    waitingRetry.clear();
  }
  say(`running ${interrupted.length ? 'the files without a result' : 'what hung or died, alone'}, once: ${files.join(' ')}`);
  next = [...optionsOnly(args), ...files];
}

console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`);
process.exit(ok && total.failed === 0 ? 0 : 1);
