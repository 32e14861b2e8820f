import type { Actor } from '../accounts/actor.js';
import { DomainError, NotFoundError } from '../errors.js';
import type { AuthorizationRepository } from '../grants/authorization.js';
import { fromMwTimestamp, toMwTimestamp } from '../mw-timestamp.js';
import { generateHex32, hmacDBSecret } from '../random.js';
import type { Consumer, ConsumerChanges, ConsumerRepository } from './consumer.js';
import type { OwnerOnlyTokens } from '../tokens/owner-only-token.js';
import type { ConsumerService, CreatedConsumer, ProposeConsumerInput } from './consumer-service.js';
import { checkOwnerUpdate, checkPropose, checkVisible, ownerDisableOutcome, reviewOutcome, type ReviewAction } from './consumer-transitions.js';
import { changeToken } from './consumer-visibility.js';
import type { ConsumerLogAction, ManagementLog } from './management-log.js';
import { validateRestrictions, validateRsaKey } from './restrictions.js';

export interface ConsumerWorkflowDeps {
  readonly consumers: ConsumerRepository;
  readonly service: ConsumerService;
  readonly authorizations: AuthorizationRepository;
  readonly log: ManagementLog;
  readonly secretKey: string;
  /** `$wgMWOAuthRequestExpirationAge` in seconds; 0 = proposals never expire. */
  readonly requestExpirationAge: number;
  /** Mints an owner-only OAuth 2 consumer's new token on a secret reset. */
  readonly ownerOnlyTokens?: OwnerOnlyTokens;
}

export interface ReviewInput {
  readonly action: ReviewAction;
  readonly suppress?: boolean;
  readonly reason: string;
  readonly changeToken: string;
}

export interface UpdateInput {
  readonly changeToken: string;
  readonly resetSecret?: boolean;
  /** MWRestrictions JSON; undefined keeps the current value. */
  readonly restrictions?: string;
  /** OAuth 1.0a PEM RSA public key; '' removes it; undefined keeps it. */
  readonly rsaKey?: string;
  readonly reason?: string;
}

export interface UpdatedConsumer {
  readonly consumer: Consumer;
  /** False when the request changed nothing (nothing written, nothing logged). */
  readonly changed: boolean;
  /** The new client-facing secret, when it was reset (shown once). */
  readonly secret?: string;
  /** Owner-only OAuth 1.0a consumers get a new access token and secret with a reset (§3.5). */
  readonly ownerAccess?: { readonly token: string; readonly secret: string };
  /** Owner-only OAuth 2 consumers get a new non-expiring access token with a reset; earlier ones stop working. */
  readonly ownerAccessToken?: string;
}

const MAX_REASON = 255;
const EXPIRY_BATCH = 100;

/**
 * What developers and administrators do to consumers, with MediaWiki's rights and stages
 * (consumer-transitions.ts), optimistic locking (change tokens, then a compare-and-set write) and a
 * `mwoauthconsumer` log entry for every transition.
 */
export class ConsumerWorkflow {
  readonly #deps: ConsumerWorkflowDeps;

  constructor(deps: ConsumerWorkflowDeps) {
    this.#deps = deps;
  }

  /** Propose a consumer owned by the actor; `email`, when given, must be the account's (REST). */
  async propose(actor: Actor, input: Omit<ProposeConsumerInput, 'ownerName'>, opts: { email?: string } = {}): Promise<CreatedConsumer> {
    checkPropose(actor);
    if (opts.email !== undefined && opts.email !== actor.email) {
      throw new DomainError('email_mismatched', 'Provided email address must match that of your account.');
    }
    return this.#deps.service.propose({ ...input, ownerName: actor.name }, { actor: actor.id });
  }

  /** A consumer as `viewer` may see it: suppressed ones only with `mwoauthviewsuppressed`. */
  async view(viewer: Actor | undefined, key: string): Promise<Consumer> {
    const consumer = await this.#deps.service.requireByKey(key);
    checkVisible(consumer, viewer);
    return consumer;
  }

  changeToken(viewer: Actor, consumer: Consumer): string {
    return changeToken(consumer, viewer);
  }

  /** An administrator approves, rejects, disables or re-enables a consumer, with a reason. */
  async review(actor: Actor, key: string, input: ReviewInput): Promise<Consumer> {
    const consumer = await this.#deps.service.requireByKey(key);
    const outcome = reviewOutcome(consumer, input.action, actor, input.suppress ?? false);
    const reason = checkReason(input.reason, { required: true });
    this.#checkChangeToken(actor, consumer, input.changeToken);
    const updated = await this.#write(consumer, { stage: outcome.stage, stageTimestamp: toMwTimestamp(), deleted: outcome.deleted });
    await this.#logEntry(input.action, actor.id, updated, reason);
    return updated;
  }

  /**
   * The owner disables their own approved consumer (wikiauth's addition; MediaWiki leaves it to
   * administrators): logged as `disable` by the owner. Its tokens and authorizations stop working at
   * once, as after an administrator's disable, and only an administrator can re-enable it.
   */
  async disableOwn(actor: Actor, key: string, input: { changeToken: string; reason?: string }): Promise<Consumer> {
    const consumer = await this.#deps.service.requireByKey(key);
    const outcome = ownerDisableOutcome(consumer, actor);
    const reason = checkReason(input.reason ?? '', { required: false });
    this.#checkChangeToken(actor, consumer, input.changeToken);
    const updated = await this.#write(consumer, { stage: outcome.stage, stageTimestamp: toMwTimestamp(), deleted: outcome.deleted });
    await this.#logEntry('disable', actor.id, updated, reason);
    return updated;
  }

  /** The owner changes restrictions or the RSA key, or resets the secret (ConsumerSubmitControl "update"). */
  async update(actor: Actor, key: string, input: UpdateInput): Promise<UpdatedConsumer> {
    const consumer = await this.#deps.service.requireByKey(key);
    checkOwnerUpdate(consumer, actor);
    const reason = checkReason(input.reason ?? '', { required: false });
    this.#checkChangeToken(actor, consumer, input.changeToken);
    const changes: { -readonly [K in keyof ConsumerChanges]: ConsumerChanges[K] } = {};
    if (input.restrictions !== undefined) {
      const restrictions = validateRestrictions(input.restrictions);
      if (restrictions !== consumer.restrictions) changes.restrictions = restrictions;
    }
    if (input.rsaKey !== undefined) {
      const rsaKey = validateRsaKey(input.rsaKey);
      if (rsaKey !== null && consumer.oauthVersion !== 1) throw new DomainError('invalid_rsa_key', 'An RSA key applies to OAuth 1.0a consumers only');
      if (rsaKey !== consumer.rsaKey) changes.rsaKey = rsaKey;
    }
    const newSecret = input.resetSecret ? generateHex32() : undefined;
    if (newSecret) changes.secretKey = newSecret;
    if (Object.keys(changes).length === 0) return { consumer, changed: false };

    const updated = await this.#write(consumer, changes);
    await this.#logEntry('update', actor.id, updated, reason);
    let ownerAccess: UpdatedConsumer['ownerAccess'];
    if (newSecret && consumer.ownerOnly && consumer.oauthVersion === 1) {
      // MediaWiki resets the owner's access secret with the consumer secret.
      const authorization = await this.#deps.authorizations.upsert({ wiki: consumer.wiki, userId: consumer.ownerId, consumerId: consumer.id, grants: consumer.grants, oauthVersion: 1 }, { renewCredentials: true });
      ownerAccess = { token: authorization.accessToken, secret: hmacDBSecret(authorization.accessSecret, this.#deps.secretKey) };
    }
    let ownerAccessToken: string | undefined;
    if (newSecret && consumer.ownerOnly && consumer.oauthVersion === 2 && this.#deps.ownerOnlyTokens) {
      // As MediaWiki's ConsumerSubmitControl "update": the owner's authorization gets every grant
      // again and one new token, and the tokens issued before stop (getOwnerOnlyAccessToken with
      // revokeExisting).
      const authorization = await this.#deps.authorizations.upsert({ wiki: consumer.wiki, userId: consumer.ownerId, consumerId: consumer.id, grants: consumer.grants, oauthVersion: 2 });
      ownerAccessToken = await this.#deps.ownerOnlyTokens.issue(updated, authorization, { revokeExisting: true });
    }
    return {
      consumer: updated,
      changed: true,
      ...(newSecret ? { secret: hmacDBSecret(newSecret, this.#deps.secretKey) } : {}),
      ...(ownerAccess ? { ownerAccess } : {}),
      ...(ownerAccessToken ? { ownerAccessToken } : {}),
    };
  }

  /**
   * Proposals nobody reviewed within `$wgMWOAuthRequestExpirationAge` become expired
   * (Utils::runAutoMaintenance). Cheap when there is nothing to do (an indexed lookup), so it runs
   * on list-page views and from the periodic job. Returns how many expired.
   */
  async expireIdleProposals(now: Date = new Date()): Promise<number> {
    const age = this.#deps.requestExpirationAge;
    if (age <= 0) return 0;
    const cutoff = toMwTimestamp(new Date(now.getTime() - age * 1000));
    const { consumers } = await this.#deps.consumers.list({ stage: 'proposed', stageTimestampBefore: cutoff, includeDeleted: true, limit: EXPIRY_BATCH });
    let expired = 0;
    for (const consumer of consumers) {
      const changed = await this.#deps.consumers.updateIf(
        consumer.id,
        { stage: 'proposed', stageTimestamp: consumer.stageTimestamp },
        { stage: 'expired', stageTimestamp: toMwTimestamp(now) },
      );
      if (!changed) continue;
      expired++;
      const idleDays = Math.floor((now.getTime() - fromMwTimestamp(consumer.stageTimestamp).getTime()) / 86_400_000);
      await this.#logEntry('expire', 0, consumer, `Not reviewed for ${idleDays} days`);
    }
    return expired;
  }

  #checkChangeToken(actor: Actor, consumer: Consumer, token: string): void {
    if (typeof token !== 'string' || token !== changeToken(consumer, actor)) {
      throw new DomainError('change_conflict', 'Someone changed the attributes of this consumer as you viewed it. Please try again. You may want to check the change log.');
    }
  }

  /** Compare-and-set on what the change token covered, so a concurrent change loses cleanly. */
  async #write(consumer: Consumer, changes: ConsumerChanges): Promise<Consumer> {
    const expected: ConsumerChanges = {
      stage: consumer.stage,
      stageTimestamp: consumer.stageTimestamp,
      deleted: consumer.deleted,
      secretKey: consumer.secretKey,
      restrictions: consumer.restrictions,
      rsaKey: consumer.rsaKey,
    };
    if (!(await this.#deps.consumers.updateIf(consumer.id, expected, changes))) {
      throw new DomainError('change_conflict', 'Someone changed the attributes of this consumer as you viewed it. Please try again. You may want to check the change log.');
    }
    const updated = await this.#deps.consumers.findById(consumer.id);
    if (!updated) throw new NotFoundError(`The consumer "${consumer.key}"`);
    return updated;
  }

  async #logEntry(action: ConsumerLogAction, actor: number, consumer: Consumer, comment: string): Promise<void> {
    await this.#deps.log.append({ action, actor, targetUser: consumer.ownerId, consumerKey: consumer.key, comment, timestamp: toMwTimestamp() });
  }
}

/** Reasons: one line of at most 255 characters (ConsumerSubmitControl `/^.{0,255}$/`). */
export function checkReason(reason: string, opts: { required: boolean }): string {
  const trimmed = reason.trim();
  if (opts.required && trimmed === '') throw new DomainError('reason_required', 'Please give a reason');
  if ([...trimmed].length > MAX_REASON || /\p{Cc}/u.test(trimmed)) {
    throw new DomainError('invalid_reason', `The reason must be one line of at most ${MAX_REASON} characters`);
  }
  return trimmed;
}
