/**
 * MediaWiki's OAuth 1.0a error vocabulary (`MWOAuthException` with a message key, or a plain
 * library `OAuthException` that Special:OAuth wraps as `mwoauth-oauth-exception`) and the two
 * wire formats of `SpecialMWOAuth::showError`. Both are sent with HTTP 200.
 */
import { EN_MESSAGES, type MessageKey } from './oauth-messages.js';
import { htmlspecialchars, phpJsonEncode, strtr } from '../mediawiki/php.js';

export type ECode = `E0${'01' | '02' | '03' | '04' | '05' | '06' | '07' | '08' | '09' | '10' | '11' | '12'}`;

/** A plain parameter (escaped with the message), or raw HTML (`MessageValue::rawParams`). */
export type MessageParam = string | { readonly raw: string };

export const ERROR_HELP_URL = 'https://www.mediawiki.org/wiki/Special:MyLanguage/Help:OAuth/Errors#';

/**
 * `Utils::getErrorLink`: LinkRenderer::makeExternalLink output. No `rel="nofollow"` because
 * MediaWiki's default `$wgNoFollowDomainExceptions` is `['mediawiki.org']`.
 */
export function errorLink(eCode: ECode): string {
  return `<a class="external" href="${ERROR_HELP_URL}${eCode}">${eCode}</a>`;
}

/** `Message::format`: plain params before escaping, raw params after (same markers as PHP). */
function formatMessage(key: MessageKey, params: readonly MessageParam[], escaped: boolean): string {
  const marker = escaped ? '$' : '$\'"';
  const before: Record<string, string> = {};
  const after: Record<string, string> = {};
  params.forEach((p, i) => {
    const n = String(i + 1);
    if (typeof p === 'string') before['$' + n] = p;
    else {
      before['$' + n] = marker + n;
      after[marker + n] = p.raw;
    }
  });
  let s = strtr(EN_MESSAGES[key], before);
  if (escaped) s = htmlspecialchars(s);
  return strtr(s, after);
}

export class OAuth1Error extends Error {
  /** MediaWiki message key, e.g. `mwoauth-bad-request-missing-params`. */
  readonly code: MessageKey;
  /** The documented error code (E001–E012) when MediaWiki links one. */
  readonly eCode: ECode | undefined;
  readonly params: readonly MessageParam[];

  constructor(code: MessageKey, params: readonly MessageParam[] = [], eCode?: ECode) {
    // Library errors keep their bare text as message, like PHP's OAuthException::getMessage().
    const first = params[0];
    super(code === 'mwoauth-oauth-exception' && typeof first === 'string' ? first : formatMessage(code, params, false));
    this.name = 'OAuth1Error';
    this.code = code;
    this.eCode = eCode;
    this.params = params;
  }
}

/** `Message::text()`: the JSON `message`. */
export function messageText(err: OAuth1Error): string {
  return formatMessage(err.code, err.params, false);
}

/** `Message::escaped()`: HTML-safe text with raw params (the E00N links) left as HTML. */
export function messageEscaped(err: OAuth1Error): string {
  return formatMessage(err.code, err.params, true);
}

/** format=raw (the default, `text/plain`): what mwoauth detects by the `Error: ` prefix. */
export function formatRaw(err: OAuth1Error): string {
  return 'Error: ' + messageEscaped(err);
}

/** format=json (and always for identify): `FormatJson::encode` of `{error, message}`. */
export function formatJson(err: OAuth1Error): string {
  return phpJsonEncode({ error: err.code, message: messageText(err) }, { hexTagAmp: true });
}

const lib = (text: string) => new OAuth1Error('mwoauth-oauth-exception', [text]);
const coded = (code: MessageKey, eCode: ECode, ...params: string[]) =>
  new OAuth1Error(code, [...params, { raw: errorLink(eCode) }], eCode);

/** Factories, one per error MediaWiki's OAuth 1.0a endpoints produce. */
export const OAuth1Errors = {
  /** Any other library-style exception text (rate limits: MediaWiki's `actionthrottledtext`). */
  exception: (text: string) => lib(text),
  // Library texts (src/Lib/OAuthServer.php), wrapped as mwoauth-oauth-exception.
  invalidSignature: () => lib('Invalid signature'),
  nonceUsed: (nonce: string) => lib(`Nonce already used: ${nonce}`),
  expiredTimestamp: (yours: string, ours: number) => lib(`Expired timestamp, yours ${yours}, ours ${ours}`),
  missingTimestamp: () => lib('Missing timestamp parameter. The parameter is required'),
  missingNonce: () => lib('Missing nonce parameter. The parameter is required'),
  missingSignatureMethod: () => lib('No signature method parameter. This parameter is required'),
  unsupportedSignatureMethod: (method: string) =>
    lib(`Signature method '${method}' not supported try one of the following: HMAC-SHA1, RSA-SHA1`),
  unsupportedVersion: (version: string) => lib(`OAuth version '${version}' not supported`),
  invalidConsumerKey: () => lib('Invalid consumer key'),
  invalidConsumer: () => lib('Invalid consumer'),
  /** `rest_redirect` without `rest_url`. */
  invalidRedirect: () => lib('Invalid redirect'),

  // Coded errors (Help:OAuth/Errors).
  missingParams: () => coded('mwoauth-bad-request-missing-params', 'E001'),
  invalidAction: () => coded('mwoauth-bad-request-invalid-action', 'E002'),
  /** `ownerTalkUrl`: `Utils::getCentralUserTalk(owner)`, a full URL. */
  invalidActionContact: (ownerTalkUrl: string) =>
    coded('mwoauth-bad-request-invalid-action-contact', 'E003', ownerTalkUrl),
  requestTokenNotFound: () => coded('mwoauthdatastore-request-token-not-found', 'E004'),
  badConsumer: (consumerName: string, ownerTalkUrl: string) =>
    coded('mwoauthserver-bad-consumer', 'E005', consumerName, ownerTalkUrl),
  badConsumerKey: () => coded('mwoauthserver-bad-consumer-key', 'E006'),
  insufficientRights: () => coded('mwoauthserver-insufficient-rights', 'E007'),
  invalidUser: (consumerName: string) => coded('mwoauthserver-invalid-user', 'E008', consumerName),
  requestTokenAlreadyUsed: () => coded('mwoauthdatastore-request-token-already-used', 'E009'),
  consumerOwnerOnly: (consumerName: string, consumerKey: string) =>
    coded('mwoauthserver-consumer-owner-only', 'E010', consumerName,
      `Special:OAuthConsumerRegistration/update/${consumerKey}`),
  consumerNoSecret: () => coded('mwoauthserver-consumer-no-secret', 'E011'),
  badConsumerVersion: (ownerTalkUrl: string) => coded('mwoauthserver-bad-consumer-version', 'E012', ownerTalkUrl),

  // Uncoded MWOAuthException keys.
  accessTokenNotFound: () => new OAuth1Error('mwoauthdatastore-access-token-not-found'),
  badToken: () => new OAuth1Error('mwoauthdatastore-bad-token'),
  badSourceIp: () => new OAuth1Error('mwoauthdatastore-bad-source-ip'),
  badVerifier: () => new OAuth1Error('mwoauthdatastore-bad-verifier'),
  invalidTokenType: () => new OAuth1Error('mwoauthdatastore-invalid-token-type'),
  callbackNotFound: () => new OAuth1Error('mwoauthdatastore-callback-not-found'),
  callbackNotOob: () => new OAuth1Error('mwoauth-callback-not-oob'),
  callbackNotOobOrPrefix: () => new OAuth1Error('mwoauth-callback-not-oob-or-prefix'),
  /** `?oauth_version=2` on an OAuth 1 subpage (`SpecialMWOAuth::assertOAuthVersion`). */
  wrongOAuthVersion: (version: number) => new OAuth1Error('mwoauth-oauth-unsupported-version', [String(version)]),
  dbReadonly: () => new OAuth1Error('mwoauth-db-readonly'),
  noSuchConsumer: () => new OAuth1Error('mwoauth-invalid-consumer-key'),

  // Special:OAuth/identify.
  identifyTokenNotFound: () => new OAuth1Error('mwoauth-access-token-not-found'),
  invalidAuthorization: (reason: string) => new OAuth1Error('mwoauth-invalid-authorization', [reason]),
  wrongWiki: (wikiId: string) => new OAuth1Error('mwoauth-invalid-authorization-wrong-wiki', [wikiId]),
  identifyInvalidUser: () => new OAuth1Error('mwoauth-invalid-authorization-invalid-user'),
  identifyBlockedUser: () => new OAuth1Error('mwoauth-invalid-authorization-blocked-user'),
  identifyNotApproved: (consumerName: string) =>
    new OAuth1Error('mwoauth-invalid-authorization-not-approved', [consumerName]),
} as const;
