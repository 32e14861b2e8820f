import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, run, type CliResult } from './cli.js';

export interface FreshClone {
  /** Working tree of the clone, installed with `npm ci`. */
  readonly dir: string;
  readonly commit: string;
  cleanup(): Promise<void>;
}

/** npm ci compiles better-sqlite3 from source here: allow minutes. */
export const NPM_CI_TIMEOUT_MS = 300_000;

// Everything the service reads from the environment, and npm's own per-run variables: a newcomer's
// shell has none of them. The machine's Node headers (npm_config_nodedir, set by .ci/run for the
// registry's Node 24) stay: without them better-sqlite3 would compile against another Node's.
const SERVICE_VARIABLES = /^(PORT|HOST|ISSUER|DATABASE_URL|DATA_DIR|REDIS_URL|REDIS_PREFIX|SECRET_KEY|TRUST_PROXY|TLS_CERT|TLS_KEY|SCRIPT_PATH|WIKI_ID|[A-Z_]+_TTL|NODE_ENV|npm_(?!config_nodedir$).*)$/;

/** The test process's environment without the service's variables (keeps PATH, HOME, CA and proxy settings). */
export function newcomerEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined && !SERVICE_VARIABLES.test(entry[0])),
  );
}

let pending: Promise<FreshClone> | undefined;

/**
 * The repository's committed HEAD cloned into a temporary folder and installed with `npm ci`, once
 * per process (every caller gets the same clone; the first cleanup removes it).
 */
export function freshClone(): Promise<FreshClone> {
  pending ??= create().catch((err: unknown) => {
    pending = undefined;
    throw err;
  });
  return pending;
}

async function create(): Promise<FreshClone> {
  const commit = (await must('git', ['-C', REPO_ROOT, 'rev-parse', 'HEAD'], REPO_ROOT)).stdout.trim();
  const dir = await mkdtemp(join(tmpdir(), 'wikiauth-clone-'));
  const cleanup = async () => {
    pending = undefined;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await must('git', ['clone', '--quiet', '--no-checkout', REPO_ROOT, dir], tmpdir());
    await must('git', ['-C', dir, 'checkout', '--quiet', '--detach', commit], dir);
    await must('npm', ['ci'], dir, NPM_CI_TIMEOUT_MS);
  } catch (err) {
    await cleanup();
    throw err;
  }
  return { dir, commit, cleanup };
}

async function must(command: string, args: string[], cwd: string, timeoutMs = 60_000): Promise<CliResult> {
  const result = await run(command, args, { cwd, env: newcomerEnv(), timeoutMs });
  if (result.code !== 0) {
    const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-20).join('\n');
    throw new Error(`\`${command} ${args.join(' ')}\` exited with ${result.code}:\n${tail}`);
  }
  return result;
}
