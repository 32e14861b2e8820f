import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize } from '../../helpers/authorize.js';
import { sqliteDatabase, type TestDatabase } from '../../helpers/databases.js';
import { ALICE, seedUsers } from '../../helpers/fixtures.js';
import { formFields, HttpSession } from '../../helpers/http-session.js';
import { startSeededServer, startServer, type TestServer } from '../../helpers/server.js';
import { rsaKeyPair, seedOAuth1Consumer, type OAuth1Consumer } from './oauth1-fixtures.js';
import { PythonClient, runPython } from './python-client.js';
import { signedFetch } from './signed-requests.js';

describe('OAuth 1.0a: RSA-SHA1 with requests-oauthlib, and every Special:OAuth path shape', () => {
  let db: TestDatabase;
  let server: TestServer;
  let keyDir: string;
  let tool: OAuth1Consumer;

  beforeAll(async () => {
    db = sqliteDatabase();
    server = await startSeededServer(db);
    keyDir = mkdtempSync(join(tmpdir(), 'wikiauth-rsa-'));
    tool = await seedOAuth1Consumer(server.services, { name: 'Path Tool' });
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
    if (keyDir) rmSync(keyDir, { recursive: true, force: true });
  });

  it('requests-oauthlib signing RSA-SHA1 completes initiate → authorize → token → identify, and calls api.php', async () => {
    const keys = rsaKeyPair(keyDir);
    const consumer = await seedOAuth1Consumer(server.services, { name: 'RSA Tool', grants: ['basic'], rsaKey: keys.publicKey });
    const client = new PythonClient(['rsa-flow', `${server.issuer}/w/index.php`, consumer.key, consumer.secret, keys.privateKeyFile]);
    const first = await client.next<{ authorize: string; error?: string }>();
    expect(first.error, client.stderr).toBeUndefined();
    // requests-oauthlib's authorization URL names only the token: the consumer is found from it.
    expect(new URL(first.authorize).searchParams.has('oauth_consumer_key')).toBe(false);
    const outcome = await authorize(new HttpSession(server.issuer), first.authorize, ALICE);
    expect(outcome.consentShown).toBe(true);
    client.send(outcome.callback!.href);
    const result = await client.next<{ access: Record<string, string>; identity: Record<string, unknown>; userinfo: { query: { userinfo: { name: string; rights: string[] } } }; error?: string }>();
    expect(result.error, client.stderr).toBeUndefined();
    // RSA clients sign without a token secret, so MediaWiki hands out a placeholder.
    expect(result.access.oauth_token_secret).toBe('__unused__');
    expect(result.identity).toMatchObject({ iss: server.issuer, aud: consumer.key, username: 'Alice', grants: ['basic'] });
    expect(result.userinfo.query.userinfo.name).toBe('Alice');
    expect(result.userinfo.query.userinfo.rights).toContain('read');
    expect(result.userinfo.query.userinfo.rights).not.toContain('edit');
  });

  it('an RSA-SHA1 signature made with another key is refused', async () => {
    const registered = rsaKeyPair(keyDir);
    const consumer = await seedOAuth1Consumer(server.services, { name: 'RSA Tool 2', rsaKey: registered.publicKey });
    const other = rsaKeyPair(mkdtempSync(join(keyDir, 'other-')));
    const url = `${server.issuer}/w/index.php?title=Special%3AOAuth%2Finitiate`;
    const good = await signedFetch({ method: 'POST', url, key: consumer.key, callback: 'oob', rsa_key: registered.privateKey });
    expect(await good.text()).toMatch(/^oauth_token=/);
    const bad = await signedFetch({ method: 'POST', url, key: consumer.key, callback: 'oob', rsa_key: other.privateKey });
    expect(await bad.text()).toBe('Error: An error occurred in the OAuth protocol: Invalid signature');
  });

  const shapes: Array<[string, string]> = [
    ['GET', '/w/index.php?title=Special:OAuth/initiate'],
    ['POST', '/w/index.php?title=Special%3AOAuth%2Finitiate'],
    ['POST', '/index.php?title=Special:OAuth/initiate'],
    ['POST', '/?title=Special%3AOAuth%2Finitiate'],
    ['GET', '/w/index.php/Special:OAuth/initiate'],
    ['POST', '/wiki/Special:OAuth/initiate'],
    ['GET', '/wiki/Special%3AOAuth%2Finitiate'],
    ['POST', '/w/index.php?title=Special:Oauth/initiate'],
    ['GET', '/wiki/Special:MWOAuth/initiate'],
    ['POST', '/w/index.php?title=Special:OAuth/initiate&format=json'],
  ];

  it.each(shapes)('%s %s gives a request token', async (method, path) => {
    const res = await signedFetch({ method, url: `${server.issuer}${path}`, key: tool.key, secret: tool.secret, callback: 'oob' });
    expect(res.status).toBe(200);
    const body = await res.text();
    if (path.includes('format=json')) {
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(JSON.parse(body)).toMatchObject({ oauth_token: expect.stringMatching(/^[0-9a-f]{32}$/), oauth_callback_confirmed: 'true' });
    } else {
      expect(body).toMatch(/^oauth_token=[0-9a-f]{32}&oauth_token_secret=[0-9a-f]{32}&oauth_callback_confirmed=true$/);
    }
  });

  it('mwoauth with the bare site URL (the flask blueprint\'s example) reaches initiate at /', async () => {
    const result = await runPython<{ authorize: string; error?: string }>(['mwoauth-initiate', server.issuer, tool.key, tool.secret, 'oob']);
    expect(result.error).toBeUndefined();
    expect(result.authorize.startsWith(`${server.issuer}?title=Special%3AOAuth%2Fauthenticate`)).toBe(true);
  });

  it('a parameter sent in a form body is signed too', async () => {
    const url = `${server.issuer}/w/index.php?title=Special:OAuth/initiate`;
    const signFor = () => runPython<{ headers: Record<string, string> }>(['sign', JSON.stringify({ method: 'POST', url: `${url}&extra=a+b`, key: tool.key, secret: tool.secret, callback: 'oob' })]);
    const post = async (body: string) => {
      const { headers } = await signFor();
      return (await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body })).text();
    };
    // Signed with `extra` in the query, sent with it in the body: the same parameter set.
    expect(await post('extra=a+b')).toMatch(/^oauth_token=/);
    expect(await post('extra=c')).toBe('Error: An error occurred in the OAuth protocol: Invalid signature');
  });

  it('the consent page puts no form-action in its CSP, so the accepted form can end on the application', async () => {
    // Registered port 1 = any port; http may be upgraded to https.
    const prefixTool = await seedOAuth1Consumer(server.services, { callbackUrl: 'http://tool.example:1/cb', callbackIsPrefix: true });
    const initiate = await signedFetch({ method: 'POST', url: `${server.issuer}/w/index.php?title=Special:OAuth/initiate`, key: prefixTool.key, secret: prefixTool.secret, callback: 'https://tool.example:8080/cb/x' });
    const token = new URLSearchParams(await initiate.text()).get('oauth_token')!;
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    const agent = new HttpSession(server.issuer);
    const login = await agent.follow(`${server.issuer}/w/index.php?title=Special:OAuth/authorize&oauth_token=${token}`);
    const { action, fields } = formFields(await login.text());
    await agent.postForm(action!, { ...fields, wpName: ALICE.name, wpPassword: ALICE.password });
    const consent = await agent.get(`${server.issuer}/w/index.php?title=Special:OAuth/authorize&oauth_token=${token}`);
    expect(await consent.text()).toContain('id="mw-mwoauth-authorize-form"');
    const csp = consent.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('form-action');
    expect(consent.headers.get('x-frame-options')).toBe('DENY');
  });

  it('an oversized form body is refused, and the server keeps answering', async () => {
    const big = await fetch(`${server.issuer}/w/index.php?title=Special:OAuth/initiate`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `a=${'x'.repeat(200_000)}`,
    });
    expect(big.status).toBe(400);
    const after = await signedFetch({ method: 'POST', url: `${server.issuer}/w/index.php?title=Special:OAuth/initiate`, key: tool.key, secret: tool.secret, callback: 'oob' });
    expect(await after.text()).toMatch(/^oauth_token=/);
  });

  it('the other subpages: verified, grants, unknown, no subpage, oauth_version=2', async () => {
    const verified = await fetch(`${server.issuer}/wiki/Special:OAuth/verified?oauth_verifier=abc123&oauth_token=t`);
    expect(await verified.text()).toContain('provide this verification value to the application: abc123');
    const missing = await (await fetch(`${server.issuer}/wiki/Special:OAuth/verified`)).text();
    expect(missing).toContain('<code id="error-code">E001</code>');
    const grants = await fetch(`${server.issuer}/w/index.php?title=Special:OAuth/grants`, { redirect: 'manual' });
    expect(grants.status).toBe(302);
    expect(grants.headers.get('location')).toBe(`${server.issuer}/wiki/Special:ListGrants`);
    expect(await (await fetch(`${server.issuer}/wiki/Special:OAuth/nonsense`)).text()).toContain('<code id="error-code">E002</code>');
    const contact = await (await fetch(`${server.issuer}/wiki/Special:OAuth/nonsense?format=raw&oauth_consumer_key=${tool.key}`)).text();
    expect(contact).toMatch(new RegExp(`^Error: Sorry, something went wrong\\. You&#039;ll need to \\[${server.issuer}/wiki/User_talk:Admin contact\\]`));
    expect(await (await fetch(`${server.issuer}/wiki/Special:OAuth`)).text()).toContain('OAuth is a mechanism');
    expect(await (await fetch(`${server.issuer}/w/index.php?title=Special:OAuth/initiate&oauth_version=2`, { method: 'POST' })).text()).toBe(
      'Error: This endpoint is not allowed for OAuth version 2',
    );
  });
});

describe('OAuth 1.0a behind a TLS-terminating proxy', () => {
  const PUBLIC = 'https://wiki.example';
  const PROXY_HEADERS = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'wiki.example' };
  let db: TestDatabase;

  beforeAll(() => {
    db = sqliteDatabase();
  });

  afterAll(async () => {
    await db?.drop();
  });

  async function withServer(env: Record<string, string>, run: (server: TestServer, tool: OAuth1Consumer) => Promise<void>) {
    const server = await startServer(db, env);
    try {
      if (!(await server.services.accounts.findByName(ALICE.name))) await seedUsers(server.services);
      await run(server, await seedOAuth1Consumer(server.services));
    } finally {
      await server.close();
    }
  }

  it('with TRUST_PROXY on, a request signed for https://wiki.example/w/index.php verifies, and identify names that issuer', async () => {
    await withServer({ TRUST_PROXY: '1' }, async (server, tool) => {
      const via = { sendTo: server.issuer, headers: PROXY_HEADERS };
      const initiate = await signedFetch({ method: 'POST', url: `${PUBLIC}/w/index.php?title=Special%3AOAuth%2Finitiate`, key: tool.key, secret: tool.secret, callback: 'oob' }, via);
      const requestToken = new URLSearchParams(await initiate.text());
      expect(requestToken.get('oauth_token')).toMatch(/^[0-9a-f]{32}$/);

      const outcome = await authorize(new HttpSession(server.issuer), `${server.issuer}/w/index.php?title=Special:OAuth/authorize&oauth_token=${requestToken.get('oauth_token')}`, ALICE);
      const token = await signedFetch(
        {
          method: 'POST',
          url: `${PUBLIC}/w/index.php?title=Special%3AOAuth%2Ftoken`,
          key: tool.key,
          secret: tool.secret,
          token: requestToken.get('oauth_token')!,
          token_secret: requestToken.get('oauth_token_secret')!,
          verifier: outcome.callback!.searchParams.get('oauth_verifier')!,
        },
        via,
      );
      const access = new URLSearchParams(await token.text());
      const identify = await signedFetch(
        { method: 'POST', url: `${PUBLIC}/w/index.php?title=Special%3AOAuth%2Fidentify`, key: tool.key, secret: tool.secret, token: access.get('oauth_token')!, token_secret: access.get('oauth_token_secret')! },
        via,
      );
      const jwt = await identify.text();
      const claims = JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString());
      expect(claims).toMatchObject({ iss: PUBLIC, username: 'Alice' });
    });
  });

  it('with TRUST_PROXY off, the same headers do not count: the signature does not verify', async () => {
    await withServer({}, async (server, tool) => {
      const res = await signedFetch(
        { method: 'POST', url: `${PUBLIC}/w/index.php?title=Special%3AOAuth%2Finitiate`, key: tool.key, secret: tool.secret, callback: 'oob' },
        { sendTo: server.issuer, headers: PROXY_HEADERS },
      );
      expect(await res.text()).toBe('Error: An error occurred in the OAuth protocol: Invalid signature');
    });
  });
});
