import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKnex } from '../../../src/storage/sql/create-knex.js';
import { pendingMigrations } from '../../../src/storage/sql/migrate.js';
import { MIGRATIONS } from '../../../migrations/index.js';
import { REPO_ROOT, runCli } from '../../helpers/cli.js';
import { TEST_SECRET_KEY } from '../../helpers/config.js';
import { mariadbDatabase, type TestDatabase } from '../../helpers/databases.js';

/**
 * Issue 4: `wikiauth migrate` from two instances at once on MariaDB: the second waits for the first
 * (a named lock around the run; knex's own lock table is not safe to create concurrently), both
 * exit 0, every migration ran once.
 */
describe('wikiauth migrate from two processes at once', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await mariadbDatabase();
  });
  afterAll(async () => database?.drop());

  it('applies each migration once and both processes succeed; a third run finds nothing to do', async () => {
    const env = { DATABASE_URL: database.url, SECRET_KEY: TEST_SECRET_KEY };
    const runs = await Promise.all([runCli(['migrate'], { env, cwd: REPO_ROOT }), runCli(['migrate'], { env, cwd: REPO_ROOT })]);
    expect(runs.map((run) => [run.code, run.stderr])).toEqual([
      [0, ''],
      [0, ''],
    ]);
    const outputs = runs.map((run) => run.stdout.trim()).sort();
    expect(outputs).toEqual([`Applied ${MIGRATIONS.length} migration(s): ${MIGRATIONS.map(([name]) => name).join(', ')}`, 'The database schema is up to date.']);

    const db = createKnex(database.config);
    try {
      expect(await pendingMigrations(db)).toEqual([]);
      const rows = await db('wikiauth_migrations').select('name');
      expect(rows).toHaveLength(MIGRATIONS.length);
    } finally {
      await db.destroy();
    }
    const third = await runCli(['migrate'], { env, cwd: REPO_ROOT });
    expect([third.code, third.stdout.trim()]).toEqual([0, 'The database schema is up to date.']);
  });

  it('repairs a knex lock table that an earlier concurrent first run left with two rows', async () => {
    const env = { DATABASE_URL: database.url, SECRET_KEY: TEST_SECRET_KEY };
    const db = createKnex(database.config);
    try {
      await db('wikiauth_migrations_lock').insert({ is_locked: 0 });
      expect(await db('wikiauth_migrations_lock').count({ n: '*' })).toEqual([{ n: 2 }]);
      const run = await runCli(['migrate'], { env, cwd: REPO_ROOT });
      expect([run.code, run.stdout.trim(), run.stderr]).toEqual([0, 'The database schema is up to date.', '']);
      expect(await db('wikiauth_migrations_lock').select('is_locked')).toEqual([{ is_locked: 0 }]);
    } finally {
      await db.destroy();
    }
  });
});
