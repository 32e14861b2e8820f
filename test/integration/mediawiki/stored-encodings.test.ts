import { beforeAll, describe, expect, it } from 'vitest';
import { sqliteDatabase } from '../../helpers/databases.js';
import { ADMIN, seedClient } from '../../helpers/fixtures.js';
import { formFields, HttpSession } from '../../helpers/http-session.js';
import { useSeededServer } from '../../helpers/seeded-suite.js';
import { seedOAuth1Consumer } from '../oauth1/oauth1-fixtures.js';
import { indexUrl, signedFetch } from '../oauth1/signed-requests.js';

// Issue 11: every row MediaWiki (Extension:OAuth) can write is read without error. Each stored
// encoding of the grant lists, and NULL or empty optional columns, is written into fresh consumer
// and acceptance rows (fresh, so no cache hides it) and fed to every endpoint that reads them.
// The storage code is the same in standalone and MediaWiki database mode.

const WIKI_ID = 'testwiki';

/** [label, stored JSON, grants the reader must see (current names)]. */
const GRANT_ENCODINGS: ReadonlyArray<readonly [string, string, readonly string[]]> = [
  ['a JSON array with legacy names', '["useoauth","editpage"]', ['basic', 'editpage']],
  ['a JSON object with index gaps', '{"0":"useoauth","2":"editpage"}', ['basic', 'editpage']],
  ['a JSON array of current names', '["basic","editpage"]', ['basic', 'editpage']],
  ['an empty array', '[]', []],
  ['an empty object', '{}', []],
  ['an empty string', '', []],
  ['JSON null', 'null', []],
  ['damaged JSON', '{"0":', []],
  ['entries that are not names', '[1,null,"editpage",{"x":1}]', ['editpage']],
];

describe('stored rows in every encoding MediaWiki writes: no 500 anywhere', () => {
  const suite = useSeededServer(sqliteDatabase, { WIKI_ID });
  let admin: HttpSession;

  beforeAll(async () => {
    admin = new HttpSession(suite.server.issuer);
    const page = await admin.get('/wiki/Special:UserLogin');
    const { fields } = formFields(await page.text());
    expect((await admin.postForm('/wiki/Special:UserLogin', { ...fields, wpName: ADMIN.name, wpPassword: ADMIN.password })).status).toBe(303);
  });

  const knex = () => suite.server.services.db;

  /** Each endpoint reading consumer or acceptance rows, with its status. */
  async function visitEverything(oauth1: Awaited<ReturnType<typeof seedOAuth1Consumer>>, tool: Awaited<ReturnType<typeof seedOAuth1Consumer>>, client: Awaited<ReturnType<typeof seedClient>>, ownerOnly: Awaited<ReturnType<typeof seedClient>>): Promise<Record<string, number>> {
    const api = `${suite.server.issuer}/w/api.php`;
    const statuses: Record<string, number> = {};
    const owner = { token: oauth1.ownerAccess!.token, token_secret: oauth1.ownerAccess!.secret };
    statuses['api.php (OAuth 1.0a)'] = (await signedFetch({ method: 'GET', url: `${api}?action=query&meta=userinfo&uiprop=rights&format=json`, key: oauth1.key, secret: oauth1.secret, ...owner })).status;
    statuses['Special:OAuth/identify'] = (await signedFetch({ method: 'GET', url: indexUrl(suite.server.issuer, 'identify'), key: oauth1.key, secret: oauth1.secret, ...owner })).status;
    statuses['Special:OAuth/initiate'] = (await signedFetch({ method: 'POST', url: indexUrl(suite.server.issuer, 'initiate'), key: tool.key, secret: tool.secret, callback: 'oob' })).status;
    const authorizeUrl = `${suite.server.issuer}/w/rest.php/oauth2/authorize?${new URLSearchParams({ client_id: client.key, response_type: 'code', redirect_uri: client.redirectUri, scope: 'basic editpage' })}`;
    statuses['oauth2/authorize'] = (await admin.get(authorizeUrl)).status;
    const token = await fetch(`${suite.server.issuer}/w/rest.php/oauth2/access_token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${ownerOnly.key}:${ownerOnly.secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    statuses['oauth2/access_token'] = token.status;
    const accessToken = ((await token.json()) as { access_token?: string }).access_token;
    if (accessToken) {
      const bearer = { authorization: `Bearer ${accessToken}` };
      statuses['api.php (Bearer)'] = (await fetch(`${api}?action=query&meta=userinfo&format=json`, { headers: bearer })).status;
      statuses['oauth2/resource/profile'] = (await fetch(`${suite.server.issuer}/w/rest.php/oauth2/resource/profile`, { headers: bearer })).status;
      statuses['oauth2/resource/scopes'] = (await fetch(`${suite.server.issuer}/w/rest.php/oauth2/resource/scopes`, { headers: bearer })).status;
    }
    statuses['REST oauth2/client'] = (await admin.get('/w/rest.php/oauth2/client')).status;
    statuses['Special:OAuthListConsumers/view'] = (await admin.get(`/wiki/Special:OAuthListConsumers/view/${client.key}`)).status;
    statuses['Special:OAuthManageConsumers'] = (await admin.get(`/wiki/Special:OAuthManageConsumers/${oauth1.key}`)).status;
    statuses['Special:OAuthManageMyGrants'] = (await admin.get('/wiki/Special:OAuthManageMyGrants')).status;
    statuses['Special:OAuthConsumerRegistration/list'] = (await admin.get('/wiki/Special:OAuthConsumerRegistration/list')).status;
    return statuses;
  }

  async function freshRows() {
    const oauth1 = await seedOAuth1Consumer(suite.server.services, { ownerOnly: true, callbackUrl: '', grants: ['basic', 'editpage'] });
    const tool = await seedOAuth1Consumer(suite.server.services, { grants: ['basic', 'editpage'] });
    const client = await seedClient(suite.server.services, { grants: ['basic', 'editpage'] });
    const ownerOnly = await seedClient(suite.server.services, { grants: ['basic', 'editpage'], ownerOnly: true });
    return { oauth1, tool, client, ownerOnly, ids: [oauth1.id, tool.id, client.id, ownerOnly.id] };
  }

  it.each(GRANT_ENCODINGS)('grants stored as %s', async (_label, stored, expected) => {
    const rows = await freshRows();
    await knex()('oauth_registered_consumer').whereIn('oarc_id', rows.ids).update({ oarc_grants: stored });
    await knex()('oauth_accepted_consumer').whereIn('oaac_consumer_id', rows.ids).update({ oaac_grants: stored });
    const statuses = await visitEverything(rows.oauth1, rows.tool, rows.client, rows.ownerOnly);
    for (const [endpoint, status] of Object.entries(statuses)) expect(status, endpoint).toBeLessThan(500);
    expect((await suite.server.services.consumers.findByKey(rows.client.key))!.grants).toEqual(expected);
    const acceptance = await suite.server.services.authorizations.findByAccessToken(rows.oauth1.ownerAccess!.token);
    expect(acceptance!.grants).toEqual(expected);
    if (expected.includes('editpage')) {
      // The grants act as stored: editing rights through the owner's OAuth 1.0a credentials.
      const res = await signedFetch({ method: 'GET', url: `${suite.server.issuer}/w/api.php?action=query&meta=userinfo&uiprop=rights&format=json`, key: rows.oauth1.key, secret: rows.oauth1.secret, token: rows.oauth1.ownerAccess!.token, token_secret: rows.oauth1.ownerAccess!.secret });
      expect(((await res.json()) as { query: { userinfo: { rights: string[] } } }).query.userinfo.rights).toContain('edit');
    }
  });

  it.each([
    ['*', true],
    [WIKI_ID, true],
    ['otherwiki', false],
  ] as const)('oaac_wiki / oarc_wiki %s is served or refused as MediaWiki does, never 500', async (wiki, served) => {
    const rows = await freshRows();
    await knex()('oauth_registered_consumer').whereIn('oarc_id', rows.ids).update({ oarc_wiki: wiki });
    await knex()('oauth_accepted_consumer').whereIn('oaac_consumer_id', rows.ids).update({ oaac_wiki: wiki });
    const statuses = await visitEverything(rows.oauth1, rows.tool, rows.client, rows.ownerOnly);
    for (const [endpoint, status] of Object.entries(statuses)) expect(status, endpoint).toBeLessThan(500);
    const res = await signedFetch({ method: 'GET', url: `${suite.server.issuer}/w/api.php?action=query&meta=userinfo&format=json`, key: rows.oauth1.key, secret: rows.oauth1.secret, token: rows.oauth1.ownerAccess!.token, token_secret: rows.oauth1.ownerAccess!.secret });
    const body = (await res.json()) as { error?: { code: string }; query?: unknown };
    if (served) expect(body.query, JSON.stringify(body)).toBeDefined();
    else expect(body.error?.code).toBe('mwoauth-invalid-authorization-wrong-wiki');
  });

  it('NULL and empty optional columns', async () => {
    const rows = await freshRows();
    await knex()('oauth_registered_consumer').whereIn('oarc_id', rows.ids).update({
      oarc_callback_is_prefix: null,
      oarc_email_authenticated: null,
      oarc_rsa_key: null,
      oarc_oauth2_allowed_grants: null,
    });
    const statuses = await visitEverything(rows.oauth1, rows.tool, rows.client, rows.ownerOnly);
    for (const [endpoint, status] of Object.entries(statuses)) expect(status, endpoint).toBeLessThan(500);
    await knex()('oauth_registered_consumer').whereIn('oarc_id', rows.ids).update({ oarc_oauth2_allowed_grants: '', oarc_callback_is_prefix: '' });
    const again = await visitEverything(rows.oauth1, rows.tool, rows.client, rows.ownerOnly);
    for (const [endpoint, status] of Object.entries(again)) expect(status, endpoint).toBeLessThan(500);
  });
});
