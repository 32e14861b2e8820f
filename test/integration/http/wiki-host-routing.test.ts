import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../../src/project-root.js';
import { startApache } from '../../helpers/apache.js';
import { authorize } from '../../helpers/authorize.js';
import { sqliteDatabase, type TestDatabase } from '../../helpers/databases.js';
import { ADMIN, ALICE, seedClient, seedUsers } from '../../helpers/fixtures.js';
import { formFields, HttpSession } from '../../helpers/http-session.js';
import { startNginx, type ReverseProxy } from '../../helpers/nginx.js';
import { freePort, startServer, type TestServer } from '../../helpers/server.js';
import { postFields } from '../../helpers/site.js';
import { createTlsMaterial, type TlsMaterial } from '../../helpers/tls.js';
import { seedOAuth1Consumer } from '../oauth1/oauth1-fixtures.js';
import { sign } from '../oauth1/python-client.js';

const PREFIX = '/auth';
const README_PORT = 'http://127.0.0.1:8080';

/** The README's `lang` configuration for the wiki's host: what the test runs is what the README says. */
function readmeBlock(lang: 'nginx' | 'apache'): string[] {
  const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf("### On the wiki's host"), readme.indexOf('## Configuration'));
  const block = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(section)?.[1];
  if (!block) throw new Error(`README has no ${lang} block for the wiki's host`);
  return block.split('\n').slice(1, -2).filter((line) => !/^\s*(#|listen |server_name |ServerName )/.test(line));
}

/** nginx: the README's server body, with the wiki's own PHP handling and catch-all played by `wiki`. */
function nginxLocations(wikiauth: string, wiki: string): string {
  const lines = readmeBlock('nginx').map((line) => line.replaceAll(README_PORT, wikiauth).replace(/include snippets\/mediawiki-php\.conf;.*$/, `proxy_pass ${wiki};`));
  return [...lines, `    location / { proxy_pass ${wiki}; }`].join('\n');
}

function apacheDirectives(wikiauth: string, wiki: string): string {
  const lines = readmeBlock('apache').map((line) => line.replaceAll(README_PORT, wikiauth));
  return [...lines, `    ProxyPass / ${wiki}/`].join('\n');
}

interface Served {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly byWiki: boolean;
}

/**
 * Issue 11 item 7: wikiauth on the wiki's host with PAGE_PATH_PREFIX=/auth, behind Debian's nginx
 * and Apache configured as the README says, with a stand-in for the wiki behind the same server.
 * Every page wikiauth links, redirects or posts to must be answered by wikiauth; every path its
 * pages would otherwise shadow must reach the wiki.
 */
describe.each([
  ['nginx', (o: ProxyOptions) => startNginx({ upstream: o.wikiauth, certFile: o.tls.certFile, keyFile: o.tls.keyFile, port: o.port, locations: nginxLocations(o.wikiauth, o.wiki) })],
  ['Apache', (o: ProxyOptions) => startApache({ certFile: o.tls.certFile, keyFile: o.tls.keyFile, port: o.port, directives: apacheDirectives(o.wikiauth, o.wiki) })],
] as const)('wikiauth on the wiki\'s host behind %s', (_name, startProxy) => {
  let tls: TlsMaterial;
  let db: TestDatabase;
  let server: TestServer;
  let wiki: Server;
  let proxy: ReverseProxy;
  let origin: string;
  const served: Served[] = [];
  /** Every request through the proxy is recorded with who answered it. */
  const recording: typeof fetch = async (input, init) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const res = await tls.fetch(input, init);
    served.push({ method: init?.method ?? 'GET', path: url.pathname + url.search, status: res.status, byWiki: res.headers.get('x-served-by') === 'wiki' });
    return res;
  };
  const agent = () => new HttpSession(origin, { fetch: recording });
  /** What was served since `from`, each answered by wikiauth and not an error. */
  const expectWikiauthSince = (from: number) => {
    const steps = served.slice(from);
    expect(steps.filter((s) => s.byWiki || s.status >= 400), JSON.stringify(steps, null, 1)).toEqual([]);
    return steps;
  };

  beforeAll(async () => {
    tls = createTlsMaterial();
    db = sqliteDatabase();
    wiki = createServer((req, res) => {
      res.setHeader('x-served-by', 'wiki');
      res.setHeader('content-type', 'text/plain');
      res.end(`the wiki: ${req.url}`);
    });
    await new Promise<void>((resolve) => wiki.listen(0, '127.0.0.1', resolve));
    const port = await freePort();
    origin = `https://127.0.0.1:${port}`;
    server = await startServer(db, { TRUST_PROXY: '1', ISSUER: origin, PAGE_PATH_PREFIX: PREFIX });
    const address = wiki.address() as { port: number };
    proxy = await startProxy({ tls, port, wikiauth: `http://127.0.0.1:${new URL(server.url).port}`, wiki: `http://127.0.0.1:${address.port}` });
    await seedUsers(server.services);
  });

  afterAll(async () => {
    await proxy?.stop();
    await server?.close();
    await new Promise((resolve) => wiki?.close(resolve));
    await db?.drop();
    tls?.cleanup();
  });

  it('sends the paths wikiauth would shadow to the wiki, and wikiauth\'s own and protocol paths to wikiauth', async () => {
    const shadowed = [
      '/',
      '/wiki/Main_Page',
      '/wiki/Special:UserLogin',
      '/wiki/Special:UserLogout',
      '/wiki/Special:ListGrants',
      '/wiki/Special:OAuthConsumerRegistration',
      '/wiki/Special:OAuthManageConsumers/proposed',
      '/wiki/Special:OAuthListConsumers',
      '/wiki/Special:OAuthManageMyGrants',
      '/wiki/Special:OATHManage',
      '/wiki/Special:OAuthInteraction/abc',
      '/static/wikiauth.css',
      '/w/api.php?action=query&meta=userinfo',
      '/w/index.php?title=Special:OAuthManageMyGrants',
      '/w/index.php?title=Special:UserLogin&returnto=Main_Page',
      '/w/rest.php/v1/page/Main_Page',
    ];
    for (const path of shadowed) {
      const res = await tls.fetch(`${origin}${path}`);
      expect(res.headers.get('x-served-by'), path).toBe('wiki');
      expect(await res.text(), path).toBe(`the wiki: ${path}`);
    }
    const ours = [
      `${PREFIX}/`,
      `${PREFIX}/static/wikiauth.css`,
      `${PREFIX}/wiki/Special:UserLogin`,
      `${PREFIX}/wiki/Special:UserLogout`,
      `${PREFIX}/wiki/Special:ListGrants`,
      `${PREFIX}/wiki/Special:OAuthListConsumers`,
      `${PREFIX}/wiki/Special:OATHManage`,
      '/.well-known/openid-configuration',
      '/.well-known/oauth-authorization-server',
      '/w/rest.php/oauth2/jwks',
      '/w/index.php?title=Special:OAuth',
      '/w/index.php?title=Special%3AOAuth%2Fgrants',
      '/w/index.php?title=special:OAuth/grants',
      '/wiki/Special:OAuth/grants',
      '/wiki/Special:MWOAuth/grants',
    ];
    for (const path of ours) {
      const res = await tls.fetch(`${origin}${path}`);
      expect(res.headers.get('x-served-by'), path).toBeNull();
      expect([200, 302], `${path}: ${res.status}`).toContain(res.status);
    }
    // Special:OAuth/grants leads to the grants table at its configured path.
    expect((await tls.fetch(`${origin}/w/index.php?title=Special:OAuth/grants`)).headers.get('location')).toBe(`${origin}${PREFIX}/wiki/Special:ListGrants`);
    const bare = await fetch(`${server.url}${PREFIX}`, { redirect: 'manual' });
    expect(bare.headers.get('location')).toBe(`${PREFIX}/`);
    // The default paths of the moved pages are not wikiauth's any more.
    for (const path of ['/', '/static/wikiauth.css', '/wiki/Special:UserLogin', '/wiki/Special:OAuthManageMyGrants', '/wiki/Special:ListGrants']) {
      expect((await fetch(`${server.url}${path}`)).status, path).toBe(404);
    }
  });

  it('discovery names the public origin and the protocol paths, which the prefix does not move', async () => {
    for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
      const doc = (await (await tls.fetch(`${origin}${path}`)).json()) as Record<string, unknown>;
      expect(doc.issuer).toBe(origin);
      const rest = `${origin}/w/rest.php/oauth2`;
      expect(doc).toMatchObject({
        authorization_endpoint: `${rest}/authorize`,
        token_endpoint: `${rest}/access_token`,
        userinfo_endpoint: `${rest}/userinfo`,
        jwks_uri: `${rest}/jwks`,
        introspection_endpoint: `${rest}/introspect`,
        revocation_endpoint: `${rest}/revoke`,
        end_session_endpoint: `${rest}/logout`,
      });
      const urls = Object.values(doc).filter((v): v is string => typeof v === 'string' && v.startsWith('http'));
      for (const url of urls) {
        expect(url.startsWith(`${rest}/`) || url === origin, url).toBe(true);
      }
    }
    const jwks = await tls.fetch(`${origin}/w/rest.php/oauth2/jwks`);
    expect(jwks.headers.get('x-served-by')).toBeNull();
    expect(((await jwks.json()) as { keys: unknown[] }).keys.length).toBeGreaterThan(0);
  });

  it('OAuth 2: authorize, sign-in, consent and back to the app, then the connected app is revoked on its page', async () => {
    const app = await seedClient(server.services, { grants: ['basic', 'editpage'] });
    const browser = agent();
    const from = served.length;
    const url = `${origin}/w/rest.php/oauth2/authorize?${new URLSearchParams({ client_id: app.key, response_type: 'code', redirect_uri: app.redirectUri, scope: 'openid basic editpage', state: 's1' })}`;
    const outcome = await authorize(browser, url, ALICE);
    expect(outcome.consentShown).toBe(true);
    expect(outcome.callback?.searchParams.get('code')).toBeTruthy();
    const steps = expectWikiauthSince(from);
    const paths = steps.map((s) => s.path.split('?')[0]!);
    expect(paths.some((p) => p.startsWith(`${PREFIX}/wiki/Special:OAuthInteraction/`))).toBe(true);
    expect(paths).toContain(`${PREFIX}/wiki/Special:UserLogin`);
    for (const path of paths) expect(path.startsWith(`${PREFIX}/`) || path.startsWith('/w/rest.php/oauth2/'), path).toBe(true);

    const token = await tls.fetch(`${origin}/w/rest.php/oauth2/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${app.key}:${app.secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: outcome.callback!.searchParams.get('code')!, redirect_uri: app.redirectUri }).toString(),
    });
    expect(token.status).toBe(200);

    // The consent page's and the header's "Connected apps" link, the app's page and its revoke form.
    const crawled = await crawl(browser, `${PREFIX}/`);
    expect(crawled).toContain(`${PREFIX}/wiki/Special:OAuthManageMyGrants`);
    const list = await (await browser.get(`${PREFIX}/wiki/Special:OAuthManageMyGrants`)).text();
    const manage = /href="([^"]*\/manage\/\d+)"/.exec(list)?.[1];
    expect(manage?.startsWith(`${PREFIX}/wiki/Special:OAuthManageMyGrants/manage/`)).toBe(true);
    const { action, fields } = formFields(await (await browser.get(manage!)).text());
    expect(action).toBe(manage);
    const revoked = await browser.postForm(action!, fields);
    expect(await revoked.text()).toContain('is no longer authorized to access your account');
    expectWikiauthSince(from);
  });

  it('OAuth 1.0a: initiate, sign-in on the moved page, the authorize dialog, the tool and the token step', async () => {
    const tool = await seedOAuth1Consumer(server.services, { grants: ['basic'] });
    const from = served.length;
    const signedFetch = async (spec: Parameters<typeof sign>[0]) => {
      const signed = await sign(spec);
      return recording(signed.url, { method: spec.method, headers: signed.headers });
    };
    const initiate = new URLSearchParams(await (await signedFetch({ method: 'POST', url: `${origin}/w/index.php?title=Special%3AOAuth%2Finitiate`, key: tool.key, secret: tool.secret, callback: 'oob' })).text());
    const requestToken = { key: initiate.get('oauth_token')!, secret: initiate.get('oauth_token_secret')! };
    expect(requestToken.key).toMatch(/^[0-9a-f]{32}$/);
    const browser = agent();
    const outcome = await authorize(browser, `${origin}/w/index.php?title=Special:OAuth/authorize&oauth_token=${requestToken.key}&oauth_consumer_key=${tool.key}`, ALICE);
    expect(outcome.consentShown).toBe(true);
    expect(outcome.callback?.origin).toBe('https://tool.example');
    const verifier = outcome.callback!.searchParams.get('oauth_verifier')!;
    const token = await signedFetch({ method: 'POST', url: `${origin}/w/index.php?title=Special%3AOAuth%2Ftoken`, key: tool.key, secret: tool.secret, token: requestToken.key, token_secret: requestToken.secret, verifier });
    expect(new URLSearchParams(await token.text()).get('oauth_token')).toMatch(/^[0-9a-f]{32}$/);
    const paths = expectWikiauthSince(from).map((s) => s.path.split('?')[0]!);
    expect(paths).toContain(`${PREFIX}/wiki/Special:UserLogin`);
    // The dialog posts to Special:OAuth's article-path form, which the web server routes to wikiauth.
    expect(paths).toContain('/wiki/Special:OAuth/authorize');
  });

  it('consumer registration and review: signed out to sign-in and back, propose, approve, every linked page wikiauth\'s', async () => {
    const from = served.length;
    const developer = agent();
    const propose = `${PREFIX}/wiki/Special:OAuthConsumerRegistration/propose/oauth2`;
    const first = await developer.get(propose);
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toBe(`${PREFIX}/wiki/Special:UserLogin?returnto=${encodeURIComponent(propose)}`);
    await signInFrom(developer, first.headers.get('location')!, ALICE, propose);
    const form = await (await developer.get(propose)).text();
    const { action, fields } = formFields(form.slice(form.indexOf('<form', form.indexOf('id="mw-consumer-propose-form"') - 200)));
    expect(action).toBe(propose);
    const created = await postFields(developer, action!, [
      ['wpEditToken', fields.wpEditToken!],
      ['wpname', 'Routed app'],
      ['wpversion', '1.0'],
      ['wpdescription', 'Proposed through the web server'],
      ['wpcallbackUrl', 'https://app.example/callback'],
      ['wpoauth2IsConfidential', '1'],
      ['wpgranttype', 'normal'],
      ['wprestrictions', '{"IPAddresses":["0.0.0.0/0","::/0"]}'],
      ['wpagreement', '1'],
      ['wpoauth2GrantTypes', 'authorization_code'],
      ['wpgrants', 'editpage'],
    ]);
    const createdHtml = await created.text();
    const key = /<code id="mw-consumer-key"[^>]*>([0-9a-f]{32})<\/code>/.exec(createdHtml)?.[1];
    expect(key, createdHtml.slice(0, 2000)).toBeTruthy();
    expect(createdHtml).toContain(`href="${PREFIX}/wiki/Special:OAuthListConsumers/view/${key}"`);
    await crawl(developer, `${PREFIX}/wiki/Special:OAuthConsumerRegistration`);

    const admin = agent();
    await signInFrom(admin, `${PREFIX}/wiki/Special:UserLogin`, ADMIN, `${PREFIX}/`);
    const pages = await crawl(admin, `${PREFIX}/wiki/Special:OAuthManageConsumers`);
    expect(pages).toContain(`${PREFIX}/wiki/Special:OAuthManageConsumers/proposed`);
    expect(pages).toContain(`${PREFIX}/wiki/Special:OAuthManageConsumers/${key}`);
    const review = await (await admin.get(`${PREFIX}/wiki/Special:OAuthManageConsumers/${key}`)).text();
    const reviewForm = formFields(review.slice(review.lastIndexOf('<form', review.indexOf('id="mw-consumer-review-form"'))));
    expect(reviewForm.action).toBe(`${PREFIX}/wiki/Special:OAuthManageConsumers/${key}`);
    const approved = await admin.postForm(reviewForm.action!, { ...reviewForm.fields, wpaction: 'approve', wpreason: 'fine' });
    expect(approved.headers.get('location')).toBe(`${PREFIX}/wiki/Special:OAuthManageConsumers/${key}?done=approve`);
    expect(await (await admin.get(approved.headers.get('location')!)).text()).toContain('The request has been approved.');
    expect((await server.services.consumers.findByKey(key!))?.stage).toBe('approved');
    await crawl(admin, `${PREFIX}/wiki/Special:OAuthListConsumers/view/${key}`);
    expectWikiauthSince(from);
  });

  it('sign-out: the header link, the confirmation form, then the moved main page; errors link there too', async () => {
    const browser = agent();
    await signInFrom(browser, `${PREFIX}/wiki/Special:UserLogin`, ALICE, `${PREFIX}/`);
    const from = served.length;
    const home = await (await browser.get(`${PREFIX}/`)).text();
    const logout = /id="pt-logout" href="([^"]*)"/.exec(home)?.[1];
    expect(logout).toBe(`${PREFIX}/wiki/Special:UserLogout`);
    const { action, fields } = formFields(await (await browser.get(logout!)).text());
    expect(action).toBe(logout);
    const done = await (await browser.postForm(action!, fields)).text();
    expect(done).toContain(`href="${PREFIX}/"`);
    const again = await browser.get(`${PREFIX}/wiki/Special:OAuthManageMyGrants`);
    expect(again.headers.get('location')).toBe(`${PREFIX}/wiki/Special:UserLogin?returnto=${encodeURIComponent(`${PREFIX}/wiki/Special:OAuthManageMyGrants`)}`);
    expectWikiauthSince(from);
    const missing = await browser.get(`${PREFIX}/wiki/Special:Nothing`);
    expect(missing.status).toBe(404);
    const page = await missing.text();
    expect(page).toContain(`href="${PREFIX}/static/wikiauth.css"`);
    expect(page).toContain(`<a href="${PREFIX}/">Return to the main page</a>`);
  });

  it('RP-initiated logout: the confirmation posts to the protocol path and ends on the moved main page', async () => {
    const app = await seedClient(server.services, { grants: ['basic'] });
    const browser = agent();
    const url = `${origin}/w/rest.php/oauth2/authorize?${new URLSearchParams({ client_id: app.key, response_type: 'code', redirect_uri: app.redirectUri, scope: 'openid', state: 's2' })}`;
    expect((await authorize(browser, url, ALICE)).callback?.searchParams.get('code')).toBeTruthy();
    const from = served.length;
    const page = await (await browser.get('/w/rest.php/oauth2/logout')).text();
    const { action, fields } = formFields(page);
    expect(action).toBe(`${origin}/w/rest.php/oauth2/logout/confirm`);
    expect(page).toContain(`href="${PREFIX}/static/wikiauth.css"`);
    const confirmed = await browser.postForm(action!, { ...fields, logout: 'yes' });
    const done = await browser.follow(new URL(confirmed.headers.get('location')!, origin).href);
    const html = await done.text();
    expect(html).toContain('You are now logged out');
    expect(html).toContain(`<a href="${PREFIX}/">Return to the main page</a>`);
    expectWikiauthSince(from);
  });

  /** Sign in on the login form at `loginPath`; the answer must send the user on to `returnsTo`. */
  async function signInFrom(browser: HttpSession, loginPath: string, user: { name: string; password: string }, returnsTo: string): Promise<void> {
    const page = await browser.get(loginPath);
    const { action, fields } = formFields(await page.text());
    expect(action?.startsWith(`${PREFIX}/wiki/Special:UserLogin`)).toBe(true);
    const res = await browser.postForm(action!, { ...fields, ...(fields.returnto ? {} : { returnto: returnsTo }), wpName: user.name, wpPassword: user.password });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(returnsTo);
  }

  /**
   * Follow every link of wikiauth's pages from `start` (up to 40 pages): each link and form action
   * names a page of wikiauth's (below the prefix or a protocol path) or the wiki's user pages, and
   * every page of wikiauth's it links to is answered by wikiauth. Returns the pages visited.
   */
  async function crawl(browser: HttpSession, start: string): Promise<string[]> {
    const queue = [start];
    const seen = new Set<string>(queue);
    const visited: string[] = [];
    while (queue.length > 0 && visited.length < 40) {
      const path = queue.shift()!;
      const res = await browser.get(path);
      expect(res.headers.get('x-served-by'), path).toBeNull();
      expect(res.status, path).toBe(200);
      visited.push(path);
      const html = await res.text();
      for (const m of html.matchAll(/(href|action)="([^"]*)"/g)) {
        const link = m[2]!.replace(/&amp;/g, '&');
        // The two-factor enrolment page links its key for an authenticator app (otpauth:), not a page.
        if (link.startsWith('#') || link.startsWith('otpauth:') || (/^https?:/.test(link) && !link.startsWith(origin))) continue;
        const local = link.startsWith(origin) ? link.slice(origin.length) : link;
        if (/^\/wiki\/User(_talk)?:/.test(local)) continue;
        const ours = local.startsWith(`${PREFIX}/`) || local.startsWith('/.well-known/') || local.startsWith('/w/rest.php/oauth2/') || local.startsWith('/wiki/Special:OAuth/');
        expect(ours, `${path} links to ${local}`).toBe(true);
        if (m[1] === 'href' && local.startsWith(`${PREFIX}/`) && !seen.has(local)) {
          seen.add(local);
          queue.push(local);
        }
      }
    }
    return visited;
  }
});

interface ProxyOptions {
  readonly tls: TlsMaterial;
  readonly port: number;
  readonly wikiauth: string;
  readonly wiki: string;
}
