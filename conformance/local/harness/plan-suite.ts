import { afterAll, beforeAll, describe, it } from 'vitest';
import type { ModuleDefinition } from '../modules/common.js';
import { expectOutcome, loadExpected } from './expected.js';
import type { Variant } from './flow.js';
import { runModule } from './module-run.js';
import { startConformanceOp, type ConformanceOp } from './op.js';

/**
 * One describe per plan run, one test per module, named after the module. Modules are independent
 * (each has its own browser and, where dynamic, its own client) and run concurrently against one
 * HTTPS wikiauth, as the hosted suite runs a plan against one deployment.
 */
export function definePlanSuite(opts: { plan: string; expectedKey?: string; title: string; variant: Variant; modules: readonly ModuleDefinition[] }): void {
  const expected = loadExpected();
  describe(`${opts.plan} ${opts.title}`, () => {
    let op: ConformanceOp;
    beforeAll(async () => {
      op = await startConformanceOp();
    });
    afterAll(async () => {
      await op?.close();
    });
    for (const module of opts.modules.filter((m) => m.appliesTo?.(opts.variant) ?? true)) {
      it.concurrent(module.name, async () => {
        const outcome = await runModule(module.name, (run) => module.run(run, op, { ...opts.variant, ...module.variant }));
        expectOutcome(expected, opts.expectedKey ?? opts.plan, outcome);
      }, 90_000);
    }
  });
}
