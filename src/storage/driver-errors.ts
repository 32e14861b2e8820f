import { UnavailableError } from '../domain/errors.js';

/**
 * Driver failures that mean a storage service cannot be reached (refused, timed out, connection
 * lost), from mysql2, better-sqlite3, knex's pool and ioredis. Anything else is a bug and stays as is.
 */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; message?: string; name?: string };
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'PROTOCOL_CONNECTION_LOST', 'ENOTFOUND', 'EHOSTUNREACH'].includes(e?.code ?? '') ||
    e?.name === 'KnexTimeoutError' ||
    /Timeout acquiring a connection|Connection is closed|Stream isn't writeable|enableOfflineQueue|max retries per request|Command timed out/i.test(e?.message ?? '')
  );
}

/** A driver's connection failure as the domain's one "unavailable" error (docs/architecture.md §6). */
export function translateDriverError(err: unknown, dependency: string): unknown {
  return !(err instanceof UnavailableError) && isConnectionError(err) ? new UnavailableError(dependency, { cause: err }) : err;
}

/**
 * The port with every method's connection failures turned into UnavailableError, so edges see one
 * error for an outage whichever driver failed.
 */
export function unavailableOnDriverErrors<T extends object>(port: T, dependency = 'the database'): T {
  return new Proxy(port, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        try {
          const result: unknown = value.apply(target, args);
          return result instanceof Promise ? result.catch((err: unknown) => Promise.reject(translateDriverError(err, dependency))) : result;
        } catch (err) {
          throw translateDriverError(err, dependency);
        }
      };
    },
  });
}
