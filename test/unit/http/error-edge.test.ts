import type { Context } from 'koa';
import { describe, expect, it } from 'vitest';
import { DomainError, NotFoundError, PermissionError, UnavailableError } from '../../../src/domain/errors.js';
import { errorEdge } from '../../../src/http/error-edge.js';

/** A JSON route's context, enough for the edge (its JSON answers need no templates). */
function jsonContext(): Context & { headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  return { path: '/w/rest.php/oauth2/client', method: 'GET', status: 404, body: undefined, state: {}, headers, set: (k: string, v: string) => void (headers[k] = v) } as unknown as Context & {
    headers: Record<string, string>;
  };
}

async function answerTo(thrown: unknown) {
  const lines: string[] = [];
  const ctx = jsonContext();
  await errorEdge((line) => lines.push(line))(ctx, async () => {
    throw thrown;
  });
  return { status: ctx.status, body: ctx.body as { error: string; error_description: string }, lines, ctx };
}

describe('errorEdge', () => {
  it('answers a domain error with its code, its message and the status of its code', async () => {
    expect(await answerTo(new DomainError('invalid_callback_url', 'bad URL'))).toMatchObject({ status: 400, body: { error: 'invalid_callback_url', error_description: 'bad URL' }, lines: [] });
    expect((await answerTo(new PermissionError('mwoauthmanageconsumer'))).status).toBe(403);
    expect((await answerTo(new NotFoundError('The consumer'))).body).toEqual({ error: 'not_found', error_description: 'The consumer not found' });
    expect((await answerTo(new NotFoundError('The consumer'))).status).toBe(404);
  });

  it('answers an unreachable dependency with 503 and a generic message; the log names the dependency', async () => {
    const { status, body, lines, ctx } = await answerTo(new UnavailableError('the database', { cause: new Error('connect ECONNREFUSED 10.0.0.1:3306') }));
    expect([status, body.error]).toEqual([503, 'temporarily_unavailable']);
    expect(body.error_description).not.toContain('10.0.0.1');
    expect(lines).toEqual([`request ${ctx.state.requestId} GET /w/rest.php/oauth2/client failed: UnavailableError temporarily_unavailable: the database is unavailable`]);
    expect(ctx.headers['Cache-Control']).toBe('no-store');
  });

  it('answers anything unexpected with 500 and a request id, logging the cause but never sending it', async () => {
    const { status, body, lines, ctx } = await answerTo(new TypeError('secret detail at line 3\nstack'));
    expect(status).toBe(500);
    expect(body).toEqual({ error: 'server_error', error_description: `Internal error (request ${ctx.state.requestId}).` });
    expect(lines).toEqual([`request ${ctx.state.requestId} GET /w/rest.php/oauth2/client failed: TypeError: secret detail at line 3`]);
  });

  it('keeps a client error of the HTTP layer (a 4xx from a body parser) a 4xx, its message only if exposable', async () => {
    const tooLarge = Object.assign(new Error('request entity too large'), { status: 413, expose: true });
    expect(await answerTo(tooLarge)).toMatchObject({ status: 413, body: { error: 'invalid_request', error_description: 'request entity too large' } });
    const hidden = Object.assign(new Error('internal parser state'), { status: 400, expose: false });
    expect((await answerTo(hidden)).body.error_description).toBe('Bad request');
  });

  it('turns an unanswered request into a JSON 404', async () => {
    const ctx = jsonContext();
    await errorEdge(() => undefined)(ctx, async () => undefined);
    expect([ctx.status, (ctx.body as { error: string }).error]).toEqual([404, 'not_found']);
  });
});
