import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Config } from './config/config.js';
import type { Clock } from './domain/clock.js';
import { composeApp } from './compose.js';
import { openServices, type Services } from './services.js';

export interface RunningServer {
  readonly server: Server;
  readonly url: string;
  readonly services: Services;
  close(): Promise<void>;
}

/** Composition root: config → storage → domain → app → listen. */
/** `clock` moves the per-process caches' time (tests advance it instead of waiting). */
export async function start(config: Config, opts: { clock?: Clock } = {}): Promise<RunningServer> {
  const services = await openServices(config, opts);
  await services.ensureFirstKeys();
  const app = await composeApp(services);
  const handler = app.callback();
  const server = config.tls ? createHttpsServer({ cert: config.tls.cert, key: config.tls.key }, handler) : createHttpServer(handler);
  // Slow or stalled clients must not hold sockets forever.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `${config.tls ? 'https' : 'http'}://${config.host ?? 'localhost'}:${port}`;
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await app.shutdown();
      await services.close();
    })());
  return { server, url, services, close };
}

/** `wikiauth serve` / `npm start`: listen, say where, stop cleanly on SIGINT/SIGTERM. */
export async function serve(config: Config): Promise<void> {
  const running = await start(config);
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log(`wikiauth listening on ${running.url} (issuer ${config.issuer})`);
  log(`data: ${config.database.client === 'sqlite' ? config.database.filename : 'MariaDB/MySQL'}${config.redis ? ` + Redis (${config.redis.prefix})` : ''}`);
  if (!(await running.services.hasAccounts())) {
    log('no accounts yet; next steps:');
    log('  npx wikiauth createAndPromote Admin <password> --email admin@example.org --sysop --bureaucrat');
    log(`  npx wikiauth createOAuthConsumer --user Admin --name "My app" --description "What it does" --version 1.0 --oauthVersion 2 --callbackUrl https://app.example/callback --grants mwoauth-authonlyprivate --approve --jsonOnSuccess`);
  }
  const stop = (signal: string) => {
    log(`wikiauth: ${signal}, shutting down`);
    void running.close().then(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}
