import { createHash } from 'node:crypto';
import { Browser } from './browser.js';
import type { LoadStep } from './load-spec.js';
import { BENCH_USER, type BenchClient } from './targets.js';

export interface PrepareContext {
  readonly url: string;
  readonly client: BenchClient;
  readonly connections: number;
  /** How many authorization codes to issue beforehand (stock keeps 1000 entries in its LRU). */
  readonly codes: number;
}

export interface Workload {
  readonly name: string;
  /** Build the request sequence, issuing whatever one-time material it needs first. */
  prepare(ctx: PrepareContext): Promise<{ steps: LoadStep[]; amount?: number }>;
}

// RFC 7636 S256 with one fixed verifier: the server's work is the same as with a fresh one.
const VERIFIER = 'bench-pkce-verifier-0123456789abcdefghijklmnopqrstuvwxyz';
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');
const SCOPE = 'openid profile';

interface Endpoints {
  readonly authorization: string;
  readonly token: string;
  readonly userinfo: string;
  readonly introspection: string;
}

async function discover(url: string): Promise<Endpoints> {
  const doc = (await (await fetch(`${url}/.well-known/openid-configuration`)).json()) as Record<string, string>;
  const path = (endpoint: string) => new URL(doc[endpoint]!).pathname;
  return { authorization: path('authorization_endpoint'), token: path('token_endpoint'), userinfo: path('userinfo_endpoint'), introspection: path('introspection_endpoint') };
}

function basic(client: BenchClient): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`).toString('base64')}`;
}

function authorizeRequest(endpoints: Endpoints, client: BenchClient): string {
  const query = new URLSearchParams({ client_id: client.id, response_type: 'code', redirect_uri: client.redirectUri, scope: SCOPE, state: 'bench-state', code_challenge: CHALLENGE, code_challenge_method: 'S256' });
  return `${endpoints.authorization}?${query}`;
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const codeExchangeBody = (client: BenchClient) => `grant_type=authorization_code&code={code}&redirect_uri=${encodeURIComponent(client.redirectUri)}&code_verifier=${VERIFIER}`;

/** A browser signed in as the bench user, with the client's grant (consent given once). */
async function signedIn(ctx: PrepareContext, endpoints: Endpoints): Promise<{ browser: Browser; code: string }> {
  const browser = new Browser(ctx.url);
  const callback = await browser.authorize(authorizeRequest(endpoints, ctx.client), BENCH_USER);
  const code = callback.searchParams.get('code');
  if (!code || !callback.href.startsWith(ctx.client.redirectUri)) throw new Error(`sign-in did not return a code: ${callback.href}`);
  return { browser, code };
}

async function issueCode(browser: Browser, endpoints: Endpoints, client: BenchClient): Promise<string> {
  const res = await browser.request(authorizeRequest(endpoints, client));
  const code = new URL(res.headers.get('location') ?? 'x:/').searchParams.get('code');
  if (res.status !== 303 || !code) throw new Error(`authorize answered ${res.status} ${res.headers.get('location')}`);
  return code;
}

async function accessToken(ctx: PrepareContext, endpoints: Endpoints): Promise<string> {
  const { code } = await signedIn(ctx, endpoints);
  const res = await fetch(`${ctx.url}${endpoints.token}`, { method: 'POST', headers: { ...FORM, authorization: basic(ctx.client) }, body: codeExchangeBody(ctx.client).replace('{code}', code) });
  const body = (await res.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`code exchange failed: ${JSON.stringify(body)}`);
  return body.access_token;
}

export const WORKLOADS: readonly Workload[] = [
  {
    name: 'discovery',
    prepare: async () => ({ steps: [{ name: 'discovery', method: 'GET', path: '/.well-known/openid-configuration', expect: { status: [200], json: 'issuer' } }] }),
  },
  {
    name: 'token client_credentials',
    async prepare(ctx) {
      const endpoints = await discover(ctx.url);
      return {
        steps: [{ name: 'client_credentials', method: 'POST', path: endpoints.token, headers: { ...FORM, authorization: basic(ctx.client) }, body: 'grant_type=client_credentials', expect: { status: [200], json: 'access_token' } }],
      };
    },
  },
  {
    name: 'authorization-code exchange',
    async prepare(ctx) {
      const endpoints = await discover(ctx.url);
      const { browser, code } = await signedIn(ctx, endpoints);
      const codes = [code];
      while (codes.length < ctx.codes) {
        codes.push(...(await Promise.all(Array.from({ length: Math.min(8, ctx.codes - codes.length) }, () => issueCode(browser, endpoints, ctx.client)))));
      }
      return {
        amount: codes.length,
        steps: [{ name: 'code exchange', method: 'POST', path: endpoints.token, headers: { ...FORM, authorization: basic(ctx.client) }, body: codeExchangeBody(ctx.client), code: { pool: codes }, expect: { status: [200], json: 'id_token' } }],
      };
    },
  },
  {
    name: 'userinfo',
    async prepare(ctx) {
      const endpoints = await discover(ctx.url);
      const token = await accessToken(ctx, endpoints);
      return { steps: [{ name: 'userinfo', method: 'GET', path: endpoints.userinfo, headers: { authorization: `Bearer ${token}` }, expect: { status: [200], json: 'sub' } }] };
    },
  },
  {
    name: 'introspection',
    async prepare(ctx) {
      const endpoints = await discover(ctx.url);
      const token = await accessToken(ctx, endpoints);
      return {
        steps: [{ name: 'introspection', method: 'POST', path: endpoints.introspection, headers: { ...FORM, authorization: basic(ctx.client) }, body: `token=${token}`, expect: { status: [200], json: 'active' } }],
      };
    },
  },
  {
    name: 'SSO round trip (3 requests)',
    async prepare(ctx) {
      const endpoints = await discover(ctx.url);
      // One signed-in browser per connection, each with the grant already given.
      const browsers = [];
      for (let i = 0; i < ctx.connections; i++) browsers.push((await signedIn(ctx, endpoints)).browser);
      return {
        steps: [
          { name: 'authorize', method: 'GET', path: authorizeRequest(endpoints, ctx.client), cookies: browsers.map((b) => b.cookieHeader(endpoints.authorization)), expect: { status: [302, 303], redirectTo: `${ctx.client.redirectUri}?` }, capture: 'code' },
          { name: 'token', method: 'POST', path: endpoints.token, headers: { ...FORM, authorization: basic(ctx.client) }, body: codeExchangeBody(ctx.client), code: 'previous', expect: { status: [200], json: 'access_token' }, capture: 'access_token' },
          { name: 'userinfo', method: 'GET', path: endpoints.userinfo, bearer: true, expect: { status: [200], json: 'sub' } },
        ],
      };
    },
  },
];
