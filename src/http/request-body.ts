import type { Context } from 'koa';

const LIMIT_BYTES = 64 * 1024;

/** A url-encoded or JSON body as name → values, repeated fields kept in order. */
export class FormData {
  readonly #values: ReadonlyMap<string, readonly string[]>;

  constructor(values: ReadonlyMap<string, readonly string[]>) {
    this.#values = values;
  }

  /** The field's value; undefined when missing or repeated (ambiguous). */
  one(name: string): string | undefined {
    const values = this.#values.get(name);
    return values?.length === 1 ? values[0] : undefined;
  }

  /** Every value of a multi-valued field (`name` or `name[]`). */
  all(name: string): string[] {
    return [...(this.#values.get(name) ?? []), ...(this.#values.get(`${name}[]`) ?? [])];
  }

  has(name: string): boolean {
    return this.#values.has(name) || this.#values.has(`${name}[]`);
  }
}

/**
 * Read a request body on our own routes (never globally: oidc-provider reads its own). Forms are
 * `application/x-www-form-urlencoded`; `json: true` also takes a JSON object (MediaWiki's REST
 * handlers accept both), whose arrays become repeated values and scalars strings. Oversized or
 * malformed bodies are 413/400/415, never a 500.
 */
export async function readBody(ctx: Context, opts: { json?: boolean } = {}): Promise<FormData> {
  const type = ctx.request.type;
  const text = await readText(ctx);
  if (text === '' && !type) return new FormData(new Map());
  if (type === 'application/x-www-form-urlencoded') return new FormData(collect(new URLSearchParams(text)));
  if (opts.json && type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      ctx.throw(400, 'The request body is not valid JSON');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) ctx.throw(400, 'The request body must be a JSON object');
    const values = new Map<string, string[]>();
    for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
      const list = Array.isArray(value) ? value : [value];
      if (!list.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) ctx.throw(400, `"${name}" must be a string, number, boolean or a list of them`);
      values.set(name, list.map(String));
    }
    return new FormData(values);
  }
  ctx.throw(415, opts.json ? 'Send application/json or application/x-www-form-urlencoded' : 'Send a form (application/x-www-form-urlencoded)');
}

function collect(params: URLSearchParams): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (const [name, value] of params) values.set(name, [...(values.get(name) ?? []), value]);
  return values;
}

async function readText(ctx: Context): Promise<string> {
  return new TextDecoder('utf-8', { fatal: false }).decode(await readBytes(ctx));
}

/** The raw body, at most `limit` bytes (more is 413). */
export async function readBytes(ctx: Context, limit = LIMIT_BYTES): Promise<Buffer> {
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > limit) ctx.throw(413, 'The request body is too large');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) ctx.throw(413, 'The request body is too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
