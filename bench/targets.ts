import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import knex from 'knex';
import { loadConfig } from '../src/config/load-config.js';
import { openServices } from '../src/services.js';
import { freePort, runNode, startNode, type Child } from './processes.js';

const WIKIAUTH = fileURLToPath(new URL('../../bin/wikiauth.js', import.meta.url));
const STOCK = fileURLToPath(new URL('./stock-provider.js', import.meta.url));
const PROXY = fileURLToPath(new URL('./round-robin-proxy.js', import.meta.url));
const SECRET_KEY = randomBytes(32).toString('hex');
// Load from one address and one client would trip the default limits within seconds; they are
// raised, not switched off, so every request still pays for its counters (docs/security.md).
const RATE_LIMITS = JSON.stringify({ token: { ip: [100_000_000, 60], client: [100_000_000, 60] } });

export interface BenchClient {
  readonly id: string;
  readonly secret: string;
  readonly redirectUri: string;
}

export const BENCH_USER = { name: 'BenchUser', password: 'bench-password-1', email: 'bench@example.org' } as const;
const REDIRECT_URI = 'https://app.example/callback';

export interface RunningTarget {
  readonly url: string;
  readonly client: BenchClient;
  /** Sum over the target's server processes (not the load balancer). */
  peakRss(): number;
  stop(): Promise<void>;
}

export interface Target {
  readonly name: string;
  /** The framework's ceiling the others are compared with. */
  readonly ceiling: boolean;
  /** Once per benchmark run: create and seed the backing stores. */
  setup(): Promise<void>;
  /** A fresh target process (or processes) per workload; `nodeArgs` e.g. --cpu-prof. */
  start(nodeArgs?: readonly string[]): Promise<RunningTarget>;
  teardown(): Promise<void>;
}

export interface Backends {
  readonly mysqlServer: string;
  readonly redisUrl: string;
}

/** Stock oidc-provider, in-memory adapter: nothing to set up; every start is empty. */
export function stockTarget(): Target {
  const client = { id: randomBytes(16).toString('hex'), secret: randomBytes(24).toString('base64url'), redirectUri: REDIRECT_URI };
  return {
    name: 'oidc-provider (memory)',
    ceiling: true,
    setup: async () => undefined,
    teardown: async () => undefined,
    async start(nodeArgs = []) {
      const port = await freePort();
      const child = await startNode(STOCK, [], { PORT: String(port), BENCH_CLIENT: JSON.stringify({ client_id: client.id, client_secret: client.secret, redirect_uri: client.redirectUri }) }, 'listening on', nodeArgs);
      return { url: `http://127.0.0.1:${port}`, client, peakRss: () => child.peakRss(), stop: () => child.stop() };
    },
  };
}

/** wikiauth on SQLite (embedded mode), one process. */
export function wikiauthSqliteTarget(): Target {
  const dir = mkdtempSync(join(tmpdir(), 'wikiauth-bench-'));
  const env = { DATABASE_URL: `sqlite:${join(dir, 'bench.sqlite')}`, DATA_DIR: dir, SECRET_KEY, RATE_LIMITS };
  let client: BenchClient;
  return {
    name: 'wikiauth SQLite',
    ceiling: false,
    async setup() {
      client = await seed(env);
    },
    start: (nodeArgs = []) => startWikiauth(env, client, 1, nodeArgs),
    teardown: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** wikiauth on MariaDB + Redis: one instance, or several behind a round-robin balancer. */
export function wikiauthMariadbRedisTarget(backends: Backends, instances: number): Target {
  const suffix = randomBytes(5).toString('hex');
  const database = `wikiauth_bench_${suffix}`;
  const prefix = `wikiauth_bench_${suffix}:`;
  const env = { DATABASE_URL: `${backends.mysqlServer}/${database}`, SECRET_KEY, REDIS_URL: backends.redisUrl, REDIS_PREFIX: prefix, RATE_LIMITS };
  let client: BenchClient;
  return {
    name: instances === 1 ? 'wikiauth MariaDB+Redis' : `wikiauth MariaDB+Redis ×${instances}`,
    ceiling: false,
    async setup() {
      await adminQuery(backends.mysqlServer, `CREATE DATABASE \`${database}\``);
      await runNode(WIKIAUTH, ['migrate'], env);
      client = await seed(env);
    },
    start: (nodeArgs = []) => startWikiauth(env, client, instances, nodeArgs),
    async teardown() {
      await adminQuery(backends.mysqlServer, `DROP DATABASE IF EXISTS \`${database}\``);
      await deleteRedisKeys(backends.redisUrl, prefix);
    },
  };
}

async function startWikiauth(env: Record<string, string>, client: BenchClient, instances: number, nodeArgs: readonly string[]): Promise<RunningTarget> {
  const publicPort = await freePort();
  const issuer = `http://127.0.0.1:${publicPort}`;
  const ports = instances === 1 ? [publicPort] : await Promise.all(Array.from({ length: instances }, freePort));
  const servers: Child[] = [];
  for (const port of ports) servers.push(await startNode(WIKIAUTH, ['serve'], { ...env, HOST: '127.0.0.1', PORT: String(port), ISSUER: issuer }, 'wikiauth listening on', nodeArgs));
  const proxy = instances === 1 ? undefined : await startNode(PROXY, [], { PORT: String(publicPort), BACKENDS: ports.map((port) => `http://127.0.0.1:${port}`).join(',') }, 'listening on');
  return {
    url: issuer,
    client,
    peakRss: () => servers.reduce((sum, server) => sum + server.peakRss(), 0),
    stop: async () => {
      await proxy?.stop();
      await Promise.all(servers.map((server) => server.stop()));
    },
  };
}

/** The benchmark's user (who owns the client, as MediaWiki requires an email for that) and client. */
async function seed(env: Record<string, string>): Promise<BenchClient> {
  const services = await openServices(loadConfig(env));
  try {
    await services.keys.ensureKeys();
    await services.accounts.create({ ...BENCH_USER });
    const created = await services.consumers.propose(
      {
        ownerName: BENCH_USER.name,
        name: 'Benchmark client',
        version: '1.0',
        description: 'Load benchmark',
        callbackUrl: REDIRECT_URI,
        grants: ['mwoauth-authonlyprivate'],
        oauthVersion: 2,
        oauth2IsConfidential: true,
        oauth2GrantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
        ownerOnly: false,
      },
      { approve: true },
    );
    return { id: created.consumer.key, secret: created.secret, redirectUri: REDIRECT_URI };
  } finally {
    await services.close();
  }
}

async function adminQuery(server: string, sql: string): Promise<void> {
  const admin = knex({ client: 'mysql2', connection: `${server}/test` });
  try {
    await admin.raw(sql);
  } finally {
    await admin.destroy();
  }
}

/** Remove every key under a prefix (also used by the test helpers). */
export async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
