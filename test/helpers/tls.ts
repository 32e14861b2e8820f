import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throwaway CA and a server certificate for 127.0.0.1/localhost, as PEM files in a temp folder. */
export interface TlsMaterial {
  readonly dir: string;
  /** The CA certificate: what clients trust (NODE_EXTRA_CA_CERTS, REQUESTS_CA_BUNDLE, SSL_CERT_FILE). */
  readonly caFile: string;
  readonly ca: string;
  /** TLS_CERT / TLS_KEY for the server. */
  readonly certFile: string;
  readonly keyFile: string;
  /** The server env that makes it listen on HTTPS. */
  readonly serverEnv: Record<string, string>;
  /** `fetch` that trusts the CA (and nothing else is relaxed). */
  readonly fetch: typeof fetch;
  cleanup(): void;
}

/**
 * Issue a CA and a leaf with the openssl command line (Debian's `openssl`): a real chain, so every
 * TLS stack in the tests (Node, Python, Ruby) verifies it the normal way, with the CA as the only
 * extra trust anchor.
 */
export function createTlsMaterial(): TlsMaterial {
  const dir = mkdtempSync(join(tmpdir(), 'wikiauth-tls-'));
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=wikiauth test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(file('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'cert.pem', '-days', '2', '-extfile', 'server.ext');
  const ca = readFileSync(file('ca.pem'), 'utf8');
  return {
    dir,
    caFile: file('ca.pem'),
    ca,
    certFile: file('cert.pem'),
    keyFile: file('key.pem'),
    serverEnv: { TLS_CERT: file('cert.pem'), TLS_KEY: file('key.pem') },
    fetch: fetchTrusting(ca),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * A minimal `fetch` on node:https with an explicit CA (the global fetch reads extra CAs only at
 * process start). Never follows redirects, like `redirect: 'manual'`; enough for openid-client's
 * customFetch and the tests' cookie-jar sessions.
 */
export function fetchTrusting(ca: string): typeof fetch {
  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const headers = new Headers(init.headers);
    let body: Buffer | undefined;
    if (typeof init.body === 'string') body = Buffer.from(init.body);
    else if (init.body instanceof URLSearchParams) {
      body = Buffer.from(init.body.toString());
      if (!headers.has('content-type')) headers.set('content-type', 'application/x-www-form-urlencoded;charset=UTF-8');
    } else if (init.body instanceof Uint8Array) body = Buffer.from(init.body);
    else if (init.body != null) throw new TypeError('fetchTrusting: unsupported body type');
    if (body) headers.set('content-length', String(body.length));
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<Response>((resolve, reject) => {
      const req = request(url, { method: init.method ?? 'GET', headers: Object.fromEntries(headers), ...(url.protocol === 'https:' ? { ca } : {}) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const responseHeaders = new Headers();
          for (let i = 0; i < res.rawHeaders.length; i += 2) responseHeaders.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
          const status = res.statusCode ?? 500;
          const payload = status === 204 || status === 304 || init.method === 'HEAD' ? null : Buffer.concat(chunks);
          resolve(new Response(payload, { status, statusText: res.statusMessage ?? '', headers: responseHeaders }));
        });
      });
      req.on('error', reject);
      init.signal?.addEventListener('abort', () => req.destroy(new Error('aborted')));
      req.end(body);
    });
  }) as typeof fetch;
}
