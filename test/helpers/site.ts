import { expect } from 'vitest';
import { formFields, HttpSession } from './http-session.js';

/** Sign in on Special:UserLogin with the login form, as a browser would. */
export async function signIn(origin: string, user: { name: string; password: string }, agent = new HttpSession(origin)): Promise<HttpSession> {
  const page = await agent.get('/wiki/Special:UserLogin?returnto=%2F');
  const { action, fields } = formFields(await page.text());
  const res = await agent.postForm(action!, { ...fields, wpName: user.name, wpPassword: user.password });
  expect(res.status, 'sign-in redirects').toBe(303);
  return agent;
}

/** GET a page (200 expected) and return its HTML, form action and hidden fields. */
export async function openForm(agent: HttpSession, path: string, formId?: string): Promise<{ html: string; action: string; fields: Record<string, string> }> {
  const res = await agent.get(path);
  const html = await res.text();
  expect(res.status, `GET ${path}: ${html.slice(0, 300)}`).toBe(200);
  const formHtml = formId ? html.slice(html.lastIndexOf('<form', html.indexOf(`id="${formId}"`))) : html;
  const { action, fields } = formFields(formHtml);
  return { html, action: action ?? path, fields };
}

/** Post a form with repeated fields (grants, grant types). */
export function postFields(agent: HttpSession, path: string, fields: Array<[string, string]>): Promise<Response> {
  return agent.request(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
}

/** Whether a site-session cookie still signs its holder in (Special:UserLogin sends a signed-in user on). */
export async function isSignedIn(origin: string, cookie: string): Promise<boolean> {
  const res = await fetch(`${origin}/wiki/Special:UserLogin`, { headers: { cookie }, redirect: 'manual' });
  await res.arrayBuffer();
  return res.status >= 300 && res.status < 400;
}
