import * as jose from 'jose';
import type { ModuleDefinition } from './common.js';
import { expectPlaceholder, withTest } from './common.js';
import { SUITE_BASE } from '../harness/op.js';

const QUERY = 'dummy1=lorem&dummy2=ipsum';

/**
 * The registration-related modules of oidcc-dynamic-certification-test-plan (CS OIDCCDynamicTestPlan).
 * That plan as a whole needs the implicit and hybrid flows, which wikiauth does not offer
 * (conformance/README.md); these modules test what dynamic registration does to redirect URIs and
 * id_token algorithms, which wikiauth does support.
 */
export const DYNAMIC_REGISTRATION_MODULES: readonly ModuleDefinition[] = [
  {
    name: 'oidcc-idtoken-rs256',
    run: (run, op, v) =>
      withTest(run, op, v, async (t) => {
        const { tokens } = await t.standardFlow(t.authorizationRequest());
        const header = jose.decodeProtectedHeader(tokens.idToken);
        run.check('EnsureIdTokenContainsKid', typeof header.kid === 'string', 'FAILURE', `kid ${String(header.kid)}`, 'OIDCC-10.1');
        run.check('CheckIdTokenSignatureAlgorithm', header.alg === 'RS256', 'FAILURE', `alg ${String(header.alg)}`, 'OIDCC-3.1.3.7');
      }, { id_token_signed_response_alg: 'RS256' }),
  },
  {
    name: 'oidcc-ensure-redirect-uri-in-authorization-request',
    run: (run, op, v) =>
      withTest(run, op, v, async (t) => {
        // Two registered redirect URIs, none in the request: nothing says where to go.
        const visit = await t.redirect(t.authorizationRequest({ extra: { redirect_uri: undefined } }), { placeholder: true });
        if (visit.callback) run.fail('AuthorizationEndpointRedirectedBackUnexpectedly', `redirected to ${visit.callback.url.href}`);
        expectPlaceholder(run, 'ExpectRedirectUriMissingErrorPage', visit, 'error page');
      }, { redirect_uris: [`${SUITE_BASE}/callback`, 'https://example.org/redirect'] }),
  },
  {
    name: 'oidcc-redirect-uri-query-OK',
    run: (run, op, v) =>
      withTest(run, op, v, async (t) => {
        const { visit } = await t.standardFlow(t.authorizationRequest());
        run.check('CheckRedirectUriQueryKept', visit.callback!.url.searchParams.get('dummy1') === 'lorem', 'FAILURE', visit.callback!.url.href);
      }, { redirect_uris: [`${SUITE_BASE}/callback?${QUERY}`] }),
  },
  {
    name: 'oidcc-redirect-uri-query-mismatch',
    run: (run, op, v) =>
      withTest(run, op, v, async (t) => {
        const visit = await t.redirect(t.authorizationRequest({ extra: { redirect_uri: `${SUITE_BASE}/callback?dummy1=lorem&dummy2=dolor` } }), { placeholder: true });
        if (visit.callback) run.fail('RedirectedToMismatchedRedirectUri', `redirected to ${visit.callback.url.href}`);
        expectPlaceholder(run, 'ExpectRedirectUriErrorPage', visit, 'error page');
      }, { redirect_uris: [`${SUITE_BASE}/callback?${QUERY}`] }),
  },
  {
    name: 'oidcc-redirect-uri-query-added',
    run: (run, op, v) =>
      withTest(run, op, v, async (t) => {
        const visit = await t.redirect(t.authorizationRequest({ extra: { redirect_uri: `${SUITE_BASE}/callback?foo=bar` } }), { placeholder: true });
        if (visit.callback) run.fail('RedirectedToUnregisteredRedirectUri', `redirected to ${visit.callback.url.href}`);
        expectPlaceholder(run, 'ExpectRedirectUriErrorPage', visit, 'error page');
      }),
  },
  {
    name: 'oidcc-redirect-uri-regfrag',
    run: (run, op, v) =>
      withTest(run, op, { ...v, registration: 'static_client' }, async (t) => {
        const { answer } = await t.callRegistrationEndpoint({ redirect_uris: [`${SUITE_BASE}/callback#fragment`] });
        run.check('EnsureContentTypeJson', /^application\/json\b/.test(answer.contentType), 'FAILURE', answer.contentType);
        run.check('EnsureHttpStatusCodeIs400', answer.status === 400, 'FAILURE', `status ${answer.status}`);
        const error = String(answer.json?.error);
        run.check('CheckErrorFromDynamicRegistrationEndpointIsInvalidRedirectUriOrInvalidClientMetadata', error === 'invalid_redirect_uri' || error === 'invalid_client_metadata', 'WARNING', `error=${error}`, 'OIDCR-3.3');
      }),
  },
];
