import type { Context } from 'koa';
import { koaBody } from 'koa-body';

const parser = koaBody({ urlencoded: true, json: false, multipart: false, text: false, formLimit: '64kb', patchNode: false });

/** Parse a form post on our own routes (never globally: oidc-provider reads its own bodies). */
export async function readForm(ctx: Context): Promise<Record<string, string>> {
  await parser(ctx, async () => undefined);
  const body = (ctx.request as { body?: Record<string, unknown> }).body ?? {};
  const form: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    // Repeated fields are ambiguous in our forms: keep none of them.
    if (typeof value === 'string') form[key] = value;
  }
  return form;
}
