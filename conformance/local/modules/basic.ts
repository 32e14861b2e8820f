import { createHash } from 'node:crypto';
import * as jose from 'jose';
import * as c from '../harness/conditions.js';
import type { AuthorizationRequest, OidccTest } from '../harness/flow.js';
import { alphanumeric } from '../harness/flow.js';
import type { ModuleRun } from '../harness/module-run.js';
import { SUITE_BASE } from '../harness/op.js';
import { expectPlaceholder, sameAuthTwice, secondAuthTimeLater, sleep, withTest, type ModuleDefinition } from './common.js';

type Json = Record<string, unknown>;

// AddRefreshTokenGrantTypeToDynamicRegistrationRequest
const REFRESH_REGISTRATION = { grant_types: ['authorization_code', 'refresh_token'] };

/**
 * The modules of oidcc-basic-certification-test-plan (CS OIDCCBasicTestPlan), in the plan's order.
 * The Form Post plan runs the same list with response_mode=form_post. Each sends what the suite's
 * module sends and checks what it checks (CS net.openid.conformance.openid.*).
 */
export const BASIC_PLAN: readonly ModuleDefinition[] = [
  {
    name: 'oidcc-server',
    run: (run, op, v) =>
      withTest(run, op, v, async (t) => {
        const request = t.authorizationRequest();
        const visit = await t.redirect(request);
        const code = t.successfulCallback(t.callbackParams(visit), request);
        c.codeStrength(run, code);
        const tokens = await t.requestAuthorizationCode(code, request, { extraChecks: (claims) => c.ensureIdTokenDoesNotContainName(run, claims) });
        run.check('ExtractExpiresInFromTokenEndpointResponse', tokens.response.json?.expires_in !== undefined, 'WARNING', 'expires_in present', 'RFC6749-5.1');
        validateAtHash(run, tokens.claims, tokens.accessToken);
        await t.requestProtectedResource(tokens.accessToken);
        c.ensureIdTokenDoesNotContainNonRequestedClaims(run, tokens.claims, request.params.scope!);
      }),
  },
  {
    name: 'oidcc-response-type-missing',
    run: (run, op, v) =>
      withTest(run, op, v, async (t) => {
        const request = t.authorizationRequest({ extra: { response_type: undefined } });
        const visit = await t.redirect(request, { placeholder: true });
        if (!visit.callback) {
          expectPlaceholder(run, 'ExpectResponseTypeMissingErrorPage', visit, 'error page');
          return;
        }
        const params = t.variant.responseMode === 'form_post' ? t.callbackParams(visit) : visit.callback.url.searchParams;
        c.genericAuthorizationErrorChecks(run, params, { state: request.state, issuer: String(t.server.issuer) });
        const error = params.get('error');
        run.check('CheckErrorFromAuthorizationEndpointErrorInvalidRequestOrUnsupportedResponseType', error === 'invalid_request' || error === 'unsupported_response_type', 'FAILURE', `error=${String(error)}`, 'RFC6749-3.1.1');
      }),
  },
  dynamicOnly({
    name: 'oidcc-idtoken-signature',
    run: (run, op, v) =>
      withTest(run, op, v, async (t) => {
        const request = t.authorizationRequest();
        const visit = await t.redirect(request);
        const code = t.successfulCallback(t.callbackParams(visit), request);
        const tokens = await t.requestAuthorizationCode(code, request);
        const header = jose.decodeProtectedHeader(tokens.idToken);
        run.check('EnsureIdTokenContainsKid', typeof header.kid === 'string', 'FAILURE', `kid ${String(header.kid)}`, 'OIDCC-10.1');
        run.check('EnsureIdTokenSignatureIsRS256', header.alg === 'RS256', 'FAILURE', `alg ${String(header.alg)}`, 'OIDCC-3.1.3.7');
        await t.requestProtectedResource(tokens.accessToken);
      }),
  }),
  dynamicOnly({
    name: 'oidcc-idtoken-unsigned',
    run: (run, op, v) =>
      withTest(
        run,
        op,
        v,
        async (t) => {
          const request = t.authorizationRequest();
          const visit = await t.redirect(request);
          const code = t.successfulCallback(t.callbackParams(visit), request);
          const tokens = await t.requestAuthorizationCode(code, request);
          const header = jose.decodeProtectedHeader(tokens.idToken);
          run.check('CheckIdTokenSignatureAlgorithm', header.alg === 'none', 'FAILURE', `alg ${String(header.alg)}`, 'OIDCC-3.1.3.7');
        },
        { id_token_signed_response_alg: 'none' },
        (t) => {
          // skipTestIfSigningAlgorithmNotSupported, before the client registers with alg none.
          const algs = (t.server.id_token_signing_alg_values_supported as string[] | undefined) ?? [];
          if (!algs.includes('none')) run.skip("id_token_signing_alg_values_supported does not list 'none' (servers need not support unsigned id_tokens)");
        },
      ),
  }),
  userinfoModule('oidcc-userinfo-get', 'get'),
  userinfoModule('oidcc-userinfo-post-header', 'post-header'),
  userinfoModule('oidcc-userinfo-post-body', 'post-body'),
  {
    name: 'oidcc-ensure-request-without-nonce-succeeds-for-code-flow',
    run: (run, op, v) =>
      withTest(run, op, v, async (t) => {
        const request = t.authorizationRequest({ nonce: false });
        const visit = await t.redirect(request);
        t.successfulCallback(t.callbackParams(visit), request);
        // performPostAuthorizationFlow is overridden: the module ends after the callback.
      }),
  },
  scopeModule('oidcc-scope-profile', 'openid profile'),
  scopeModule('oidcc-scope-email', 'openid email'),
  scopeModule('oidcc-scope-address', 'openid address'),
  scopeModule('oidcc-scope-phone', 'openid phone'),
  scopeModule('oidcc-scope-all', 'openid email phone address profile'),
  // OIDCEnsureOtherScopeOrderSucceeds: the scope-email module with the scope order reversed (RFC 6749 §3.3).
  scopeModule('oidcc-ensure-other-scope-order-succeeds', 'email openid'),
  extraParameterModule('oidcc-display-page', { display: 'page' }),
  extraParameterModule('oidcc-display-popup', { display: 'popup' }),
  {
    name: 'oidcc-prompt-login',
    run: (run, op, v) =>
      withTest(run, op, v, async (t) => {
        const first = await t.standardFlow(t.authorizationRequest());
        await sleep(1000); // WaitForOneSecond: auth_time must differ
        const second = await t.standardFlow(t.authorizationRequest({ extra: { prompt: 'login' } }), { placeholder: true });
        secondAuthTimeLater(run, first.tokens.claims, second.tokens.claims);
        expectPlaceholder(run, 'ExpectSecondLoginPage', second.visit, 'second login page');
      }),
  },
  {
    name: 'oidcc-prompt-none-not-logged-in',
    run: (run, op, v) =>
      withTest(run, op, v, async (t) => {
        const request = t.authorizationRequest({ stateLength: 128, extra: { prompt: 'none' } });
        const visit = await t.redirect(request);
        const params = t.callbackParams(visit);
        c.genericAuthorizationErrorChecks(run, params, { state: request.state, issuer: String(t.server.issuer) });
        const error = params.get('error');
        run.check('CheckErrorFromAuthorizationEndpointIsOneThatRequiredAUserInterface', ['login_required', 'interaction_required', 'account_selection_required', 'consent_required'].includes(String(error)), 'FAILURE', `error=${String(error)}`, 'OIDCC-3.1.2.6');
      }),
  },
  sameAuthTwiceModule('oidcc-prompt-none-logged-in', () => ({}), () => ({ prompt: 'none' })),
  {
    name: 'oidcc-max-age-1',
    run: (run, op, v) =>
      withTest(run, op, v, async (t) => {
        const first = await t.standardFlow(t.authorizationRequest());
        await sleep(2000); // WaitFor2Seconds
        const second = await t.standardFlow(t.authorizationRequest({ extra: { max_age: '1' } }), {
          placeholder: true,
          idTokenChecks: (claims) => {
            run.check('CheckIdTokenAuthTimeClaimPresentDueToMaxAge', typeof claims.auth_time === 'number', 'FAILURE', 'auth_time present', 'OIDCC-2', 'OIDCC-3.1.2.1');
            secondAuthTimeLater(run, first.tokens.claims, claims);
            const recent = typeof claims.auth_time !== 'number' || claims.auth_time >= Math.floor(Date.now() / 1000) - 300 - 1;
            run.check('CheckIdTokenAuthTimeIsRecentIfPresent', recent, 'FAILURE', `auth_time ${String(claims.auth_time)}`, 'OIDCC-2');
          },
        });
        expectPlaceholder(run, 'ExpectSecondLoginPage', second.visit, 'second login page');
      }),
  },
  sameAuthTwiceModule('oidcc-max-age-10000', () => ({ max_age: '15000' }), () => ({ max_age: '10000' }), (run, claims) =>
    run.check('CheckIdTokenAuthTimeClaimPresentDueToMaxAge', typeof claims.auth_time === 'number', 'FAILURE', 'auth_time present', 'OIDCC-2', 'OIDCC-3.1.2.1'),
  ),
  extraParameterModule('oidcc-ensure-request-with-unknown-parameter-succeeds', { extra: 'foobar' }),
  sameAuthTwiceModule('oidcc-id-token-hint', () => ({}), (first) => ({ prompt: 'none', id_token_hint: first.idToken })),
  // AddLoginHintFromConfigurationToAuthorizationEndpointRequest: server.login_hint of the plan configuration.
  { name: 'oidcc-login-hint', run: (run, op, v) => extraParameterModule('', { login_hint: op.values.user! }).run(run, op, v) },
  extraParameterModule('oidcc-ui-locales', { ui_locales: 'en' }),
  extraParameterModule('oidcc-claims-locales', { claims_locales: 'se' }),
  {
    name: 'oidcc-ensure-request-with-acr-values-succeeds',
    run: (run, op, v) =>
      withTest(run, op, v, async (t) => {
        const supported = t.server.acr_values_supported;
        const acrValues = Array.isArray(supported) && supported.length ? supported.join(' ') : '1 2';
        const request = t.authorizationRequest({ extra: { acr_values: acrValues } });
        await t.standardFlow(request, {
          idTokenChecks: (claims) => {
            const ok = typeof claims.acr === 'string' && acrValues.split(' ').includes(claims.acr);
            run.check('ValidateIdTokenACRClaimAgainstAcrValuesRequest', ok, 'WARNING', ok ? `acr ${String(claims.acr)}` : `no acr among the requested "${acrValues}" (acr: ${String(claims.acr)})`, 'OIDCC-3.1.2.1');
          },
        });
      }),
  },
  {
    name: 'oidcc-codereuse',
    run: (run, op, v) =>
      withTest(run, op, v, async (t) => {
        const request = t.authorizationRequest();
        const { code } = await t.standardFlow(request);
        const replay = await t.tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: t.client.redirect_uri });
        if (replay.status === 200) run.check('ServerAllowedReusingAuthorizationCode', false, 'WARNING', 'the code was accepted twice');
        else c.tokenEndpointErrorChecks(run, replay, 'invalid_grant');
      }),
  },
  {
    name: 'oidcc-codereuse-30seconds',
    run: (run, op, v) =>
      withTest(run, op, v, async (t) => {
        const request = t.authorizationRequest();
        const { code, tokens } = await t.standardFlow(request);
        await sleep(30_000); // WaitFor30Seconds
        const replay = await t.tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: t.client.redirect_uri });
        c.tokenEndpointErrorChecks(run, replay, 'invalid_grant');
        // The AS "should" have revoked the tokens issued for the code (RFC 6749 §4.1.2).
        const resource = await t.callUserinfo(tokens.accessToken, 'get');
        run.check('EnsureHttpStatusCodeIs4xx', resource.status >= 400 && resource.status < 500, 'WARNING', `the first access token now gets ${resource.status}`, 'RFC6749-4.1.2');
      }),
  },
  {
    name: 'oidcc-ensure-registered-redirect-uri',
    run: (run, op, v) =>
      withTest(run, op, v, async (t) => {
        // CreateBadRedirectUriByAppending
        const bad = `${SUITE_BASE}/callback/${alphanumeric(10)}`;
        const request = t.authorizationRequest({ extra: { redirect_uri: bad } });
        const visit = await t.redirect(request, { placeholder: true });
        if (visit.callback) {
          const toBad = visit.callback.url.pathname.startsWith(new URL(bad).pathname);
          return run.fail(toBad ? 'RedirectedToUnregisteredRedirectUri' : 'RedirectedToRegisteredRedirectUri', `the authorization server redirected to ${visit.callback.url.href}`);
        }
        expectPlaceholder(run, 'ExpectRedirectUriErrorPage', visit, 'error page');
      }),
  },
  {
    name: 'oidcc-ensure-post-request-succeeds',
    run: (run, op, v) =>
      withTest(run, op, v, async (t) => {
        const request = t.authorizationRequest();
        const visit = await t.redirect(request, { method: 'POST' });
        if (!visit.callback) {
          run.check('ExpectRedirectUriHasBeenCalled', false, 'WARNING', `no callback after the POST: ${visit.error ?? visit.page.url}`, 'OIDCC-3.1.2.1');
          return;
        }
        const code = t.successfulCallback(t.callbackParams(visit), request);
        const tokens = await t.requestAuthorizationCode(code, request);
        await t.requestProtectedResource(tokens.accessToken);
      }),
  },
  {
    name: 'oidcc-server-client-secret-post',
    variant: { clientAuth: 'client_secret_post' },
    run: (run, op, v) =>
      withTest(run, op, v, async (t) => {
        await t.standardFlow(t.authorizationRequest());
      }),
  },
  dynamicOnly({
    name: 'oidcc-request-uri-unsigned-supported-correctly-or-rejected-as-unsupported',
    run: (run, op, v) =>
      withTest(run, op, v, async (t) => {
        skipIfNoneUnsupported(run, t);
        const request = t.authorizationRequest();
        // The suite would serve the unsigned object at this request_uri; the OP must fetch it or refuse.
        const url = requestObjectRedirect(t, request, 'request_uri', `${SUITE_BASE}/requesturi/${alphanumeric(10)}#${alphanumeric(8)}`);
        const visit = await t.redirect(url);
        const params = t.callbackParams(visit);
        if (params.get('error') === 'request_uri_not_supported') run.skip("the 'request_uri_not_supported' error shows request_uri is not supported, which is permitted");
        run.check('CheckDiscEndpointRequestUriParameterSupported', t.server.request_uri_parameter_supported === true, 'WARNING', 'request_uri_parameter_supported');
        const code = t.successfulCallback(params, request);
        await t.requestAuthorizationCode(code, request);
      }, { request_uris: [`${SUITE_BASE}/requesturi/request.jwt`] }),
  }),
  {
    name: 'oidcc-unsigned-request-object-supported-correctly-or-rejected-as-unsupported',
    run: (run, op, v) =>
      withTest(run, op, v, async (t) => {
        skipIfNoneUnsupported(run, t);
        const request = t.authorizationRequest();
        const visit = await t.redirect(requestObjectRedirect(t, request, 'request', unsignedRequestObject({ ...request.params, aud: String(t.server.issuer), iss: t.client.client_id })));
        const params = t.callbackParams(visit);
        if (params.get('error') === 'request_not_supported') run.skip("the 'request_not_supported' error shows request objects are not supported, which is permitted");
        run.check('CheckDiscEndpointRequestParameterSupported', t.server.request_parameter_supported === true, 'WARNING', 'request_parameter_supported');
        const code = t.successfulCallback(params, request);
        const tokens = await t.requestAuthorizationCode(code, request);
        await t.requestProtectedResource(tokens.accessToken);
      }),
  },
  {
    name: 'oidcc-claims-essential',
    run: (run, op, v) =>
      withTest(run, op, v, async (t) => {
        const request = t.authorizationRequest({ extra: { claims: JSON.stringify({ userinfo: { name: { essential: true } } }) } });
        const { tokens } = await t.standardFlow(request);
        const res = await t.callUserinfo(tokens.accessToken, 'get');
        run.check('EnsureHttpStatusCodeIs200', res.status === 200, 'FAILURE', `userinfo answered ${res.status}`);
        const userinfo = t.userinfoChecks(res, tokens.claims);
        c.verifyScopesReturnedInUserInfoClaims(run, userinfo, request.params.scope!);
        run.check('EnsureUserInfoContainsName', typeof userinfo.name === 'string', 'WARNING', typeof userinfo.name === 'string' ? 'name present' : 'no name in userinfo', 'OIDCC-5.5');
        c.ensureIdTokenDoesNotContainName(run, tokens.claims);
      }),
  },
  {
    name: 'oidcc-ensure-request-object-with-redirect-uri',
    run: (run, op, v) =>
      withTest(run, op, v, async (t) => {
        skipIfNoneUnsupported(run, t);
        const request = t.authorizationRequest();
        const object = unsignedRequestObject({ ...request.params, aud: String(t.server.issuer), iss: t.client.client_id });
        // AddInvalidRedirectUriToAuthorizationRequest: the query carries another, unregistered URI.
        const url = new URL(requestObjectRedirect(t, request, 'request', object));
        url.searchParams.set('redirect_uri', `${t.client.redirect_uri}_invalid`);
        const visit = await t.redirect(url.href, { placeholder: true });
        if (!visit.callback) {
          expectPlaceholder(run, 'ExpectRedirectUriErrorPage', visit, 'invalid redirect_uri error page');
          return;
        }
        const params = t.callbackParams(visit);
        if (params.get('error') === 'request_not_supported') {
          run.fail('EnsureOPDoesNotUseDefaultRedirectUriInCaseOfInvalidRedirectUri', 'request_not_supported was sent to the registered redirect_uri although the request named an invalid one');
        }
        const code = t.successfulCallback(params, request);
        await t.requestAuthorizationCode(code, request);
      }),
  },
  {
    name: 'oidcc-refresh-token',
    run: async (run, op, v) =>
      withTest(run, op, v, async (t) => {
        const scopes = (t.server.scopes_supported as string[] | undefined) ?? [];
        const scope = scopes.includes('offline_access') ? 'openid offline_access' : 'openid';
        const firstClient = t.client;
        const flow = async (nonceLength?: number) => {
          const request = t.authorizationRequest({ scope, ...(nonceLength ? { nonceLength } : {}), extra: scope.includes('offline_access') ? { prompt: 'consent' } : {} });
          const visit = await t.redirect(request);
          const code = t.successfulCallback(t.callbackParams(visit), request);
          const tokens = await t.requestAuthorizationCode(code, request);
          return { request, tokens };
        };
        // Client 1: code, then refresh.
        const one = await flow();
        await refreshChecks(run, t, one.tokens.refreshToken, one.tokens.claims, scope);
        // Client 2 (AbstractOIDCCMultipleClient), with a 43-character nonce.
        if (v.registration === 'dynamic_client') await t.registerClient(REFRESH_REGISTRATION);
        else t.client = op.clients.client2;
        const two = await flow(43);
        const latest = await refreshChecks(run, t, two.tokens.refreshToken, two.tokens.claims, scope);
        // RefreshTokenRequestExpectingErrorSteps: client 2's refresh token presented by client 1.
        if (latest) {
          const wrong = await t.tokenRequest({ grant_type: 'refresh_token', refresh_token: latest, scope }, firstClient);
          c.tokenEndpointErrorChecks(run, wrong, 'invalid_grant');
        }
      }, REFRESH_REGISTRATION),
  },
  {
    name: 'oidcc-ensure-request-with-valid-pkce-succeeds',
    run: (run, op, v) =>
      withTest(run, op, v, async (t) => {
        await t.standardFlow(t.authorizationRequest({ pkce: true }));
      }),
  },
];

function dynamicOnly(module: ModuleDefinition): ModuleDefinition {
  return { ...module, appliesTo: (v) => v.registration === 'dynamic_client' };
}

function userinfoModule(name: string, how: 'get' | 'post-header' | 'post-body'): ModuleDefinition {
  return {
    name,
    run: (run, op, v) =>
      withTest(run, op, v, async (t) => {
        const { tokens } = await t.standardFlow(t.authorizationRequest());
        const res = await t.callUserinfo(tokens.accessToken, how);
        if (how === 'post-body') {
          if (res.status < 200 || res.status > 299) {
            run.check('UserInfoEndpointWithAccessTokenInBodyNotSupported', false, 'WARNING', `userinfo answered ${res.status}`);
            return;
          }
        } else {
          run.check('EnsureHttpStatusCodeIs200', res.status === 200, 'FAILURE', `userinfo answered ${res.status}`);
        }
        t.userinfoChecks(res, tokens.claims, { contentType: true });
      }),
  };
}

function scopeModule(name: string, scope: string): ModuleDefinition {
  return {
    name,
    run: (run, op, v) =>
      withTest(run, op, v, async (t) => {
        // OIDCCCheckScopesSupportedContainScopeTest (AbstractOIDCCReturnedClaimsServerTest)
        const supported = (t.server.scopes_supported as string[] | undefined) ?? [];
        const unsupported = scope.split(' ').filter((s) => !supported.includes(s));
        if (unsupported.length) run.skip(`scopes_supported does not list ${unsupported.join(', ')}`);
        const request = t.authorizationRequest({ scope });
        const { tokens } = await t.standardFlow(request);
        const res = await t.callUserinfo(tokens.accessToken, 'get');
        run.check('EnsureHttpStatusCodeIs200', res.status === 200, 'FAILURE', `userinfo answered ${res.status}`);
        const userinfo = t.userinfoChecks(res, tokens.claims);
        c.verifyScopesReturnedInUserInfoClaims(run, userinfo, scope);
      }),
  };
}

function extraParameterModule(name: string, extra: Record<string, string>): ModuleDefinition {
  return {
    name,
    run: (run, op, v) =>
      withTest(run, op, v, async (t) => {
        await t.standardFlow(t.authorizationRequest({ extra }));
      }),
  };
}

/** AbstractOIDCCSameAuthTwiceServerTest. */
function sameAuthTwiceModule(
  name: string,
  firstExtra: () => Record<string, string>,
  secondExtra: (first: { idToken: string }) => Record<string, string>,
  eachIdToken?: (run: ModuleRun, claims: Json) => void,
): ModuleDefinition {
  return {
    name,
    run: (run, op, v) =>
      withTest(run, op, v, async (t) => {
        const first = await t.standardFlow(t.authorizationRequest({ extra: firstExtra() }));
        eachIdToken?.(run, first.tokens.claims);
        const second = await t.standardFlow(t.authorizationRequest({ extra: secondExtra(first.tokens) }));
        eachIdToken?.(run, second.tokens.claims);
        sameAuthTwice(run, first.tokens.claims, second.tokens.claims);
      }),
  };
}

/** skipTestIfNoneUnsupported: skipped only if the OP lists request-object algorithms without `none`. */
function skipIfNoneUnsupported(run: ModuleRun, t: OidccTest): void {
  const algs = t.server.request_object_signing_alg_values_supported;
  if (Array.isArray(algs) && !algs.includes('none')) run.skip("'none' is not listed in request_object_signing_alg_values_supported");
}

/** SerializeRequestObjectWithNullAlgorithm. */
function unsignedRequestObject(claims: Json): string {
  return new jose.UnsecuredJWT(claims).encode();
}

/** BuildRequestObjectBy{Value,Reference}RedirectToAuthorizationEndpoint: the required duplicates stay in the query. */
function requestObjectRedirect(t: OidccTest, request: AuthorizationRequest, param: 'request' | 'request_uri', value: string): string {
  const url = new URL(String(t.server.authorization_endpoint));
  const params = new Map<string, string>([[param, value]]);
  for (const key of ['response_type', 'client_id', 'scope', 'redirect_uri']) if (request.params[key] !== undefined) params.set(key, request.params[key]!);
  for (const key of [...params.keys()].sort()) url.searchParams.set(key, params.get(key)!);
  return url.href;
}

/** ExtractAtHash / ValidateAtHash (OIDCC-3.3.2.11): left half of SHA-256 of the access token. */
function validateAtHash(run: ModuleRun, claims: Json, accessToken: string): void {
  if (claims.at_hash === undefined) return;
  const expected = createHash('sha256').update(accessToken).digest().subarray(0, 16).toString('base64url');
  run.check('ValidateAtHash', claims.at_hash === expected, 'FAILURE', `at_hash ${String(claims.at_hash)}`, 'OIDCC-3.3.2.11');
}

/** RefreshTokenRequestSteps: refresh, then compare the id_tokens (OIDCC-12.2). */
async function refreshChecks(run: ModuleRun, t: OidccTest, refreshToken: string | undefined, firstClaims: Json, scope: string): Promise<string | undefined> {
  if (!refreshToken) {
    const advertised = ((t.server.grant_types_supported as string[] | undefined) ?? []).includes('refresh_token');
    run.check('EnsureServerConfigurationDoesNotSupportRefreshToken', !advertised, 'WARNING', 'no refresh token although refresh_token is advertised', 'OIDCD-3');
    run.skip('Refresh tokens cannot be tested. No refresh token was issued.');
  }
  run.check('EnsureServerConfigurationSupportsRefreshToken', ((t.server.grant_types_supported as string[] | undefined) ?? []).includes('refresh_token'), 'WARNING', 'grant_types_supported lists refresh_token', 'OIDCD-3');
  run.check('EnsureRefreshTokenContainsAllowedCharactersOnly', /^[\x20-\x7e]+$/.test(refreshToken), 'FAILURE', 'VSCHAR', 'RFC6749-A.17');
  await sleep(1000); // the refreshed id_token must have a different iat
  const res = await t.tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken, scope });
  run.check('CheckTokenEndpointHttpStatus200', res.status === 200, 'FAILURE', `refresh answered ${res.status}: ${JSON.stringify(res.json)}`);
  const json = res.json ?? {};
  run.check('CheckTokenEndpointCacheHeaders', /no-store/.test(res.headers.get('cache-control') ?? ''), 'FAILURE', `Cache-Control: ${res.headers.get('cache-control')}`, 'RFC6749-5.1');
  run.check('CheckTokenTypeIsBearer', String(json.token_type).toLowerCase() === 'bearer', 'FAILURE', `token_type ${String(json.token_type)}`, 'RFC6749-5.1');
  const accessToken = typeof json.access_token === 'string' ? json.access_token : '';
  run.check('EnsureMinimumAccessTokenEntropy', c.shannonEntropy(accessToken) * accessToken.length > 96, 'FAILURE', 'access token entropy', 'RFC6749-10.10');
  run.check('ValidateExpiresIn', typeof json.expires_in === 'number' && json.expires_in > 0, 'FAILURE', `expires_in ${String(json.expires_in)}`, 'RFC6749-5.1');
  if (typeof json.refresh_token === 'string') run.check('EnsureMinimumRefreshTokenEntropy', c.shannonEntropy(json.refresh_token) * json.refresh_token.length > 96, 'FAILURE', 'refresh token entropy', 'RFC6819-5.1.4.2-2');
  if (typeof json.id_token === 'string') {
    const second = jose.decodeJwt(json.id_token) as Json;
    await c.validateIdTokenSignature(run, json.id_token, t.jwks);
    const same = ['iss', 'sub', 'azp'].filter((k) => JSON.stringify(firstClaims[k]) !== JSON.stringify(second[k]));
    const audOk = JSON.stringify(firstClaims.aud) === JSON.stringify(second.aud);
    const authTimeOk = firstClaims.auth_time === undefined || second.auth_time === firstClaims.auth_time;
    run.check('CompareIdTokenClaims', same.length === 0 && audOk && authTimeOk && second.iat !== firstClaims.iat, 'FAILURE', same.length || !audOk || !authTimeOk ? `differs in ${[...same, ...(audOk ? [] : ['aud']), ...(authTimeOk ? [] : ['auth_time'])].join(', ')}` : second.iat === firstClaims.iat ? 'same iat' : 'consistent', 'OIDCC-12.2');
  }
  // requestProtectedResource with the refreshed token
  const resource = await t.callUserinfo(accessToken, 'get');
  run.check('EnsureHttpStatusCodeIs200', resource.status === 200, 'FAILURE', `protected resource answered ${resource.status}`);
  return typeof json.refresh_token === 'string' ? json.refresh_token : refreshToken;
}
