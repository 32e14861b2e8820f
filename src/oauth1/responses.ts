/**
 * The three answer formats of Special:OAuth (`SpecialMWOAuth::showResponse`, `::showError`,
 * `::returnToken`): `raw` (text/plain, what OAuth 1.0a clients parse), `json`, and `html`
 * (a page). Errors keep HTTP 200, as MediaWiki does; mwoauth reads the body, not the status.
 */
import type { Context } from 'koa';
import { renderPage } from '../http/render.js';
import { formatJson, formatRaw, type OAuth1Error } from '../mediawiki/oauth-errors.js';
import { EN_MESSAGES } from '../mediawiki/oauth-messages.js';
import { phpJsonEncode, rfc3986Encode, strtr } from '../mediawiki/php.js';

export type ResponseFormat = 'raw' | 'json' | 'html';

/** `format=` as MediaWiki reads it; an unknown value gets the page (MediaWiki prints nothing else). */
export function responseFormat(value: string | undefined, fallback: ResponseFormat): ResponseFormat {
  const format = value ?? fallback;
  return format === 'raw' || format === 'json' ? format : 'html';
}

/** raw/json bodies: never cached (MediaWiki sends exactly these headers). */
export function sendData(ctx: Context, data: string, format: 'raw' | 'json'): void {
  ctx.status = 200;
  ctx.set('Expires', 'Thu, 01 Jan 1970 00:00:00 GMT');
  ctx.set('Cache-Control', 'no-cache, no-store, max-age=0, must-revalidate');
  ctx.set('Pragma', 'no-cache');
  ctx.set('Content-Type', format === 'json' ? 'application/json' : 'text/plain; charset=UTF-8');
  ctx.body = data;
}

export async function sendToken(ctx: Context, token: { key: string; secret: string }, format: ResponseFormat): Promise<void> {
  if (format === 'raw') {
    sendData(ctx, `oauth_token=${rfc3986Encode(token.key)}&oauth_token_secret=${rfc3986Encode(token.secret)}&oauth_callback_confirmed=true`, 'raw');
  } else if (format === 'json') {
    const json = { oauth_token: token.key, oauth_token_secret: token.secret, oauth_callback_confirmed: 'true', key: token.key, secret: token.secret };
    sendData(ctx, phpJsonEncode(json, { hexTagAmp: true }), 'json');
  } else {
    ctx.state.ownPage = true;
    await renderPage(ctx, 'oauth-token', {
      title: 'OAuth',
      lines: [`oauth_token = ${rfc3986Encode(token.key)}`, `oauth_token_secret = ${rfc3986Encode(token.secret)}`, 'oauth_callback_confirmed = true'],
    });
  }
}

export async function sendError(ctx: Context, err: OAuth1Error, format: ResponseFormat): Promise<void> {
  if (format === 'raw') return sendData(ctx, formatRaw(err), 'raw');
  if (format === 'json') return sendData(ctx, formatJson(err), 'json');
  ctx.state.ownPage = true;
  // OutputPage::showErrorPage answers 200 too.
  await renderPage(ctx, 'error', { title: 'Application connection error', heading: 'Application connection error', message: plainText(err), code: err.eCode ?? err.code });
}

/**
 * The message as a reader sees it on MediaWiki's rendered page: the template's markup removed,
 * its external links `[$1 text]` shown as their text and internal links `[[$1]]` as the page
 * name, raw parameters (the E00N links) as their text; plain parameters exactly as given.
 */
export function plainText(err: OAuth1Error): string {
  const template = EN_MESSAGES[err.code]
    .replace(/<[^>]*>/g, '')
    .replace(/\[\[([^|\]]*)(?:\|([^\]]*))?\]\]/g, (_m, page: string, text?: string) => text ?? page)
    .replace(/\[\$\d+ ([^\]]+)\]/g, '$1');
  const params: Record<string, string> = {};
  err.params.forEach((p, i) => (params[`$${i + 1}`] = typeof p === 'string' ? p : p.raw.replace(/<[^>]*>/g, '')));
  return strtr(template, params).trim();
}
