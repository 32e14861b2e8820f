import * as c from '../harness/conditions.js';
import { answerOf } from '../harness/flow.js';
import type { ModuleRun } from '../harness/module-run.js';
import type { ConformanceOp } from '../harness/op.js';
import type { ModuleDefinition } from './common.js';

type Json = Record<string, unknown>;

const SUFFIX = '/.well-known/openid-configuration';

// Registered metadata names (RFC 8414 §2, OIDC Discovery §3, RP-Initiated Logout, RFC 9207, RFC 7636,
// RFC 7009/7662, RFC 9126, RFC 9449, RFC 8628, CIBA, Front/Back-Channel Logout) with their JSON types.
const METADATA_TYPES: Readonly<Record<string, 'string' | 'array' | 'boolean' | 'object'>> = {
  issuer: 'string', authorization_endpoint: 'string', token_endpoint: 'string', jwks_uri: 'string', registration_endpoint: 'string',
  scopes_supported: 'array', response_types_supported: 'array', response_modes_supported: 'array', grant_types_supported: 'array',
  token_endpoint_auth_methods_supported: 'array', token_endpoint_auth_signing_alg_values_supported: 'array', service_documentation: 'string',
  ui_locales_supported: 'array', op_policy_uri: 'string', op_tos_uri: 'string', revocation_endpoint: 'string',
  revocation_endpoint_auth_methods_supported: 'array', revocation_endpoint_auth_signing_alg_values_supported: 'array',
  introspection_endpoint: 'string', introspection_endpoint_auth_methods_supported: 'array', introspection_endpoint_auth_signing_alg_values_supported: 'array',
  code_challenge_methods_supported: 'array', userinfo_endpoint: 'string', end_session_endpoint: 'string', check_session_iframe: 'string',
  subject_types_supported: 'array', id_token_signing_alg_values_supported: 'array', id_token_encryption_alg_values_supported: 'array',
  id_token_encryption_enc_values_supported: 'array', userinfo_signing_alg_values_supported: 'array', userinfo_encryption_alg_values_supported: 'array',
  userinfo_encryption_enc_values_supported: 'array', request_object_signing_alg_values_supported: 'array', request_object_encryption_alg_values_supported: 'array',
  request_object_encryption_enc_values_supported: 'array', display_values_supported: 'array', claim_types_supported: 'array', claims_supported: 'array',
  claims_locales_supported: 'array', claims_parameter_supported: 'boolean', request_parameter_supported: 'boolean', request_uri_parameter_supported: 'boolean',
  require_request_uri_registration: 'boolean', acr_values_supported: 'array', frontchannel_logout_supported: 'boolean', frontchannel_logout_session_supported: 'boolean',
  backchannel_logout_supported: 'boolean', backchannel_logout_session_supported: 'boolean', dpop_signing_alg_values_supported: 'array',
  pushed_authorization_request_endpoint: 'string', require_pushed_authorization_requests: 'boolean', authorization_response_iss_parameter_supported: 'boolean',
  device_authorization_endpoint: 'string', backchannel_authentication_endpoint: 'string', mtls_endpoint_aliases: 'object',
  tls_client_certificate_bound_access_tokens: 'boolean', prompt_values_supported: 'array', require_signed_request_object: 'boolean',
  authorization_signing_alg_values_supported: 'array', signed_metadata: 'string',
};

/** CS OIDCCDiscoveryEndpointVerification (the Config plan's one module). */
export const DISCOVERY_ENDPOINT_VERIFICATION: ModuleDefinition = {
  name: 'oidcc-discovery-endpoint-verification',
  run: async (run, op) => {
    const server = await getDiscovery(run, op, true);
    const types = (server.response_types_supported as string[] | undefined) ?? [];
    run.check('OIDCCCheckDiscEndpointResponseTypesSupported', ['code', 'id_token', 'code id_token', 'id_token token', 'code token', 'code id_token token'].some((t) => types.includes(t)), 'FAILURE', `response_types_supported: ${types.join(', ')}`, 'OIDCD-3');
    run.check('CheckDiscEndpointDiscoveryUrl', op.discoveryUrl.startsWith('https://') && op.discoveryUrl.includes(SUFFIX), 'FAILURE', op.discoveryUrl);
    const expectedIssuer = op.discoveryUrl.slice(0, -SUFFIX.length);
    run.check('CheckDiscEndpointIssuer', String(server.issuer).replace(/\/$/, '') === expectedIssuer.replace(/\/$/, ''), 'FAILURE', `issuer ${String(server.issuer)}`, 'OIDCD-4.3');
    run.check('CheckDiscEndpointIssuerIsValidUrl', isHttpsUrl(server.issuer) && !new URL(String(server.issuer)).search && !new URL(String(server.issuer)).hash, 'FAILURE', String(server.issuer), 'RFC8414-2');
    const wrongTypes = Object.entries(METADATA_TYPES).filter(([k, t]) => server[k] !== undefined && typeOf(server[k]) !== t).map(([k]) => k);
    run.check('ValidateServerMetadataAgainstSchema', wrongTypes.length === 0 && typeof server.issuer === 'string', 'FAILURE', wrongTypes.length ? `wrong types: ${wrongTypes.join(', ')}` : 'metadata types valid', 'OIDCD-3', 'RFC8414-2');
    const unexpected = Object.keys(server).filter((k) => !(k in METADATA_TYPES));
    run.check('CheckForUnexpectedParametersInServerMetadata', unexpected.length === 0, 'WARNING', unexpected.length ? `unexpected: ${unexpected.join(', ')}` : 'no unexpected metadata', 'OIDCD-3');
    const subjects = (server.subject_types_supported as string[] | undefined) ?? [];
    run.check('CheckDiscEndpointSubjectTypesSupported', subjects.includes('public') || subjects.includes('pairwise'), 'FAILURE', subjects.join(', '), 'OIDCD-3');
    run.check('OIDCCCheckDiscEndpointIdTokenSigningAlgValuesSupported', ((server.id_token_signing_alg_values_supported as string[] | undefined) ?? []).includes('RS256'), 'FAILURE', 'RS256 listed', 'OIDCD-3');
    if (server.userinfo_signing_alg_values_supported !== undefined) run.check('OIDCCCheckDiscEndpointUserinfoSigningAlgValuesSupported', Array.isArray(server.userinfo_signing_alg_values_supported), 'FAILURE', 'an array', 'OIDCD-3');
    run.check('CheckDiscEndpointAuthorizationEndpoint', isHttpsUrl(server.authorization_endpoint), 'FAILURE', String(server.authorization_endpoint), 'OIDCD-3');
    run.check('CheckDiscEndpointTokenEndpoint', isHttpsUrl(server.token_endpoint), 'FAILURE', String(server.token_endpoint), 'OIDCD-3');
    if (server.userinfo_endpoint === undefined) run.check('CheckDiscEndpointUserinfoEndpoint', false, 'WARNING', 'no userinfo_endpoint', 'OIDCD-3');
    else run.check('CheckDiscEndpointUserinfoEndpoint', isHttpsUrl(server.userinfo_endpoint), 'FAILURE', String(server.userinfo_endpoint), 'OIDCD-3');
    if (server.registration_endpoint !== undefined) run.check('CheckDiscEndpointRegistrationEndpoint', isHttpsUrl(server.registration_endpoint), 'FAILURE', String(server.registration_endpoint), 'OIDCD-3');
    run.check('CheckJwksUri', isHttpsUrl(server.jwks_uri), 'FAILURE', String(server.jwks_uri), 'OIDCD-3');
    const keys = await answerOf(await op.fetch(String(server.jwks_uri)));
    run.require('FetchServerKeys', keys.status === 200 && keys.json !== undefined, `jwks_uri answered ${keys.status}`);
    c.validateServerJwks(run, keys.json);
    run.info('CheckDiscEndpointRequestParameterSupported', `request_parameter_supported: ${String(server.request_parameter_supported)}`);
    run.info('CheckDiscEndpointRequestUriParameterSupported', `request_uri_parameter_supported: ${String(server.request_uri_parameter_supported)}`);
    if (server.request_object_signing_alg_values_supported !== undefined) run.check('CheckDiscEndpointRequestObjectSigningAlgValuesSupportedIncludesRS256', (server.request_object_signing_alg_values_supported as string[]).includes('RS256'), 'WARNING', 'RS256 listed', 'OIDCD-3');
    run.info('CheckDiscEndpointClaimsParameterSupported', `claims_parameter_supported: ${String(server.claims_parameter_supported)}`);
    run.check('OIDCCCheckDiscEndpointClaimsSupported', Array.isArray(server.claims_supported) && server.claims_supported.length > 0, 'WARNING', 'claims_supported listed', 'OIDCD-3');
    const grants = server.grant_types_supported;
    run.check('OIDCCCheckDiscEndpointGrantTypesSupported', grants === undefined || (Array.isArray(grants) && grants.length > 0 && grants.includes('authorization_code')), 'FAILURE', `grant_types_supported: ${JSON.stringify(grants)}`, 'OIDCD-3');
    if (server.scopes_supported === undefined) run.check('CheckDiscEndpointScopesSupportedContainsOpenId', false, 'WARNING', 'no scopes_supported', 'OIDCD-3');
    else run.check('CheckDiscEndpointScopesSupportedContainsOpenId', (server.scopes_supported as string[]).includes('openid'), 'FAILURE', 'openid listed', 'OIDCD-3');
    const badScopes = ((server.scopes_supported as unknown[] | undefined) ?? []).filter((s) => typeof s !== 'string' || !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s));
    run.check('CheckDiscEndpointScopesSupportedSyntax', badScopes.length === 0, 'FAILURE', badScopes.length ? `bad scopes ${badScopes.join(', ')}` : 'scope syntax', 'RFC6749-3.3');
    const locales = [...((server.ui_locales_supported as unknown[] | undefined) ?? []), ...((server.claims_locales_supported as unknown[] | undefined) ?? [])];
    run.check('CheckDiscEndpointLocalesSyntax', locales.every((l) => typeof l === 'string' && /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(l)), 'FAILURE', 'BCP 47 language tags', 'RFC8414-2');
    checkAllEndpointsHttps(run, server);
    run.check('EnsureServerConfigurationCodeChallengeMethodsSupportedIsAnArray', server.code_challenge_methods_supported === undefined || Array.isArray(server.code_challenge_methods_supported), 'FAILURE', 'an array', 'RFC8414-2');
  },
};

/** CS OIDCCRpInitiatedLogoutDiscoveryEndpointVerification. */
export const RP_LOGOUT_DISCOVERY_ENDPOINT_VERIFICATION: ModuleDefinition = {
  name: 'oidcc-rp-initiated-logout-discovery-endpoint-verification',
  run: async (run, op) => {
    const server = await getDiscovery(run, op, false);
    checkAllEndpointsHttps(run, server);
    run.check('CheckDiscEndSessionEndpoint', isHttpsUrl(server.end_session_endpoint), 'FAILURE', `end_session_endpoint ${String(server.end_session_endpoint)}`, 'OIDCRIL-2.1');
  },
};

async function getDiscovery(run: ModuleRun, op: ConformanceOp, strict: boolean): Promise<Json> {
  const res = await answerOf(await op.fetch(op.discoveryUrl, { headers: { accept: 'application/json' } }));
  run.require('GetDynamicServerConfiguration', res.json !== undefined, `discovery answered ${res.status}`);
  if (strict) {
    run.check('EnsureDiscoveryEndpointResponseStatusCodeIs200', res.status === 200, 'FAILURE', `status ${res.status}`, 'OIDCD-4');
    run.check('CheckDiscoveryEndpointReturnedJsonContentType', /^application\/json\b/.test(res.contentType), 'FAILURE', res.contentType, 'OIDCD-4');
  }
  return res.json!;
}

/** CheckDiscEndpointAllEndpointsAreHttps: every *_endpoint, jwks_uri and check_session_iframe. */
function checkAllEndpointsHttps(run: ModuleRun, server: Json): void {
  const plain = Object.entries(server).filter(([k, v]) => (k.endsWith('_endpoint') || k === 'jwks_uri' || k === 'check_session_iframe') && !isHttpsUrl(v)).map(([k]) => k);
  run.check('CheckDiscEndpointAllEndpointsAreHttps', plain.length === 0, 'FAILURE', plain.length ? `not https: ${plain.join(', ')}` : 'all endpoints https');
}

function isHttpsUrl(value: unknown): boolean {
  return typeof value === 'string' && URL.canParse(value) && new URL(value).protocol === 'https:';
}

function typeOf(value: unknown): string {
  return Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
}
