import { describe, expect, it } from 'vitest';
import { authorize } from '../../helpers/authorize.js';
import { sqliteDatabase } from '../../helpers/databases.js';
import { ALICE, seedClient } from '../../helpers/fixtures.js';
import { HttpSession } from '../../helpers/http-session.js';
import { useSeededServer } from '../../helpers/seeded-suite.js';
import { seedOAuth1Consumer } from '../oauth1/oauth1-fixtures.js';
import { runPython } from '../oauth1/python-client.js';
import { signedFetch } from '../oauth1/signed-requests.js';

type Json = Record<string, any>;

/**
 * One identity projection (src/domain/accounts/identity.ts) feeds every place a client learns who
 * its user is: for the same user and grants, OIDC userinfo, resource/profile, Special:OAuth/identify
 * api.php (OAuth 1.0a and Bearer) and introspection name the same person and release private information alike.
 */
describe('the same user and grants seen through every identity endpoint', () => {
  const suite = useSeededServer(sqliteDatabase);

  const bearerJson = async (path: string, accessToken: string): Promise<Json> => {
    const res = await fetch(`${suite.server.issuer}${path}`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(res.status, path).toBe(200);
    return (await res.json()) as Json;
  };
  const userinfoQuery = '/w/api.php?action=query&meta=userinfo&uiprop=groups%7Crights%7Ceditcount%7Cemail%7Crealname&format=json&formatversion=2';

  /** OAuth 2: Alice authorizes an app with `grants`; userinfo, resource/profile and api.php with its token. */
  async function throughOAuth2(grants: string[]) {
    const app = await seedClient(suite.server.services, { grants });
    const base = `${suite.server.issuer}/w/rest.php/oauth2`;
    // OIDC userinfo filters claims by scope (OIDC Core §5.4): `email` is asked for; it is only
    // allowed to consumers whose grants release private information.
    const query = new URLSearchParams({ response_type: 'code', client_id: app.key, redirect_uri: app.redirectUri, scope: ['openid', 'profile', 'email', ...grants].join(' '), state: 's' });
    const outcome = await authorize(new HttpSession(suite.server.issuer), `${base}/authorize?${query}`, ALICE);
    const code = outcome.callback!.searchParams.get('code')!;
    const res = await fetch(`${base}/access_token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${app.key}:${app.secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: app.redirectUri }),
    });
    const { access_token: accessToken } = (await res.json()) as Json;
    const introspected = await fetch(`${base}/introspect`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${app.key}:${app.secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: accessToken }),
    });
    expect(introspected.status).toBe(200);
    return {
      introspection: (await introspected.json()) as Json,
      userinfo: await bearerJson('/w/rest.php/oauth2/userinfo', accessToken),
      profile: await bearerJson('/w/rest.php/oauth2/resource/profile', accessToken),
      api: ((await bearerJson(userinfoQuery, accessToken)) as Json).query.userinfo as Json,
    };
  }

  /** OAuth 1.0a: Alice's owner-only tool with `grants`; identify (mwoauth) and a signed api.php call. */
  async function throughOAuth1(grants: string[]) {
    const tool = await seedOAuth1Consumer(suite.server.services, { owner: ALICE.name, ownerOnly: true, callbackUrl: '', grants });
    const access = tool.ownerAccess!;
    const { identity } = await runPython<{ identity: Json }>(['mwoauth-identify', `${suite.server.issuer}/w/index.php`, tool.key, tool.secret, access.token, access.secret]);
    const res = await signedFetch({ method: 'GET', url: `${suite.server.issuer}${userinfoQuery}`, key: tool.key, secret: tool.secret, token: access.token, token_secret: access.secret });
    return { identify: identity, api: ((await res.json()) as Json).query.userinfo as Json };
  }

  it.each([
    ['released', ['basic', 'editpage', 'privateinfo']],
    ['withheld', ['basic', 'editpage']],
  ])('private information %s', async (released, grants) => {
    const oauth2 = await throughOAuth2(grants);
    const oauth1 = await throughOAuth1(grants);
    const sub = String(suite.server.aliceId);
    expect([oauth2.userinfo.sub, oauth2.profile.sub, oauth1.identify.sub, oauth2.introspection.sub]).toEqual([sub, sub, sub, sub]);
    expect(oauth2.introspection).toMatchObject({ active: true, username: ALICE.name });
    expect(oauth2.introspection.email).toBeUndefined();
    expect([oauth2.api.id, oauth1.api.id]).toEqual([suite.server.aliceId, suite.server.aliceId]);
    expect([oauth2.userinfo.username, oauth2.profile.username, oauth1.identify.username, oauth2.api.name, oauth1.api.name]).toEqual(Array(5).fill(ALICE.name));
    expect(new Set([oauth2.userinfo, oauth2.profile, oauth1.identify].map((v) => JSON.stringify([v.editcount, v.groups, v.grants])))).toHaveProperty('size', 1);
    expect(oauth2.api.groups).toEqual(oauth2.profile.groups);
    // What a token may do is the user's rights within its grants; identify reports the user's own
    // rights, as MediaWiki does.
    expect(oauth2.userinfo.rights).toEqual(oauth2.profile.rights);
    expect(oauth2.api.rights).toEqual(oauth2.profile.rights);
    expect(oauth1.api.rights).toEqual(oauth2.profile.rights);
    expect(oauth1.identify.rights).toEqual(expect.arrayContaining(oauth2.profile.rights));

    const realNames = [oauth2.userinfo.name, oauth2.profile.realname, oauth1.identify.realname, oauth2.api.realname, oauth1.api.realname];
    const emails = [oauth2.userinfo.email, oauth2.profile.email, oauth1.identify.email, oauth2.api.email, oauth1.api.email];
    if (released === 'released') {
      expect(realNames).toEqual(Array(5).fill('Alice Liddell'));
      expect(emails).toEqual(Array(5).fill(ALICE.email));
    } else {
      expect(realNames).toEqual(Array(5).fill(undefined));
      expect(emails).toEqual(Array(5).fill(undefined));
    }
  });
});
