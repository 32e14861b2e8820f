import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './server.js';

/** Debian's nginx (the `nginx` package in .ci/run). */
export const NGINX = '/usr/sbin/nginx';

export interface ReverseProxy {
  /** `https://127.0.0.1:<port>`: the public origin. */
  readonly origin: string;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * A real nginx terminating TLS in front of `upstream`, configured as the README's example (or with
 * the given `locations` as the body of its server block instead of one `location /`): its own
 * prefix, configuration, logs and temp folders in a temp directory, in the foreground as this
 * process's child, stopped (and the directory removed) by `stop()`.
 */
export async function startNginx(opts: { upstream: string; certFile: string; keyFile: string; port?: number; locations?: string }): Promise<ReverseProxy> {
  const port = opts.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'wikiauth-nginx-'));
  for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, sub));
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port} ssl;
    ssl_certificate ${opts.certFile};
    ssl_certificate_key ${opts.keyFile};
${opts.locations ?? `    location / {
      proxy_pass ${opts.upstream};
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $http_host;
    }`}
  }
}
`,
  );
  const child = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
  return superviseProxy({ name: 'nginx', child, dir, port, ready: () => listening(port), stopSignal: 'SIGQUIT' });
}

/**
 * A web server started as this process's child in its own temp directory `dir` (logs in
 * `dir/error.log`): waits until `ready()`, else kills it and throws with its logs; `stop()` ends
 * it with `stopSignal` and removes the directory.
 */
export async function superviseProxy(opts: { name: string; child: ChildProcess; dir: string; port: number; ready: () => Promise<boolean>; stopSignal: NodeJS.Signals }): Promise<ReverseProxy> {
  const { child, dir, port } = opts;
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const deadline = Date.now() + 10_000;
  while (!(await opts.ready())) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      const log = (() => {
        try {
          return readFileSync(join(dir, 'error.log'), 'utf8');
        } catch {
          return '';
        }
      })();
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`${opts.name} did not start: ${stderr}${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    origin: `https://127.0.0.1:${port}`,
    port,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill(opts.stopSignal);
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
