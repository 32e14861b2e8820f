/**
 * Special:OAuth/authorize and /authenticate: the user's approval of a request token
 * (`SpecialMWOAuth::handleAuthorizationForm`, `OAuth1Consumer::authorize`). Sign-in is the site
 * session; the dialog is the same consent page as OAuth 2, with the same grant wording.
 * `authenticate` skips the dialog exactly when MediaWiki does (authenticateSkipsDialog).
 */
import type { Context } from 'koa';
import type { AccountService } from '../domain/accounts/account-service.js';
import type { Account } from '../domain/accounts/account.js';
import { isUsableBy, type Consumer } from '../domain/consumers/consumer.js';
import type { ConsumerService } from '../domain/consumers/consumer-service.js';
import { DomainError } from '../domain/errors.js';
import type { Authorization, AuthorizationRepository } from '../domain/grants/authorization.js';
import { authenticateSkipsDialog, findCurrentAuthorization } from '../domain/grants/current-authorization.js';
import type { GrantService } from '../domain/grants/grant-service.js';
import { generateHex32 } from '../domain/random.js';
import { renderPage } from '../http/render.js';
import { loginUrl, type PagePaths } from '../http/site-paths.js';
import { renderConsentPage } from '../http/consent-page.js';
import type { SiteSession, SiteSessions } from '../http/site-session.js';
import { callbackRedirectUrl } from './callback.js';
import { OAuth1Errors } from '../mediawiki/oauth-errors.js';
import { userTalkUrl } from './links.js';
import type { RequestToken, RequestTokenStore } from './request-tokens.js';
import type { WebRequest } from '../mediawiki/web-request.js';

export interface AuthorizePageDeps {
  readonly consumers: ConsumerService;
  readonly accounts: AccountService;
  readonly authorizations: AuthorizationRepository;
  readonly grants: Pick<GrantService, 'authorizeOAuth1'>;
  readonly requestTokens: RequestTokenStore;
  readonly sessions: SiteSessions;
  readonly wikiId: string;
  /** `$wgArticlePath` before `$1`: Special:OAuth and the wiki's user pages. */
  readonly articlePath: string;
  /** wikiauth's own pages (sign-in, connected apps). */
  readonly pages: PagePaths;
}

interface Subject {
  readonly session: SiteSession;
  readonly user: Account;
  readonly consumer: Consumer;
  readonly token: RequestToken;
}

/** GET shows (or skips) the dialog; a POST with `decision` is the user's answer. */
export async function authorizePage(ctx: Context, req: WebRequest, deps: AuthorizePageDeps, subpage: 'authorize' | 'authenticate'): Promise<void> {
  ctx.state.ownPage = true;
  const session = await deps.sessions.current(ctx);
  const user = session && (await deps.accounts.findById(session.userId));
  if (!session || !user) {
    // SpecialPage::requireNamedUser: sign in, then come back here.
    ctx.redirect(loginUrl(deps.pages, ctx.originalUrl));
    return;
  }
  ctx.state.user = user;
  const subject = await resolve(req, deps, session, user);
  const decision = req.method === 'POST' ? req.getVal('decision') : undefined;
  if (decision === undefined) return show(ctx, deps, subject, subpage);

  if (!deps.sessions.checkCsrf(session, req.getVal('wpEditToken'))) {
    throw new DomainError('bad_csrf_token', 'Your session token was missing or stale; go back to the application and try again.');
  }
  if (decision !== 'accept') {
    const name = subject.consumer.name;
    await renderPage(ctx, 'message', {
      title: 'Authorization cancelled',
      heading: 'Authorization cancelled',
      message: `You have chosen not to allow "${name}" to access your account. "${name}" will not work unless you allow it access. You can go back to "${name}" or manage your connected apps.`,
      link: { href: deps.pages.myGrants, text: 'Manage your connected apps' },
    });
    return;
  }
  const { consumer } = subject;
  const authorization = await deps.grants.authorizeOAuth1(consumer, user.id);
  await complete(ctx, deps, subject, authorization);
}

async function show(ctx: Context, deps: AuthorizePageDeps, subject: Subject, subpage: 'authorize' | 'authenticate'): Promise<void> {
  const { consumer, user, token, session } = subject;
  const existing = await findCurrentAuthorization(deps.authorizations, consumer, user.id, deps.wikiId);
  if (subpage === 'authenticate' && existing && authenticateSkipsDialog(existing, consumer)) {
    // Authorized before with the same auth-only grants: no dialog, the authorization unchanged.
    await complete(ctx, deps, subject, existing);
    return;
  }
  const owner = await deps.accounts.findById(consumer.ownerId);
  const query = new URLSearchParams({ oauth_token: token.key, oauth_consumer_key: consumer.key });
  await renderConsentPage(ctx, {
    consumer,
    ownerName: owner?.name,
    userName: user.name,
    action: `${deps.articlePath}/Special:OAuth/${subpage}?${query}`,
    csrfToken: deps.sessions.csrfToken(session),
    returnsTo: callbackOf(consumer, token),
    scopes: consumer.grants,
  });
}

/** Store the verifier and access token key on the request token, then back to the application. */
async function complete(ctx: Context, deps: AuthorizePageDeps, subject: Subject, authorization: Authorization): Promise<void> {
  const verifier = generateHex32();
  await deps.requestTokens.authorize(subject.token, verifier, authorization.accessToken);
  ctx.status = 302;
  ctx.redirect(callbackRedirectUrl(callbackOf(subject.consumer, subject.token), verifier, subject.token.key));
}

/**
 * The consumer and request token of the page, with MediaWiki's refusals: unknown or suppressed
 * consumer E006, OAuth 2 consumer E012, blocked user E007, not usable by this user E005,
 * owner-only E010 (`conductAuthorizationChecks`), unknown token E004, used token E009. A token
 * approved before has no callback left (MediaWiki deletes it when read).
 */
async function resolve(req: WebRequest, deps: AuthorizePageDeps, session: SiteSession, user: Account): Promise<Subject> {
  const tokenKey = req.getVal('requestToken') ?? req.getVal('oauth_token');
  const token = await deps.requestTokens.find(tokenKey);
  const consumerKey = req.getVal('consumerKey') ?? req.getVal('oauth_consumer_key') ?? token?.consumerKey;
  const consumer = consumerKey ? await deps.consumers.findByKey(consumerKey) : undefined;
  if (!consumer || consumer.deleted) throw OAuth1Errors.badConsumerKey();
  const ownerTalk = async () => userTalkUrl(req.origin, (await deps.accounts.findById(consumer.ownerId))?.name ?? '', deps.articlePath);
  if (consumer.oauthVersion !== 1) throw OAuth1Errors.badConsumerVersion(await ownerTalk());
  if (await deps.accounts.isBlocked(user.id)) throw OAuth1Errors.insufficientRights();
  if (!isUsableBy(consumer, user.id)) throw OAuth1Errors.badConsumer(consumer.name, await ownerTalk());
  if (consumer.ownerOnly) throw OAuth1Errors.consumerOwnerOnly(consumer.name, consumer.key);
  if (!token || token.consumerKey !== consumer.key) throw OAuth1Errors.requestTokenNotFound();
  if (token.used) throw OAuth1Errors.requestTokenAlreadyUsed();
  if (token.verifier) throw OAuth1Errors.callbackNotFound();
  return { session, user, consumer, token };
}

/** `Consumer::generateCallbackUrl`: "oob" means the registered callback URL. */
function callbackOf(consumer: Consumer, token: RequestToken): string {
  return token.callback === 'oob' ? consumer.callbackUrl : token.callback;
}
