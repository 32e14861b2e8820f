import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./oauth1_client.py', import.meta.url));
/** Debian's Python, with python3-mwoauth and python3-requests-oauthlib. */
export const PYTHON = '/usr/bin/python3';

/**
 * One run of oauth1_client.py: JSON lines out, answers in. Used for the interactive handshakes
 * (the test plays the user between the two halves) and for one-shot commands.
 */
export class PythonClient {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #lines: string[] = [];
  readonly #waiters: Array<(line: string | undefined) => void> = [];
  #stderr = '';
  #closed = false;
  readonly exited: Promise<number | null>;

  constructor(args: readonly string[]) {
    this.#child = spawn(PYTHON, [SCRIPT, ...args], { env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' } });
    let buffer = '';
    this.#child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
        this.#push(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
      }
    });
    this.#child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.#stderr += chunk));
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 30_000);
    this.exited = new Promise((resolve) => {
      this.#child.on('close', (code) => {
        clearTimeout(timer);
        this.#closed = true;
        for (const waiter of this.#waiters.splice(0)) waiter(undefined);
        resolve(code);
      });
    });
  }

  /** The next JSON line; fails with the client's stderr if it ended first. */
  async next<T = Record<string, unknown>>(): Promise<T> {
    const line = this.#lines.shift() ?? (this.#closed ? undefined : await new Promise<string | undefined>((resolve) => this.#waiters.push(resolve)));
    if (line === undefined) throw new Error(`python client ended without output: ${this.#stderr.trim()}`);
    return JSON.parse(line) as T;
  }

  send(line: string): void {
    this.#child.stdin.write(`${line}\n`);
  }

  get stderr(): string {
    return this.#stderr;
  }

  #push(line: string): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter(line);
    else this.#lines.push(line);
  }
}

/** A one-shot command: its single JSON line (a client error is a `{error, type}` object). */
export async function runPython<T = Record<string, unknown>>(args: readonly string[]): Promise<T> {
  const client = new PythonClient(args);
  const result = await client.next<T>();
  await client.exited;
  return result;
}

export interface SignSpec {
  method: string;
  url: string;
  key: string;
  secret?: string;
  token?: string;
  token_secret?: string;
  verifier?: string;
  callback?: string;
  nonce?: string;
  timestamp?: string;
  rsa_key?: string;
}

/** oauthlib's signature for one request: the URL and headers to send. */
export async function sign(spec: SignSpec): Promise<{ url: string; headers: Record<string, string> }> {
  return runPython(['sign', JSON.stringify(spec)]);
}
