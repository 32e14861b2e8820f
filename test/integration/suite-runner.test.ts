import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lines, REPO_ROOT, run } from '../helpers/cli.js';

// scripts/run-suite.js, which `npm test` and CI run, against fixture files outside the suite's
// projects: one blocks its worker's thread like a deadlock in native code.
const RUNNER = join(REPO_ROOT, 'scripts/run-suite.js');
const CONFIG = '--config=test/fixtures/suite-runner/vitest.config.ts';
const BLOCKING = 'test/fixtures/suite-runner/blocks.fixture.ts';

let dir: string;
afterEach(() => rm(dir, { recursive: true, force: true }));

async function runSuite(block: 'once' | 'always' | 'abort-once') {
  dir = await mkdtemp(join(tmpdir(), 'wikiauth-suite-'));
  const result = await run(process.execPath, [RUNNER, CONFIG], {
    cwd: REPO_ROOT,
    env: { SUITE_FIXTURE_BLOCK: block, SUITE_FIXTURE_DIR: dir, SUITE_RESULTS_DIR: join(dir, 'results'), FILE_TIMEOUT_SECONDS: '3' },
    timeoutMs: 100_000,
  });
  const blockedPid = Number(await readFile(join(dir, 'blocked-once'), 'utf8'));
  return { ...result, said: lines(result.stdout).filter((line) => line.startsWith('suite: ')), last: lines(result.stdout).at(-1), blockedPid };
}

function without(said: string[], line: string): string[] {
  return said.filter((entry) => entry !== line);
}

/** Running or sleeping, not gone and not a zombie waiting for init to reap it. */
async function alive(pid: number): Promise<boolean> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return /^State:\s+[^Z]/m.test(status);
}

describe('the suite runner', () => {
  it('names a file whose worker stopped answering, runs the rest, then that file once more alone', { timeout: 120_000 }, async () => {
    const result = await runSuite('once');
    // passes.fixture.ts may have ended before (then it is not run again) or been stopped with it.
    expect(without(result.said, 'suite: running the files without a result, once: test/fixtures/suite-runner/passes.fixture.ts')).toEqual([
      `suite: ${BLOCKING} hung (over 3 s); stopping vitest`,
      `suite: running what hung or died, alone, once: ${BLOCKING}`,
    ]);
    expect(result.last).toBe('3 passed, 0 failed');
    expect(result.code).toBe(0);
    expect(await alive(result.blockedPid)).toBe(false);
  });

  it('runs a file whose worker died (a native assertion) once more, alone', { timeout: 120_000 }, async () => {
    const result = await runSuite('abort-once');
    // passes.fixture.ts may have ended before (then it is not run again) or been stopped with it.
    expect(without(result.said, 'suite: running the files without a result, once: test/fixtures/suite-runner/passes.fixture.ts')).toEqual([
      `suite: ${BLOCKING} ended without a result (its worker died); vitest stopped`,
      `suite: running what hung or died, alone, once: ${BLOCKING}`,
    ]);
    expect(result.last).toBe('3 passed, 0 failed');
    expect(result.code).toBe(0);
  });

  it('counts a file that hangs twice as failed and fails the run', { timeout: 120_000 }, async () => {
    const result = await runSuite('always');
    expect(result.said.slice(-2)).toEqual([`suite: ${BLOCKING} hung (over 3 s); stopping vitest`, `suite: ${BLOCKING} hung or died again: counted as one failed test`]);
    expect(result.last).toBe('2 passed, 1 failed');
    expect(result.code).toBe(1);
    expect(await alive(result.blockedPid)).toBe(false);
  });
});
