/**
 * A minimal browser for preparing benchmark state over HTTP: a cookie jar (path-aware), manual
 * redirects, and the sign-in/consent forms of wikiauth and of oidc-provider's dev interactions.
 */
export class Browser {
  readonly #cookies = new Map<string, { name: string; value: string; path: string }>();
  readonly origin: string;

  constructor(origin: string) {
    this.origin = origin;
  }

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url, this.origin);
    const headers = new Headers(init.headers);
    const cookie = this.cookieHeader(target.pathname);
    if (cookie) headers.set('cookie', cookie);
    const res = await fetch(target, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) this.#store(line, target);
    return res;
  }

  postForm(url: string, fields: Record<string, string>): Promise<Response> {
    return this.request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
  }

  cookieHeader(path: string): string {
    return [...this.#cookies.values()]
      .filter((c) => c.path === '/' || path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  /**
   * Follow an authorization request through sign-in and consent until it leaves for the client;
   * returns the redirect to the client.
   */
  async authorize(url: string, user: { name: string; password: string }): Promise<URL> {
    let current = new URL(url, this.origin);
    let res = await this.request(current.href);
    for (let step = 0; step < 20; step++) {
      if (res.status >= 300 && res.status < 400) {
        current = new URL(res.headers.get('location')!, current);
        if (current.origin !== this.origin) return current;
        res = await this.request(current.href);
        continue;
      }
      const html = await res.text();
      if (res.status !== 200) throw new Error(`authorization failed at ${current.pathname}: ${res.status} ${html.slice(0, 200)}`);
      const action = new URL(decode(/<form[^>]*action="([^"]*)"/.exec(html)?.[1] ?? current.pathname), current);
      const hidden = Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, decode(m[2]!)]));
      const fields = html.includes('id="userloginForm"')
        ? { ...hidden, wpName: user.name, wpPassword: user.password } // wikiauth's Special:UserLogin
        : html.includes('id="mw-mwoauth-authorize-form"')
          ? { ...hidden, decision: 'accept' } // wikiauth's consent
          : hidden.prompt === 'login'
            ? { ...hidden, login: user.name, password: user.password } // oidc-provider dev interactions
            : hidden;
      res = await this.postForm(action.href, fields);
      current = action;
    }
    throw new Error('too many steps in the authorization flow');
  }

  #store(line: string, url: URL): void {
    const [pair, ...attrs] = line.split(';');
    const eq = pair!.indexOf('=');
    const name = pair!.slice(0, eq).trim();
    const value = pair!.slice(eq + 1).trim();
    const path = attrs.map((a) => a.trim()).find((a) => a.toLowerCase().startsWith('path='))?.slice(5) || url.pathname.replace(/\/[^/]*$/, '') || '/';
    const key = `${name};${path}`;
    if (value === '' || attrs.some((a) => /^max-age=0$/i.test(a.trim()) || /^expires=thu, 01 jan 1970/i.test(a.trim()))) this.#cookies.delete(key);
    else this.#cookies.set(key, { name, value, path });
  }
}

function decode(text: string): string {
  return text.replace(/&amp;/g, '&').replace(/&#34;|&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}
