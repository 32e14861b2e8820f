/**
 * The load generator, a process of its own so it does not share a CPU scheduler queue with the
 * target: `node load.js <spec.json>` runs autocannon over the spec's steps and prints a LoadResult
 * as JSON. A response counts as an error unless its status (and, for redirects, the Location; for
 * JSON, the expected member) is what the step expects.
 */
import { readFileSync } from 'node:fs';
import autocannon, { type Request } from 'autocannon';
import type { LoadResult, LoadSpec, LoadStep } from './load-spec.js';

const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as LoadSpec;
let errors = 0;
const errorSamples: string[] = [];
const poolCursor = new Map<LoadStep, number>();
let cookieCursor = 0;
// autocannon ends an `amount` run on its next one-second tick: time such runs from the first
// request to the last response instead.
let firstRequestAt: number | undefined;
let lastResponseAt = 0;

function fail(step: LoadStep, detail: string): void {
  errors++;
  if (errorSamples.length < 5) errorSamples.push(`${step.name}: ${detail.slice(0, 300)}`);
}

function toRequest(step: LoadStep): Request {
  return {
    method: step.method,
    path: step.path,
    headers: { ...step.headers },
    ...(step.body !== undefined ? { body: step.body } : {}),
    setupRequest: (request, context) => {
      firstRequestAt ??= performance.now();
      const headers: Record<string, string> = { ...step.headers };
      if (step.cookies) headers.cookie = step.cookies[cookieCursor++ % step.cookies.length]!;
      if (step.bearer) {
        if (typeof context.accessToken !== 'string') return undefined;
        headers.authorization = `Bearer ${context.accessToken}`;
      }
      let body = step.body;
      if (body !== undefined && step.code) {
        let code: string | undefined;
        if (step.code === 'previous') code = context.code as string | undefined;
        else {
          const cursor = poolCursor.get(step) ?? 0;
          poolCursor.set(step, cursor + 1);
          code = step.code.pool[cursor % step.code.pool.length];
        }
        if (!code) return undefined;
        body = body.replace('{code}', encodeURIComponent(code));
      }
      return { ...request, headers, ...(body !== undefined ? { body } : {}) };
    },
    onResponse: (status, body, context, headers) => {
      lastResponseAt = performance.now();
      if (!step.expect.status.includes(status)) return fail(step, `status ${status} ${body}`);
      if (step.expect.redirectTo || step.capture === 'code') {
        const location = String(headers.location ?? headers.Location ?? '');
        const code = location.startsWith(step.expect.redirectTo ?? '') ? new URL(location).searchParams.get('code') : null;
        if (!code) return fail(step, `redirect to ${location}`);
        context.code = code;
      }
      if (step.expect.json || step.capture === 'access_token') {
        let parsed: Record<string, unknown>;
        try {
          parsed = JSON.parse(body) as Record<string, unknown>;
        } catch {
          return fail(step, `not JSON: ${body}`);
        }
        if (step.expect.json && !parsed[step.expect.json]) return fail(step, `no ${step.expect.json}: ${body}`);
        if (step.capture === 'access_token') context.accessToken = parsed.access_token;
      }
    },
  };
}

const result = await autocannon({
  url: spec.url,
  connections: spec.connections,
  duration: spec.duration,
  ...(spec.amount ? { amount: spec.amount } : {}),
  timeout: 10,
  requests: spec.steps.map(toRequest),
});
const requests = result.requests.total;
const seconds = spec.amount && firstRequestAt !== undefined ? (lastResponseAt - firstRequestAt) / 1000 : result.duration;
const output: LoadResult = {
  requests,
  seconds,
  requestsPerSecond: requests / seconds,
  p50: result.latency.p50,
  p99: result.latency.p99,
  errors: errors + result.errors + result.timeouts,
  errorSamples: [...errorSamples, ...(result.errors ? [`${result.errors} socket errors`] : []), ...(result.timeouts ? [`${result.timeouts} timeouts`] : [])],
};
process.stdout.write(`${JSON.stringify(output)}\n`);
