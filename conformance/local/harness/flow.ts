import { createHash, randomBytes } from 'node:crypto';
import * as jose from 'jose';
import { SuiteBrowser, type VisitResult } from './browser.js';
import * as c from './conditions.js';
import type { ModuleRun } from './module-run.js';
import { browserConfigFor, SUITE_BASE, SUITE_ORIGIN, type ConformanceOp, type SuiteClient } from './op.js';

type Json = Record<string, unknown>;

export interface Variant {
  readonly responseMode: 'default' | 'form_post';
  readonly clientAuth: 'client_secret_basic' | 'client_secret_post';
  readonly registration: 'static_client' | 'dynamic_client';
}

export const BASIC: Variant = { responseMode: 'default', clientAuth: 'client_secret_basic', registration: 'static_client' };

export interface AuthorizationRequest {
  readonly params: Record<string, string>;
  readonly url: string;
  readonly state: string | undefined;
  readonly nonce: string | undefined;
  readonly codeVerifier: string | undefined;
}

export interface HttpAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly headers: Headers;
  readonly json: Json | undefined;
}

export interface TokenResult {
  readonly response: HttpAnswer;
  readonly accessToken: string;
  readonly idToken: string;
  readonly claims: Json;
  readonly refreshToken: string | undefined;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** RandomStringUtils.nextAlphanumeric. */
export function alphanumeric(length: number): string {
  return [...randomBytes(length)].map((b) => ALNUM[b % ALNUM.length]).join('');
}

/**
 * One module's suite side (CS AbstractOIDCCServerTest): configuration, authorization request and
 * redirect through the plan's browser automation, callback checks, token request, id_token and
 * UserInfo checks. Modules override pieces the way the suite's subclasses do.
 */
export class OidccTest {
  readonly run: ModuleRun;
  readonly op: ConformanceOp;
  readonly variant: Variant;
  readonly browser: SuiteBrowser;
  server: Json = {};
  jwks: { keys: jose.JWK[] } = { keys: [] };
  client: SuiteClient;
  readonly #registered: { uri: string; token: string }[] = [];

  constructor(run: ModuleRun, op: ConformanceOp, variant: Variant, client?: SuiteClient) {
    this.run = run;
    this.op = op;
    this.variant = variant;
    this.client = client ?? (variant.clientAuth === 'client_secret_post' ? op.clients.clientSecretPost : op.clients.client);
    this.browser = new SuiteBrowser({ opOrigin: new URL(op.issuer).origin, suiteOrigin: SUITE_ORIGIN, fetch: op.fetch, config: browserConfigFor(op), module: run.module });
  }

  // ---- configure phase -------------------------------------------------------------------------

  async configure(registration: Json = {}, beforeClient?: (t: OidccTest) => void): Promise<void> {
    const { run } = this;
    const discovery = await this.#get(this.op.discoveryUrl);
    run.require('GetDynamicServerConfiguration', discovery.status === 200 && discovery.json !== undefined, `discovery answered ${discovery.status}`);
    this.server = discovery.json!;
    const required = ['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri'];
    const missing = required.filter((k) => typeof this.server[k] !== 'string');
    run.require('CheckServerConfiguration', missing.length === 0, missing.length ? `missing ${missing.join(', ')}` : 'endpoints present');
    const keys = await this.#get(String(this.server.jwks_uri));
    run.require('FetchServerKeys', keys.status === 200 && keys.json !== undefined, `jwks_uri answered ${keys.status}`);
    this.jwks = keys.json as { keys: jose.JWK[] };
    c.validateServerJwks(run, this.jwks);
    beforeClient?.(this);
    if (this.variant.registration === 'dynamic_client') await this.registerClient(registration);
    const methods = (this.server.token_endpoint_auth_methods_supported as string[] | undefined) ?? ['client_secret_basic'];
    const name = this.variant.clientAuth === 'client_secret_post' ? 'EnsureServerConfigurationSupportsClientSecretPost' : 'EnsureServerConfigurationSupportsClientSecretBasic';
    run.require(name, methods.includes(this.variant.clientAuth), `token_endpoint_auth_methods_supported: ${methods.join(', ')}`);
  }

  /** CallDynamicRegistrationEndpoint with OIDCCCreateDynamicClientRegistrationRequest's body (+ `extra`). */
  async callRegistrationEndpoint(extra: Json = {}): Promise<{ body: Json; answer: HttpAnswer }> {
    const endpoint = this.server.registration_endpoint;
    this.run.require('CheckDynamicRegistrationEndpoint', typeof endpoint === 'string', 'registration_endpoint advertised');
    const { publicKey } = await jose.generateKeyPair('RS256', { extractable: true });
    const jwk = { ...(await jose.exportJWK(publicKey)), kid: alphanumeric(8), use: 'sig', alg: 'RS256' };
    const body = {
      client_name: `${this.run.module} client`,
      grant_types: ['authorization_code'],
      jwks: { keys: [jwk] },
      token_endpoint_auth_method: this.variant.clientAuth,
      response_types: ['code'],
      redirect_uris: [`${SUITE_BASE}/callback`],
      contacts: ['certification@oidf.org'],
      ...extra,
    };
    const res = await this.op.fetch(String(endpoint), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${this.op.registrationToken}` },
      body: JSON.stringify(body),
    });
    return { body, answer: await answerOf(res) };
  }

  /** OIDCCCreateDynamicClientRegistrationRequest + CallDynamicRegistrationEndpointAndVerifySuccessfulResponse. */
  async registerClient(extra: Json = {}): Promise<void> {
    const { run } = this;
    const { body, answer } = await this.callRegistrationEndpoint(extra);
    run.check('EnsureContentTypeJson', /^application\/json\b/.test(answer.contentType), 'FAILURE', answer.contentType, 'OIDCR-3.2');
    run.check('EnsureHttpStatusCodeIs201', answer.status === 201, 'FAILURE', `status ${answer.status}: ${JSON.stringify(answer.json)}`, 'OIDCR-3.2');
    run.check('CheckNoErrorFromDynamicRegistrationEndpoint', answer.json?.error === undefined, 'FAILURE', String(answer.json?.error ?? 'no error'), 'OIDCR-3.2');
    const reg = answer.json ?? {};
    run.require('ExtractDynamicRegistrationResponse', typeof reg.client_id === 'string', 'client_id present', 'OIDCR-3.2');
    const managed = typeof reg.registration_client_uri === 'string' && typeof reg.registration_access_token === 'string';
    run.check('VerifyClientManagementCredentials', managed || (reg.registration_client_uri === undefined && reg.registration_access_token === undefined), 'FAILURE', 'both or neither of registration_client_uri and registration_access_token', 'OIDCR-3.2');
    run.check('VerifyDynamicRegistrationResponseClientCredentials', reg.client_secret === undefined || typeof reg.client_secret_expires_at === 'number', 'FAILURE', 'client_secret_expires_at with a client_secret', 'OIDCR-3.2');
    if (managed) this.#registered.push({ uri: String(reg.registration_client_uri), token: String(reg.registration_access_token) });
    this.client = {
      client_id: String(reg.client_id),
      client_secret: String(reg.client_secret ?? ''),
      redirect_uri: (body.redirect_uris as string[])[0]!,
      post_logout_redirect_uri: `${SUITE_BASE}/post_logout_redirect`,
    };
  }

  /** cleanup(): UnregisterDynamicallyRegisteredClient (WARNING unless 204). */
  async unregisterClient(): Promise<void> {
    for (const registered of this.#registered.splice(0)) {
      const res = await this.op.fetch(registered.uri, { method: 'DELETE', headers: { authorization: `Bearer ${registered.token}` } });
      await res.arrayBuffer();
      this.run.check('UnregisterDynamicallyRegisteredClient', res.status === 204, 'WARNING', `DELETE answered ${res.status}`);
    }
  }

  // ---- authorization ---------------------------------------------------------------------------

  /** CreateAuthorizationRequestSteps (+ the module's additions). `undefined` values leave a parameter out. */
  authorizationRequest(opts: { scope?: string; extra?: Record<string, string | undefined>; stateLength?: number; nonce?: boolean; nonceLength?: number; pkce?: boolean } = {}): AuthorizationRequest {
    const stateLength = opts.stateLength ?? 10;
    const state = stateLength > 10 ? `${alphanumeric(stateLength - 4)}-._~` : alphanumeric(stateLength);
    const nonce = opts.nonce === false ? undefined : alphanumeric(opts.nonceLength ?? 10);
    const params: Record<string, string | undefined> = {
      client_id: this.client.client_id,
      redirect_uri: this.client.redirect_uri,
      scope: opts.scope ?? 'openid',
      state,
      nonce,
      response_type: 'code',
      ...(this.variant.responseMode === 'form_post' ? { response_mode: 'form_post' } : {}),
    };
    let codeVerifier: string | undefined;
    if (opts.pkce) {
      codeVerifier = randomBytes(32).toString('base64url');
      params.code_challenge = createHash('sha256').update(codeVerifier).digest('base64url');
      params.code_challenge_method = 'S256';
    }
    Object.assign(params, opts.extra ?? {});
    const sent = Object.fromEntries(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));
    const url = new URL(String(this.server.authorization_endpoint));
    for (const [k, v] of Object.entries(sent)) url.searchParams.set(k, v);
    return { params: sent, url: url.href, state: sent.state, nonce: sent.nonce, codeVerifier };
  }

  /** performRedirect (…WithPlaceholder): the suite sends the browser to the authorization endpoint. */
  redirect(request: AuthorizationRequest | string, opts: { placeholder?: boolean; method?: 'GET' | 'POST' } = {}): Promise<VisitResult> {
    return this.browser.visit(typeof request === 'string' ? request : request.url, opts);
  }

  /** processCallback: where the response is, and form_post's transport rules. */
  callbackParams(visit: VisitResult): URLSearchParams {
    const { run } = this;
    const callback = visit.callback;
    if (!callback) return run.fail('ExpectRedirectUriHasBeenCalled', `the authorization server did not call the redirect_uri: ${visit.error ?? `ended on ${visit.page.url} (${visit.page.status}): ${visit.page.parsed.text.slice(0, 200)}`}`);
    run.check('CheckCallbackPathIsRedirectUri', callback.url.href.split('?')[0] === this.client.redirect_uri.split('?')[0], 'FAILURE', callback.url.href);
    if (this.variant.responseMode === 'form_post') {
      run.check('CheckCallbackHttpMethodIsPost', callback.method === 'POST', 'FAILURE', callback.method, 'OAuth2-FP-2');
      run.check('CheckCallbackContentTypeIsFormUrlEncoded', callback.contentType === 'application/x-www-form-urlencoded', 'FAILURE', String(callback.contentType), 'OAuth2-FP-2');
      run.check('RejectAuthCodeInUrlQuery', !callback.url.searchParams.has('code'), 'FAILURE', 'no code in the URL query', 'OIDCC-3.3.2.5');
      run.check('RejectErrorInUrlQuery', !callback.url.searchParams.has('error'), 'FAILURE', 'no error in the URL query', 'OAuth2-RT-5');
      return callback.body ?? new URLSearchParams();
    }
    return callback.url.searchParams;
  }

  /** onAuthorizationCallbackResponse for a successful code response; returns the code. */
  successfulCallback(params: URLSearchParams, request: AuthorizationRequest): string {
    const { run } = this;
    c.validateIss(run, params, String(this.server.issuer));
    run.require('CheckIfAuthorizationEndpointError', !params.has('error'), params.has('error') ? `error=${params.get('error')}: ${params.get('error_description')}` : 'no error');
    run.check('CheckStateInAuthorizationResponse', (params.get('state') ?? undefined) === request.state, 'FAILURE', `state ${params.get('state')}`);
    const code = params.get('code');
    run.require('ExtractAuthorizationCodeFromAuthorizationResponse', !!code, 'code present');
    return code!;
  }

  // ---- token endpoint --------------------------------------------------------------------------

  async tokenRequest(form: Record<string, string>, client: SuiteClient = this.client, auth = this.variant.clientAuth): Promise<HttpAnswer> {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    const body = new URLSearchParams(form);
    if (auth === 'client_secret_post') {
      body.set('client_id', client.client_id);
      body.set('client_secret', client.client_secret);
    } else {
      // RFC 6749 §2.3.1: form-urlencoded id and secret, then Basic.
      headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`).toString('base64')}`;
    }
    return answerOf(await this.op.fetch(String(this.server.token_endpoint), { method: 'POST', headers, body: body.toString() }));
  }

  /** createAuthorizationCodeRequest + requestAuthorizationCode (+ performIdTokenValidation). */
  async requestAuthorizationCode(code: string, request: AuthorizationRequest, opts: { extraChecks?: (claims: Json) => void } = {}): Promise<TokenResult> {
    const { run } = this;
    const form: Record<string, string> = { grant_type: 'authorization_code', code, redirect_uri: this.client.redirect_uri };
    if (request.codeVerifier) form.code_verifier = request.codeVerifier;
    const response = await this.tokenRequest(form);
    return this.#tokenResult(run, response, request, opts);
  }

  async #tokenResult(run: ModuleRun, response: HttpAnswer, request: AuthorizationRequest, opts: { extraChecks?: (claims: Json) => void }): Promise<TokenResult> {
    run.require('CheckTokenEndpointHttpStatus200', response.status === 200, `status ${response.status}: ${JSON.stringify(response.json)}`);
    const json = response.json ?? {};
    run.require('CheckIfTokenEndpointResponseError', json.error === undefined, String(json.error ?? 'no error'));
    run.require('CheckForAccessTokenValue', typeof json.access_token === 'string' && json.access_token !== '', 'access_token present');
    if (json.expires_in !== undefined) run.check('ValidateExpiresIn', typeof json.expires_in === 'number' && json.expires_in > 0, 'FAILURE', `expires_in ${String(json.expires_in)}`, 'RFC6749-5.1');
    run.require('ExtractIdTokenFromTokenResponse', typeof json.id_token === 'string', 'id_token present', 'OIDCC-3.1.3.3');
    const claims = await this.idTokenChecks(String(json.id_token), request);
    opts.extraChecks?.(claims);
    return { response, accessToken: String(json.access_token), idToken: String(json.id_token), claims, refreshToken: typeof json.refresh_token === 'string' ? json.refresh_token : undefined };
  }

  /** PerformStandardIdTokenChecks. */
  async idTokenChecks(idToken: string, request: AuthorizationRequest): Promise<Json> {
    const { run } = this;
    let claims: Json = {};
    try {
      claims = jose.decodeJwt(idToken) as Json;
    } catch (err) {
      return run.fail('ExtractIdTokenFromTokenResponse', `id_token is not a JWT: ${(err as Error).message}`);
    }
    c.validateIdToken(run, claims, { issuer: String(this.server.issuer), clientId: this.client.client_id });
    c.validateStandardClaims(run, 'ValidateIdTokenStandardClaims', claims);
    c.validateIdTokenNonce(run, claims, request.nonce);
    c.validateIdTokenAcrAgainstRequest(run, claims, request.params.claims);
    await c.validateIdTokenSignature(run, idToken, this.jwks);
    c.checkForSubjectInIdToken(run, claims);
    c.updatedAtValid(run, 'EnsureIdTokenUpdatedAtValid', claims);
    return claims;
  }

  // ---- protected resource / UserInfo -----------------------------------------------------------

  async callUserinfo(accessToken: string, how: 'get' | 'post-header' | 'post-body' = 'get'): Promise<HttpAnswer> {
    const endpoint = String(this.server.userinfo_endpoint);
    if (how === 'get') return answerOf(await this.op.fetch(endpoint, { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' } }));
    if (how === 'post-header') return answerOf(await this.op.fetch(endpoint, { method: 'POST', headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' } }));
    return answerOf(await this.op.fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: new URLSearchParams({ access_token: accessToken }).toString() }));
  }

  /** requestProtectedResource: CallProtectedResource + EnsureHttpStatusCodeIs200. */
  async requestProtectedResource(accessToken: string): Promise<HttpAnswer> {
    const res = await this.callUserinfo(accessToken, 'get');
    this.run.check('EnsureHttpStatusCodeIs200', res.status === 200, 'FAILURE', `protected resource answered ${res.status}`);
    return res;
  }

  /** ExtractUserInfoFromUserInfoEndpointResponse + validateUserInfoResponse. */
  userinfoChecks(res: HttpAnswer, idTokenClaims: Json, opts: { contentType?: boolean } = {}): Json {
    const { run } = this;
    if (opts.contentType) run.check('EnsureContentTypeJson', /^application\/json\b/.test(res.contentType), 'FAILURE', res.contentType, 'OIDCC-5.3.2');
    run.require('ExtractUserInfoFromUserInfoEndpointResponse', res.json !== undefined, 'userinfo is a JSON object');
    const userinfo = res.json!;
    c.validateStandardClaims(run, 'ValidateUserInfoStandardClaims', userinfo);
    run.check('EnsureUserInfoContainsSub', typeof userinfo.sub === 'string', 'FAILURE', 'sub present', 'OIDCC-5.3.2');
    c.updatedAtValid(run, 'EnsureUserInfoUpdatedAtValid', userinfo);
    const names = userinfo._claim_names as Json | undefined;
    const sources = userinfo._claim_sources as Json | undefined;
    const dangling = names ? Object.values(names).filter((s) => !sources || !(String(s) in sources)) : [];
    run.check('EnsureMemberValuesInClaimNameReferenceToMemberNamesInClaimSources', dangling.length === 0, 'FAILURE', '_claim_names refer to _claim_sources', 'OIDCC-5.6.2');
    run.check('VerifyUserInfoAndIdTokenInTokenEndpointSameSub', userinfo.sub === idTokenClaims.sub, 'FAILURE', `userinfo sub ${String(userinfo.sub)}, id_token sub ${String(idTokenClaims.sub)}`, 'OIDCC-5.3.2');
    return userinfo;
  }

  // ---- the whole flow --------------------------------------------------------------------------

  /**
   * performAuthorizationFlow → callback → token request → protected resource; what most modules do.
   * Returns everything a module may check afterwards.
   */
  async standardFlow(request: AuthorizationRequest, opts: { placeholder?: boolean; method?: 'GET' | 'POST'; afterCode?: (code: string) => void; idTokenChecks?: (claims: Json) => void } = {}) {
    const visit = await this.redirect(request, opts);
    const params = this.callbackParams(visit);
    const code = this.successfulCallback(params, request);
    opts.afterCode?.(code);
    const tokens = await this.requestAuthorizationCode(code, request, { ...(opts.idTokenChecks ? { extraChecks: opts.idTokenChecks } : {}) });
    const resource = await this.requestProtectedResource(tokens.accessToken);
    return { visit, params, code, tokens, resource };
  }

  async #get(url: string): Promise<HttpAnswer> {
    return answerOf(await this.op.fetch(url, { headers: { accept: 'application/json' } }));
  }
}

export async function answerOf(res: Response): Promise<HttpAnswer> {
  const text = await res.text();
  let json: Json | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    json = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Json) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', headers: res.headers, json };
}
