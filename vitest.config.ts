import { defineConfig } from 'vitest/config';
import { suiteReporters } from './test/helpers/progress-reporter.js';

// docs/architecture.md §10: unit (no I/O), integration (real SQLite, MariaDB, Redis, HTTP), system (the
// benchmark, a fresh clone), e2e (chromium), clients (real client libraries as child processes).
export default defineConfig({
  test: {
    // scripts/run-suite.js asks for the JSON report and the progress log it watches for a hung file.
    reporters: suiteReporters(),
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          // issue 7: one test per module of the OpenID conformance plans, against HTTPS.
          name: 'conformance',
          include: ['conformance/local/**/*.test.ts'],
          environment: 'node',
          // Modules mostly wait on HTTP (and oidcc-codereuse-30seconds 30 s), so several run at once,
          // but no more than five: every module signs in as the same user from the same address, and
          // the sign-in throttle refuses a sixth attempt in flight (5 per account and address,
          // counted before the password is checked; docs/sign-in.md, "Throttle").
          maxConcurrency: 5,
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          // Real relying parties (Authlib, omniauth-openid-connect, openid-client) as child processes.
          name: 'clients',
          include: ['test/clients/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          // test/contracts: what each storage port promises, run on every backend and the in-memory fakes.
          include: ['test/integration/**/*.test.ts', 'test/contracts/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          // The product as a whole, each test a long run of its own: the quick benchmark against
          // every backend, and a fresh clone installed with `npm ci` as a newcomer would.
          name: 'system',
          include: ['test/system/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // Real-browser journeys (headless Chromium through playwright-core); screenshots go to
        // test-results/screenshots/.
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
