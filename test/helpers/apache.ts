import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { superviseProxy, type ReverseProxy } from './nginx.js';
import { freePort } from './server.js';

/** Debian's Apache (`apache2-bin`). */
export const APACHE = '/usr/sbin/apache2';
const MODULES = '/usr/lib/apache2/modules';

/**
 * A real Apache terminating TLS, with `directives` inside its one virtual host: its own server
 * root, configuration and logs in a temp directory, in the foreground as this process's child,
 * stopped (and the directory removed) by `stop()`.
 */
export async function startApache(opts: { certFile: string; keyFile: string; directives: string; port?: number }): Promise<ReverseProxy> {
  const port = opts.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'wikiauth-apache-'));
  const modules = ['mpm_event', 'authz_core', 'ssl', 'socache_shmcb', 'proxy', 'proxy_http', 'rewrite', 'headers'];
  // Apache refuses to serve as root; its workers then run as nobody (they only proxy).
  const asRoot = process.getuid?.() === 0;
  writeFileSync(
    join(dir, 'apache2.conf'),
    `ServerRoot ${dir}
ServerName 127.0.0.1
PidFile ${dir}/apache2.pid
ErrorLog ${dir}/error.log
LogLevel warn
Mutex file:${dir} default
${modules.map((m) => `LoadModule ${m}_module ${MODULES}/mod_${m}.so`).join('\n')}
${asRoot ? 'User nobody\nGroup nogroup' : ''}
Listen 127.0.0.1:${port}
<VirtualHost 127.0.0.1:${port}>
SSLEngine on
SSLCertificateFile ${opts.certFile}
SSLCertificateKeyFile ${opts.keyFile}
${opts.directives}
</VirtualHost>
`,
  );
  const child = spawn(APACHE, ['-d', dir, '-f', join(dir, 'apache2.conf'), '-DFOREGROUND'], { stdio: ['ignore', 'ignore', 'pipe'] });
  return superviseProxy({ name: 'apache', child, dir, port, ready: () => answers(port), stopSignal: 'SIGTERM' });
}

/** Apache listens before its workers are ready: wait for a TLS handshake, not just a connection. */
async function answers(port: number): Promise<boolean> {
  const { connect } = await import('node:tls');
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', rejectUnauthorized: false });
    socket.once('secureConnect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
