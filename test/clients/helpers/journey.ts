import { formFields, type HttpSession } from '../../helpers/http-session.js';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

export interface JourneyStep {
  readonly url: string;
  readonly status: number;
}

export interface JourneyEnd {
  /** The relying party's JSON answer at the end of the journey. */
  readonly result: Record<string, unknown>;
  readonly status: number;
  readonly consentShown: boolean;
  readonly loginShown: boolean;
  readonly logoutConfirmed: boolean;
  readonly steps: JourneyStep[];
}

/**
 * A browser going through a relying party: follows redirects across the RP and wikiauth, submits
 * the RP's own "log in" form, signs in on Special:UserLogin, allows on the consent page, confirms
 * logout — until a page answers JSON (the RP's result).
 */
export async function journey(browser: HttpSession, start: string, user: { name: string; password: string }): Promise<JourneyEnd> {
  const steps: JourneyStep[] = [];
  let consentShown = false;
  let loginShown = false;
  let logoutConfirmed = false;
  let method: 'GET' | 'POST' = 'GET';
  let body: URLSearchParams | undefined;
  let url = start;
  for (let hop = 0; hop < 40; hop++) {
    const res = await browser.request(url, {
      method,
      headers: { accept: BROWSER_ACCEPT, ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(body ? { body: body.toString() } : {}),
    });
    steps.push({ url, status: res.status });
    if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
      url = new URL(res.headers.get('location')!, url).href;
      method = 'GET';
      body = undefined;
      continue;
    }
    const text = await res.text();
    if ((res.headers.get('content-type') ?? '').includes('application/json')) {
      return { result: JSON.parse(text) as Record<string, unknown>, status: res.status, consentShown, loginShown, logoutConfirmed, steps };
    }
    const { action, fields } = formFields(text);
    const submit = (extra: Record<string, string>) => {
      url = new URL(action ?? url, url).href;
      method = 'POST';
      body = new URLSearchParams({ ...fields, ...extra });
    };
    if (text.includes('id="userloginForm"')) {
      loginShown = true;
      submit({ wpName: user.name, wpPassword: user.password });
    } else if (text.includes('id="mw-mwoauth-authorize-form"')) {
      consentShown = true;
      submit({ decision: 'accept' });
    } else if (text.includes('id="wpLogoutConfirm"')) {
      logoutConfirmed = true;
      const logoutAction = /<form id="op.logoutForm" method="post" action="([^"]+)"/.exec(text)?.[1];
      url = new URL(logoutAction!, url).href;
      method = 'POST';
      body = new URLSearchParams({ xsrf: /name="xsrf" value="([^"]+)"/.exec(text)![1]!, logout: 'yes' });
    } else if (text.includes('id="rp-login"') || /document\.forms\[0\]\.submit\(\)/.test(text)) {
      submit({});
    } else {
      throw new Error(`journey stopped at ${url} (${res.status}): ${text.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 400)}`);
    }
  }
  throw new Error('journey: too many steps');
}
