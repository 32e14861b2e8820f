/**
 * Just enough HTML for the suite's browser commands on our pages (login, consent, logout, error,
 * form_post): forms, their inputs and buttons (including `form="…"` buttons outside the form), ids
 * and visible text. Not a general parser: our views are simple and well-formed.
 */
export interface HtmlControl {
  readonly tag: 'input' | 'button';
  readonly attrs: Record<string, string>;
  /** Index into `forms`, or -1. */
  readonly form: number;
  value: string;
}

export interface HtmlForm {
  readonly attrs: Record<string, string>;
}

export interface HtmlPage {
  readonly forms: HtmlForm[];
  readonly controls: HtmlControl[];
  readonly ids: Set<string>;
  readonly text: string;
  /** oidc-provider's form_post / logout pages submit their only form from a script. */
  readonly autoSubmit: boolean;
}

const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)\b((?:[^>"']|"[^"]*"|'[^']*')*)>/g;
const ATTR = /([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;

export function parseHtml(html: string): HtmlPage {
  const forms: HtmlForm[] = [];
  const controls: HtmlControl[] = [];
  const ids = new Set<string>();
  let current = -1;
  for (const m of html.matchAll(TAG)) {
    const closing = m[1] === '/';
    const tag = m[2]!.toLowerCase();
    if (closing) {
      if (tag === 'form') current = -1;
      continue;
    }
    const attrs = attributes(m[3] ?? '');
    if (attrs.id) ids.add(attrs.id);
    if (tag === 'form') {
      forms.push({ attrs });
      current = forms.length - 1;
    } else if (tag === 'input' || tag === 'button') {
      controls.push({ tag, attrs, form: current, value: attrs.value ?? '' });
    }
  }
  // `form="id"` ties a control to a form elsewhere on the page (HTML5).
  for (const control of controls) {
    if (control.attrs.form !== undefined) {
      (control as { form: number }).form = forms.findIndex((f) => f.attrs.id === control.attrs.form);
    }
  }
  const text = decode(html.replace(/<script[\s\S]*?<\/script>/gi, ' ').replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ').trim();
  return { forms, controls, ids, text, autoSubmit: /document\.forms\[0\]\.submit\(\)/.test(html) };
}

export function attributes(source: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of source.matchAll(ATTR)) attrs[m[1]!.toLowerCase()] = decode(m[2] ?? m[3] ?? m[4] ?? '');
  return attrs;
}

/** The fields a form submits, with the clicked button's name/value (HTML form submission). */
export function formData(page: HtmlPage, formIndex: number, clicked?: HtmlControl): URLSearchParams {
  const data = new URLSearchParams();
  for (const control of page.controls) {
    if (control.form !== formIndex || !control.attrs.name) continue;
    if (control.tag === 'button' || ['submit', 'button', 'image', 'reset'].includes(control.attrs.type ?? '')) continue;
    if (['checkbox', 'radio'].includes(control.attrs.type ?? '') && control.attrs.checked === undefined) continue;
    data.append(control.attrs.name, control.value);
  }
  if (clicked?.attrs.name) data.append(clicked.attrs.name, clicked.value);
  return data;
}

function decode(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&');
}
