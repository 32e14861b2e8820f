import { readFileSync } from 'node:fs';
import { HttpSession, isRedirect } from '../../../test/helpers/http-session.js';
import { formData, parseHtml, type HtmlControl, type HtmlPage } from './html.js';

/** One `browser` entry of a plan configuration (CS `BrowserControl`). */
export interface BrowserEntry {
  readonly match: string;
  readonly tasks: readonly BrowserTask[];
}

export interface BrowserTask {
  readonly task: string;
  readonly match: string;
  readonly optional?: boolean;
  readonly commands?: readonly (readonly (string | number)[])[];
}

export interface BrowserConfig {
  readonly browser: BrowserEntry[];
  readonly overrides: Record<string, BrowserEntry[]>;
  readonly moduleOverrides: Record<string, string>;
}

/** What the suite receives at its callback (query or form_post body). */
export interface CapturedRequest {
  readonly method: 'GET' | 'POST';
  readonly url: URL;
  readonly contentType: string | undefined;
  readonly body: URLSearchParams | undefined;
}

export interface LoadedPage {
  readonly url: string;
  readonly status: number;
  readonly html: string;
  readonly parsed: HtmlPage;
}

export interface VisitResult {
  /** The request that reached the suite (authorization callback or post-logout redirect). */
  readonly callback: CapturedRequest | undefined;
  /** The last page shown. */
  readonly page: LoadedPage;
  /** Texts of pages captured for screenshot placeholders. */
  readonly placeholders: string[];
  /** Why the automation could not complete (the real suite would time out). */
  readonly error: string | undefined;
  /** Every URL the browser loaded, in order. */
  readonly trace: string[];
}

// What HtmlUnit (and every browser) sends: pages, not JSON.
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

const CONFIG_FILE = new URL('../../plans/browser.json', import.meta.url);

/** `browser.json` with its {{placeholders}} filled in. */
export function loadBrowserConfig(values: Readonly<Record<string, string>>): BrowserConfig {
  const text = readFileSync(CONFIG_FILE, 'utf8').replace(/\{\{(\w+)\}\}/g, (whole, name: string) => {
    const value = values[name];
    return value === undefined ? whole : JSON.stringify(value).slice(1, -1);
  });
  return JSON.parse(text) as BrowserConfig;
}

/**
 * A module's browser list: the default entries, with the module's override (if any) replacing the
 * entry for the same URL pattern — what the runner sends as `override.<module>.browser`.
 */
export function browserFor(config: BrowserConfig, module: string): BrowserEntry[] {
  const name = config.moduleOverrides[module];
  const replacements = name ? config.overrides[name]! : [];
  return config.browser.map((entry) => replacements.find((r) => r.match === entry.match) ?? entry);
}

/**
 * The suite's browser, as far as our pages need: it loads a URL, follows redirects, runs scripts
 * only in the sense of submitting auto-submitting forms (form_post), and executes the plan's
 * browser tasks — the same selectors and texts the hosted suite's HtmlUnit uses. A navigation to the
 * suite's own origin is captured instead of loaded (there is no suite to load).
 */
export class SuiteBrowser {
  readonly #session: HttpSession;
  readonly #suiteOrigin: string;
  readonly #entries: BrowserEntry[];

  constructor(opts: { opOrigin: string; suiteOrigin: string; fetch: typeof fetch; config: BrowserConfig; module: string }) {
    this.#session = new HttpSession(opts.opOrigin, { fetch: opts.fetch });
    this.#suiteOrigin = opts.suiteOrigin;
    this.#entries = browserFor(opts.config, opts.module);
  }

  /** The cookie jar (a module keeps one browser for all its visits, as the suite does). */
  get session(): HttpSession {
    return this.#session;
  }

  async visit(url: string, opts: { method?: 'GET' | 'POST'; placeholder?: boolean } = {}): Promise<VisitResult> {
    const state = { callback: undefined as CapturedRequest | undefined, trace: [] as string[], placeholders: [] as string[] };
    let page: LoadedPage;
    if (opts.method === 'POST') {
      // BrowserControl.goToUrl(url, …, "POST"): the query becomes a form body.
      const target = new URL(url);
      const body = new URLSearchParams(target.search);
      target.search = '';
      page = await this.#navigate(target.href, 'POST', body, state);
    } else {
      page = await this.#navigate(url, 'GET', undefined, state);
    }
    const entry = this.#entries.find((e) => glob(e.match, url));
    let error: string | undefined;
    if (!entry) error = `no browser entry matches ${url}`;
    else {
      try {
        for (const task of entry.tasks) {
          if (!glob(task.match, page.url)) {
            if (task.optional) continue;
            throw new Error(`task "${task.task}": the page ${page.url} (status ${page.status}) does not match ${task.match}`);
          }
          for (const command of task.commands ?? []) page = await this.#run(command, page, state, opts.placeholder ?? false);
        }
      } catch (err) {
        error = (err as Error).message;
      }
    }
    return { callback: state.callback, page, placeholders: state.placeholders, error, trace: state.trace };
  }

  async #run(command: readonly (string | number)[], page: LoadedPage, state: { callback: CapturedRequest | undefined; trace: string[]; placeholders: string[] }, placeholderWanted: boolean): Promise<LoadedPage> {
    const [verb, by, target] = command as [string, string, string];
    if (verb === 'text') {
      const control = find(page.parsed, by, target);
      if (!control) {
        if (command[4] === 'optional') return page;
        throw new Error(`no element ${by}=${target} on ${page.url}`);
      }
      control.value = String(command[3] ?? '');
      return page;
    }
    if (verb === 'click') {
      const control = find(page.parsed, by, target);
      if (!control) {
        if (command[3] === 'optional') return page;
        throw new Error(`no element ${by}=${target} to click on ${page.url}`);
      }
      const form = page.parsed.forms[control.form];
      if (!form) throw new Error(`${by}=${target} is not in a form on ${page.url}`);
      const action = new URL(form.attrs.action ?? page.url, page.url).href;
      const method = (form.attrs.method ?? 'get').toUpperCase() === 'POST' ? 'POST' : 'GET';
      const data = formData(page.parsed, control.form, control);
      if (method === 'GET') {
        const next = new URL(action);
        next.search = data.toString();
        return this.#navigate(next.href, 'GET', undefined, state);
      }
      return this.#navigate(action, 'POST', data, state);
    }
    if (verb === 'wait') {
      const regexp = typeof command[4] === 'string' ? new RegExp(command[4]) : undefined;
      const action = command[5];
      const found =
        by === 'id'
          ? page.parsed.ids.has(target) && (!regexp || regexp.test(page.parsed.text))
          : by === 'xpath'
            ? !regexp || regexp.test(page.parsed.text)
            : by === 'contains'
              ? page.url.includes(target)
              : by === 'match'
                ? glob(target, page.url)
                : false;
      if (!found) throw new Error(`waited for ${by}=${target}${regexp ? ` /${regexp.source}/` : ''} on ${page.url}: not there (page says: ${page.parsed.text.slice(0, 300)})`);
      if (action === 'update-image-placeholder' || (action === 'update-image-placeholder-optional' && placeholderWanted)) state.placeholders.push(page.parsed.text);
      return page;
    }
    throw new Error(`unknown browser command ${verb}`);
  }

  /** Load a URL like a browser: follow redirects; submit auto-submitting forms; stop at the suite. */
  async #navigate(url: string, method: 'GET' | 'POST', body: URLSearchParams | undefined, state: { callback: CapturedRequest | undefined; trace: string[] }): Promise<LoadedPage> {
    for (let hop = 0; hop < 30; hop++) {
      state.trace.push(`${method} ${url}`);
      const target = new URL(url);
      if (target.origin === this.#suiteOrigin) {
        state.callback = { method, url: target, contentType: body ? 'application/x-www-form-urlencoded' : undefined, body };
        const html = '<html><body><span id="submission_complete">Submission complete</span></body></html>';
        return { url, status: 200, html, parsed: parseHtml(html) };
      }
      const res =
        method === 'POST'
          ? await this.#session.request(url, { method: 'POST', headers: { accept: BROWSER_ACCEPT, 'content-type': 'application/x-www-form-urlencoded' }, body: body?.toString() ?? '' })
          : await this.#session.request(url, { headers: { accept: BROWSER_ACCEPT } });
      if (isRedirect(res.status) && res.headers.get('location')) {
        const next = new URL(res.headers.get('location')!, url).href;
        await res.arrayBuffer();
        // 301/302/303 continue as GET (what browsers do); 307/308 keep the method and body.
        if (res.status !== 307 && res.status !== 308) {
          method = 'GET';
          body = undefined;
        }
        url = next;
        continue;
      }
      const html = await res.text();
      const parsed = parseHtml(html);
      if (parsed.autoSubmit && parsed.forms.length) {
        const form = parsed.forms[0]!;
        url = new URL(form.attrs.action ?? url, url).href;
        method = (form.attrs.method ?? 'get').toUpperCase() === 'POST' ? 'POST' : 'GET';
        body = formData(parsed, 0);
        if (method === 'GET') {
          const next = new URL(url);
          next.search = body.toString();
          url = next.href;
          body = undefined;
        }
        continue;
      }
      return { url, status: res.status, html, parsed };
    }
    throw new Error(`too many redirects from ${url}`);
  }
}

function find(page: HtmlPage, by: string, target: string): HtmlControl | undefined {
  if (by === 'id') return page.controls.find((c) => c.attrs.id === target);
  if (by === 'name') return page.controls.find((c) => c.attrs.name === target);
  if (by === 'class') return page.controls.find((c) => (c.attrs.class ?? '').split(/\s+/).includes(target));
  if (by === 'css') {
    // The simple selectors plan configurations use: #id, [name=x], tag[attr]
    const id = /^#([\w-]+)$/.exec(target.trim());
    if (id) return page.controls.find((c) => c.attrs.id === id[1]);
    const attr = /^(\w+)?\[([\w-]+)(?:=["']?([^"'\]]*)["']?)?\]$/.exec(target.trim());
    if (attr) return page.controls.find((c) => (!attr[1] || c.tag === attr[1]) && c.attrs[attr[2]!] !== undefined && (attr[3] === undefined || c.attrs[attr[2]!] === attr[3]));
  }
  return undefined;
}

/** The suite's URL patterns: `*` matches anything, the rest literally, the whole URL. */
export function glob(pattern: string, url: string): boolean {
  const source = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${source}$`).test(url);
}
