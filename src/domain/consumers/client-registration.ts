import type { AccountService } from '../accounts/account-service.js';
import { isEmailAddress } from '../accounts/account-service.js';
import { DomainError, NotFoundError } from '../errors.js';
import { GRANTS, releasesPrivateInfo } from '../grants/catalogue.js';
import { toMwTimestamp } from '../mw-timestamp.js';
import { canBeAutoApproved, type AutoApproveCondition } from './auto-approve.js';
import type { Consumer, ConsumerMetadata, ConsumerRepository, OAuth2GrantType } from './consumer.js';
import { DEFAULT_RESTRICTIONS, grantsFromList, type ConsumerService } from './consumer-service.js';
import { validateCallbackUrl, validateName, validateOAuth2GrantTypes } from './consumer-validation.js';
import type { ManagementLog } from './management-log.js';

/** The account that owns clients registered without a person behind them (MediaWiki-style system user). */
export const REGISTRATION_ACCOUNT = 'Dynamic client registration';

/** `wikiauth_consumer_meta.registration` of a consumer created through RFC 7591. */
export const DYNAMIC = 'dynamic';

const DEFAULT_NAME = 'Unnamed application';
const MAX_URIS = 10;
const DESCRIPTION = 'Registered through OpenID Connect dynamic client registration.';
const VERSION = '1.0';
// Display fields RFC 7591 §2 defines; kept as given, shown to administrators.
const DISPLAY_FIELDS = ['client_uri', 'logo_uri', 'policy_uri', 'tos_uri'] as const;

/** A registration request, protocol-neutral (the provider layer maps RFC 7591 metadata to this). */
export interface ClientRegistrationRequest {
  readonly clientName: string | undefined;
  readonly redirectUris: readonly string[];
  readonly postLogoutRedirectUris: readonly string[];
  readonly grantTypes: readonly string[];
  /** `token_endpoint_auth_method` other than `none`. */
  readonly confidential: boolean;
  readonly tokenEndpointAuthMethod: string;
  readonly scope: string | undefined;
  readonly contacts: readonly string[];
  readonly requireAuthTime: boolean;
  readonly display: Readonly<Partial<Record<(typeof DISPLAY_FIELDS)[number], string>>>;
}

export interface ClientRegistrationDeps {
  readonly consumers: ConsumerRepository;
  readonly consumerService: ConsumerService;
  readonly accounts: AccountService;
  readonly log: ManagementLog;
  /** Approve at once (REGISTRATION_APPROVE) or leave proposed for an administrator… */
  readonly approve: boolean;
  /** …unless it meets a `$wgOAuthAutoApprove` condition (OAUTH_AUTO_APPROVE), as any proposal does. */
  readonly autoApprove?: readonly AutoApproveCondition[];
}

/**
 * RFC 7591/7592 clients are MediaWiki consumers (issue 7; README "Dynamic client registration"):
 * - owner: the system account {@link REGISTRATION_ACCOUNT}, which cannot sign in — so a proposed
 *   client is usable by nobody until an administrator approves it (Consumer::isUsableBy);
 * - (name, owner, version) stays unique: every registration is version 1.0 and its name carries the
 *   first 8 hex digits of its 32-hex key, "My app [0123abcd]" (also telling look-alikes apart on
 *   the consent page);
 * - key and secret are MediaWiki's: a 32-hex `oarc_consumer_key`, and a 32-hex stored secret the
 *   client sees only as HMAC(stored, SECRET_KEY);
 * - an RFC 7592 update may change redirect URIs, post-logout URIs, contacts and the display URIs;
 *   name, grant types, scope and client authentication are what an administrator reviewed, so
 *   changing them means registering a new client. New redirect URIs on an approved client under
 *   manual approval send it back to review (stage proposed).
 */
export class ClientRegistrationService {
  readonly #deps: ClientRegistrationDeps;

  constructor(deps: ClientRegistrationDeps) {
    this.#deps = deps;
  }

  async register(key: string, rawSecret: string | null, request: ClientRegistrationRequest): Promise<Consumer> {
    const { consumers, accounts, log } = this.#deps;
    if (!/^[0-9a-f]{32}$/.test(key)) throw new TypeError('consumer keys are 32 hex digits');
    if (request.confidential && !rawSecret) throw new TypeError('a confidential client needs its stored secret');
    const owner = await accounts.systemAccount(REGISTRATION_ACCOUNT);
    const fields = this.#validate(request);
    const now = toMwTimestamp();
    const email = request.contacts.find(isEmailAddress) ?? '';
    const approved = this.#approvable(fields.grants, fields.redirectUris);
    const consumer = await consumers.create({
      key,
      name: registeredName(request.clientName, key),
      ownerId: owner.id,
      version: VERSION,
      callbackUrl: fields.redirectUris[0] ?? '',
      callbackIsPrefix: false,
      description: DESCRIPTION,
      email,
      emailAuthenticated: null,
      developerAgreement: true,
      ownerOnly: false,
      wiki: '*',
      grants: fields.grants,
      registration: now,
      secretKey: request.confidential ? rawSecret : null,
      rsaKey: null,
      restrictions: DEFAULT_RESTRICTIONS,
      stage: approved ? 'approved' : 'proposed',
      stageTimestamp: now,
      deleted: false,
      oauthVersion: 2,
      oauth2AllowedGrants: fields.grantTypes,
      oauth2IsConfidential: request.confidential,
      metadata: metadataOf(request, fields.redirectUris),
    });
    await log.append({
      action: approved ? 'propose-autoapproved' : 'propose',
      actor: owner.id,
      targetUser: owner.id,
      consumerKey: key,
      comment: DESCRIPTION,
      timestamp: now,
    });
    return consumer;
  }

  /** RFC 7592 §2.2: replace the registration's changeable fields; the reviewed ones must stay. */
  async update(key: string, request: ClientRegistrationRequest): Promise<Consumer> {
    const { consumers, log } = this.#deps;
    const consumer = await this.#dynamic(key);
    const fields = this.#validate(request);
    // Omitted name or scope (RFC 7592 §2.2: "delete") fall back to what was registered.
    const unchanged =
      (request.clientName === undefined || registeredName(request.clientName, key) === consumer.name) &&
      request.confidential === consumer.oauth2IsConfidential &&
      sameSet(fields.grantTypes, consumer.oauth2AllowedGrants) &&
      (request.scope === undefined || sameSet(fields.grants, consumer.grants));
    if (!unchanged) {
      throw new DomainError(
        'invalid_client_metadata',
        'client_name, grant_types, scope and token_endpoint_auth_method cannot change after registration; register a new client instead',
      );
    }
    const before = new Set(redirectUrisOf(consumer));
    const newRedirect = fields.redirectUris.some((uri) => !before.has(uri));
    const backToReview = newRedirect && consumer.stage === 'approved' && !this.#approvable(consumer.grants, fields.redirectUris);
    const now = toMwTimestamp();
    await consumers.update(consumer.id, {
      callbackUrl: fields.redirectUris[0] ?? '',
      metadata: metadataOf(request, fields.redirectUris),
      ...(backToReview ? { stage: 'proposed' as const, stageTimestamp: now } : {}),
    });
    await log.append({ action: 'update', actor: consumer.ownerId, targetUser: consumer.ownerId, consumerKey: key, comment: backToReview ? 'New redirect URI; needs review again' : 'Registration updated', timestamp: now });
    return (await consumers.findByKey(key))!;
  }

  /** RFC 7592 §2.3: the consumer goes, with every authorization and token it had. */
  async remove(key: string): Promise<void> {
    const consumer = await this.#dynamic(key);
    await this.#deps.consumerService.delete(key, { actor: consumer.ownerId, reason: 'Deleted by the client (RFC 7592)' });
  }

  /** REGISTRATION_APPROVE, or every redirect URI passing an OAUTH_AUTO_APPROVE condition. */
  #approvable(grants: readonly string[], redirectUris: readonly string[]): boolean {
    if (this.#deps.approve) return true;
    const conditions = this.#deps.autoApprove ?? [];
    return redirectUris.length > 0 && redirectUris.every((callbackUrl) => canBeAutoApproved({ grants, callbackUrl, callbackIsPrefix: false }, conditions));
  }

  async #dynamic(key: string): Promise<Consumer> {
    const consumer = await this.#deps.consumers.findByKey(key);
    if (!consumer || consumer.deleted) throw new NotFoundError(`The client "${key}"`);
    // Consumers proposed on the wiki's pages are managed there, never through RFC 7592.
    if (consumer.metadata.registration !== DYNAMIC) throw new DomainError('invalid_client_metadata', 'This client was not registered dynamically');
    return consumer;
  }

  #validate(request: ClientRegistrationRequest): { redirectUris: string[]; grantTypes: OAuth2GrantType[]; grants: string[] } {
    // Everything lands in one `wcm_metadata` BLOB (64 KiB on MariaDB): keep registrations small.
    if (request.redirectUris.length > MAX_URIS || request.postLogoutRedirectUris.length > MAX_URIS || request.contacts.length > MAX_URIS) {
      throw new DomainError('invalid_client_metadata', `At most ${MAX_URIS} redirect URIs, post-logout redirect URIs and contacts each`);
    }
    if (request.contacts.some((c) => Buffer.byteLength(c) > 255) || Object.values(request.display).some((u) => u !== undefined && u.length > 2000)) {
      throw new DomainError('invalid_client_metadata', 'contacts are at most 255 bytes and URIs at most 2000 characters each');
    }
    for (const uri of request.postLogoutRedirectUris) validateCallbackUrl(uri, { oauthVersion: 2, confidential: request.confidential });
    const grantTypes = validateOAuth2GrantTypes(request.grantTypes.length ? request.grantTypes : ['authorization_code']);
    const redirectUris = request.redirectUris.map((uri) => validateCallbackUrl(uri, { oauthVersion: 2, confidential: request.confidential }));
    if (grantTypes.includes('authorization_code') && redirectUris.length === 0) {
      throw new DomainError('invalid_callback_url', 'redirect_uris is required for the authorization_code grant');
    }
    // Owner-only semantics (client_credentials acting as the owner) make no sense for a system owner.
    if (grantTypes.includes('client_credentials') && !request.confidential) {
      throw new DomainError('invalid_grant_type', 'client_credentials needs a confidential client');
    }
    return { redirectUris, grantTypes, grants: grantsForScope(request.scope) };
  }
}

/**
 * RFC 7591 `scope` → MediaWiki grants: the MediaWiki grants named; `email` asks for the private-info
 * identity grant, anything else (openid, profile, unknown values) for identity only. Without a
 * `scope` (RFC 7591 §2: the server's default), what a sign-in client needs: identity with email and
 * real name — still only a ceiling, each authorization asks the user for what it requests.
 */
export function grantsForScope(scope: string | undefined): string[] {
  if (scope === undefined || scope.trim() === '') return ['mwoauth-authonlyprivate'];
  const requested = new Set(scope.split(' ').filter(Boolean));
  const grants = [...requested].filter((s) => GRANTS.has(s) && s !== 'mwoauth-authonly' && s !== 'mwoauth-authonlyprivate');
  // With real grants, the private-info one is what lets a token read the email address.
  if (grants.length) return grantsFromList(requested.has('email') && !releasesPrivateInfo(grants) ? [...grants, 'privateinfo'] : grants);
  return grantsFromList([requested.has('email') || requested.has('mwoauth-authonlyprivate') ? 'mwoauth-authonlyprivate' : 'mwoauth-authonly']);
}

function registeredName(clientName: string | undefined, key: string): string {
  const suffix = ` [${key.slice(0, 8)}]`;
  let name = (clientName ?? '').replace(/\p{Cc}/gu, ' ').trim();
  // A client sending back the name it was given (RFC 7592 read, then update) keeps it.
  if (name.endsWith(suffix)) name = name.slice(0, -suffix.length).trim();
  name ||= DEFAULT_NAME;
  // oarc_name is VARBINARY(128): cut whole characters until name and suffix fit.
  const chars = [...name];
  while (Buffer.byteLength(chars.join('') + suffix) > 128) chars.pop();
  name = chars.join('').trim() || DEFAULT_NAME;
  return validateName(name + suffix);
}

function metadataOf(request: ClientRegistrationRequest, redirectUris: readonly string[]): ConsumerMetadata {
  const display = Object.fromEntries(DISPLAY_FIELDS.filter((f) => typeof request.display[f] === 'string').map((f) => [f, request.display[f]!]));
  return {
    registration: DYNAMIC,
    redirect_uris: [...redirectUris],
    token_endpoint_auth_method: request.tokenEndpointAuthMethod,
    ...(request.postLogoutRedirectUris.length ? { post_logout_redirect_uris: [...request.postLogoutRedirectUris] } : {}),
    ...(request.requireAuthTime ? { require_auth_time: true } : {}),
    ...(request.contacts.length ? { contacts: [...request.contacts] } : {}),
    ...display,
  };
}

/** Every redirect URI a consumer accepts: MediaWiki's one callback, or a dynamic client's list. */
export function redirectUrisOf(consumer: Consumer): string[] {
  const listed = consumer.metadata.redirect_uris;
  if (Array.isArray(listed) && listed.every((u) => typeof u === 'string') && listed.length) return [...(listed as string[])];
  return consumer.callbackUrl ? [consumer.callbackUrl] : [];
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = new Set(a);
  const y = new Set(b);
  return x.size === y.size && [...x].every((v) => y.has(v));
}
