import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type Provider from 'oidc-provider';
import { actorFromProfile, type Actor } from '../domain/accounts/actor.js';
import type { AccountService } from '../domain/accounts/account-service.js';
import { STAGE_NUMBER, type Consumer } from '../domain/consumers/consumer.js';
import type { ConsumerService } from '../domain/consumers/consumer-service.js';
import type { ConsumerWorkflow } from '../domain/consumers/consumer-workflow.js';
import { consumerVisibility } from '../domain/consumers/consumer-visibility.js';
import { DomainError, NotFoundError } from '../domain/errors.js';
import { isKnownGrant } from '../domain/grants/catalogue.js';
import { grantsInScope } from '../domain/grants/scopes.js';
import { readBody, type FormData } from '../http/request-body.js';
import type { SiteSessions } from '../http/site-session.js';
import { formatTimestamp } from '../http/format-timestamp.js';
import type { ConsumerLookup } from '../domain/consumers/consumer-cache.js';
import { authenticateBearer, BearerError, challengeHeaders } from './bearer-auth.js';
import { booleanParam, enumParam, integerParam, listParam, stringParam } from './client-params.js';
import { RestError } from './rest-errors.js';
import { RateLimitedError, type RateLimiter } from '../http/rate-limit.js';

export interface ClientRoutesDeps {
  readonly provider: () => Provider;
  readonly consumerCache: ConsumerLookup;
  readonly accounts: AccountService;
  readonly consumers: ConsumerService;
  readonly workflow: ConsumerWorkflow;
  readonly sessions: SiteSessions;
  /** `oarc_wiki` values a client may be registered for besides `*`. */
  readonly wikiId: string;
  /** `propose` limits on client creation (docs/security.md, "Rate limits"). */
  readonly limiter: RateLimiter;
}

/** The grant that lets an OAuth token manage its user's own clients (extension.json). */
const MANAGE_GRANT = 'oauthmanageownclient';

/**
 * MediaWiki's client-management REST API (docs/mediawiki-compat.md §6; Rest\Handler\
 * ListClients, RequestClient, ResetClientSecret): the caller's own OAuth 2 clients. Callers are
 * signed in by the site session (writes also send its CSRF token as `token`) or by a Bearer token
 * carrying the `oauthmanageownclient` grant, whose rights are the user's ∩ the token's grants.
 */
export function clientRoutes(scriptPath: string, deps: ClientRoutesDeps): Router {
  const router = new Router({ prefix: `${scriptPath}/rest.php/oauth2/client` });
  router.use(restErrors);

  router.get('/', async (ctx) => {
    const { actor } = await authenticate(ctx, deps, undefined);
    const limit = integerParam(ctx.query.limit, 'limit', { fallback: 25, min: 1, max: 500 });
    const offset = integerParam(ctx.query.offset, 'offset', { fallback: 0, min: 0, max: 1_000_000 });
    const oauthVersion = enumParam(ctx.query.oauth_version, 'oauth_version', ['1', '2'], '2');
    const { consumers, total } = await deps.consumers.list({ ownerId: actor.id, oauthVersion: Number(oauthVersion) as 1 | 2, includeDeleted: true, order: 'id', limit, offset });
    json(ctx, { clients: consumers.map((c) => listedClient(c, actor)), total });
  });

  router.post('/', async (ctx) => {
    const body = await readBody(ctx, { json: true });
    const { actor, tokenGrants } = await authenticate(ctx, deps, body);
    await deps.limiter.hit('propose', { ip: ctx.ip, user: String(actor.id) });
    const ownerOnly = booleanParam(body, 'owner_only');
    const callbackUrl = stringParam(body, 'callback_url');
    const request = {
      name: stringParam(body, 'name', { required: true }),
      // MediaWiki's handler allows only these two versions (a known quirk, kept for compatibility).
      version: enumParam(body.has('version') ? stringParam(body, 'version') : undefined, 'version', ['1.0', '2.0'], '1.0'),
      description: stringParam(body, 'description', { required: true }),
      wiki: stringParam(body, 'wiki', { fallback: '*' }),
      email: stringParam(body, 'email', { required: true }),
      isConfidential: booleanParam(body, 'is_confidential', { required: true }),
      grantTypes: listParam(body, 'grant_types', { required: true }),
      scopes: listParam(body, 'scopes', { required: true, allowed: isKnownGrant }),
      callbackIsPrefix: booleanParam(body, 'callback_is_prefix'),
    };
    if (!ownerOnly && callbackUrl === '') {
      throw RestError.localized(400, 'mwoauth-error-missing-callback-url-non-owner', 'callback_url is required for non-owner-only clients');
    }
    const beyond = tokenGrants && request.scopes.filter((grant) => grant !== 'basic' && !tokenGrants.has(grant));
    if (beyond?.length) {
      // A token must not mint a client that can do more than the token itself: an owner-only client
      // is approved at once and would act with every right its grants name (docs/security.md).
      throw RestError.localized(403, 'mwoauth-invalid-authorization', `The authorization headers in your request are not valid: the access token cannot create a client with grants it does not have (${beyond.join(', ')})`);
    }
    if (request.wiki !== '*' && request.wiki !== deps.wikiId) throw RestError.param('wiki', request.wiki, 'badvalue', `Unknown project "${request.wiki}".`);
    const created = await deps.workflow.propose(
      actor,
      {
        name: request.name,
        version: request.version,
        description: request.description,
        callbackUrl,
        callbackIsPrefix: request.callbackIsPrefix,
        grants: request.scopes,
        oauthVersion: 2,
        ownerOnly,
        oauth2IsConfidential: request.isConfidential,
        oauth2GrantTypes: request.grantTypes,
        wiki: request.wiki,
      },
      { email: request.email },
    );
    // An owner-only client's one non-expiring access token is in the answer, as MediaWiki's.
    json(ctx, { name: created.consumer.name, client_key: created.consumer.key, secret: created.secret, ...(created.ownerAccessToken ? { access_token: created.ownerAccessToken } : {}) });
  });

  router.post('/:key/reset_secret', async (ctx) => {
    const body = await readBody(ctx, { json: true });
    const { actor } = await authenticate(ctx, deps, body);
    const consumer = await deps.consumers.findByKey(ctx.params.key!);
    if (!consumer) throw RestError.localized(400, 'mwoauth-invalid-consumer-key', 'No consumer exists with the given key.');
    if (consumer.deleted) throw RestError.localized(401, 'mwoauth-consumer-deleted-error', 'You cannot perform actions on deleted clients');
    if (consumer.ownerId !== actor.id) throw RestError.localized(400, 'mwoauth-consumer-user-mismatch', 'You cannot perform actions on clients that do not belong to you');
    const updated = await deps.workflow.update(actor, consumer.key, {
      changeToken: deps.workflow.changeToken(actor, consumer),
      resetSecret: true,
      reason: stringParam(body, 'reason'),
    });
    // An owner-only client's new access token is in the answer, as MediaWiki's ResetClientSecret.
    json(ctx, { name: updated.consumer.name, client_key: updated.consumer.key, secret: updated.secret, ...(updated.ownerAccessToken ? { access_token: updated.ownerAccessToken } : {}) });
  });

  return router;
}

/** ListClients' fields, with what the caller may not see left out (as MediaWiki drops Message objects). */
function listedClient(consumer: Consumer, viewer: Actor): Record<string, unknown> {
  const { details, security } = consumerVisibility(consumer, viewer);
  return {
    ...(security ? { email: consumer.email } : {}),
    ...(details ? { name: consumer.name, version: consumer.version, callback_url: consumer.callbackUrl, description: consumer.description } : {}),
    client_key: consumer.key,
    owner_only: consumer.ownerOnly,
    stage: STAGE_NUMBER[consumer.stage],
    oauth_version: consumer.oauthVersion,
    registration_formatted: formatTimestamp(consumer.registration),
    ...(consumer.oauthVersion === 2 ? { allowed_grants: consumer.oauth2AllowedGrants } : {}),
    scopes: consumer.grants,
  };
}

/**
 * The caller: a Bearer token (its rights limited to its grants), or the site session (writes
 * need the session's CSRF token in `token`). `body` is given for writes.
 */
async function authenticate(ctx: Context, deps: ClientRoutesDeps, body: FormData | undefined): Promise<{ actor: Actor; tokenGrants?: ReadonlySet<string> }> {
  ctx.set('Vary', 'Authorization, Cookie');
  if (ctx.get('authorization')) {
    const credentials = await authenticateBearer(ctx, deps.provider(), deps.consumerCache);
    if (credentials.userId === null) {
      throw RestError.localized(403, 'mwoauth-invalid-authorization', 'The authorization headers in your request are not valid: this access token does not act for a user');
    }
    if (!credentials.scopes.includes(MANAGE_GRANT)) {
      throw RestError.localized(403, 'mwoauth-invalid-authorization', `The authorization headers in your request are not valid: the access token lacks the "${MANAGE_GRANT}" grant`);
    }
    const profile = await deps.accounts.profile(credentials.userId);
    if (!profile) throw RestError.localized(403, 'mwoauth-invalid-authorization-invalid-user', 'The authorization headers in your request are for a user that does not exist here');
    const grants = grantsInScope(credentials.scopes);
    return { actor: actorFromProfile(profile, grants), tokenGrants: new Set(grants) };
  }
  const session = await deps.sessions.current(ctx);
  const profile = session && (await deps.accounts.profile(session.userId));
  if (!session || !profile) {
    ctx.set('WWW-Authenticate', `Bearer realm="${ctx.host}"`);
    throw RestError.localized(401, 'rest-permission-denied-anon', 'You must be logged in (site session) or send a Bearer token with the oauthmanageownclient grant.');
  }
  if (body !== undefined && !deps.sessions.checkCsrf(session, body.one('token'))) {
    throw RestError.localized(403, 'rest-badtoken', 'The CSRF token (`token`) is missing or invalid for this session.');
  }
  return { actor: actorFromProfile(profile) };
}

function json(ctx: Context, body: unknown): void {
  ctx.set('Cache-Control', 'no-store');
  ctx.body = body;
}

/** Domain and request errors in MediaWiki's REST shapes; anything else goes to the error edge. */
const restErrors: Middleware = async (ctx, next) => {
  try {
    await next();
  } catch (err) {
    let rest: RestError | undefined;
    if (err instanceof BearerError) {
      // RFC 6750 §3's status and challenge; the body in the shape of this API's other refusals.
      challengeHeaders(ctx, err);
      rest = RestError.localized(401, 'mwoauth-invalid-authorization', `The authorization headers in your request are not valid: ${err.message}`);
    } else if (err instanceof RestError) rest = err;
    else if (err instanceof RateLimitedError) {
      ctx.set('Retry-After', String(err.retryAfter));
      rest = RestError.localized(429, 'actionthrottledtext', err.message);
    }
    else if (err instanceof NotFoundError) rest = RestError.localized(400, 'mwoauth-invalid-consumer-key', 'No consumer exists with the given key.');
    else if (err instanceof DomainError && err.code !== 'temporarily_unavailable') rest = RestError.control(err.code, err.message);
    else {
      const http = err as { status?: number; expose?: boolean; message?: string };
      if (typeof http?.status === 'number' && http.status >= 400 && http.status < 500) rest = new RestError(http.status, { message: http.expose ? http.message : 'Bad request' });
    }
    if (!rest) throw err;
    ctx.status = rest.status;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = rest.body;
  }
};
