/**
 * A tiny round-robin load balancer for the two-instance target: each request goes to the next
 * backend, over keep-alive connections, unchanged (Host included, so both instances build URLs for
 * the balancer's address). Environment: PORT, BACKENDS (comma-separated base URLs).
 */
import { Agent, createServer, request } from 'node:http';

const port = Number(process.env.PORT);
const backends = (process.env.BACKENDS ?? '').split(',').map((url) => new URL(url));
const agent = new Agent({ keepAlive: true, maxSockets: 256 });
let next = 0;

const server = createServer((req, res) => {
  const backend = backends[next++ % backends.length]!;
  const upstream = request(
    { host: backend.hostname, port: backend.port, method: req.method, path: req.url, headers: req.headers, agent },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  req.pipe(upstream);
});
server.keepAliveTimeout = 30_000;
server.listen(port, '127.0.0.1', () => process.stdout.write(`round-robin proxy listening on http://127.0.0.1:${port}\n`));
process.once('SIGTERM', () => server.close(() => process.exit(0)).closeAllConnections());
