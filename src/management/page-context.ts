import type { Context } from 'koa';
import { actorFromProfile, type Actor } from '../domain/accounts/actor.js';
import type { AccountService } from '../domain/accounts/account-service.js';
import type { ConsumerService } from '../domain/consumers/consumer-service.js';
import type { ConsumerWorkflow } from '../domain/consumers/consumer-workflow.js';
import type { ManagementLog } from '../domain/consumers/management-log.js';
import { DomainError } from '../domain/errors.js';
import type { AuthorizationService } from '../domain/grants/authorization-service.js';
import type { RateLimiter } from '../http/rate-limit.js';
import { renderPage, type PageLocals } from '../http/render.js';
import type { FormData } from '../http/request-body.js';
import { loginUrl, type PagePaths } from '../http/site-paths.js';
import type { SiteSession, SiteSessions } from '../http/site-session.js';
import type { ConsumerLookup } from '../domain/consumers/consumer-cache.js';

export interface ManagementDeps {
  readonly accounts: AccountService;
  readonly consumers: ConsumerService;
  readonly workflow: ConsumerWorkflow;
  readonly authorizations: AuthorizationService;
  readonly log: ManagementLog;
  readonly sessions: SiteSessions;
  /** Forgotten after every change, so this instance sees a new stage or secret at once. */
  readonly consumerCache: ConsumerLookup;
  /** `propose` limits (docs/security.md, "Rate limits"). */
  readonly limiter: RateLimiter;
  /** Where the management pages (and the sign-in page) live. */
  readonly pages: PagePaths;
}

/** What the pages of a signed-in user need to know who it is. */
export type SignInDeps = Pick<ManagementDeps, 'accounts' | 'sessions' | 'pages'>;

export interface SignedIn {
  readonly actor: Actor;
  readonly session: SiteSession;
  /** The CSRF token every form of the page carries (`wpEditToken`). */
  readonly csrfToken: string;
}

/** The signed-in user as an actor with their rights, or undefined. */
export async function currentActor(ctx: Context, deps: SignInDeps): Promise<SignedIn | undefined> {
  const session = await deps.sessions.current(ctx);
  const profile = session && (await deps.accounts.profile(session.userId));
  if (!session || !profile) return undefined;
  ctx.state.user = profile.account;
  return { actor: actorFromProfile(profile), session, csrfToken: deps.sessions.csrfToken(session) };
}

/**
 * A page that needs sign-in: on GET the visitor is sent to Special:UserLogin and brought back;
 * a POST without a session is refused (its CSRF token cannot be valid either).
 */
export async function requireSignIn(ctx: Context, deps: SignInDeps): Promise<SignedIn | undefined> {
  const signedIn = await currentActor(ctx, deps);
  if (signedIn) return signedIn;
  if (ctx.method === 'GET' || ctx.method === 'HEAD') {
    ctx.redirect(loginUrl(deps.pages, ctx.originalUrl));
    return undefined;
  }
  throw new DomainError('not_logged_in', 'You must be logged in to do this. Log in and try again.');
}

/** Every management form carries the session's CSRF token; a missing or stale one changes nothing. */
export function checkFormToken(deps: Pick<SignInDeps, 'sessions'>, signedIn: SignedIn, form: FormData): void {
  if (!deps.sessions.checkCsrf(signedIn.session, form.one('wpEditToken'))) {
    throw new DomainError('bad_csrf_token', 'Your session token was missing or stale (you may have logged out and in again meanwhile); nothing was changed. Reload the page and try again.');
  }
}

/** Our own pages: no script, strict CSP (security-headers.ts), never cached. */
export function renderManagementPage(ctx: Context, view: string, locals: PageLocals, status = 200): Promise<void> {
  ctx.state.ownPage = true;
  return renderPage(ctx, `management/${view}`, locals, status);
}

/** User names for ids (log performers, publishers), looked up once per page. */
export async function userNames(deps: ManagementDeps, ids: Iterable<number>): Promise<Map<number, string>> {
  const unique = [...new Set(ids)].filter((id) => id > 0);
  const accounts = await Promise.all(unique.map((id) => deps.accounts.findById(id)));
  const names = new Map<number, string>([[0, '(maintenance)']]);
  unique.forEach((id, i) => names.set(id, accounts[i]?.name ?? `(user ${id})`));
  return names;
}

/** Rows per page of the management lists. */
export const PAGE_SIZE = 50;

/** Previous/next links of a list page; `prefix` ends with `?` or `&`. */
export function pager(prefix: string, offset: number, total: number): { previous: string | null; next: string | null } {
  return {
    previous: offset > 0 ? `${prefix}offset=${Math.max(0, offset - PAGE_SIZE)}` : null,
    next: offset + PAGE_SIZE < total ? `${prefix}offset=${offset + PAGE_SIZE}` : null,
  };
}

/** A page number from `?offset=`: a non-negative integer or 0. */
export function offsetParam(ctx: Context): number {
  const raw = ctx.query.offset;
  return typeof raw === 'string' && /^\d{1,6}$/.test(raw) ? Number(raw) : 0;
}

export function queryString(value: unknown): string {
  return typeof value === 'string' ? value.slice(0, 255) : '';
}
