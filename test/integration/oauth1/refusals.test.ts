import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { authorize } from '../../helpers/authorize.js';
import { sqliteDatabase } from '../../helpers/databases.js';
import { ADMIN, ALICE, seedClient } from '../../helpers/fixtures.js';
import { HttpSession } from '../../helpers/http-session.js';
import { useSeededServer } from '../../helpers/seeded-suite.js';
import { seedOAuth1Consumer, type OAuth1Consumer } from './oauth1-fixtures.js';
import { PythonClient, runPython } from './python-client.js';
import { exchange, indexUrl, initiateAndAuthorize, signedFetch } from './signed-requests.js';

const HELP = 'https://www.mediawiki.org/wiki/Special:MyLanguage/Help:OAuth/Errors#';
const details = (text: string, code: string) =>
  `&lt;span class=&quot;plainlinks mw-mwoautherror-details&quot;&gt;${text}, <a class="external" href="${HELP}${code}">${code}</a>&lt;/span&gt;`;

describe('OAuth 1.0a refusals, each with MediaWiki\'s error', () => {
  const suite = useSeededServer(sqliteDatabase);
  let tool: OAuth1Consumer;
  let mwUri: string;

  beforeAll(async () => {
    tool = await seedOAuth1Consumer(suite.server.services, { name: 'Refusal Tool' });
    mwUri = `${suite.server.issuer}/w/index.php`;
  });

  /** mwoauth's initiate, expected to raise its OAuthException. */
  async function mwoauthInitiateError(consumer: { key: string; secret: string }): Promise<string> {
    const result = await runPython<{ error?: string; type?: string }>(['mwoauth-initiate', mwUri, consumer.key, consumer.secret, 'oob']);
    expect(result.type).toBe('OAuthException');
    return result.error!;
  }

  const initiate = (spec: { key?: string; secret?: string; nonce?: string; timestamp?: string; callback?: string } = {}) =>
    signedFetch({ method: 'POST', url: indexUrl(suite.server.issuer, 'initiate'), key: tool.key, secret: tool.secret, callback: 'oob', ...spec });

  it('bad signature: mwoauth raises "Invalid signature" (HTTP 200, raw "Error: " body)', async () => {
    expect(await mwoauthInitiateError({ key: tool.key, secret: 'not-the-secret' })).toBe('An error occurred in the OAuth protocol: Invalid signature');
    const res = await initiate({ secret: 'not-the-secret' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=UTF-8');
    expect(await res.text()).toBe('Error: An error occurred in the OAuth protocol: Invalid signature');
  });

  it('stale timestamp: "Expired timestamp, yours X, ours Y"', async () => {
    const stale = String(Math.floor(Date.now() / 1000) - 301);
    const body = await (await initiate({ timestamp: stale })).text();
    expect(body).toMatch(new RegExp(`^Error: An error occurred in the OAuth protocol: Expired timestamp, yours ${stale}, ours \\d{10}$`));
    const future = String(Math.floor(Date.now() / 1000) + 400);
    expect(await (await initiate({ timestamp: future })).text()).toContain(`Expired timestamp, yours ${future}`);
  });

  it('reused nonce: the same signed request twice', async () => {
    const nonce = randomBytes(12).toString('hex');
    const first = await (await initiate({ nonce })).text();
    expect(first).toMatch(/^oauth_token=[0-9a-f]{32}&oauth_token_secret=[0-9a-f]{32}&oauth_callback_confirmed=true$/);
    expect(await (await initiate({ nonce })).text()).toBe(`Error: An error occurred in the OAuth protocol: Nonce already used: ${nonce}`);
  });

  it('a nonce is recorded only once the signature holds: a forged request cannot burn it (issue 14)', async () => {
    const nonce = randomBytes(12).toString('hex');
    expect(await (await initiate({ nonce, secret: 'not-the-secret' })).text()).toBe('Error: An error occurred in the OAuth protocol: Invalid signature');
    expect(await (await initiate({ nonce })).text()).toMatch(/^oauth_token=[0-9a-f]{32}&/);
  });

  it('a callback escaping the registered prefix by dot-segments, backslashes or encoded dots is refused (issue 14)', async () => {
    const prefixed = await seedOAuth1Consumer(suite.server.services, { callbackUrl: 'https://app.example/cb', callbackIsPrefix: true });
    for (const callback of ['https://app.example/cb/../../x', 'https://app.example/cb\\..\\..\\evil', 'https://app.example/cb/%2e%2e/x']) {
      const res = await signedFetch({ method: 'POST', url: indexUrl(suite.server.issuer, 'initiate'), key: prefixed.key, secret: prefixed.secret, callback });
      expect(await res.text(), callback).toMatch(/^Error: oauth_callback must be set/);
    }
    const inside = await signedFetch({ method: 'POST', url: indexUrl(suite.server.issuer, 'initiate'), key: prefixed.key, secret: prefixed.secret, callback: 'https://app.example/cb/done' });
    expect(await inside.text()).toMatch(/^oauth_token=/);
  });

  it('a callback other than "oob" for a consumer without a prefix, or outside the registered prefix', async () => {
    expect(await (await initiate({ callback: 'https://tool.example/oauth/callback' })).text()).toBe(
      'Error: oauth_callback must be set, and must be set to &quot;oob&quot; (case-sensitive)',
    );
    const prefixed = await seedOAuth1Consumer(suite.server.services, { callbackUrl: 'https://tool.example/cb', callbackIsPrefix: true });
    const outside = await signedFetch({ method: 'POST', url: indexUrl(suite.server.issuer, 'initiate'), key: prefixed.key, secret: prefixed.secret, callback: 'https://evil.example/cb' });
    expect(await outside.text()).toBe(
      'Error: oauth_callback must be set, and must be set to &quot;oob&quot; (case-sensitive), or the configured callback must be a prefix of the supplied callback.',
    );
  });

  it('unknown consumer: "Invalid consumer"', async () => {
    const unknown = { key: randomBytes(16).toString('hex'), secret: tool.secret };
    expect(await mwoauthInitiateError(unknown)).toBe('An error occurred in the OAuth protocol: Invalid consumer');
  });

  it('wrong verifier: refused without using up the request token; reused request token: E009', async () => {
    const agent = new HttpSession(suite.server.issuer);
    const handshake = await initiateAndAuthorize(suite.server.issuer, agent, tool);
    expect(await (await exchange(suite.server.issuer, tool, handshake, 'f'.repeat(32))).text()).toBe('Error: The verification code provided was not valid.');

    const granted = new URLSearchParams(await (await exchange(suite.server.issuer, tool, handshake)).text());
    expect(granted.get('oauth_token')).toMatch(/^[0-9a-f]{32}$/);
    expect(granted.get('oauth_token_secret')).toMatch(/^[0-9a-f]{40}$/);
    expect(granted.get('oauth_callback_confirmed')).toBe('true');

    const again = await (await exchange(suite.server.issuer, tool, handshake)).text();
    expect(again).toBe(
      'Error: This request has already been completed and cannot be resubmitted.\n' +
        'Go back to the application and try to connect your account again, or contact the application author.\n\n' +
        details('OAuth token already used', 'E009'),
    );
  });

  it('a request token is exchanged once even when two exchanges race', async () => {
    const handshake = await initiateAndAuthorize(suite.server.issuer, new HttpSession(suite.server.issuer), tool);
    const bodies = await Promise.all([1, 2, 3].map(async () => (await exchange(suite.server.issuer, tool, handshake)).text()));
    expect(bodies.filter((b) => b.startsWith('oauth_token='))).toHaveLength(1);
    expect(bodies.filter((b) => b.includes('OAuth token already used'))).toHaveLength(2);
  });

  it('an unknown request token on the token step: E004', async () => {
    const body = await (
      await exchange(suite.server.issuer, tool, { requestToken: { key: randomBytes(16).toString('hex'), secret: 'x' }, verifier: 'v' })
    ).text();
    expect(body).toContain(details('OAuth token not found', 'E004'));
  });

  it('a request token older than 10 minutes: E004', async () => {
    const handshake = await initiateAndAuthorize(suite.server.issuer, new HttpSession(suite.server.issuer), tool);
    await suite.server.services.db('wikiauth_artifact').where({ wa_model: 'OAuth1RequestToken', wa_id: handshake.requestToken.key }).update({ wa_expires: Math.floor(Date.now() / 1000) - 1 });
    expect(await (await exchange(suite.server.issuer, tool, handshake)).text()).toContain(details('OAuth token not found', 'E004'));
  });

  it('a request from outside the consumer\'s IP ranges is refused', async () => {
    const fenced = await seedOAuth1Consumer(suite.server.services, { name: 'Fenced Tool' });
    await suite.server.services.db('oauth_registered_consumer').where('oarc_id', fenced.id).update({ oarc_restrictions: '{"IPAddresses":["10.0.0.0/8"]}' });
    expect(await mwoauthInitiateError(fenced)).toBe('The request came from an invalid IP address.');
    await suite.server.services.db('oauth_registered_consumer').where('oarc_id', fenced.id).update({ oarc_restrictions: '{"IPAddresses":["127.0.0.0/8","::1/128"]}' });
    expect((await runPython<{ authorize?: string }>(['mwoauth-initiate', mwUri, fenced.key, fenced.secret, 'oob'])).authorize).toBeDefined();
  });

  it('a proposed consumer is refused to another user (E005) and works for its owner', async () => {
    const proposed = await seedOAuth1Consumer(suite.server.services, { name: 'Proposed Tool', approve: false });
    const initiated = await runPython<{ authorize: string }>(['mwoauth-initiate', mwUri, proposed.key, proposed.secret, 'oob']);
    const refused = await authorize(new HttpSession(suite.server.issuer), initiated.authorize, ALICE);
    expect(refused.callback).toBeUndefined();
    const page = await refused.lastResponse.text();
    expect(page).toContain('&#34;Proposed Tool&#34; is not approved as a Connected App. Contact the application author for help.');
    expect(page).toContain('<code id="error-code">E005</code>');

    const owner = await authorize(new HttpSession(suite.server.issuer), initiated.authorize, ADMIN);
    expect(owner.consentShown).toBe(true);
    expect(owner.callback?.searchParams.get('oauth_verifier')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('a disabled consumer: E005 on initiate, and its existing authorization no longer identifies', async () => {
    const doomed = await seedOAuth1Consumer(suite.server.services, { name: 'Doomed Tool' });
    const flow = new PythonClient(['mwoauth-flow', mwUri, doomed.key, doomed.secret, 'oob']);
    const { authorize: url } = await flow.next<{ authorize: string }>();
    const outcome = await authorize(new HttpSession(suite.server.issuer), url, ALICE);
    flow.send(outcome.callback!.search.slice(1));
    const { access } = await flow.next<{ access: { key: string; secret: string } }>();

    await suite.server.services.db('oauth_registered_consumer').where('oarc_id', doomed.id).update({ oarc_stage: 4 });
    expect(await mwoauthInitiateError(doomed)).toBe(
      `&quot;Doomed Tool&quot; is not approved as a Connected App. [${suite.server.issuer}/wiki/User_talk:Admin Contact] the application author for help.\n\n` +
        '&lt;span class=&quot;plainlinks mw-mwoautherror-details&quot;&gt;Connected OAuth app not approved.&lt;/span&gt;',
    );
    const identify = await runPython<{ error?: string }>(['mwoauth-identify', mwUri, doomed.key, doomed.secret, access.key, access.secret]);
    expect(identify.error).toBe('A MediaWiki API error occurred: The app that you are trying to connect seems to be set up incorrectly. Contact the author of "Doomed Tool" for help.');
  });

  it('owner-only consumer on initiate: E010; its registered access token still identifies its owner', async () => {
    const ownerOnly = await seedOAuth1Consumer(suite.server.services, { name: 'Owner Bot', ownerOnly: true, callbackUrl: '' });
    expect(await mwoauthInitiateError(ownerOnly)).toBe(
      `&quot;Owner Bot&quot; is an owner-only Connected App. To fetch the access token, see [[Special:OAuthConsumerRegistration/update/${ownerOnly.key}]].\n\n` +
        details('Consumer is owner-only', 'E010'),
    );
    const access = ownerOnly.ownerAccess!;
    const { identity } = await runPython<{ identity: Record<string, unknown> }>(['mwoauth-identify', mwUri, ownerOnly.key, ownerOnly.secret, access.token, access.secret]);
    expect(identity.username).toBe('Admin');
  });

  it('an OAuth 2 consumer on Special:OAuth: E012', async () => {
    const oauth2 = await seedClient(suite.server.services, { name: 'Modern App' });
    const error = await mwoauthInitiateError({ key: oauth2.key, secret: oauth2.secret });
    expect(error).toBe(
      `Sorry, something went wrong. You'll need to [${suite.server.issuer}/wiki/User_talk:Admin contact] the application author for help with this.\n\n`.replace("'", '&#039;') +
        details('Wrong OAuth version', 'E012'),
    );
  });

  it('revoked authorization on identify: the JSON error mwoauth turns into its exception', async () => {
    const handshake = await initiateAndAuthorize(suite.server.issuer, new HttpSession(suite.server.issuer), tool);
    const access = new URLSearchParams(await (await exchange(suite.server.issuer, tool, handshake)).text());
    const token = access.get('oauth_token')!;
    const tokenSecret = access.get('oauth_token_secret')!;
    const before = await runPython<{ identity?: { username: string } }>(['mwoauth-identify', mwUri, tool.key, tool.secret, token, tokenSecret]);
    expect(before.identity?.username).toBe('Alice');

    const row = await suite.server.services.authorizations.findByAccessToken(token);
    await suite.server.services.authorizations.delete({ id: row!.id });
    const after = await runPython<{ error?: string; type?: string }>(['mwoauth-identify', mwUri, tool.key, tool.secret, token, tokenSecret]);
    expect(after).toEqual({ type: 'OAuthException', error: 'A MediaWiki API error occurred: No approved grant was found for that authorization token.' });

    const res = await signedFetch({ method: 'POST', url: indexUrl(suite.server.issuer, 'identify'), key: tool.key, secret: tool.secret, token, token_secret: tokenSecret });
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.text()).toBe('{"error":"mwoauthdatastore-access-token-not-found","message":"No approved grant was found for that authorization token."}');
  });
});
