import { expect } from 'vitest';
import { authorize } from '../../helpers/authorize.js';
import { ALICE } from '../../helpers/fixtures.js';
import type { HttpSession } from '../../helpers/http-session.js';
import type { OAuth1Consumer } from './oauth1-fixtures.js';
import { sign, type SignSpec } from './python-client.js';

/**
 * Sign a request with oauthlib for `spec.url` and send it — to `sendTo` when given (the URL the
 * signature names is then the public one, as behind a proxy), with extra headers.
 */
export async function signedFetch(spec: SignSpec, opts: { sendTo?: string; headers?: Record<string, string> } = {}): Promise<Response> {
  const signed = await sign(spec);
  const target = opts.sendTo ? opts.sendTo + signed.url.slice(new URL(signed.url).origin.length) : signed.url;
  return fetch(target, { method: spec.method, headers: { ...signed.headers, ...opts.headers }, redirect: 'manual' });
}

export const indexUrl = (origin: string, sub: string) => `${origin}/w/index.php?title=Special%3AOAuth%2F${sub}`;

export interface Handshake {
  readonly requestToken: { key: string; secret: string };
  readonly verifier: string;
}

/** initiate (signed by oauthlib) and the user's approval on authorize; stops before the token step. */
export async function initiateAndAuthorize(origin: string, agent: HttpSession, consumer: OAuth1Consumer, user = ALICE): Promise<Handshake> {
  const res = await signedFetch({ method: 'POST', url: indexUrl(origin, 'initiate'), key: consumer.key, secret: consumer.secret, callback: 'oob' });
  const body = await res.text();
  const fields = new URLSearchParams(body);
  expect(fields.get('oauth_token'), body).toMatch(/^[0-9a-f]{32}$/);
  const requestToken = { key: fields.get('oauth_token')!, secret: fields.get('oauth_token_secret')! };
  const outcome = await authorize(agent, `${origin}/w/index.php?title=Special:OAuth/authorize&oauth_token=${requestToken.key}&oauth_consumer_key=${consumer.key}`, user);
  expect(outcome.callback?.searchParams.get('oauth_token')).toBe(requestToken.key);
  return { requestToken, verifier: outcome.callback!.searchParams.get('oauth_verifier')! };
}

/** The token step of a handshake, signed with the request token. */
export function exchange(origin: string, consumer: OAuth1Consumer, handshake: Handshake, verifier = handshake.verifier): Promise<Response> {
  return signedFetch({
    method: 'POST',
    url: indexUrl(origin, 'token'),
    key: consumer.key,
    secret: consumer.secret,
    token: handshake.requestToken.key,
    token_secret: handshake.requestToken.secret,
    verifier,
  });
}
