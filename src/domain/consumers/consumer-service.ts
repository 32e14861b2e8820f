import type { AccountRepository } from '../accounts/account.js';
import type { OwnerOnlyTokens } from '../tokens/owner-only-token.js';
import { DomainError, NotFoundError } from '../errors.js';
import type { AuthorizationRepository } from '../grants/authorization.js';
import { AUTH_ONLY_GRANTS, grantsForm, type GrantType } from '../grants/catalogue.js';
import { canonicalUserName } from '../accounts/user-name.js';
import { toMwTimestamp } from '../mw-timestamp.js';
import { generateHex32, hmacDBSecret } from '../random.js';
import type { Consumer, ConsumerMetadata, ConsumerQuery, ConsumerRepository, OAuth2GrantType } from './consumer.js';
import {
  compareVersions,
  validateCallbackUrl,
  validateDescription,
  validateName,
  validateOAuth2GrantTypes,
  validateVersion,
} from './consumer-validation.js';
import { canBeAutoApproved, type AutoApproveCondition } from './auto-approve.js';
import type { ManagementLog } from './management-log.js';
import { DEFAULT_RESTRICTIONS, validateRestrictions, validateRsaKey } from './restrictions.js';

export { DEFAULT_RESTRICTIONS };

export interface ProposeConsumerInput {
  readonly ownerName: string;
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly callbackUrl: string;
  readonly grants: readonly string[];
  /**
   * How `grants` is read: MediaWiki's createOAuthConsumer.php submits every grant as `normal`
   * (auth-only grants kept beside the others); without it an auth-only grant selects the
   * identity-only grant type, as the registration form and REST RequestClient do.
   */
  readonly granttype?: GrantType;
  readonly oauthVersion: 1 | 2;
  readonly callbackIsPrefix?: boolean;
  readonly ownerOnly?: boolean;
  readonly oauth2IsConfidential?: boolean;
  readonly oauth2GrantTypes?: readonly string[];
  readonly rsaKey?: string;
  /** MWRestrictions JSON; the default allows every address. */
  readonly restrictions?: string;
  readonly metadata?: ConsumerMetadata;
  readonly wiki?: string;
  /** An administrator's mark: no consent page for its users (docs/mediawiki-compat.md "Trusted consumers"). */
  readonly trusted?: boolean;
  /** Its users must sign in with two factors (docs/sign-in.md, "Authentication levels"). */
  readonly requireTwoFactor?: boolean;
}

export interface CreatedConsumer {
  readonly consumer: Consumer;
  /** Client-facing secret, shown once. */
  readonly secret: string;
  /** Owner-only OAuth 1.0a consumers get their access token at once (§3.5). */
  readonly ownerAccess?: { readonly token: string; readonly secret: string };
  /** Owner-only OAuth 2 consumers get one non-expiring access token, shown once. */
  readonly ownerAccessToken?: string;
}

export interface ConsumerServiceDeps {
  readonly consumers: ConsumerRepository;
  readonly accounts: AccountRepository;
  readonly authorizations: AuthorizationRepository;
  readonly log: ManagementLog;
  readonly secretKey: string;
  /** `$wgOAuthAutoApprove` conditions (Workflow::consumerCanBeAutoApproved). */
  readonly autoApprove?: readonly AutoApproveCondition[];
  /** Mints an owner-only OAuth 2 consumer's token; without it such consumers get none. */
  readonly ownerOnlyTokens?: OwnerOnlyTokens;
  /** Where owner-only consumers' callback points: this site's `Special:OAuth/verified`. */
  readonly ownerOnlyCallbackUrl?: string;
}

export class ConsumerService {
  readonly #deps: ConsumerServiceDeps;

  constructor(deps: ConsumerServiceDeps) {
    this.#deps = deps;
  }

  /** The secret a client presents: HMAC of the stored raw value. */
  clientSecret(consumer: Consumer): string | undefined {
    return consumer.secretKey === null ? undefined : hmacDBSecret(consumer.secretKey, this.#deps.secretKey);
  }

  async findByKey(key: string): Promise<Consumer | undefined> {
    return /^[0-9a-f]{32}$/.test(key) ? this.#deps.consumers.findByKey(key) : undefined;
  }

  list(query: ConsumerQuery): Promise<{ consumers: Consumer[]; total: number }> {
    return this.#deps.consumers.list(query);
  }

  async findById(id: number): Promise<Consumer | undefined> {
    return this.#deps.consumers.findById(id);
  }

  async requireByKey(key: string): Promise<Consumer> {
    const consumer = await this.findByKey(key);
    if (!consumer) throw new NotFoundError(`The consumer "${key}"`);
    return consumer;
  }

  /**
   * Register a consumer (ConsumerSubmitControl "propose"): the owner needs an email address; the
   * version must be newer than the owner's latest of the same name; owner-only consumers are
   * approved at once, and so are proposals meeting an auto-approval condition.
   */
  async propose(input: ProposeConsumerInput, opts: { actor?: number; approve?: boolean } = {}): Promise<CreatedConsumer> {
    const { consumers, accounts, authorizations, log } = this.#deps;
    // User::newFromName: `alice` and `Some_user` name the users `Alice` and `Some user`.
    const owner = await accounts.findByName(canonicalUserName(input.ownerName));
    if (!owner) throw new NotFoundError(`The user "${input.ownerName}"`);
    if (!owner.email) throw new DomainError('owner_needs_email', `The user "${owner.name}" has no email address; set one first`);

    const name = validateName(input.name);
    const version = validateVersion(input.version);
    const description = validateDescription(input.description);
    const ownerOnly = input.ownerOnly ?? false;
    const confidential = input.oauth2IsConfidential ?? true;
    const grantTypes = this.#grantTypes(input, ownerOnly);
    // MediaWiki forces an owner-only consumer's callback to Special:OAuth/verified (ConsumerSubmitControl).
    const callbackUrl = ownerOnly ? (this.#deps.ownerOnlyCallbackUrl ?? '') : validateCallbackUrl(input.callbackUrl, { oauthVersion: input.oauthVersion, confidential });
    if (input.callbackIsPrefix && input.oauthVersion !== 1) {
      throw new DomainError('invalid_callback_is_prefix', 'callbackIsPrefix applies to OAuth 1.0a consumers only');
    }
    if (input.trusted && input.oauthVersion !== 2) throw new DomainError('not_oauth2', 'Only OAuth 2 consumers can be trusted');
    if (input.requireTwoFactor && input.oauthVersion !== 2) throw new DomainError('not_oauth2', 'Only OAuth 2 consumers can demand two-factor sign-in');
    const grants = input.granttype ? grantsForm(input.granttype, input.grants) : grantsFromList(input.grants);
    const rsaKey = input.rsaKey === undefined ? null : validateRsaKey(input.rsaKey);
    if (rsaKey !== null && input.oauthVersion !== 1) throw new DomainError('invalid_rsa_key', 'An RSA key applies to OAuth 1.0a consumers only');
    const restrictions = input.restrictions === undefined ? DEFAULT_RESTRICTIONS : validateRestrictions(input.restrictions);
    const latest = await consumers.latestVersion(name, owner.id);
    if (latest !== undefined && compareVersions(latest, version) >= 0) {
      throw new DomainError('version_not_newer', `"${name}" is already registered with version ${latest}; the new version must be greater`);
    }

    const now = toMwTimestamp();
    const callbackIsPrefix = input.callbackIsPrefix ?? false;
    const autoApproved = !ownerOnly && !opts.approve && canBeAutoApproved({ grants, callbackUrl, callbackIsPrefix }, this.#deps.autoApprove ?? []);
    const stage = ownerOnly || opts.approve || autoApproved ? 'approved' : 'proposed';
    const secretKey = generateHex32();
    const consumer = await consumers.create({
      key: generateHex32(),
      name,
      ownerId: owner.id,
      version,
      callbackUrl,
      callbackIsPrefix,
      description,
      email: owner.email,
      emailAuthenticated: now,
      developerAgreement: true,
      ownerOnly,
      wiki: input.wiki ?? '*',
      grants,
      registration: now,
      secretKey,
      rsaKey,
      restrictions,
      stage,
      stageTimestamp: now,
      deleted: false,
      oauthVersion: input.oauthVersion,
      oauth2AllowedGrants: input.oauthVersion === 2 ? grantTypes : [],
      oauth2IsConfidential: input.oauthVersion === 2 ? confidential : true,
      metadata: input.metadata ?? {},
      trusted: input.trusted ?? false,
      requireTwoFactor: input.requireTwoFactor ?? false,
    });

    const actor = opts.actor ?? 0;
    const entry = { actor, targetUser: owner.id, consumerKey: consumer.key, timestamp: now };
    await log.append({ ...entry, action: ownerOnly ? 'create-owner-only' : autoApproved ? 'propose-autoapproved' : 'propose', comment: description });
    if (opts.approve && !ownerOnly) await log.append({ ...entry, action: 'approve', comment: 'Approved on creation' });
    if (consumer.trusted) await log.append({ ...entry, action: 'trust', comment: 'Trusted on creation' });

    let ownerAccess: CreatedConsumer['ownerAccess'];
    if (ownerOnly && consumer.oauthVersion === 1) {
      const authorization = await authorizations.upsert({
        wiki: consumer.wiki,
        userId: owner.id,
        consumerId: consumer.id,
        grants: consumer.grants,
        oauthVersion: 1,
      });
      ownerAccess = { token: authorization.accessToken, secret: hmacDBSecret(authorization.accessSecret, this.#deps.secretKey) };
    }
    let ownerAccessToken: string | undefined;
    if (ownerOnly && consumer.oauthVersion === 2 && this.#deps.ownerOnlyTokens) {
      // The owner's authorization (acceptance row) with every grant, then its one token (§3.5).
      const authorization = await authorizations.upsert({ wiki: consumer.wiki, userId: owner.id, consumerId: consumer.id, grants: consumer.grants, oauthVersion: 2 });
      ownerAccessToken = await this.#deps.ownerOnlyTokens.issue(consumer, authorization);
    }
    return { consumer, secret: hmacDBSecret(secretKey, this.#deps.secretKey), ...(ownerAccess ? { ownerAccess } : {}), ...(ownerAccessToken ? { ownerAccessToken } : {}) };
  }

  /**
   * Mark a consumer trusted (its users skip the consent page) or take the mark away, and log it
   * (`trust`/`untrust`) when it changed, as MediaWiki logs a review only when something changed.
   */
  async setTrusted(key: string, trusted: boolean, opts: { actor?: number; reason?: string } = {}): Promise<Consumer> {
    const consumer = await this.requireByKey(key);
    if (consumer.oauthVersion !== 2) throw new DomainError('not_oauth2', 'Only OAuth 2 consumers can be trusted');
    if ((consumer.trusted ?? false) === trusted) return consumer;
    await this.#deps.consumers.update(consumer.id, { trusted });
    await this.#deps.log.append({
      action: trusted ? 'trust' : 'untrust',
      actor: opts.actor ?? 0,
      targetUser: consumer.ownerId,
      consumerKey: consumer.key,
      comment: opts.reason ?? '',
      timestamp: toMwTimestamp(),
    });
    return { ...consumer, trusted };
  }

  /** Demand two-factor sign-in from a consumer's users, or stop demanding it. */
  async setRequireTwoFactor(key: string, requireTwoFactor: boolean): Promise<Consumer> {
    const consumer = await this.requireByKey(key);
    if (consumer.oauthVersion !== 2) throw new DomainError('not_oauth2', 'Only OAuth 2 consumers can demand two-factor sign-in');
    await this.#deps.consumers.update(consumer.id, { requireTwoFactor });
    return { ...consumer, requireTwoFactor };
  }

  /** Remove a consumer with every authorization, grant and token that came from it. */
  async delete(key: string, opts: { actor?: number; reason?: string } = {}): Promise<Consumer> {
    const consumer = await this.requireByKey(key);
    await this.#deps.authorizations.delete({ consumerId: consumer.id });
    await this.#deps.consumers.delete(consumer.id);
    await this.#deps.log.append({
      action: 'delete',
      actor: opts.actor ?? 0,
      targetUser: consumer.ownerId,
      consumerKey: consumer.key,
      comment: opts.reason ?? '',
      timestamp: toMwTimestamp(),
    });
    return consumer;
  }

  #grantTypes(input: ProposeConsumerInput, ownerOnly: boolean): OAuth2GrantType[] {
    if (input.oauthVersion !== 2) {
      if (input.oauth2GrantTypes?.length) throw new DomainError('invalid_grant_type', 'OAuth 2 grant types apply to OAuth 2 consumers only');
      return [];
    }
    // Owner-only OAuth 2 consumers act as their owner through client_credentials only (§3.5).
    if (ownerOnly) return ['client_credentials'];
    return validateOAuth2GrantTypes(input.oauth2GrantTypes?.length ? input.oauth2GrantTypes : ['authorization_code', 'refresh_token']);
  }
}

/**
 * A plain grant list (CLI, REST) → what MediaWiki stores: an auth-only grant switches the grant
 * type (REST RequestClient does the same), otherwise `basic` is added.
 */
export function grantsFromList(grants: readonly string[]): string[] {
  const granttype: GrantType = grants.includes('mwoauth-authonlyprivate')
    ? 'authonlyprivate'
    : grants.includes('mwoauth-authonly')
      ? 'authonly'
      : 'normal';
  return grantsForm(granttype, granttype === 'normal' ? grants : grants.filter((g) => !AUTH_ONLY_GRANTS.includes(g)));
}
