import { readFileSync } from 'node:fs';
import type { ModuleResult } from './module-run.js';

export interface ExpectedOutcome {
  readonly result: ModuleResult;
  /** Conditions expected to end in WARNING; each is explained in conformance/README.md. */
  readonly warnings?: readonly string[];
  /** Why (for WARNING, SKIPPED, REVIEW): the text conformance/README.md shows. */
  readonly reason?: string;
}

export type ExpectedResults = Record<string, Record<string, ExpectedOutcome>>;

export const EXPECTED_FILE = new URL('../../expected-results.json', import.meta.url);

/** The expected outcomes per plan run; `"extends": "<plan run>"` inherits another run's entries. */
export function loadExpected(): ExpectedResults {
  const raw = JSON.parse(readFileSync(EXPECTED_FILE, 'utf8')) as Record<string, Record<string, unknown>>;
  const resolve = (key: string): Record<string, ExpectedOutcome> => {
    const { extends: base, ...own } = raw[key] ?? {};
    return { ...(typeof base === 'string' ? resolve(base) : {}), ...(own as Record<string, ExpectedOutcome>) };
  };
  return Object.fromEntries(Object.keys(raw).map((key) => [key, resolve(key)]));
}
