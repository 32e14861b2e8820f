import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadExpected } from './harness/expected.js';
import { BASIC_PLAN } from './modules/basic.js';
import { DYNAMIC_REGISTRATION_MODULES } from './modules/dynamic.js';
import { RP_INITIATED_LOGOUT_EXTRA, RP_INITIATED_LOGOUT_PLAN } from './modules/logout.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const lines = README.split('\n');

/** Every module that does not simply PASS, and every WARNING, is explained in conformance/README.md. */
describe('conformance/README.md', () => {
  const expected = loadExpected();

  for (const [plan, modules] of Object.entries(expected)) {
    for (const [module, outcome] of Object.entries(modules)) {
      it(`explains ${module} (${plan}): ${outcome.result}`, () => {
        expect(outcome.reason, 'expected-results.json gives a reason').toBeTruthy();
        const mentions = lines.filter((line) => line.includes(module));
        expect(mentions.some((line) => line.includes(outcome.result)), `a README line names ${module} with ${outcome.result}`).toBe(true);
        for (const warning of outcome.warnings ?? []) {
          expect(lines.some((line) => line.includes(module) && line.includes(`\`${warning}\``)), `README lists the WARNING ${warning} of ${module}`).toBe(true);
        }
      });
    }
  }

  it('lists only modules the local suite runs', () => {
    const known = new Set([...BASIC_PLAN, ...DYNAMIC_REGISTRATION_MODULES, ...RP_INITIATED_LOGOUT_PLAN, ...RP_INITIATED_LOGOUT_EXTRA].map((m) => m.name));
    for (const modules of Object.values(expected)) for (const module of Object.keys(modules)) expect(known.has(module), module).toBe(true);
  });
});
