import { randomInt } from 'node:crypto';
import * as jose from 'jose';
import * as c from '../harness/conditions.js';
import type { OidccTest } from '../harness/flow.js';
import { SUITE_BASE } from '../harness/op.js';
import { RP_LOGOUT_DISCOVERY_ENDPOINT_VERIFICATION } from './config.js';
import { expectPlaceholder, withTest, type ModuleDefinition } from './common.js';

type EndSessionParams = Record<string, string | undefined>;

interface LogoutModule {
  readonly name: string;
  /** customiseEndSessionEndpointRequest */
  readonly customise?: (params: EndSessionParams, t: OidccTest) => Promise<void> | void;
  /** What the post-logout redirect must look like; false: it must not happen (placeholder instead). */
  readonly redirect: 'with-state' | 'without-state' | false;
  /** The placeholder condition of the negative modules (what the tester screenshots). */
  readonly placeholder?: string;
}

/**
 * CS AbstractOIDCCRpInitiatedLogout: sign in (state of 128 characters), send the browser to
 * end_session_endpoint with id_token_hint, post_logout_redirect_uri and state (customised per
 * module), then either check the redirect and that a prompt=none authorization now needs a user
 * interface, or that no redirect happened (screenshot placeholder).
 */
function logoutModule(spec: LogoutModule): ModuleDefinition {
  return {
    name: spec.name,
    run: (run, op, v) =>
      withTest(run, op, v, async (t) => {
        const first = await t.standardFlow(t.authorizationRequest({ stateLength: 128 }));
        const state = endSessionState();
        const params: EndSessionParams = { id_token_hint: first.tokens.idToken, post_logout_redirect_uri: t.client.post_logout_redirect_uri, state };
        await spec.customise?.(params, t);
        const url = new URL(String(t.server.end_session_endpoint));
        for (const [k, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(k, value);
        const visit = await t.browser.visit(url.href, { placeholder: spec.redirect === false });

        if (spec.redirect === false) {
          if (visit.callback) run.fail('PostLogoutRedirectNotExpected', `the OP redirected to ${visit.callback.url.href}`);
          expectPlaceholder(run, spec.placeholder!, visit, 'page');
          return;
        }
        if (!visit.callback) return run.fail('PostLogoutRedirectExpected', `no redirect to post_logout_redirect_uri: ${visit.error ?? visit.page.url}`);
        const query = visit.callback.url.searchParams;
        run.check('CheckPostLogoutRedirectUri', visit.callback.url.href.split('?')[0] === t.client.post_logout_redirect_uri, 'FAILURE', visit.callback.url.href);
        if (spec.redirect === 'with-state') run.check('CheckPostLogoutState', query.get('state') === state, 'FAILURE', `state ${query.get('state')}`, 'OIDCRIL-2');
        else run.check('CheckNoPostLogoutState', !query.has('state'), 'FAILURE', `state ${query.get('state')}`, 'OIDCRIL-2');
        const unexpected = [...query.keys()].filter((k) => k !== 'state');
        run.check('CheckForUnexpectedParametersInPostLogoutRedirect', unexpected.length === 0, 'WARNING', unexpected.length ? `unexpected ${unexpected.join(', ')}` : 'only state', 'OIDCRIL-2');

        // Second authorization, prompt=none: the session is gone, so a user interface is required.
        const second = t.authorizationRequest({ stateLength: 128, extra: { prompt: 'none' } });
        const params2 = t.callbackParams(await t.redirect(second));
        c.genericAuthorizationErrorChecks(run, params2, { state: second.state, issuer: String(t.server.issuer) });
        const error = params2.get('error');
        run.check('CheckErrorFromAuthorizationEndpointIsOneThatRequiredAUserInterface', ['login_required', 'interaction_required', 'account_selection_required', 'consent_required'].includes(String(error)), 'FAILURE', `error=${String(error)}`, 'OIDCC-3.1.2.6');
      }),
  };
}

/** The modules of oidcc-rp-initiated-logout-certification-test-plan (CS OIDCCRpInitiatedLogoutTestPlan). */
export const RP_INITIATED_LOGOUT_PLAN: readonly ModuleDefinition[] = [
  RP_LOGOUT_DISCOVERY_ENDPOINT_VERIFICATION,
  logoutModule({ name: 'oidcc-rp-initiated-logout', redirect: 'with-state' }),
  logoutModule({
    name: 'oidcc-rp-initiated-logout-bad-post-logout-redirect-uri',
    redirect: false,
    placeholder: 'ExpectPostLogoutRedirectUriNotRegisteredErrorPage',
    customise: (p) => {
      p.post_logout_redirect_uri = `${SUITE_BASE}/bad_post_logout_redirect_uri`;
    },
  }),
  logoutModule({
    name: 'oidcc-rp-initiated-logout-modified-id-token-hint',
    redirect: false,
    placeholder: 'ExpectInvalidIdTokenHintErrorPage',
    // ChangeIdTokenToAlgNone: same claims, "signed" with alg none.
    customise: (p) => {
      const [, payload] = p.id_token_hint!.split('.');
      p.id_token_hint = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${payload}.`;
    },
  }),
  logoutModule({
    name: 'oidcc-rp-initiated-logout-no-id-token-hint',
    redirect: false,
    placeholder: 'ExpectIdTokenHintRequiredErrorPage',
    customise: (p) => {
      p.id_token_hint = undefined;
    },
  }),
  logoutModule({
    name: 'oidcc-rp-initiated-logout-no-params',
    redirect: false,
    placeholder: 'ExpectSuccessfulLogoutPage',
    customise: (p) => {
      for (const k of Object.keys(p)) p[k] = undefined;
    },
  }),
  logoutModule({
    name: 'oidcc-rp-initiated-logout-no-post-logout-redirect-uri',
    redirect: false,
    placeholder: 'ExpectSuccessfulLogoutPage',
    customise: (p) => {
      p.post_logout_redirect_uri = undefined;
    },
  }),
  logoutModule({
    name: 'oidcc-rp-initiated-logout-no-state',
    redirect: 'without-state',
    customise: (p) => {
      p.state = undefined;
    },
  }),
  logoutModule({
    name: 'oidcc-rp-initiated-logout-only-state',
    redirect: false,
    placeholder: 'ExpectSuccessfulLogoutPage',
    customise: (p) => {
      p.id_token_hint = undefined;
      p.post_logout_redirect_uri = undefined;
    },
  }),
];

/**
 * Two more logout modules the suite has (CS OIDCCRpInitiatedLogoutBadIdTokenHint,
 * OIDCCRpInitiatedLogoutQueryAddedToLogoutRedirectUri), not in the certification plan today; run
 * too because they probe the same refusals from other angles.
 */
export const RP_INITIATED_LOGOUT_EXTRA: readonly ModuleDefinition[] = [
  logoutModule({
    name: 'oidcc-rp-initiated-logout-bad-id-token-hint',
    redirect: false,
    placeholder: 'ExpectInvalidIdTokenHintErrorPage',
    // An id_token with the same claims, signed by a key the OP does not know.
    customise: async (p) => {
      const { privateKey } = await jose.generateKeyPair('RS256');
      const claims = jose.decodeJwt(p.id_token_hint!);
      p.id_token_hint = await new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'suite' }).sign(privateKey);
    },
  }),
  logoutModule({
    name: 'oidcc-rp-initiated-logout-query-added-to-post-logout-redirect-uri',
    redirect: false,
    placeholder: 'ExpectPostLogoutRedirectUriNotRegisteredErrorPage',
    customise: (p) => {
      p.post_logout_redirect_uri = `${p.post_logout_redirect_uri}?foo=bar`;
    },
  }),
];

/** CreateRandomEndSessionState: 10–30 VSCHARs, with '+', ' ' and ';' turned into '~'. */
function endSessionState(): string {
  const length = randomInt(10, 31);
  let state = '';
  for (let i = 0; i < length; i++) state += String.fromCharCode(randomInt(0x20, 0x7f));
  return state.replace(/[+ ;]/g, '~');
}
