import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../migrations/index.js';
import { createKnex } from '../../src/storage/sql/create-knex.js';
import { SqlAuthorizationRepository } from '../../src/storage/sql/sql-authorization-repository.js';
import { lines, runCli, type CliResult } from '../helpers/cli.js';
import { TEST_SECRET_KEY } from '../helpers/config.js';
import { SQL_DIALECTS, type TestDatabase } from '../helpers/databases.js';
import { listTables } from '../helpers/schema.js';

/** Non-zero exit, nothing on stdout, exactly one line on stderr. */
function expectOneLineError(result: CliResult, pattern?: RegExp): void {
  expect(result.code, result.stderr).not.toBe(0);
  expect(result.stdout).toBe('');
  expect(lines(result.stderr)).toHaveLength(1);
  expect(result.stderr).toMatch(/^wikiauth: /);
  if (pattern) expect(result.stderr).toMatch(pattern);
}

function expectSuccess(result: CliResult): string[] {
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return lines(result.stdout);
}

const CONSUMER_FLAGS = [
  '--user', 'Admin', '--name', 'Test tool', '--description', 'Used in tests', '--version', '1.0',
  '--callbackUrl', 'https://tool.example/callback', '--grants', 'basic', '--grants', 'editpage', '--oauthVersion', '2',
];

describe.each(SQL_DIALECTS)('wikiauth CLI on %s', (dialect, open) => {
  let database: TestDatabase;
  let cwd: string;
  let db: Knex;
  const cli = (...args: string[]) => runCli(args, { cwd, env: { DATABASE_URL: database.url, SECRET_KEY: TEST_SECRET_KEY } });
  const groupsOf = async (name: string) =>
    (await db('user_groups').join('user', 'user_id', 'ug_user').where('user_name', name).pluck('ug_group')).sort();

  beforeAll(async () => {
    database = await open();
    cwd = mkdtempSync(join(tmpdir(), 'wikiauth-cli-'));
    db = createKnex(database.config);
  });

  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
    rmSync(cwd, { recursive: true, force: true });
  });

  if (dialect === 'mariadb') {
    it('asks for `wikiauth migrate` before anything else on a fresh MariaDB database', async () => {
      expectOneLineError(await cli('createAndPromote', 'Admin', 'secretpass'), /wikiauth migrate/);
    });
  }

  it('migrates, and a second run finds the schema up to date', async () => {
    expect(expectSuccess(await cli('migrate'))).toEqual([expect.stringMatching(new RegExp(`^Applied ${MIGRATIONS.length} migration\\(s\\): 20261124000001_create-user, `))]);
    expect(expectSuccess(await cli('migrate'))).toEqual(['The database schema is up to date.']);
    expect(await listTables(db)).toContain('oauth_registered_consumer');
  });

  it('createAndPromote creates an administrator with a confirmed email and groups', async () => {
    const out = expectSuccess(await cli('createAndPromote', 'Admin', 'secretpass', '--email', 'a@example.org', '--sysop', '--custom-groups', 'checkuser, interface-admin'));
    expect(out).toEqual([expect.stringMatching(/^Account "Admin" created \(id \d+\) in groups: sysop, checkuser, interface-admin\.$/)]);
    const user = await db('user').where('user_name', 'Admin').first();
    expect(user).toMatchObject({ user_email: 'a@example.org', user_email_authenticated: expect.stringMatching(/^\d{14}$/) });
    expect(user.user_password).toMatch(/^:pbkdf2:sha512:30000:64:/);
    expect(await groupsOf('Admin')).toEqual(['checkuser', 'interface-admin', 'sysop']);
  });

  it('createAndPromote keeps digit-only user names as they are', async () => {
    expectSuccess(await cli('createAndPromote', '0123', 'secretpass'));
    expect(await db('user').where('user_name', '0123').first('user_email_authenticated')).toEqual({ user_email_authenticated: null });
  });

  it('createAndPromote refuses an existing user without --force, and updates it with --force', async () => {
    expectOneLineError(await cli('createAndPromote', 'Admin', 'otherpass'), /--force/);
    const before = (await db('user').where('user_name', 'Admin').first('user_password')).user_password;
    expect(expectSuccess(await cli('createAndPromote', 'Admin', 'other-pass-1', '--bureaucrat', '--force'))).toEqual(['Account "Admin" updated; groups: bureaucrat.']);
    expect((await db('user').where('user_name', 'Admin').first('user_password')).user_password).not.toBe(before);
    expect(await groupsOf('Admin')).toEqual(['bureaucrat', 'checkuser', 'interface-admin', 'sysop']);
  });

  it('createOAuthConsumer --approve --jsonOnSuccess prints one JSON line with an HMAC of the stored secret', async () => {
    const out = expectSuccess(await cli('createOAuthConsumer', ...CONSUMER_FLAGS, '--approve', '--jsonOnSuccess'));
    expect(out).toHaveLength(1);
    const printed = JSON.parse(out[0]!);
    expect(Object.keys(printed)).toEqual(['created', 'id', 'name', 'key', 'secret', 'approved']);
    expect(printed).toMatchObject({ created: true, id: expect.any(Number), name: 'Test tool', key: expect.stringMatching(/^[0-9a-f]{32}$/), approved: 1 });
    const row = await db('oauth_registered_consumer').where('oarc_consumer_key', printed.key).first();
    expect(row).toMatchObject({
      oarc_id: printed.id, oarc_stage: 1, oarc_oauth_version: 2, oarc_grants: '["useoauth","editpage"]',
      oarc_oauth2_allowed_grants: '["authorization_code","refresh_token"]', oarc_email: 'a@example.org',
    });
    expect(row.oarc_secret_key).toMatch(/^[0-9a-f]{32}$/);
    expect(row.oarc_secret_key).not.toBe(printed.secret);
    expect(printed.secret).toBe(createHmac('sha1', TEST_SECRET_KEY).update(row.oarc_secret_key).digest('hex'));
  });

  it('createOAuthConsumer without --approve leaves an OAuth 1.0a consumer proposed', async () => {
    const out = expectSuccess(await cli('createOAuthConsumer', ...CONSUMER_FLAGS.slice(0, -2), '--name', 'Old tool', '--grants', 'mwoauth-authonly', '--jsonOnSuccess'));
    const printed = JSON.parse(out[0]!);
    expect(printed.approved).toBeUndefined();
    expect(await db('oauth_registered_consumer').where('oarc_id', printed.id).first('oarc_stage', 'oarc_oauth_version', 'oarc_grants')).toEqual({
      oarc_stage: 0, oarc_oauth_version: 1, oarc_grants: '["useoauth","editpage","authonly"]',
    });
  });

  it('createOAuthConsumer keeps every --grants value and finds --user as User::newFromName does', async () => {
    const out = expectSuccess(await cli(
      'createOAuthConsumer', ...CONSUMER_FLAGS.slice(0, -6), '--user', 'admin', '--name', 'Mixed tool',
      '--grants', 'basic', '--grants', 'editpage', '--grants', 'mwoauth-authonlyprivate', '--oauthVersion', '2', '--jsonOnSuccess',
    ));
    const printed = JSON.parse(out[0]!);
    const row = await db('oauth_registered_consumer').join('user', 'user_id', 'oarc_user_id').where('oarc_id', printed.id).first('oarc_grants', 'user_name');
    expect(row).toEqual({ oarc_grants: '["useoauth","editpage","authonlyprivate"]', user_name: 'Admin' });
  });

  it('createOAuthConsumer --requireTwoFactor and requireTwoFactorForConsumer [--off] set wikiauth_consumer_meta.wcm_two_factor', async () => {
    const printed = JSON.parse(expectSuccess(await cli('createOAuthConsumer', ...CONSUMER_FLAGS, '--name', 'Vault', '--requireTwoFactor', '--approve', '--jsonOnSuccess'))[0]!);
    const demanded = async () => Number((await db('wikiauth_consumer_meta').where('wcm_consumer_id', printed.id).first('wcm_two_factor')).wcm_two_factor);
    expect(await demanded()).toBe(1);
    expect(expectSuccess(await cli('requireTwoFactorForConsumer', '--key', printed.key, '--off'))).toEqual([`Consumer "Vault" (${printed.key}) no longer demands two-factor sign-in.`]);
    expect(await demanded()).toBe(0);
    expect(expectSuccess(await cli('requireTwoFactorForConsumer', '--key', printed.key))).toEqual([`Consumer "Vault" (${printed.key}) demands two-factor sign-in from its users.`]);
    expect(await demanded()).toBe(1);
    expectOneLineError(await cli('requireTwoFactorForConsumer', '--key', 'f'.repeat(32)), /not found/);
  });

  it('createOAuthConsumer --trusted and trustOAuthConsumer [--untrust] set the trusted mark in wikiauth_consumer_meta', async () => {
    const printed = JSON.parse(expectSuccess(await cli('createOAuthConsumer', ...CONSUMER_FLAGS, '--name', 'Forum', '--trusted', '--approve', '--jsonOnSuccess'))[0]!);
    const trusted = async () => (await db('wikiauth_consumer_meta').where('wcm_consumer_id', printed.id).first('wcm_trusted')).wcm_trusted;
    expect(Number(await trusted())).toBe(1);
    expect(expectSuccess(await cli('trustOAuthConsumer', '--key', printed.key, '--untrust'))).toEqual([`Consumer "Forum" (${printed.key}) is no longer trusted.`]);
    expect(Number(await trusted())).toBe(0);
    expect(expectSuccess(await cli('trustOAuthConsumer', '--key', printed.key))).toEqual([`Consumer "Forum" (${printed.key}) is trusted: its users are not asked to consent.`]);
    expect(Number(await trusted())).toBe(1);
    expectOneLineError(await cli('trustOAuthConsumer', '--key', 'f'.repeat(32)), /not found/);
    expect(expectSuccess(await cli('trustOAuthConsumer', '--key', printed.key, '--untrust', '--reason', 'Asked by its users'))).toHaveLength(1);
    // Every change of the mark is in the consumer's log (newest first), made by the command line.
    const log = await db('wikiauth_log').where('wl_consumer_key', printed.key).orderBy('wl_id', 'desc').select('wl_action', 'wl_actor', 'wl_comment');
    expect(log.slice(0, 4)).toEqual([
      { wl_action: 'untrust', wl_actor: 0, wl_comment: 'Asked by its users' },
      { wl_action: 'trust', wl_actor: 0, wl_comment: '' },
      { wl_action: 'untrust', wl_actor: 0, wl_comment: '' },
      { wl_action: 'trust', wl_actor: 0, wl_comment: 'Trusted on creation' },
    ]);
  });

  it.each([
    ['an unknown flag', ['--bogus'], /Unknown option '--bogus'/],
    ['no --grants', ['--user', 'Admin', '--name', 'X', '--description', 'D', '--version', '1', '--callbackUrl', 'https://x.example/'], /--grants is required/],
    ['an unknown grant', [...CONSUMER_FLAGS, '--name', 'Grant tool', '--grants', 'no-such-grant'], /no-such-grant/],
    ['a bad callback URL', [...CONSUMER_FLAGS, '--callbackUrl', 'not a url'], /not a valid URL/],
    ['--oauthVersion 3', [...CONSUMER_FLAGS, '--oauthVersion', '3'], /--oauthVersion must be 1 or 2/],
  ])('createOAuthConsumer with %s fails with one line', async (_case, args, pattern) => {
    expectOneLineError(await cli('createOAuthConsumer', ...args), pattern);
  });

  it('an unknown command fails with one line', async () => {
    expectOneLineError(await cli('frobnicate'), /unknown command "frobnicate"/);
  });

  it('deleteOAuthConsumer removes the consumer and its authorizations', async () => {
    const consumer = await db('oauth_registered_consumer').where('oarc_name', 'Test tool').first('oarc_id', 'oarc_consumer_key');
    const admin = await db('user').where('user_name', 'Admin').first('user_id');
    const authorization = await new SqlAuthorizationRepository(db).upsert({ wiki: '*', userId: admin.user_id, consumerId: consumer.oarc_id, grants: ['basic'], oauthVersion: 2 });
    await db('wikiauth_grant').insert({ wg_id: 'cli-grant', wg_acceptance_id: authorization.id, wg_payload: '{}' });
    await db('oauth2_access_tokens').insert({ oaat_identifier: 'cli-jti', oaat_expires: '20991231235959', oaat_acceptance_id: authorization.id });

    expect(expectSuccess(await cli('deleteOAuthConsumer', '--key', consumer.oarc_consumer_key))).toEqual([
      `Deleted consumer "Test tool" (${consumer.oarc_consumer_key}) and its authorizations.`,
    ]);
    expect(await db('oauth_registered_consumer').where('oarc_id', consumer.oarc_id).first()).toBeUndefined();
    expect(await db('wikiauth_consumer_meta').where('wcm_consumer_id', consumer.oarc_id).first()).toBeUndefined();
    expect(await db('oauth_accepted_consumer').where('oaac_consumer_id', consumer.oarc_id).first()).toBeUndefined();
    expect(await db('wikiauth_grant').where('wg_id', 'cli-grant').first()).toBeUndefined();
    expect(await db('oauth2_access_tokens').where('oaat_identifier', 'cli-jti').first()).toMatchObject({ oaat_revoked: 1 });
    expectOneLineError(await cli('deleteOAuthConsumer', '--key', consumer.oarc_consumer_key), /not found/);
  });

  it('changePassword sets a new hash and revokes the user\'s authorizations', async () => {
    const admin = await db('user').where('user_name', 'Admin').first('user_id', 'user_password');
    const consumer = await db('oauth_registered_consumer').where('oarc_name', 'Old tool').first('oarc_id');
    await new SqlAuthorizationRepository(db).upsert({ wiki: '*', userId: admin.user_id, consumerId: consumer.oarc_id, grants: ['basic'], oauthVersion: 1 });
    expect(expectSuccess(await cli('changePassword', '--user', 'Admin', '--password', 'new-secret-1'))).toEqual([
      'Password changed for "Admin"; 1 app authorization(s) revoked.',
    ]);
    expect((await db('user').where('user_id', admin.user_id).first('user_password')).user_password).not.toBe(admin.user_password);
    expect(await db('oauth_accepted_consumer').where('oaac_user_id', admin.user_id).first()).toBeUndefined();
    expectOneLineError(await cli('changePassword', '--user', 'Nobody', '--password', 'x'), /not found/);
  });

  it('blockUser and unblockUser', async () => {
    expect(expectSuccess(await cli('blockUser', '0123', '--reason', 'Spam'))).toEqual(['Blocked "0123".']);
    const { user_id } = await db('user').where('user_name', '0123').first('user_id');
    expect(await db('wikiauth_user_block').where('wub_user', user_id).first()).toMatchObject({ wub_reason: 'Spam', wub_expiry: 'infinity' });
    expect(expectSuccess(await cli('unblockUser', '0123'))).toEqual(['Unblocked "0123".']);
    expect(await db('wikiauth_user_block').where('wub_user', user_id).first()).toBeUndefined();
    expectOneLineError(await cli('unblockUser', '0123'), /not blocked/);
    expectOneLineError(await cli('blockUser', '0123', '--expiry', 'tomorrow'), /--expiry/);
  });

  it('keys list, rotate and retire', async () => {
    const first = expectSuccess(await cli('keys', 'list')).map((line) => line.split('\t'));
    expect(first.map(([, use, alg, state]) => [use, alg, state])).toEqual([['sig', 'RS256', 'signing'], ['cookie', 'HS256', 'published'], ['oauth2', 'RS256', 'published']]);
    const oldKid = first[0]![0]!;

    const rotated = expectSuccess(await cli('keys', 'rotate', '--activate-in', '0'));
    const newKid = /^Published signing key (\S+); it signs from \d{14} \(UTC\)\.$/.exec(rotated[0]!)?.[1];
    expect(newKid).toBeDefined();
    const second = expectSuccess(await cli('keys', 'list')).map((line) => line.split('\t'));
    expect(second.map(([kid, , , state]) => [kid, state])).toEqual([[oldKid, 'published'], [expect.any(String), 'published'], [expect.any(String), 'published'], [newKid, 'signing']]);

    expectOneLineError(await cli('keys', 'retire', newKid!), /signing tokens now/);
    expectOneLineError(await cli('keys', 'retire', oldKid), /may still be valid/);
    expect(expectSuccess(await cli('keys', 'retire', oldKid, '--force'))).toEqual([`Retired signing key ${oldKid}; it is no longer published.`]);
    const third = expectSuccess(await cli('keys', 'list')).map((line) => line.split('\t'));
    expect(third.find(([kid]) => kid === oldKid)![3]).toBe('retired');
    expectOneLineError(await cli('keys', 'spin'), /unknown keys subcommand/);
  });
});

describe('wikiauth migrate, twice at once, on a fresh MariaDB database', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await SQL_DIALECTS[1][1]();
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('both processes exit 0 and the schema is complete once', async () => {
    const cwd = tmpdir();
    const env = { DATABASE_URL: database.url, SECRET_KEY: TEST_SECRET_KEY };
    const results = await Promise.all([runCli(['migrate'], { cwd, env }), runCli(['migrate'], { cwd, env })]);
    for (const result of results) expect(result, result.stderr).toMatchObject({ code: 0, stderr: '' });
    const db = createKnex(database.config);
    try {
      expect(await db('wikiauth_migrations').count({ n: '*' })).toEqual([{ n: MIGRATIONS.length }]);
      expect(await listTables(db)).toContain('wikiauth_artifact');
    } finally {
      await db.destroy();
    }
  });
});
