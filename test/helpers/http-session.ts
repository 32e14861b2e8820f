/**
 * A tiny user agent for driving sign-in and consent over plain HTTP: a cookie jar that honours
 * Path, manual redirects, and form helpers that read hidden fields from our pages.
 */
interface StoredCookie {
  name: string;
  value: string;
  path: string;
}

export class HttpSession {
  readonly #cookies = new Map<string, StoredCookie>();
  readonly origin: string;
  readonly #fetch: typeof fetch;

  /** `fetch` defaults to the global one; HTTPS tests pass one trusting their CA (tls.ts). */
  constructor(origin: string, opts: { fetch?: typeof fetch } = {}) {
    this.origin = origin;
    this.#fetch = opts.fetch ?? fetch;
  }

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url, this.origin);
    const headers = new Headers(init.headers);
    const cookie = this.#cookieHeader(target);
    if (cookie) headers.set('cookie', cookie);
    const res = await this.#fetch(target, { ...init, headers, redirect: 'manual' });
    this.#store(res, target);
    return res;
  }

  get(url: string): Promise<Response> {
    return this.request(url);
  }

  postForm(url: string, fields: Record<string, string>): Promise<Response> {
    return this.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }

  /** Follow redirects on this origin until one leaves it (or a page is answered). */
  async follow(url: string, max = 20): Promise<Response> {
    let res = await this.get(url);
    for (let i = 0; i < max && isRedirect(res.status); i++) {
      const next = new URL(res.headers.get('location')!, url);
      if (next.origin !== this.origin) return res;
      url = next.href;
      res = await this.get(url);
    }
    return res;
  }

  /** Every cookie held, as one Cookie header (for requests sent without this agent). */
  cookieHeader(): string {
    return [...this.#cookies.values()].map((c) => `${c.name}=${c.value}`).join('; ');
  }

  /** Hold a cookie as if a response had set it (cookies another site on the same domain set). */
  setCookie(name: string, value: string, path = '/'): void {
    this.#cookies.set(`${name};${path}`, { name, value, path });
  }

  cookie(name: string): string | undefined {
    return [...this.#cookies.values()].find((c) => c.name === name)?.value;
  }

  #cookieHeader(url: URL): string {
    return [...this.#cookies.values()]
      .filter((c) => url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`) || c.path === '/')
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  #store(res: Response, url: URL): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const path = attrs.map((a) => a.trim()).find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? url.pathname.replace(/\/[^/]*$/, '') ?? '/';
      const expired = value === '' || attrs.some((a) => /^expires=thu, 01 jan 1970/i.test(a.trim()) || /^max-age=0$/i.test(a.trim()));
      const key = `${name};${path}`;
      if (expired) this.#cookies.delete(key);
      else this.#cookies.set(key, { name, value, path: path || '/' });
    }
  }
}

export function isRedirect(status: number): boolean {
  return status >= 300 && status < 400;
}

/** Values of hidden inputs and the form action on one of our pages. */
export function formFields(html: string): { action: string | undefined; fields: Record<string, string> } {
  const action = /<form[^>]*action="([^"]*)"/.exec(html)?.[1];
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) fields[m[1]!] = decodeEntities(m[2]!);
  return { action: action && decodeEntities(action), fields };
}

function decodeEntities(text: string): string {
  return text.replace(/&amp;/g, '&').replace(/&#34;|&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}
