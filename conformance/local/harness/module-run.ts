/**
 * The conformance suite's bookkeeping, in small: a module calls conditions; each ends SUCCESS, or
 * with the severity its caller chose (FAILURE or WARNING); "stop on failure" ends the module. The
 * module's result follows the suite (CS `TestModule`): FAILED if any FAILURE, SKIPPED when the module
 * skipped itself, REVIEW when a screenshot placeholder was filled, WARNING if any WARNING, else PASSED.
 */
export type Severity = 'FAILURE' | 'WARNING' | 'INFO';
export type ModuleResult = 'PASSED' | 'WARNING' | 'REVIEW' | 'SKIPPED' | 'FAILED';

export interface LogEntry {
  readonly condition: string;
  readonly result: 'SUCCESS' | Severity;
  readonly message: string;
  readonly requirements: readonly string[];
}

export interface ModuleOutcome {
  readonly module: string;
  readonly result: ModuleResult;
  /** Conditions that ended in FAILURE. */
  readonly failures: string[];
  /** Conditions that ended in WARNING (sorted, deduplicated). */
  readonly warnings: string[];
  readonly skipReason: string | undefined;
  /** Texts of the pages a tester would screenshot (REVIEW). */
  readonly placeholders: string[];
  readonly log: readonly LogEntry[];
}

class ModuleStop extends Error {}

export class ModuleRun {
  readonly module: string;
  readonly log: LogEntry[] = [];
  #skipReason: string | undefined;
  readonly #placeholders: string[] = [];

  constructor(module: string) {
    this.module = module;
  }

  /** callAndContinueOnFailure: record the outcome, carry on. Returns whether it held. */
  check(condition: string, holds: boolean, onFailure: Severity, message: string, ...requirements: string[]): boolean {
    this.log.push({ condition, result: holds ? 'SUCCESS' : onFailure, message, requirements });
    return holds;
  }

  /** callAndStopOnFailure: a FAILURE ends the module. */
  require(condition: string, holds: boolean, message: string, ...requirements: string[]): void {
    if (!this.check(condition, holds, 'FAILURE', message, ...requirements)) throw new ModuleStop(`${condition}: ${message}`);
  }

  /** A failure that ends the module (TestFailureException). */
  fail(condition: string, message: string): never {
    this.check(condition, false, 'FAILURE', message);
    throw new ModuleStop(`${condition}: ${message}`);
  }

  info(condition: string, message: string): void {
    this.log.push({ condition, result: 'SUCCESS', message, requirements: [] });
  }

  /** fireTestSkipped. */
  skip(reason: string): never {
    this.#skipReason = reason;
    throw new ModuleStop(`skipped: ${reason}`);
  }

  /** A screenshot placeholder was filled (the suite's "update-image-placeholder"). */
  placeholder(pageText: string): void {
    this.#placeholders.push(pageText);
  }

  outcome(): ModuleOutcome {
    const failures = this.log.filter((e) => e.result === 'FAILURE').map((e) => e.condition);
    const warnings = [...new Set(this.log.filter((e) => e.result === 'WARNING').map((e) => e.condition))].sort();
    const result: ModuleResult = failures.length
      ? 'FAILED'
      : this.#skipReason !== undefined
        ? 'SKIPPED'
        : this.#placeholders.length
          ? 'REVIEW'
          : warnings.length
            ? 'WARNING'
            : 'PASSED';
    return { module: this.module, result, failures, warnings, skipReason: this.#skipReason, placeholders: [...this.#placeholders], log: [...this.log] };
  }
}

/** Run one module to its end; an unexpected exception is a FAILURE, as the suite treats it. */
export async function runModule(module: string, body: (run: ModuleRun) => Promise<void>): Promise<ModuleOutcome> {
  const run = new ModuleRun(module);
  try {
    await body(run);
  } catch (err) {
    if (!(err instanceof ModuleStop)) run.check('UnexpectedError', false, 'FAILURE', err instanceof Error ? `${err.name}: ${err.message}` : String(err));
  }
  return run.outcome();
}

/** A readable account of a module run, for assertion messages. */
export function describeOutcome(outcome: ModuleOutcome): string {
  const lines = outcome.log.filter((e) => e.result !== 'SUCCESS').map((e) => `  ${e.result} ${e.condition}: ${e.message}`);
  return `${outcome.module}: ${outcome.result}${outcome.skipReason ? ` (${outcome.skipReason})` : ''}\n${lines.join('\n')}`;
}
