/**
 * The part of MediaWiki's Action API that tools call right after the OAuth handshake to learn
 * who they are: `api.php?action=query&meta=userinfo&uiprop=…` (core `ApiQueryUserInfo`), JSON in
 * format versions 1 and 2. Rights are the user's rights limited to the grants of the
 * credentials (`SessionProvider::getAllowedUserRights`); real name and email need the
 * `viewmyprivateinfo` right, as in ApiQueryUserInfo. Errors keep the Action API's shape:
 * HTTP 200, `MediaWiki-API-Error` header, `{"error":{"code","info","*"}}`.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { AccountService } from '../domain/accounts/account-service.js';
import { projectIdentity } from '../domain/accounts/identity.js';
import { effectiveRights } from '../domain/grants/catalogue.js';
import type { AccountBlock } from '../domain/accounts/account.js';
import { fromMwTimestamp, INFINITY } from '../domain/mw-timestamp.js';
import { formatTimestamp } from '../http/format-timestamp.js';
import { messageText, OAuth1Error } from '../mediawiki/oauth-errors.js';
import { phpJsonEncode, type JsonValue } from '../mediawiki/php.js';
import { readWebRequest, type WebRequest } from '../mediawiki/web-request.js';
import { authenticateApiCaller, type ApiAuthDeps, type ApiCaller } from './api-auth.js';

export interface ActionApiDeps extends ApiAuthDeps {
  readonly scriptPath: string;
}

const USERINFO_PROPS = ['blockinfo', 'groups', 'rights', 'editcount', 'email', 'realname', 'registrationdate'];
const MAILING_LIST =
  'Subscribe to the mediawiki-api-announce mailing list at &lt;https://lists.wikimedia.org/postorius/lists/mediawiki-api-announce.lists.wikimedia.org/&gt; for notice of API deprecations and breaking changes.';

/** An Action API error (`ApiUsageException`): a code and its English text. */
class ApiError extends Error {
  readonly code: string;

  constructor(code: string, info: string) {
    super(info);
    this.code = code;
  }
}

export function actionApi(deps: ActionApiDeps): Router {
  const router = new Router();
  const path = `${deps.scriptPath}/api.php`;
  const handle = async (ctx: Context) => {
    const req = await readWebRequest(ctx);
    const out = new ApiOutput(req.getVal('formatversion'));
    ctx.set('Vary', 'Authorization');
    try {
      const caller = await authenticateApiCaller(ctx, req, deps).catch((err: unknown) => {
        if (err instanceof OAuth1Error) throw new ApiError(err.code, plain(messageText(err)));
        throw err;
      });
      send(ctx, out, await execute(req, caller, out, deps));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      ctx.set('MediaWiki-API-Error', err.code);
      send(ctx, out, {
        error: { code: err.code, info: err.message, [out.v2 ? 'docref' : '*']: `See ${req.origin}${path} for API usage. ${MAILING_LIST}` },
      });
    }
  };
  router.get(path, handle);
  router.post(path, handle);
  return router;
}

async function execute(req: WebRequest, caller: ApiCaller, out: ApiOutput, deps: ActionApiDeps): Promise<Record<string, JsonValue>> {
  const action = req.getVal('action') ?? 'help';
  if (action !== 'query') throw new ApiError('badvalue', `Unrecognized value for parameter "action": ${action}.`);
  const meta = multiValue(req.getVal('meta'));
  const result: Record<string, JsonValue> = {};
  const warnings: Record<string, JsonValue> = {};
  const unknownMeta = meta.filter((m) => m !== 'userinfo');
  if (unknownMeta.length) warnings.query = out.warning(`Unrecognized value for parameter "meta": ${unknownMeta.join(', ')}`);
  let query: Record<string, JsonValue> | undefined;
  if (meta.includes('userinfo')) {
    // `*` asks for every value (ParamValidator's PARAM_ALL): here, every prop this api.php knows.
    const asked = multiValue(req.getVal('uiprop'));
    const props = asked.includes('*') ? USERINFO_PROPS : asked;
    const unknownProps = props.filter((p) => !USERINFO_PROPS.includes(p));
    if (unknownProps.length) warnings.userinfo = out.warning(`Unrecognized value for parameter "uiprop": ${unknownProps.join(', ')}`);
    query = { userinfo: await userinfo(caller, new Set(props), req.ip, out, deps.accounts) };
  }
  if (Object.keys(warnings).length) result.warnings = warnings;
  result.batchcomplete = out.bool(true);
  if (query) result.query = query;
  return result;
}

/** ApiQueryUserInfo::getCurrentUserInfo for the props asked. */
async function userinfo(caller: ApiCaller, props: Set<string>, ip: string, out: ApiOutput, accounts: AccountService): Promise<Record<string, JsonValue>> {
  const profile = caller.userId === null ? undefined : await accounts.profile(caller.userId);
  if (!profile || caller.grants === null) return anonymousUserinfo(caller.grants, props, ip, out, accounts);
  const identity = projectIdentity(profile, caller.grants);
  const rights = identity.grantedRights;
  const info: Record<string, JsonValue> = { id: identity.userId, name: identity.username };
  // With $wgBlockDisablesLogin a blocked user's credentials are refused before this point (authorization-use.ts).
  if (props.has('blockinfo') && profile.blocked) {
    const block = await accounts.currentBlock(identity.userId);
    if (block) Object.assign(info, blockDetails(block, out));
  }
  if (props.has('groups')) info.groups = [...identity.groups];
  if (props.has('rights')) info.rights = [...rights];
  if (props.has('editcount')) info.editcount = identity.editCount;
  // ApiQueryUserInfo asks for the right itself, so the auth-only grants release nothing here.
  const privateInfo = rights.includes('viewmyprivateinfo') ? identity.privateInfo : undefined;
  if (props.has('realname') && privateInfo) info.realname = privateInfo.realName;
  if (props.has('email') && privateInfo) {
    info.email = privateInfo.address;
    if (privateInfo.emailAuthenticated) info.emailauthenticated = isoTimestamp(privateInfo.emailAuthenticated);
  }
  if (props.has('registrationdate') && identity.registered) info.registrationdate = isoTimestamp(identity.registered);
  return info;
}

/**
 * ApiBlockInfoTrait::getBlockDetails in MediaWiki's default English and the wiki's time zone (UTC):
 * times as ISO 8601, an infinite expiry as `infinite` without the formatted and relative forms.
 * A future time's relative form is the full date and time (Language::getHumanTimestamp).
 */
function blockDetails(block: AccountBlock, out: ApiOutput): Record<string, JsonValue> {
  const infinite = block.expiry === INFINITY;
  const details: Record<string, JsonValue> = {
    blockid: block.id,
    blockedby: block.byName,
    blockedbyid: block.by,
    blockreason: block.reason,
    blockedtimestamp: isoTimestamp(block.timestamp),
    blockexpiry: infinite ? 'infinite' : isoTimestamp(block.expiry),
  };
  out.setFlag(details, 'blockpartial', !block.sitewide);
  out.setFlag(details, 'blocknocreate', block.noCreate);
  // A block on an account is always a hard block (AbstractBlock::isHardblock).
  out.setFlag(details, 'blockanononly', false);
  details.blockedtimestampformatted = formatTimestamp(block.timestamp);
  if (!infinite) {
    details.blockexpiryformatted = formatTimestamp(block.expiry);
    details.blockexpiryrelative = formatTimestamp(block.expiry);
  }
  return details;
}

/** An anonymous caller (no credentials, or a shared consumer's client_credentials token). */
function anonymousUserinfo(grants: readonly string[] | null, props: Set<string>, ip: string, out: ApiOutput, accounts: AccountService): Record<string, JsonValue> {
  const groups = ['*'];
  const userRights = accounts.anonymousRights();
  const rights = grants === null ? userRights : effectiveRights(userRights, grants);
  const info: Record<string, JsonValue> = { id: 0, name: ip, anon: out.bool(true) };
  if (props.has('groups')) info.groups = groups;
  if (props.has('rights')) info.rights = rights;
  if (props.has('editcount')) info.editcount = 0;
  if (props.has('realname') && rights.includes('viewmyprivateinfo')) info.realname = '';
  if (props.has('email') && rights.includes('viewmyprivateinfo')) info.email = '';
  return info;
}

/** The two JSON format versions: booleans, warnings and encoding differ. */
class ApiOutput {
  readonly v2: boolean;

  constructor(formatversion: string | undefined) {
    this.v2 = formatversion === '2' || formatversion === 'latest';
  }

  /** formatversion=1 writes `true` as `""` and leaves out `false`. */
  bool(value: true): JsonValue {
    return this.v2 ? value : '';
  }

  /** A boolean field: version 1 writes `true` as `""` and leaves the field out for `false`. */
  setFlag(target: Record<string, JsonValue>, key: string, value: boolean): void {
    if (this.v2) target[key] = value;
    else if (value) target[key] = '';
  }

  warning(text: string): JsonValue {
    return this.v2 ? { warnings: text } : { '*': text };
  }

  /** Version 1 escapes non-ASCII like PHP's json_encode; version 2 sends UTF-8. */
  encode(value: JsonValue): string {
    return this.v2 ? JSON.stringify(value) : phpJsonEncode(value);
  }
}

function send(ctx: Context, out: ApiOutput, value: Record<string, JsonValue>): void {
  ctx.status = 200;
  ctx.set('Cache-Control', 'private, must-revalidate, max-age=0');
  ctx.set('Content-Type', 'application/json; charset=utf-8');
  ctx.body = out.encode(value);
}

/** ApiBase multi-value parameters: `a|b`, or `\x1fa\x1fb` when a value contains `|`. */
function multiValue(value: string | undefined): string[] {
  if (!value) return [];
  return (value.startsWith('\x1f') ? value.slice(1).split('\x1f') : value.split('|')).filter((v) => v !== '');
}

function isoTimestamp(ts: string): string {
  return fromMwTimestamp(ts).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** ApiErrorFormatter::stripMarkup: the message as plain text. */
function plain(text: string): string {
  return text
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|#039);/g, (_m, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#039': "'" })[name]!)
    .trim();
}
