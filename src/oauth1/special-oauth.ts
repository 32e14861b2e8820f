/**
 * Special:OAuth on every URL shape MediaWiki serves it under (title.ts), GET and POST, each
 * subpage answered as `SpecialMWOAuth::execute` answers it: errors in the subpage's format,
 * HTTP 200.
 */
import type { Context, Middleware } from 'koa';
import { refusalToUse } from '../domain/grants/authorization-use.js';
import { RateLimitedError, type RateLimiter } from '../http/rate-limit.js';
import { renderPage } from '../http/render.js';
import { authorizePage, type AuthorizePageDeps } from './authorize-page.js';
import { OAuth1Error, OAuth1Errors } from '../mediawiki/oauth-errors.js';
import { encodeIdentifyJwt } from './identify-jwt.js';
import { userTalkUrl } from './links.js';
import type { OAuth1Server } from './oauth1-server.js';
import { getParam } from '../mediawiki/params.js';
import { refusalError } from '../mediawiki/oauth-refusals.js';
import { responseFormat, sendData, sendError, sendToken } from './responses.js';
import { matchSpecialOAuth, type OAuthSubpage } from './title.js';
import { userStatement } from './user-statement.js';
import { readWebRequest, type WebRequest } from '../mediawiki/web-request.js';

/** What the authorize page needs, plus the OAuth 1.0a server and the paths. */
export interface SpecialOAuthDeps extends Omit<AuthorizePageDeps, 'articlePath'> {
  readonly server: OAuth1Server;
  /** `$wgScriptPath` (`/w`). */
  readonly scriptPath: string;
  readonly wikiId: string;
  /** `oauth1` limits on initiate and token (docs/security.md, "Rate limits"). */
  readonly limiter: RateLimiter;
}

const ARTICLE_PATH = '/wiki';

/** Subpages that only exist for OAuth 1.0a (`assertOAuthVersion(1)`). */
const OAUTH1_ONLY = new Set<OAuthSubpage>(['initiate', 'authorize', 'authenticate', 'token', 'identify', 'verified', 'grants']);

export function specialOAuth(deps: SpecialOAuthDeps): Middleware {
  return async (ctx, next) => {
    const match = matchSpecialOAuth(ctx.path, new URLSearchParams(ctx.querystring), deps.scriptPath, ARTICLE_PATH);
    if (!match) return next();
    const req = await readWebRequest(ctx);
    let format = responseFormat(req.getVal('format'), 'raw');
    try {
      const { subpage } = match;
      if (subpage && OAUTH1_ONLY.has(subpage)) {
        // `?oauth_version=2` switches Special:OAuth to OAuth 2, which these subpages refuse.
        const version = phpIntval(req.getVal('oauth_version') ?? '1');
        if (version !== 1) throw OAuth1Errors.wrongOAuthVersion(version);
      }
      switch (subpage) {
        case 'initiate':
          await throttle(ctx, req, deps.limiter);
          return await sendToken(ctx, (await deps.server.fetchRequestToken(req)).token, format);
        case 'token':
          await throttle(ctx, req, deps.limiter);
          return await sendToken(ctx, (await deps.server.fetchAccessToken(req)).token, format);
        case 'identify':
          format = 'json';
          return await identify(ctx, req, deps);
        case 'authorize':
        case 'authenticate':
          format = 'html';
          return await authorizePage(ctx, req, { ...deps, articlePath: ARTICLE_PATH }, subpage);
        case 'verified':
          format = 'html';
          return await verified(ctx, req);
        case 'grants':
          ctx.redirect(`${req.origin}${deps.pages.listGrants}`);
          return;
        case 'rest_redirect':
          return restRedirect(ctx, req);
        case null:
          if (match.rawSubpage === '') return await explanation(ctx);
          format = responseFormat(req.getVal('format'), 'html');
          throw await unknownSubpage(req, deps);
      }
    } catch (err) {
      if (err instanceof RateLimitedError) {
        // MediaWiki's own text as the library exception, `Error: …` in raw format; the status and
        // Retry-After are the only departure from MediaWiki's 200 (RFC 6585 §4).
        await sendError(ctx, OAuth1Errors.exception(err.message), format);
        ctx.status = 429;
        ctx.set('Retry-After', String(err.retryAfter));
        return;
      }
      if (!(err instanceof OAuth1Error)) throw err;
      await sendError(ctx, err, format);
    }
  };
}

/** Counted per address and per claimed consumer key, before any signature work. */
async function throttle(ctx: Context, req: WebRequest, limiter: RateLimiter): Promise<void> {
  await limiter.hit('oauth1', { ip: ctx.ip, client: getParam(req.oauthParams, 'oauth_consumer_key') });
}

/** The identity of the user who authorized the access token, as a JWT keyed with the consumer secret. */
async function identify(ctx: Context, req: WebRequest, deps: SpecialOAuthDeps): Promise<void> {
  const { consumer, authorization } = await deps.server.verifyRequest(req);
  const refusal = await refusalToUse(deps.accounts, { consumer, userId: authorization.userId, authorizationWiki: authorization.wiki, wikiId: deps.wikiId });
  if (refusal) throw refusalError(refusal, consumer, deps.wikiId);
  const profile = await deps.accounts.profile(authorization.userId);
  const secret = deps.consumers.clientSecret(consumer);
  if (!profile) throw OAuth1Errors.identifyInvalidUser();
  if (!secret) throw OAuth1Errors.consumerNoSecret();
  const claims = userStatement(profile, {
    issuer: req.origin,
    consumerKey: consumer.key,
    grants: authorization.grants,
    nonce: getParam(req.oauthParams, 'oauth_nonce') ?? '',
    nowSeconds: Math.floor(Date.now() / 1000),
  });
  sendData(ctx, encodeIdentifyJwt(claims, secret), 'json');
}

/** The default callback of "oob" desktop applications: shows the verifier to copy. */
async function verified(ctx: Context, req: WebRequest): Promise<void> {
  const verifier = req.getVal('oauth_verifier');
  const token = req.getVal('oauth_token');
  if (!verifier || verifier === '0' || !token || token === '0') throw OAuth1Errors.missingParams();
  ctx.state.ownPage = true;
  await renderPage(ctx, 'message', {
    title: 'OAuth',
    heading: 'Application connected',
    message: `The application is now allowed to access this wiki on your behalf. To complete the process, provide this verification value to the application: ${verifier}`,
  });
}

/** An OAuth 2 helper in MediaWiki: back to a REST path on this site only. */
function restRedirect(ctx: Context, req: WebRequest): void {
  const restUrl = new URLSearchParams(ctx.querystring).get('rest_url');
  if (restUrl === null) throw OAuth1Errors.invalidRedirect();
  ctx.redirect(`${req.origin}${restUrl.startsWith('/') ? '' : '/'}${restUrl}`);
}

async function explanation(ctx: Context): Promise<void> {
  ctx.state.ownPage = true;
  await renderPage(ctx, 'message', {
    title: 'OAuth',
    heading: 'OAuth',
    message:
      'OAuth is a mechanism which allows external applications to identify a user of this wiki or act on their behalf, after receiving permission from that user. ' +
      'For this page to do something, more parameters are required. If you were sent here from an external application, that was probably due to an error in that application; you should contact the author.',
  });
}

/** E002, or E003 with the owner's talk page when the request names a consumer. */
async function unknownSubpage(req: WebRequest, deps: SpecialOAuthDeps): Promise<OAuth1Error> {
  const key = req.getVal('oauth_consumer_key');
  const consumer = key ? await deps.consumers.findByKey(key) : undefined;
  if (!consumer || consumer.deleted) return OAuth1Errors.invalidAction();
  const owner = await deps.accounts.findById(consumer.ownerId);
  return OAuth1Errors.invalidActionContact(userTalkUrl(req.origin, owner?.name ?? '', ARTICLE_PATH));
}

/** PHP `intval()` of a request value (`WebRequest::getInt`): leading integer, else 0. */
export function phpIntval(value: string): number {
  const m = /^[ \t\n\r\v\f]*([+-]?\d+)/.exec(value);
  return m ? Number(m[1]) : 0;
}

