import { Redis } from 'ioredis';

/** How long a command may take before it fails (docs/architecture.md §10: fail fast, the defaults wait 10–73 s). */
const COMMAND_TIMEOUT_MS = 1000;
const CONNECT_TIMEOUT_MS = 1000;
/** Reconnect forever, at most a second apart, so the service recovers on its own. */
const MAX_RECONNECT_DELAY_MS = 1000;

/**
 * One ioredis client per process, configured to fail fast: no offline queue (a command while
 * disconnected fails at once instead of waiting for a reconnect), one retry, a 1 s command timeout.
 * Callers see the error; the HTTP edge answers 503.
 */
export function createRedis(url: string): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: CONNECT_TIMEOUT_MS,
    autoResendUnfulfilledCommands: false,
    retryStrategy: (attempt) => Math.min(attempt * 200, MAX_RECONNECT_DELAY_MS),
    lazyConnect: true,
  });
  // Connection errors surface on the commands that need Redis (and in /readyz); without a
  // listener ioredis would print every failed reconnect attempt.
  redis.on('error', () => undefined);
  return redis;
}

/**
 * Start connecting and wait until Redis answers or `timeoutMs` passes. A server started while Redis
 * is down still starts (reporting not ready) and picks Redis up when it comes back.
 */
export async function connectRedis(redis: Redis, timeoutMs = 2000): Promise<boolean> {
  if (redis.status === 'ready') return true;
  const ready = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    timer.unref();
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  if (redis.status === 'wait') redis.connect().catch(() => undefined);
  return ready;
}
