import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, REPO_ROOT } from '../../helpers/cli.js';
import { seedClient } from '../../helpers/fixtures.js';
import { BLOCK_CASES, TestWiki, WIKI_ADMIN } from '../../helpers/mediawiki.js';
import type { TestServer } from '../../helpers/server.js';
import { openForm, postFields, signIn } from '../../helpers/site.js';
import { sign } from '../oauth1/python-client.js';

// Issue 11: what the wiki's own api.php and Special:Log say, compared with wikiauth on the same
// database: `meta=userinfo&uiprop=blockinfo` for blocked and unblocked users (ApiQueryUserInfo,
// ApiBlockInfoTrait), and the consumer log entries of suppressing reviews and trusted-mark changes.

const { PLAIN, BLOCKED, PARTIAL, HIDDEN, LAPSED } = BLOCK_CASES;
const USERS = [PLAIN, BLOCKED, PARTIAL, HIDDEN, LAPSED];

/** `id`, `name` and every block field, in the order the answer has them. */
const blockPart = (info: Record<string, unknown>) => Object.entries(info).filter(([key]) => key === 'id' || key === 'name' || key.startsWith('block'));

describe.each([
  ['MariaDB', { db: 'mysql' }],
  ['SQLite', { db: 'sqlite' }],
] as const)('the wiki\'s api.php and log agree with wikiauth on a MediaWiki 1.39 database: %s', (_label, options) => {
  let wiki: TestWiki;
  let wikiDb: Knex;
  let server: TestServer;
  /** Each user's own credentials on wikiauth: an owner-only consumer's OAuth 2 token and OAuth 1.0a access token. */
  const credentials = new Map<string, { bearer: string; oauth1: { key: string; secret: string; token: string; tokenSecret: string } }>();

  beforeAll(async () => {
    wiki = await TestWiki.installWithBlockCases(options, USERS);
    await wiki.eval(`
      $dbw = MediaWiki\\MediaWikiServices::getInstance()->getDBLoadBalancer()->getConnection( DB_PRIMARY );
      $dbw->update( 'ipblocks', [ 'ipb_expiry' => '20200101000000' ], [ 'ipb_address' => '${LAPSED.name}' ], __METHOD__ );
    `);
    // A partial block with an expiry that also stops account creation, and a hidden one.
    await wiki.blockAsAdmin([
      { user: PARTIAL.name, partial: '1', allowusertalk: '1', pagerestrictions: 'Main Page', expiry: '1 week', nocreate: '1', reason: 'Edit war' },
      { user: HIDDEN.name, hidename: '1', expiry: 'infinite', reason: 'Abuse' },
    ]);

    // The wiki's rights, with the consumer rights a wiki running Extension:OAuth gives its reviewers.
    const exported = JSON.parse(await wiki.eval('global $wgGroupPermissions; $this->output( json_encode( $wgGroupPermissions ) );')) as Record<string, Record<string, boolean>>;
    exported.sysop = { ...exported.sysop, mwoauthmanageconsumer: true, mwoauthviewprivate: true };
    exported.suppress = { ...exported.suppress, mwoauthsuppress: true, mwoauthviewsuppressed: true };
    exported.user = { ...exported.user, mwoauthproposeconsumer: true, mwoauthmanagemygrants: true };
    const rightsFile = join(wiki.dir, 'rights.json');
    writeFileSync(rightsFile, JSON.stringify({ GroupPermissions: exported }));
    const env = wiki.wikiauthEnv({ MEDIAWIKI_RIGHTS_FILE: rightsFile });
    const migrated = await runCli(['migrate'], { env, cwd: REPO_ROOT });
    expect(migrated.stderr).toBe('');
    server = await wiki.startWikiauth(env);
    wikiDb = wiki.connect();

    for (const user of [...USERS, WIKI_ADMIN]) await server.services.accounts.setEmail(user.name, 'someone@wiki.example');
    for (const user of USERS) {
      const common = { ownerName: user.name, version: '1.0', description: 'My own tool', callbackUrl: '', grants: ['basic'], ownerOnly: true };
      const oauth2 = await server.services.consumers.propose({ ...common, name: `${user.name} bot 2`, oauthVersion: 2, oauth2GrantTypes: ['client_credentials'] }, { approve: true });
      const oauth1 = await server.services.consumers.propose({ ...common, name: `${user.name} bot 1`, oauthVersion: 1 }, { approve: true });
      credentials.set(user.name, {
        bearer: oauth2.ownerAccessToken!,
        oauth1: { key: oauth1.consumer.key, secret: oauth1.secret, token: oauth1.ownerAccess!.token, tokenSecret: oauth1.ownerAccess!.secret },
      });
    }
  }, 240_000);

  afterAll(async () => {
    await wikiDb?.destroy();
    await wiki?.destroy();
  });

  /** wikiauth's api.php answer for `user`: format version 2 with the Bearer token, version 1 signed with OAuth 1.0a. */
  const ours = async (user: { name: string }, params: Record<string, string>) => {
    const own = credentials.get(user.name)!;
    const query = new URLSearchParams({ action: 'query', meta: 'userinfo', format: 'json', ...params });
    const url = `${server.issuer}/w/api.php?${query}`;
    if (params.formatversion === '2') {
      return (await (await fetch(url, { headers: { authorization: `Bearer ${own.bearer}` } })).json()) as Record<string, any>;
    }
    const signed = await sign({ method: 'GET', url, key: own.oauth1.key, secret: own.oauth1.secret, token: own.oauth1.token, token_secret: own.oauth1.tokenSecret });
    return (await (await fetch(signed.url, { headers: signed.headers })).json()) as Record<string, any>;
  };

  it('answers uiprop=blockinfo exactly as the wiki does, for sitewide, partial, hidden, lapsed and no blocks, in both format versions', async () => {
    for (const user of USERS) {
      const api = wiki.apiClient();
      expect((await api.clientLogin(user.name, user.password)).status, user.name).toBe('PASS');
      for (const formatversion of ['1', '2']) {
        const theirs = (await api.get({ action: 'query', meta: 'userinfo', uiprop: 'blockinfo', formatversion })).query.userinfo as Record<string, unknown>;
        const mine = (await ours(user, { uiprop: 'blockinfo', formatversion })).query.userinfo as Record<string, unknown>;
        expect(blockPart(mine), `${user.name} v${formatversion}`).toEqual(blockPart(theirs));
        expect(Object.keys(mine), `${user.name} v${formatversion}`).toEqual(Object.keys(theirs));
      }
    }
    // The comparison above is not vacuous: the blocks are there, with their own shapes.
    const sitewide = (await ours(BLOCKED, { uiprop: 'blockinfo', formatversion: '2' })).query.userinfo;
    expect(sitewide).toMatchObject({ blockedby: WIKI_ADMIN.name, blockreason: 'Vandalism', blockexpiry: 'infinite', blockpartial: false });
    const partial = (await ours(PARTIAL, { uiprop: 'blockinfo', formatversion: '2' })).query.userinfo;
    expect(partial).toMatchObject({ blockreason: 'Edit war', blockpartial: true, blocknocreate: true, blockexpiry: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) });
    expect((await ours(HIDDEN, { uiprop: 'blockinfo', formatversion: '2' })).query.userinfo.blockreason).toBe('Abuse');
    expect(Object.keys((await ours(LAPSED, { uiprop: 'blockinfo', formatversion: '2' })).query.userinfo)).toEqual(['id', 'name']);
  });

  it('answers blockinfo combined with other props in the wiki\'s order, groups as the wiki has them', async () => {
    for (const user of [BLOCKED, PARTIAL, PLAIN]) {
      const api = wiki.apiClient();
      expect((await api.clientLogin(user.name, user.password)).status).toBe('PASS');
      const uiprop = 'groups|blockinfo|editcount';
      const theirs = (await api.get({ action: 'query', meta: 'userinfo', uiprop, formatversion: '2' })).query.userinfo as Record<string, unknown>;
      const mine = (await ours(user, { uiprop, formatversion: '2' })).query.userinfo as Record<string, unknown>;
      expect(Object.keys(mine), user.name).toEqual(Object.keys(theirs));
      expect(blockPart(mine), user.name).toEqual(blockPart(theirs));
      expect([...(mine.groups as string[])].sort()).toEqual([...(theirs.groups as string[])].sort());
      expect(mine.editcount).toBe(theirs.editcount);
    }
  });

  it('logs suppressing reviews and trusted-mark changes in the wiki\'s logging table, as the wiki\'s api.php lists them', async () => {
    const rejected = await seedClient(server.services, { owner: PLAIN.name, name: 'Spam app', approve: false });
    const disabled = await seedClient(server.services, { owner: PLAIN.name, name: 'Abusive app' });
    const trusted = await seedClient(server.services, { owner: PLAIN.name, name: 'Forum' });
    const admin = await signIn(server.issuer, WIKI_ADMIN);
    const review = async (key: string, wpaction: string, wpreason: string) => {
      const { action, fields } = await openForm(admin, `/wiki/Special:OAuthManageConsumers/${key}`, 'mw-consumer-review-form');
      expect((await admin.postForm(action, { ...fields, wpaction, wpreason })).status).toBe(303);
    };
    await review(rejected.key, 'rsuppress', 'Spam, hidden');
    await review(disabled.key, 'dsuppress', 'Abuse, hidden');
    const trustPage = `/wiki/Special:OAuthManageConsumers/${trusted.key}`;
    for (const reason of ['Run by the wiki', 'No longer run by the wiki']) {
      const { action, fields } = await openForm(admin, trustPage, 'mw-consumer-trust-form');
      expect((await postFields(admin, action, Object.entries({ ...fields, wpreason: reason }))).status).toBe(303);
    }
    expect((await server.services.consumers.findByKey(rejected.key))).toMatchObject({ stage: 'rejected', deleted: true });
    expect((await server.services.consumers.findByKey(disabled.key))).toMatchObject({ stage: 'disabled', deleted: true });

    // The rows, as Extension:OAuth 1.39's ConsumerSubmitControl::makeLogEntry writes them: a
    // suppressing review is an ordinary `mwoauthconsumer` entry (no `suppress` log, not hidden).
    const rows = await wikiDb(wiki.table('logging'))
      .join(wiki.table('comment'), 'comment_id', 'log_comment_id')
      .join(wiki.table('actor'), 'actor_id', 'log_actor')
      .whereIn('log_action', ['reject', 'disable', 'trust', 'untrust'])
      .orderBy('log_id')
      .select('log_type', 'log_action', 'log_namespace', 'log_title', 'log_params', 'log_deleted', 'comment_text', 'actor_name');
    const params = (key: string) => `a:1:{s:10:"4:consumer";s:32:"${key}";}`;
    const row = (action: string, key: string, comment: string) => ({
      log_type: 'mwoauthconsumer',
      log_action: action,
      log_namespace: 2,
      log_title: PLAIN.name.replace(/ /g, '_'),
      log_params: params(key),
      log_deleted: 0,
      comment_text: comment,
      actor_name: WIKI_ADMIN.name,
    });
    // The test's own connection reads MariaDB's binary columns as bytes.
    const text = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString('utf8') : v]));
    expect(rows.map((r) => ({ ...text(r), log_namespace: Number(r.log_namespace), log_deleted: Number(r.log_deleted) }))).toEqual([
      row('reject', rejected.key, 'Spam, hidden'),
      row('disable', disabled.key, 'Abuse, hidden'),
      row('trust', trusted.key, 'Run by the wiki'),
      row('untrust', trusted.key, 'No longer run by the wiki'),
    ]);
    const search = await wikiDb(wiki.table('log_search')).whereIn('ls_value', [rejected.key, disabled.key, trusted.key]).select('ls_field');
    expect(search.length).toBeGreaterThanOrEqual(4);
    expect(new Set(search.map((s) => String(s.ls_field)))).toEqual(new Set(['OAuthConsumer']));

    // The wiki's own api.php, anonymous: every entry is public, as on a wiki running the extension.
    const events = (await wiki.apiClient().get({ action: 'query', list: 'logevents', leprop: 'type|user|title|comment|details', lelimit: '500' })).query.logevents as Array<Record<string, any>>;
    const listed = events.filter((e) => e.type === 'mwoauthconsumer' && ['reject', 'disable', 'trust', 'untrust'].includes(e.action)).reverse();
    expect(listed.map((e) => [e.action, e.user, e.title, e.comment, e.params['4:consumer']])).toEqual([
      ['reject', WIKI_ADMIN.name, `User:${PLAIN.name}`, 'Spam, hidden', rejected.key],
      ['disable', WIKI_ADMIN.name, `User:${PLAIN.name}`, 'Abuse, hidden', disabled.key],
      ['trust', WIKI_ADMIN.name, `User:${PLAIN.name}`, 'Run by the wiki', trusted.key],
      ['untrust', WIKI_ADMIN.name, `User:${PLAIN.name}`, 'No longer run by the wiki', trusted.key],
    ]);
    for (const event of listed) expect(event).not.toHaveProperty('suppressed');
  });
});
