/**
 * What MediaWiki's `WebRequest` gives Special:OAuth and api.php: the request's values (POST
 * fields over query fields, the last of a repeated key), the raw form body for the OAuth
 * parameter collection, and the public URL the client used.
 */
import type { Context } from 'koa';
import { DomainError } from '../domain/errors.js';
import { collectOAuthParams, type OAuthParams } from './params.js';
import { urldecode } from './php.js';

const FORM_TYPE = 'application/x-www-form-urlencoded';
const MAX_BODY_BYTES = 64 * 1024;

export interface WebRequest {
  readonly method: string;
  /**
   * `WebRequest::getFullRequestURL`: the scheme and host the client used (`X-Forwarded-Proto` /
   * `X-Forwarded-Host` count only with TRUST_PROXY, through koa's `app.proxy`) and the path and
   * query exactly as requested.
   */
  readonly url: string;
  /** Scheme and host of `url` (MediaWiki's `$wgCanonicalServer` as the client sees it). */
  readonly origin: string;
  readonly ip: string;
  /** `WebRequest::getVal`. */
  getVal(name: string): string | undefined;
  /** Every parameter `MWOAuthRequest::fromRequest` signs over. */
  readonly oauthParams: OAuthParams;
  /** Whether the request carries `Authorization: OAuth …` (`Utils::hasOAuthHeaders`). */
  readonly hasOAuthHeader: boolean;
}

/** Read the request once: the body only for a form POST, at most 64 KiB. */
export async function readWebRequest(ctx: Context): Promise<WebRequest> {
  const method = ctx.method.toUpperCase();
  const contentType = ctx.get('content-type');
  const body = method === 'POST' && contentType.startsWith(FORM_TYPE) ? await readBody(ctx) : '';
  const values = new Map<string, string>();
  for (const source of [ctx.querystring, body]) {
    for (const piece of source.split('&')) {
      if (piece === '') continue;
      const eq = piece.indexOf('=');
      values.set(urldecode(eq === -1 ? piece : piece.slice(0, eq)), eq === -1 ? '' : urldecode(piece.slice(eq + 1)));
    }
  }
  const authorization = ctx.get('authorization');
  const origin = `${ctx.protocol}://${ctx.host}`;
  return {
    method,
    url: `${origin}${ctx.originalUrl}`,
    origin,
    ip: ctx.ip,
    getVal: (name) => values.get(name),
    oauthParams: collectOAuthParams({ query: ctx.querystring, method, contentType, body, authorization }),
    hasOAuthHeader: authorization.startsWith('OAuth '),
  };
}

/**
 * The raw body, at most 64 KiB. A larger one is refused, the rest drained (not destroyed, so the
 * answer still reaches the client) and the connection closed after the answer.
 */
function readBody(ctx: Context): Promise<string> {
  const req = ctx.req;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) return void chunks.push(chunk);
      cleanup();
      req.resume();
      ctx.set('Connection', 'close');
      reject(new DomainError('request_too_large', 'The request body is too large.'));
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onClose = () => {
      cleanup();
      reject(new DomainError('bad_request', 'The request body was not received completely.'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
  });
}
