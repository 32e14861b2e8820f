import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestWiki, WIKI_ADMIN, schemaDump } from '../../helpers/mediawiki.js';

// The test wiki itself (test/helpers/mediawiki.ts): MediaWiki's installer, maintenance scripts and
// api.php behave as the helper promises, on MariaDB with a $wgDBprefix and on SQLite.
describe.each([
  ['MariaDB with mw_', { db: 'mysql', prefix: 'mw_' }],
  ['SQLite', { db: 'sqlite' }],
] as const)('test wiki on %s', (_label, options) => {
  let wiki: TestWiki;

  beforeAll(async () => {
    wiki = await TestWiki.install(options);
    await wiki.serve();
  });
  afterAll(() => wiki?.destroy());

  it('installs MediaWiki tables under the prefix', async () => {
    const db = wiki.connect();
    try {
      const tables = Object.keys(await schemaDump(db));
      expect(tables).toContain(wiki.table('user'));
      expect(tables).toContain(wiki.table('ipblocks'));
      expect(tables.every((t) => t.startsWith(wiki.prefix))).toBe(true);
    } finally {
      await db.destroy();
    }
  });

  it('signs in users made by maintenance scripts, with groups, new passwords and blocks', async () => {
    await wiki.createUser('Harness Sysop', 'Sysop-pass-12345', { groups: ['sysop'] });
    const api = wiki.apiClient();
    expect((await api.clientLogin('Harness Sysop', 'Sysop-pass-12345')).status).toBe('PASS');
    const info = await api.userInfo();
    expect(info.name).toBe('Harness Sysop');
    expect(info.groups).toEqual(['sysop', '*', 'user', 'autoconfirmed']);
    expect(info.rights).toContain('block');

    await wiki.changePassword('Harness Sysop', 'Other-pass-67890');
    expect((await wiki.apiClient().clientLogin('Harness Sysop', 'Sysop-pass-12345')).status).toBe('FAIL');
    expect((await wiki.apiClient().clientLogin('Harness Sysop', 'Other-pass-67890')).status).toBe('PASS');

    await wiki.block(['Harness Sysop'], { reason: 'harness' });
    const blocked = await api.userInfo();
    expect(blocked.blockid).toBeGreaterThan(0);
    await wiki.unblock(['Harness Sysop']);
    expect((await api.userInfo()).blockid).toBeUndefined();
  });

  it('runs PHP inside the wiki', async () => {
    const out = await wiki.eval(`$this->output( MediaWiki\\MediaWikiServices::getInstance()->getUserFactory()->newFromName( '${WIKI_ADMIN.name}' )->getId() );`);
    expect(out.trim()).toBe('1');
  });
});
