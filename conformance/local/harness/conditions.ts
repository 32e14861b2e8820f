import * as jose from 'jose';
import type { ModuleRun, Severity } from './module-run.js';

/**
 * The suite's conditions the four plans use (CS `condition/client/*`), each named as there, each
 * reporting with the severity the calling module chose. Time skew as in the suite: 5 minutes.
 */
const SKEW = 5 * 60;
const now = () => Math.floor(Date.now() / 1000);
type Json = Record<string, unknown>;

/** pyoidc's scope → claims map (CS AbstractVerifyScopesReturnedInClaims). */
export const SCOPE_STANDARD_CLAIMS: Readonly<Record<string, readonly string[]>> = {
  openid: ['sub'],
  profile: ['name', 'given_name', 'family_name', 'middle_name', 'nickname', 'profile', 'picture', 'website', 'gender', 'birthdate', 'zoneinfo', 'locale', 'updated_at', 'preferred_username'],
  email: ['email', 'email_verified'],
  address: ['address'],
  phone: ['phone_number', 'phone_number_verified'],
  offline_access: [],
};

const ID_TOKEN_VALID_CLAIMS = ['iss', 'sub', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'acr', 'amr', 'azp', 'at_hash', 'c_hash', 'nbf', 'jti', 'sid', 's_hash', 'openbanking_intent_id', 'txn'];

const STRING_CLAIMS = ['sub', 'name', 'given_name', 'family_name', 'middle_name', 'nickname', 'preferred_username', 'profile', 'picture', 'website', 'email', 'gender', 'birthdate', 'zoneinfo', 'locale', 'phone_number'];
const BOOLEAN_CLAIMS = ['email_verified', 'phone_number_verified'];

/** ValidateIdToken: iss, aud, exp, iat, auth_time, acr (OIDCC-3.1.3.7). */
export function validateIdToken(run: ModuleRun, claims: Json, expected: { issuer: string; clientId: string }): void {
  const problems: string[] = [];
  const t = now();
  if (claims.iss !== expected.issuer) problems.push(`iss ${String(claims.iss)} is not ${expected.issuer}`);
  const aud = claims.aud;
  if (Array.isArray(aud) ? !aud.includes(expected.clientId) : aud !== expected.clientId) problems.push('aud does not hold our client_id');
  if (typeof claims.exp !== 'number') problems.push("'exp' missing");
  else {
    if (t - SKEW > claims.exp) problems.push('token expired');
    if (claims.exp > t + 50 * 365 * 86400) problems.push("'exp' more than 50 years ahead");
  }
  if (typeof claims.iat !== 'number') problems.push("'iat' missing");
  else if (claims.iat > t + SKEW) problems.push("'iat' in the future");
  if (claims.auth_time !== undefined) {
    if (typeof claims.auth_time !== 'number') problems.push('auth_time is not a number');
    else if (claims.auth_time < t - 365 * 86400 || claims.auth_time > t + SKEW) problems.push('auth_time out of range');
  }
  if (claims.acr === '') problems.push('acr is an empty string');
  run.check('ValidateIdToken', problems.length === 0, 'FAILURE', problems.join('; ') || 'iss, aud, exp, iat, auth_time, acr ok', 'OIDCC-3.1.3.7');
}

/** ValidateIdTokenStandardClaims / ValidateUserInfoStandardClaims: JSON types of OIDCC-5.1 claims. */
export function standardClaimTypeProblems(claims: Json): string[] {
  const problems: string[] = [];
  for (const name of STRING_CLAIMS) if (claims[name] !== undefined && typeof claims[name] !== 'string') problems.push(`${name} is not a string`);
  for (const name of BOOLEAN_CLAIMS) if (claims[name] !== undefined && typeof claims[name] !== 'boolean') problems.push(`${name} is not a boolean`);
  if (claims.updated_at !== undefined && typeof claims.updated_at !== 'number') problems.push('updated_at is not a number');
  if (claims.birthdate !== undefined && typeof claims.birthdate === 'string' && !/^(\d{4}|\d{4}-\d{2}-\d{2}|0000-\d{2}-\d{2})$/.test(claims.birthdate)) problems.push('birthdate is not a date');
  if (claims.address !== undefined) {
    const address = claims.address as Json;
    if (typeof address !== 'object' || address === null || Array.isArray(address)) problems.push('address is not an object');
    else for (const [k, v] of Object.entries(address)) if (typeof v !== 'string') problems.push(`address.${k} is not a string`);
  }
  return problems;
}

export function validateStandardClaims(run: ModuleRun, condition: 'ValidateIdTokenStandardClaims' | 'ValidateUserInfoStandardClaims', claims: Json): void {
  const problems = standardClaimTypeProblems(claims);
  run.check(condition, problems.length === 0, 'FAILURE', problems.join('; ') || 'standard claims have the right types', 'OIDCC-5.1');
}

export function validateIdTokenNonce(run: ModuleRun, claims: Json, nonce: string | undefined): void {
  const ok = nonce === undefined ? claims.nonce === undefined : claims.nonce === nonce;
  run.check('ValidateIdTokenNonce', ok, 'FAILURE', ok ? 'nonce as expected' : `nonce ${String(claims.nonce)} (sent ${String(nonce)})`, 'OIDCC-2');
}

/** ValidateIdTokenACRClaimAgainstRequest: only when the claims parameter asked for an essential acr. */
export function validateIdTokenAcrAgainstRequest(run: ModuleRun, claims: Json, claimsParameter: string | undefined): void {
  let wanted: string[] | undefined;
  try {
    const acr = claimsParameter ? (JSON.parse(claimsParameter) as { id_token?: { acr?: { essential?: boolean; values?: string[]; value?: string } } }).id_token?.acr : undefined;
    if (acr?.essential) wanted = acr.values ?? (acr.value ? [acr.value] : undefined);
  } catch {
    wanted = undefined;
  }
  const ok = !wanted || (typeof claims.acr === 'string' && wanted.includes(claims.acr));
  run.check('ValidateIdTokenACRClaimAgainstRequest', ok, 'FAILURE', ok ? 'acr as requested (or not requested as essential)' : `acr ${String(claims.acr)} not in ${wanted!.join(',')}`, 'OIDCC-5.5.1.1');
}

/** ValidateIdTokenSignature: verifies against the server's JWKS (the key named by kid). */
export async function validateIdTokenSignature(run: ModuleRun, idToken: string, jwks: { keys: jose.JWK[] }): Promise<boolean> {
  let ok = false;
  let message = '';
  try {
    const header = jose.decodeProtectedHeader(idToken);
    const candidates = jwks.keys.filter((k) => !header.kid || k.kid === header.kid);
    for (const jwk of candidates) {
      try {
        await jose.compactVerify(idToken, await jose.importJWK(jwk, header.alg));
        ok = true;
        break;
      } catch (err) {
        message = (err as Error).message;
      }
    }
    if (!candidates.length) message = `no key with kid ${String(header.kid)} in the server JWKS`;
  } catch (err) {
    message = (err as Error).message;
  }
  run.check('ValidateIdTokenSignature', ok, 'FAILURE', ok ? 'id_token signature verified' : message);
  return ok;
}

export function checkForSubjectInIdToken(run: ModuleRun, claims: Json): void {
  const ok = typeof claims.sub === 'string' && claims.sub.length > 0;
  run.check('CheckForSubjectInIdToken', ok, 'FAILURE', ok ? 'sub present' : 'sub missing', 'OIDCC-2');
}

/** EnsureIdTokenUpdatedAtValid / EnsureUserInfoUpdatedAtValid. */
export function updatedAtValid(run: ModuleRun, condition: 'EnsureIdTokenUpdatedAtValid' | 'EnsureUserInfoUpdatedAtValid', claims: Json): void {
  const value = claims.updated_at;
  const ok = value === undefined || (typeof value === 'number' && value <= now() + SKEW && value > 0);
  run.check(condition, ok, 'FAILURE', ok ? 'updated_at valid or absent' : `updated_at ${String(value)} is not a sane epoch time`, 'OIDCC-5.1');
}

export function ensureIdTokenDoesNotContainName(run: ModuleRun, claims: Json): void {
  run.check('EnsureIdTokenDoesNotContainName', claims.name === undefined, 'WARNING', claims.name === undefined ? 'no name in id_token' : 'id_token contains name', 'OIDCC-5.5');
}

export function ensureIdTokenDoesNotContainNonRequestedClaims(run: ModuleRun, claims: Json, scope: string): void {
  const allowed = new Set(ID_TOKEN_VALID_CLAIMS);
  const scopes = scope.split(' ');
  if (scopes.includes('openid')) for (const s of scopes) for (const c of SCOPE_STANDARD_CLAIMS[s] ?? []) allowed.add(c);
  const extra = Object.keys(claims).filter((c) => !allowed.has(c));
  run.check('EnsureIdTokenDoesNotContainNonRequestedClaims', extra.length === 0, 'WARNING', extra.length ? `non-requested claims: ${extra.join(', ')}` : 'no non-requested claims');
}

/** VerifyScopesReturnedInUserInfoClaims: every standard claim of every requested scope (OIDCC-5.4). */
export function verifyScopesReturnedInUserInfoClaims(run: ModuleRun, userinfo: Json, scope: string): void {
  const missing = scope.split(' ').flatMap((s) => (SCOPE_STANDARD_CLAIMS[s] ?? []).filter((c) => userinfo[c] === undefined));
  run.check('VerifyScopesReturnedInUserInfoClaims', missing.length === 0, 'WARNING', missing.length ? `userinfo lacks ${missing.join(', ')}` : 'all scope claims present', 'OIDCC-5.4');
}

/** EnsureMinimumAuthorizationCodeLength / …Entropy (RFC 6749 §10.10). */
export function codeStrength(run: ModuleRun, code: string): void {
  const bits = Buffer.byteLength(code) * 8;
  run.check('EnsureMinimumAuthorizationCodeLength', bits >= 128, 'FAILURE', `${bits} bits`, 'RFC6749-10.10');
  const entropy = shannonEntropy(code) * code.length;
  run.check('EnsureMinimumAuthorizationCodeEntropy', entropy > 96, 'FAILURE', `${entropy.toFixed(1)} bits of entropy`, 'RFC6749-10.10');
}

export function shannonEntropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let e = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    e -= p * Math.log2(p);
  }
  return e;
}

/** ValidateErrorDescription…: RFC 6749 §4.1.2.1 charset %x20-21 / %x23-5B / %x5D-7E. */
export function errorDescriptionCharsetOk(value: unknown): boolean {
  return value === undefined || (typeof value === 'string' && /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/.test(value));
}

/** performGenericAuthorizationEndpointErrorResponseValidation (AbstractOIDCCServerTest). */
export function genericAuthorizationErrorChecks(run: ModuleRun, params: URLSearchParams, expected: { state: string | undefined; issuer: string }): void {
  const state = params.get('state') ?? undefined;
  run.check('CheckStateInAuthorizationResponse', state === expected.state, 'FAILURE', `state ${String(state)} (sent ${String(expected.state)})`);
  validateIss(run, params, expected.issuer);
  run.check('EnsureErrorFromAuthorizationEndpointResponse', params.has('error'), 'FAILURE', params.has('error') ? `error=${params.get('error')}` : 'no error', 'OIDCC-3.1.2.6');
  run.check('RejectAuthCodeInAuthorizationEndpointResponse', !params.has('code'), 'FAILURE', params.has('code') ? 'code present' : 'no code', 'OIDCC-3.1.2.6');
  const allowed = new Set(['error', 'error_description', 'error_uri', 'state', 'session_state', 'iss']);
  const unexpected = [...params.keys()].filter((k) => !allowed.has(k));
  run.check('CheckForUnexpectedParametersInErrorResponseFromAuthorizationEndpoint', unexpected.length === 0, 'WARNING', unexpected.length ? `unexpected ${unexpected.join(', ')}` : 'only expected parameters', 'OIDCC-3.1.2.6');
  const description = params.get('error_description') ?? undefined;
  run.check('CheckErrorDescriptionFromAuthorizationEndpointResponseErrorContainsCRLFTAB', !/[\r\n\t]/.test(description ?? ''), 'WARNING', 'no CR/LF/TAB', 'RFC6749-4.1.2.1');
  run.check('ValidateErrorDescriptionFromAuthorizationEndpointResponseError', errorDescriptionCharsetOk(description), 'FAILURE', 'error_description charset', 'RFC6749-4.1.2.1');
  const uri = params.get('error_uri');
  run.check('ValidateErrorUriFromAuthorizationEndpointResponseError', uri === null || URL.canParse(uri), 'FAILURE', 'error_uri', 'RFC6749-4.1.2.1');
}

/** ValidateIssIfPresentInAuthorizationResponse (RFC 9207). */
export function validateIss(run: ModuleRun, params: URLSearchParams, issuer: string): void {
  const iss = params.get('iss');
  run.check('ValidateIssIfPresentInAuthorizationResponse', iss === null || iss === issuer, 'FAILURE', `iss ${String(iss)}`, 'OAuth2-iss-2');
}

/** Token endpoint error checks (AbstractOIDCCAuthCodeReuse.checkResponse and refresh-token errors). */
export function tokenEndpointErrorChecks(run: ModuleRun, res: { status: number; contentType: string; json: Json | undefined }, expectedError: string): void {
  run.check('CheckTokenEndpointHttpStatus400', res.status === 400, 'FAILURE', `status ${res.status}`, 'OIDCC-3.1.3.4');
  run.check('CheckTokenEndpointReturnedJsonContentType', /^application\/json\b/.test(res.contentType), 'FAILURE', res.contentType, 'OIDCC-3.1.3.4');
  run.check(`CheckErrorFromTokenEndpointResponseError${expectedError === 'invalid_grant' ? 'InvalidGrant' : expectedError}`, res.json?.error === expectedError, 'FAILURE', `error ${String(res.json?.error)}`, 'RFC6749-5.2');
  run.check('ValidateErrorFromTokenEndpointResponseError', typeof res.json?.error === 'string' && errorDescriptionCharsetOk(res.json.error), 'FAILURE', 'error charset', 'RFC6749-5.2');
  const description = res.json?.error_description;
  run.check('CheckErrorDescriptionFromTokenEndpointResponseErrorContainsCRLFTAB', !/[\r\n\t]/.test(typeof description === 'string' ? description : ''), 'WARNING', 'no CR/LF/TAB', 'RFC6749-5.2');
  run.check('ValidateErrorDescriptionFromTokenEndpointResponseError', errorDescriptionCharsetOk(description), 'FAILURE', 'error_description charset', 'RFC6749-5.2');
  run.check('ValidateErrorUriFromTokenEndpointResponseError', res.json?.error_uri === undefined || (typeof res.json.error_uri === 'string' && URL.canParse(res.json.error_uri)), 'FAILURE', 'error_uri', 'RFC6749-5.2');
}

/** ValidateJwksSequence + CheckForKeyIdInServerJWKs + CheckDistinctKeyIdValueInServerJWKs. */
export function validateServerJwks(run: ModuleRun, jwks: unknown): void {
  const keys = (jwks as { keys?: unknown })?.keys;
  const ok = Array.isArray(keys) && keys.length > 0 && keys.every((k) => typeof k === 'object' && k !== null && typeof (k as Json).kty === 'string');
  run.check('CheckServerKeysIsValid', ok, 'WARNING', ok ? 'JWKS is a key set' : 'JWKS has no keys');
  const list = (Array.isArray(keys) ? keys : []) as Json[];
  const privateParts = list.filter((k) => ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'].some((f) => f in k));
  run.check('ValidateJwksDoesNotContainPrivateOrSymmetricKeys', privateParts.length === 0, 'FAILURE', privateParts.length ? 'private or symmetric key material published' : 'public keys only', 'RFC7517-1.1');
  const unknown = list.filter((k) => !['RSA', 'EC', 'OKP'].includes(String(k.kty)));
  run.check('ValidateJwksKeyTypes', unknown.length === 0, 'WARNING', unknown.length ? `unknown key types ${unknown.map((k) => k.kty).join(',')}` : 'RSA/EC/OKP keys', 'RFC7517-1.1');
  const noKid = list.filter((k) => typeof k.kid !== 'string' || !k.kid);
  run.check('CheckForKeyIdInServerJWKs', noKid.length === 0, 'FAILURE', noKid.length ? 'a key has no kid' : 'every key has a kid', 'OIDCC-10.1');
  const kids = list.map((k) => k.kid);
  run.check('CheckDistinctKeyIdValueInServerJWKs', new Set(kids).size === kids.length, 'FAILURE', 'kids are distinct', 'RFC7517-4.5');
}

export type { Severity };
