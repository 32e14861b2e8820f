import { expect } from 'vitest';
import { formFields, HttpSession, isRedirect } from './http-session.js';

export interface AuthorizeOutcome {
  /** The redirect back to the client (Location header), if one was made. */
  readonly callback: URL | undefined;
  /** Whether the consent page was shown on the way. */
  readonly consentShown: boolean;
  /** How many times the password and the second-factor code were asked. */
  readonly passwordsAsked: number;
  readonly codesAsked: number;
  readonly lastResponse: Response;
}

/**
 * Drive an authorization request the way a browser would: follow redirects on the provider's
 * origin, sign in on Special:UserLogin when asked (with `code()` on the second-factor page), accept
 * (or cancel) the consent page.
 */
export async function authorize(
  agent: HttpSession,
  authorizeUrl: string,
  user: { name: string; password: string; code?: () => string },
  opts: { decision?: 'accept' | 'cancel' } = {},
): Promise<AuthorizeOutcome> {
  let res = await agent.get(authorizeUrl);
  let url = authorizeUrl;
  let consentShown = false;
  let passwordsAsked = 0;
  let codesAsked = 0;
  const outcome = (callback: URL | undefined, lastResponse: Response) => ({ callback, consentShown, passwordsAsked, codesAsked, lastResponse });
  for (let step = 0; step < 25; step++) {
    if (isRedirect(res.status)) {
      const next = new URL(res.headers.get('location')!, url);
      if (next.origin !== agent.origin) return outcome(next, res);
      url = next.href;
      res = await agent.get(url);
      continue;
    }
    if (res.status !== 200) return outcome(undefined, res);
    const html = await res.text();
    const { action, fields } = formFields(html);
    if (html.includes('id="OATHToken"')) {
      codesAsked++;
      if (!user.code) return outcome(undefined, new Response(html, { status: res.status }));
      res = await agent.postForm(action!, { ...fields, OATHToken: user.code() });
      url = new URL(action!, url).href;
      continue;
    }
    if (html.includes('id="userloginForm"')) {
      passwordsAsked++;
      res = await agent.postForm(action!, { ...fields, wpName: user.name, wpPassword: user.password });
      url = new URL(action!, url).href;
      continue;
    }
    if (html.includes('id="mw-mwoauth-authorize-form"')) {
      consentShown = true;
      res = await agent.postForm(action!, { ...fields, decision: opts.decision ?? 'accept' });
      url = new URL(action!, url).href;
      continue;
    }
    return outcome(undefined, new Response(html, { status: res.status }));
  }
  expect.fail('too many steps in the authorization flow');
}
