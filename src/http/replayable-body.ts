import type { Context } from 'koa';
import { readBytes } from './request-body.js';

// oidc-provider's own limit for its bodies (lib/shared/selective_body.js).
const BODY_LIMIT = 56 * 1024;

const BYTES = Symbol('replayable body');

/**
 * The form body of a request that oidc-provider will read afterwards: read once, then offered
 * again to the provider's reader (lib/shared/selective_body.js reads `req.readable` and
 * `req.iterator()`, and checks the length against `Content-Length`). Later readers get the same
 * bytes, or the ones a middleware put in their place.
 */
export async function replayableForm(ctx: Context): Promise<URLSearchParams | undefined> {
  if (!ctx.is('application/x-www-form-urlencoded')) return undefined;
  const state = ctx.state as { [BYTES]?: Buffer };
  if (!state[BYTES]) replay(ctx, await readBytes(ctx, BODY_LIMIT));
  return new URLSearchParams(state[BYTES]!.toString('utf8'));
}

/** Put another form body in place of the one read (the provider then reads this one). */
export function replaceForm(ctx: Context, form: URLSearchParams): void {
  replay(ctx, Buffer.from(form.toString(), 'utf8'));
}

function replay(ctx: Context, bytes: Buffer): void {
  (ctx.state as { [BYTES]?: Buffer })[BYTES] = bytes;
  ctx.request.header['content-length'] = String(bytes.length);
  Object.defineProperty(ctx.req, 'readable', { value: true, configurable: true });
  Object.defineProperty(ctx.req, 'iterator', {
    configurable: true,
    value: async function* () {
      yield bytes;
    },
  });
}
