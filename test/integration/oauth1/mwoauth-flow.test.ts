import { describe, expect, it } from 'vitest';
import { authorize } from '../../helpers/authorize.js';
import { DIALECTS } from '../../helpers/databases.js';
import { ALICE } from '../../helpers/fixtures.js';
import { HttpSession } from '../../helpers/http-session.js';
import { useSeededServer } from '../../helpers/seeded-suite.js';
import type { TestServer } from '../../helpers/server.js';
import { seedOAuth1Consumer, type OAuth1Consumer } from './oauth1-fixtures.js';
import { PythonClient } from './python-client.js';

interface FlowResult {
  access: { key: string; secret: string };
  identity: Record<string, unknown>;
  userinfo: { query: { userinfo: Record<string, unknown> } };
}

/** python3-mwoauth's initiate → (the user on authenticate) → complete → identify, plus a signed api.php call. */
async function mwoauthFlow(server: TestServer, agent: HttpSession, consumer: OAuth1Consumer, callback = 'oob', subpage = 'authenticate') {
  const client = new PythonClient(['mwoauth-flow', `${server.issuer}/w/index.php`, consumer.key, consumer.secret, callback]);
  const { authorize: url } = await client.next<{ authorize: string }>();
  const outcome = await authorize(agent, url.replace('Special%3AOAuth%2Fauthenticate', `Special%3AOAuth%2F${subpage}`), ALICE);
  expect(outcome.callback, await outcome.lastResponse.clone().text()).toBeDefined();
  client.send(outcome.callback!.search.slice(1));
  const result = await client.next<FlowResult & { error?: string }>();
  expect(result.error, client.stderr).toBeUndefined();
  return { result, authorizeUrl: new URL(url), outcome };
}

describe.each(DIALECTS)('OAuth 1.0a handshake with python3-mwoauth on %s', (_name, makeDb) => {
  const suite = useSeededServer(makeDb);

  it('initiate → authenticate (sign-in and consent over HTTP) → complete → identify against /w/index.php', async () => {
    const consumer = await seedOAuth1Consumer(suite.server.services, { grants: ['mwoauth-authonlyprivate'] });
    const agent = new HttpSession(suite.server.issuer);
    const { result, authorizeUrl, outcome } = await mwoauthFlow(suite.server, agent, consumer);

    // mwoauth sends the user to authenticate; oob sends them back to the registered callback.
    expect(authorizeUrl.searchParams.get('title')).toBe('Special:OAuth/authenticate');
    expect(outcome.consentShown).toBe(true);
    expect(`${outcome.callback!.origin}${outcome.callback!.pathname}`).toBe(consumer.callbackUrl);
    expect(result.identity).toMatchObject({
      iss: suite.server.issuer,
      aud: consumer.key,
      sub: String(suite.server.aliceId),
      username: 'Alice',
      editcount: 0,
      confirmed_email: true,
      email_verified: true,
      blocked: false,
      grants: ['mwoauth-authonlyprivate'],
      realname: 'Alice Liddell',
      email: ALICE.email,
    });
    expect(result.identity.exp).toBe((result.identity.iat as number) + 100);
    expect(result.identity.groups).toEqual(['*', 'user', 'autoconfirmed']);
    // identify's rights are the user's full rights (MediaWiki), unlike the API's.
    expect(result.identity.rights).toContain('edit');

    // The authorization is an oauth_accepted_consumer row of version 1 with this access token.
    const row = await suite.server.services.authorizations.findByAccessToken(result.access.key);
    expect(row).toMatchObject({ userId: suite.server.aliceId, consumerId: consumer.id, oauthVersion: 1, grants: ['mwoauth-authonlyprivate'] });
    expect(result.access.secret).toMatch(/^[0-9a-f]{40}$/);
    expect(result.access.secret).not.toBe(row!.accessSecret);

    // Auth-only grants carry no API rights.
    expect(result.userinfo.query.userinfo).toMatchObject({ id: suite.server.aliceId, name: 'Alice', rights: [] });
  });

  it('authenticate skips the dialog the second time for auth-only grants; authorize always asks', async () => {
    const consumer = await seedOAuth1Consumer(suite.server.services, { grants: ['mwoauth-authonly'] });
    const agent = new HttpSession(suite.server.issuer);
    const first = await mwoauthFlow(suite.server, agent, consumer);
    expect(first.outcome.consentShown).toBe(true);
    const second = await mwoauthFlow(suite.server, agent, consumer);
    expect(second.outcome.consentShown).toBe(false);
    // No new authorization was made: the same access token comes back.
    expect(second.result.access.key).toBe(first.result.access.key);
    expect(second.result.identity.username).toBe('Alice');
    expect(second.result.identity).not.toHaveProperty('email');
    const third = await mwoauthFlow(suite.server, agent, consumer, 'oob', 'authorize');
    expect(third.outcome.consentShown).toBe(true);
  });

  it('a consumer with API grants always asks, and the signed api.php call gets only the rights its grants allow', async () => {
    const consumer = await seedOAuth1Consumer(suite.server.services, { grants: ['editpage'] });
    const agent = new HttpSession(suite.server.issuer);
    const first = await mwoauthFlow(suite.server, agent, consumer);
    expect(first.outcome.consentShown).toBe(true);
    const second = await mwoauthFlow(suite.server, agent, consumer);
    expect(second.outcome.consentShown).toBe(true);

    const info = second.result.userinfo.query.userinfo;
    expect(info).toMatchObject({ id: suite.server.aliceId, name: 'Alice', editcount: 0, groups: ['*', 'user', 'autoconfirmed'] });
    const rights = info.rights as string[];
    // basic + editpage ∩ Alice's rights.
    expect(rights).toEqual(expect.arrayContaining(['read', 'edit', 'minoredit', 'autoconfirmed', 'editsemiprotected']));
    expect(rights).not.toContain('move');
    expect(rights).not.toContain('upload');
    expect(rights).not.toContain('viewmyprivateinfo');
    expect(rights).not.toContain('pagelang'); // granted by editpage, but Alice lacks it
    // Private information needs viewmyprivateinfo, which these grants do not give.
    expect(info).not.toHaveProperty('email');
    expect(info).not.toHaveProperty('realname');
    expect((second.result.identity.rights as string[]).length).toBeGreaterThan(rights.length);
  });

  it('authorizing the same consumer on a second device keeps the first device\'s token (confirmUpdate), and a request token authorized earlier can still be exchanged', async () => {
    const consumer = await seedOAuth1Consumer(suite.server.services, { grants: ['editpage'] });
    const laptop = await mwoauthFlow(suite.server, new HttpSession(suite.server.issuer), consumer, 'oob', 'authorize');
    // A third client authorizes now and exchanges its request token only after the phone's authorization.
    const late = new PythonClient(['mwoauth-flow', `${suite.server.issuer}/w/index.php`, consumer.key, consumer.secret, 'oob']);
    const lateUrl = (await late.next<{ authorize: string }>()).authorize;
    const lateOutcome = await authorize(new HttpSession(suite.server.issuer), lateUrl.replace('Special%3AOAuth%2Fauthenticate', 'Special%3AOAuth%2Fauthorize'), ALICE);
    const phone = await mwoauthFlow(suite.server, new HttpSession(suite.server.issuer), consumer, 'oob', 'authorize');
    expect(phone.outcome.consentShown).toBe(true);
    late.send(lateOutcome.callback!.search.slice(1));
    const lateResult = await late.next<FlowResult & { error?: string }>();
    expect(lateResult.error, late.stderr).toBeUndefined();
    expect(lateResult.identity.username).toBe('Alice');

    // One authorization, one token: both devices keep identifying.
    expect(await suite.server.services.db('oauth_accepted_consumer').where({ oaac_user_id: suite.server.aliceId, oaac_consumer_id: consumer.id })).toHaveLength(1);
    for (const device of [laptop.result, phone.result, lateResult]) {
      const identify = new PythonClient(['mwoauth-identify', `${suite.server.issuer}/w/index.php`, consumer.key, consumer.secret, device.access.key, device.access.secret]);
      const { identity, error } = await identify.next<{ identity: Record<string, unknown>; error?: string }>();
      expect(error, identify.stderr).toBeUndefined();
      expect(identity).toMatchObject({ sub: String(suite.server.aliceId), username: 'Alice' });
    }
  });

  it('a callback-prefix consumer sends the user back to the client callback, its own query string kept', async () => {
    const consumer = await seedOAuth1Consumer(suite.server.services, { callbackUrl: 'https://tool.example/cb', callbackIsPrefix: true });
    const callback = 'https://tool.example/cb/return?session=a%20b&next=%2Fhome';
    const agent = new HttpSession(suite.server.issuer);
    const { result, outcome } = await mwoauthFlow(suite.server, agent, consumer, callback);
    const back = outcome.callback!;
    expect(`${back.origin}${back.pathname}`).toBe('https://tool.example/cb/return');
    expect(back.search).toMatch(/^\?session=a%20b&next=%2Fhome&oauth_verifier=[0-9a-f]{32}&oauth_token=[0-9a-f]{32}$/);
    expect(result.identity.username).toBe('Alice');
  });
});
