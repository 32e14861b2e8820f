import { appendFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Reporter, TestModule, TestSpecification } from 'vitest/node';

/** One line of the progress log that scripts/run-suite.js watches (docs/testing.md). */
export type ProgressEvent =
  | { event: 'planned'; files: string[]; at: number }
  | { event: 'queued'; file: string; at: number }
  | { event: 'ended'; file: string; at: number; passed: number; failed: number; skipped: number; moduleFailed: boolean };

/**
 * Appends a line per test file as a worker takes it and as it ends, synchronously, so the log is
 * complete up to the moment the run is killed: a worker blocked inside native code can no longer
 * report, and its file is the one queued without an end.
 */
export default class ProgressReporter implements Reporter {
  private readonly logFile = process.env.CI_PROGRESS_LOG ?? 'test-results/progress.jsonl';

  onTestRunStart(specifications: ReadonlyArray<TestSpecification>): void {
    this.write({ event: 'planned', files: [...new Set(specifications.map((spec) => name(spec.moduleId)))], at: Date.now() });
  }

  onTestModuleQueued(module: TestModule): void {
    this.write({ event: 'queued', file: name(module.moduleId), at: Date.now() });
  }

  onTestModuleEnd(module: TestModule): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const test of module.children.allTests()) {
      const state = test.result().state;
      if (state === 'passed') counts.passed += 1;
      else if (state === 'failed') counts.failed += 1;
      else counts.skipped += 1;
    }
    this.write({ event: 'ended', file: name(module.moduleId), at: Date.now(), ...counts, moduleFailed: module.state() === 'failed' });
  }

  private write(event: ProgressEvent): void {
    appendFileSync(this.logFile, `${JSON.stringify(event)}\n`);
  }
}

function name(moduleId: string): string {
  return relative(process.cwd(), moduleId);
}

/** Vitest's reporters for a run: the JSON report and the progress log when scripts/run-suite.js asks. */
export function suiteReporters() {
  const json = process.env.CI_JSON_REPORT;
  return [
    'default',
    ...(json ? [['json', { outputFile: json }] as ['json', { outputFile: string }]] : []),
    ...(process.env.CI_PROGRESS_LOG ? [new ProgressReporter()] : []),
  ];
}
