import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModuleDefinition } from '../modules/common.js';
import { loadExpected, type ExpectedResults } from './expected.js';
import type { Variant } from './flow.js';
import { describeOutcome, runModule, type ModuleOutcome } from './module-run.js';
import { startConformanceOp, type ConformanceOp } from './op.js';

/**
 * One describe per plan run, one test per module, named after the module. Modules are independent
 * (each has its own browser and, where dynamic, its own client) and run concurrently against one
 * HTTPS wikiauth, as the hosted suite runs a plan against one deployment.
 */
export function definePlanSuite(opts: { plan: string; expectedKey?: string; title: string; variant: Variant; modules: readonly ModuleDefinition[] }): void {
  const expected = loadExpected();
  describe.concurrent(`${opts.plan} ${opts.title}`, () => {
    let op: ConformanceOp;
    beforeAll(async () => {
      op = await startConformanceOp();
    });
    afterAll(async () => {
      await op?.close();
    });
    for (const module of opts.modules.filter((m) => m.appliesTo?.(opts.variant) ?? true)) {
      it(module.name, async () => {
        const outcome = await runModule(module.name, (run) => module.run(run, op, { ...opts.variant, ...module.variant }));
        expectOutcome(expected, opts.expectedKey ?? opts.plan, outcome);
      }, 90_000);
    }
  });
}

/**
 * A module passes when it ends with no FAILURE; beyond that, its result and its WARNINGs must be
 * exactly the documented ones (so a new warning, or one that went away, shows up here).
 */
export function expectOutcome(expected: ExpectedResults, planKey: string, outcome: ModuleOutcome): void {
  const want = expected[planKey]?.[outcome.module] ?? { result: 'PASSED' };
  expect(
    { result: outcome.result, failures: outcome.failures, warnings: outcome.warnings },
    describeOutcome(outcome),
  ).toEqual({ result: want.result, failures: [], warnings: [...(want.warnings ?? [])].sort() });
}
