import { beforeAll, describe, expect, it } from 'vitest';
import { effectiveRights } from '../../../src/domain/grants/catalogue.js';
import { sqliteDatabase } from '../../helpers/databases.js';
import { ADMIN, BOB, seedClient } from '../../helpers/fixtures.js';
import { useSeededServer } from '../../helpers/seeded-suite.js';
import { seedOAuth1Consumer, type OAuth1Consumer } from './oauth1-fixtures.js';
import { runPython } from './python-client.js';
import { signedFetch } from './signed-requests.js';

const UIPROP = 'groups|rights|blockinfo|editcount|email|realname|registrationdate';

describe('api.php meta=userinfo with OAuth 1.0a signatures and OAuth 2 Bearer tokens', () => {
  // MediaWiki's $wgBlockDisablesLogin: a block refuses the user's OAuth credentials.
  const suite = useSeededServer(sqliteDatabase, { BLOCK_DISABLES_LOGIN: '1' });
  let api: string;
  let bot: OAuth1Consumer;

  beforeAll(async () => {
    api = `${suite.server.issuer}/w/api.php`;
    bot = await seedOAuth1Consumer(suite.server.services, { name: 'Admin Bot', ownerOnly: true, callbackUrl: '', grants: ['editpage', 'privateinfo'] });
  });

  const signedGet = (consumer: OAuth1Consumer, query: string, opts: { secret?: string } = {}) =>
    signedFetch({ method: 'GET', url: `${api}?${query}`, key: consumer.key, secret: opts.secret ?? consumer.secret, token: consumer.ownerAccess!.token, token_secret: consumer.ownerAccess!.secret });

  async function bearer(scope: string, opts: { ownerOnly?: boolean } = {}): Promise<string> {
    const client = await seedClient(suite.server.services, { grants: ['editpage'], ...(opts.ownerOnly ? { ownerOnly: true } : {}) });
    const res = await fetch(`${suite.server.issuer}/w/rest.php/oauth2/access_token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${client.key}:${client.secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope }),
    });
    const json = (await res.json()) as { access_token: string };
    expect(json.access_token).toBeTruthy();
    return json.access_token;
  }

  it('a signed call returns the user, with only the rights the grants allow', async () => {
    const res = await signedGet(bot, `action=query&meta=userinfo&uiprop=${encodeURIComponent(UIPROP)}&format=json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('vary')).toContain('Authorization');
    const body = (await res.json()) as { batchcomplete: string; query: { userinfo: Record<string, unknown> } };
    const admin = await suite.server.services.accounts.profile((await suite.server.services.accounts.findByName(ADMIN.name))!.id);
    expect(body.batchcomplete).toBe('');
    expect(body.query.userinfo).toMatchObject({ id: admin!.account.id, name: 'Admin', editcount: 0, groups: admin!.groups, email: ADMIN.email, realname: '' });
    expect(body.query.userinfo.emailauthenticated).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(body.query.userinfo.registrationdate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const rights = body.query.userinfo.rights as string[];
    expect(rights).toEqual(effectiveRights(admin!.rights, ['basic', 'editpage', 'privateinfo']));
    expect(rights).toEqual(expect.arrayContaining(['edit', 'read', 'viewmyprivateinfo']));
    // A sysop's rights beyond the grants stay out.
    for (const right of ['delete', 'block', 'protect', 'move', 'mwoauthmanageconsumer']) expect(rights).not.toContain(right);
    expect(admin!.rights).toContain('delete');
  });

  it('format version 2 uses real booleans', async () => {
    const res = await signedGet(bot, 'action=query&meta=userinfo&format=json&formatversion=2');
    expect(await res.json()).toEqual({ batchcomplete: true, query: { userinfo: { id: expect.any(Number), name: 'Admin' } } });
  });

  it('a bad signature is MediaWiki\'s mwoauth-invalid-authorization API error', async () => {
    const res = await signedGet(bot, 'action=query&meta=userinfo&format=json', { secret: 'wrong' });
    expect(res.status).toBe(200);
    expect(res.headers.get('mediawiki-api-error')).toBe('mwoauth-invalid-authorization');
    expect(await res.text()).toBe(
      '{"error":{"code":"mwoauth-invalid-authorization","info":"The authorization headers in your request are not valid: Invalid signature",' +
        `"*":"See ${api} for API usage. Subscribe to the mediawiki-api-announce mailing list at &lt;https://lists.wikimedia.org/postorius/lists/mediawiki-api-announce.lists.wikimedia.org/&gt; for notice of API deprecations and breaking changes."}}`,
    );
  });

  it('a blocked user\'s credentials are refused on api.php and identify', async () => {
    const bobBot = await seedOAuth1Consumer(suite.server.services, { name: 'Bob Bot', owner: BOB.name, ownerOnly: true, callbackUrl: '', grants: ['basic'] });
    expect((await (await signedGet(bobBot, 'action=query&meta=userinfo&format=json')).json())).toMatchObject({ query: { userinfo: { name: 'Bob' } } });
    await suite.server.services.accounts.block(BOB.name, 'testing');
    try {
      const body = (await (await signedGet(bobBot, 'action=query&meta=userinfo&format=json')).json()) as { error: { code: string; info: string } };
      expect(body.error).toMatchObject({ code: 'mwoauth-invalid-authorization-blocked-user', info: 'The authorization headers in your request are for a user who is blocked' });
      const identify = await runPython<{ error?: string }>(['mwoauth-identify', `${suite.server.issuer}/w/index.php`, bobBot.key, bobBot.secret, bobBot.ownerAccess!.token, bobBot.ownerAccess!.secret]);
      expect(identify.error).toBe('A MediaWiki API error occurred: The authorization headers in your request are for a user who is blocked');
    } finally {
      await suite.server.services.accounts.unblock(BOB.name);
    }
  });

  it('an OAuth 2 Bearer token of an owner-only client acts for its owner, limited to the token\'s grants', async () => {
    const token = await bearer('editpage', { ownerOnly: true });
    const body = (await (await fetch(`${api}?action=query&meta=userinfo&uiprop=rights&format=json`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      query: { userinfo: { name: string; rights: string[] } };
    };
    expect(body.query.userinfo.name).toBe('Admin');
    const admin = await suite.server.services.accounts.profile((await suite.server.services.accounts.findByName(ADMIN.name))!.id);
    expect(body.query.userinfo.rights).toEqual(effectiveRights(admin!.rights, ['editpage']));
  });

  it('a client_credentials Bearer token of a shared client is anonymous', async () => {
    const token = await bearer('editpage');
    const body = (await (await fetch(`${api}?action=query&meta=userinfo&uiprop=rights&format=json`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      query: { userinfo: Record<string, unknown> };
    };
    expect(body.query.userinfo).toEqual({ id: 0, name: '127.0.0.1', anon: '', rights: ['edit'] });
  });

  it('an invalid Bearer token and an unknown action are API errors; no credentials is an anonymous caller', async () => {
    const invalid = (await (await fetch(`${api}?action=query&meta=userinfo&format=json&formatversion=2`, { headers: { authorization: 'Bearer nope' } })).json()) as {
      error: Record<string, string>;
    };
    expect(invalid.error.code).toBe('mwoauth-invalid-authorization');
    // MediaWiki's text for every token its resource suite.server refuses (mwoauth-oauth2-invalid-access-token).
    expect(invalid.error.info).toBe('The authorization headers in your request are not valid: Invalid access token');
    expect(invalid.error.docref).toContain('for API usage');
    const unknown = (await (await fetch(`${api}?action=edit&format=json`)).json()) as { error: { code: string } };
    expect(unknown.error.code).toBe('badvalue');
    const anon = (await (await fetch(`${api}?action=query&meta=userinfo&format=json`)).json()) as { query: { userinfo: Record<string, unknown> } };
    expect(anon.query.userinfo).toEqual({ id: 0, name: '127.0.0.1', anon: '' });
  });
});

describe('api.php uiprop=blockinfo in standalone mode (blocks that do not lock users out)', () => {
  const suite = useSeededServer(sqliteDatabase);

  it('reports wikiauth\'s own block as ApiBlockInfoTrait does, and nothing once it is lifted', async () => {
    const bobBot = await seedOAuth1Consumer(suite.server.services, { name: 'Bob Bot', owner: BOB.name, ownerOnly: true, callbackUrl: '', grants: ['basic'] });
    const admin = (await suite.server.services.accounts.findByName(ADMIN.name))!;
    const bob = await suite.server.services.accounts.block(BOB.name, 'Testing blocks', admin.id, '20991231235959');
    const block = (await suite.server.services.accounts.currentBlock(bob.id))!;
    const iso = (ts: string) => `${ts.slice(0, 4)}-${ts.slice(4, 6)}-${ts.slice(6, 8)}T${ts.slice(8, 10)}:${ts.slice(10, 12)}:${ts.slice(12, 14)}Z`;
    const userinfo = async (formatversion: string) => {
      const url = `${suite.server.issuer}/w/api.php?action=query&meta=userinfo&uiprop=blockinfo&format=json&formatversion=${formatversion}`;
      const res = await signedFetch({ method: 'GET', url, key: bobBot.key, secret: bobBot.secret, token: bobBot.ownerAccess!.token, token_secret: bobBot.ownerAccess!.secret });
      return ((await res.json()) as { query: { userinfo: Record<string, unknown> } }).query.userinfo;
    };
    const v2 = await userinfo('2');
    expect(Object.keys(v2)).toEqual(['id', 'name', 'blockid', 'blockedby', 'blockedbyid', 'blockreason', 'blockedtimestamp', 'blockexpiry', 'blockpartial', 'blocknocreate', 'blockanononly', 'blockedtimestampformatted', 'blockexpiryformatted', 'blockexpiryrelative']);
    expect(v2).toMatchObject({
      id: bob.id,
      name: 'Bob',
      blockid: bob.id,
      blockedby: 'Admin',
      blockedbyid: admin.id,
      blockreason: 'Testing blocks',
      blockedtimestamp: iso(block.timestamp),
      blockexpiry: '2099-12-31T23:59:59Z',
      blockpartial: false,
      blocknocreate: false,
      blockanononly: false,
      blockexpiryformatted: '23:59, 31 December 2099',
      blockexpiryrelative: '23:59, 31 December 2099',
    });
    // Format version 1 leaves false booleans out.
    const v1 = await userinfo('1');
    expect(Object.keys(v1)).toEqual(['id', 'name', 'blockid', 'blockedby', 'blockedbyid', 'blockreason', 'blockedtimestamp', 'blockexpiry', 'blockedtimestampformatted', 'blockexpiryformatted', 'blockexpiryrelative']);
    // `uiprop=*` is every prop this api.php serves, in ApiQueryUserInfo's order.
    const url = `${suite.server.issuer}/w/api.php?action=query&meta=userinfo&uiprop=*&format=json&formatversion=2`;
    const all = await signedFetch({ method: 'GET', url, key: bobBot.key, secret: bobBot.secret, token: bobBot.ownerAccess!.token, token_secret: bobBot.ownerAccess!.secret });
    const allBody = (await all.json()) as { warnings?: unknown; query: { userinfo: Record<string, unknown> } };
    expect(allBody.warnings).toBeUndefined();
    expect(Object.keys(allBody.query.userinfo)).toEqual([...Object.keys(v2), 'groups', 'rights', 'editcount', 'registrationdate']);
    await suite.server.services.accounts.unblock(BOB.name);
    expect(Object.keys(await userinfo('2'))).toEqual(['id', 'name']);
  });
});
