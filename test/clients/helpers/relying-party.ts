import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface RelyingParty {
  readonly origin: string;
  /** Everything the process wrote to stderr (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

export const RP_DIR = fileURLToPath(new URL('../rp/', import.meta.url));

/**
 * Start a relying party as a child process on a free loopback port and wait for its
 * "listening <port>" line. Its environment is explicit: nothing leaks in from the test process
 * except PATH and HOME.
 */
export async function startRelyingParty(port: number, command: string, args: readonly string[], env: Record<string, string>): Promise<RelyingParty> {
  const child: ChildProcess = spawn(command, args, {
    cwd: RP_DIR,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', LANG: 'C.UTF-8', ...env, RP_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} did not start within 20 s:\n${stderr}`)), 20_000);
    let stdout = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.includes(`listening ${port}`)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code}:\n${stderr}`));
    });
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    log: () => stderr,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}
