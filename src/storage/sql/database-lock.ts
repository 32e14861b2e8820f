import type { Knex } from 'knex';
import { UnavailableError } from '../../domain/errors.js';
import { isMysql } from './create-knex.js';

/**
 * Run `fn` while holding a named MariaDB/MySQL lock (GET_LOCK), waiting up to `waitSeconds` for it:
 * one-time setup that several instances may attempt at once (first keys, migrations). The lock
 * belongs to one pooled connection, held for the duration. SQLite serves one instance: no lock.
 */
export async function withDatabaseLock<T>(db: Knex, name: string, fn: () => Promise<T>, waitSeconds = 10): Promise<T> {
  if (!isMysql(db)) return fn();
  const connection = await db.client.acquireConnection();
  try {
    const [rows] = (await db.raw('SELECT GET_LOCK(?, ?) AS got', [name, waitSeconds]).connection(connection)) as [Array<{ got: number | null }>];
    if (Number(rows[0]?.got) !== 1) throw new UnavailableError(`database lock ${name}`);
    try {
      return await fn();
    } finally {
      await db.raw('SELECT RELEASE_LOCK(?)', [name]).connection(connection);
    }
  } finally {
    await db.client.releaseConnection(connection);
  }
}
