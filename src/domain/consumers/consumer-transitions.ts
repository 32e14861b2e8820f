import { hasRight, requireRight, type Actor } from '../accounts/actor.js';
import { DomainError, PermissionError, type DomainErrorCode } from '../errors.js';
import type { Consumer, Stage } from './consumer.js';

/*
 * The consumer state machine (MediaWiki's ConsumerSubmitControl, docs/mediawiki-compat.md §2):
 *
 *   propose ─┬─▶ proposed ──approve──▶ approved ◀──reenable── disabled
 *            │     │  │                   │  ▲                  ▲  │
 *            │     │  └─reject─▶ rejected │  └──────disable─────┼──┘ (disable again: change the
 *            │     │               │      │                     │     suppression flag only)
 *            │     └─(idle)─▶ expired     └─────────────────────┘
 *            │                 │  │
 *            │   approve ◀─────┘  └── rejected/expired ──approve──▶ approved
 *            └─▶ approved (owner-only or auto-approved proposals)
 *
 * Rights: propose `mwoauthproposeconsumer`; the owner's update `mwoauthupdateownconsumer`; review
 * actions `mwoauthmanageconsumer`; suppressing (reject/disable with suppress) or touching a
 * suppressed consumer `mwoauthsuppress`. A blocked user may do none of it. Refusals for a missing
 * right are PermissionErrors naming the right; refusals for a stage are DomainErrors naming it.
 */

export const REVIEW_ACTIONS = ['approve', 'reject', 'disable', 'reenable'] as const;
export type ReviewAction = (typeof REVIEW_ACTIONS)[number];

/** Where each review action may start (ConsumerSubmitControl::processAction). */
export const REVIEW_FROM: Readonly<Record<ReviewAction, readonly Stage[]>> = {
  approve: ['proposed', 'expired', 'rejected'],
  reject: ['proposed'],
  disable: ['approved', 'disabled'],
  reenable: ['disabled'],
};

const REVIEW_TO: Readonly<Record<ReviewAction, Stage>> = { approve: 'approved', reject: 'rejected', disable: 'disabled', reenable: 'approved' };
const SUPPRESSIBLE: ReadonlySet<ReviewAction> = new Set(['reject', 'disable']);

export interface ReviewOutcome {
  readonly stage: Stage;
  readonly deleted: boolean;
}

/** MediaWiki's error keys for a review action tried from the wrong stage. */
const WRONG_STAGE: Readonly<Record<ReviewAction, { code: DomainErrorCode; message: string }>> = {
  approve: { code: 'not_proposed', message: 'The consumer is not currently proposed' },
  reject: { code: 'not_proposed', message: 'The consumer is not currently proposed' },
  disable: { code: 'not_approved', message: 'The consumer is not approved (it may have been disabled)' },
  reenable: { code: 'not_disabled', message: 'The consumer is not currently disabled' },
};

/** A transition the consumer's stage does not allow. */
export class TransitionError extends DomainError {
  readonly from: Stage;
  readonly action: string;

  constructor(code: DomainErrorCode, message: string, from: Stage, action: string) {
    super(code, `${message} (it is ${from}; "${action}" is not possible)`);
    this.name = 'TransitionError';
    this.from = from;
    this.action = action;
  }
}

/** An administrator's review action: the new stage and suppression flag, or a refusal. */
export function reviewOutcome(
  consumer: Pick<Consumer, 'stage' | 'deleted'>,
  action: ReviewAction,
  actor: Pick<Actor, 'rights' | 'blocked'>,
  suppress = false,
): ReviewOutcome {
  requireRight(actor, 'mwoauthmanageconsumer');
  if (suppress && !SUPPRESSIBLE.has(action)) {
    throw new DomainError('invalid_suppress', `"${action}" cannot suppress a consumer; only reject and disable can`);
  }
  if (suppress) requireRight(actor, 'mwoauthsuppress');
  const allowed = REVIEW_FROM[action].includes(consumer.stage);
  // Disabling a disabled consumer only changes whether it is suppressed.
  const noChange = action === 'disable' && consumer.stage === 'disabled' && consumer.deleted === suppress;
  if (!allowed || noChange) {
    const { code, message } = WRONG_STAGE[action];
    throw new TransitionError(code, message, consumer.stage, action);
  }
  if (consumer.deleted && !hasRight(actor, 'mwoauthsuppress')) {
    throw new PermissionError('mwoauthsuppress', 'This consumer is suppressed; changing it needs the "mwoauthsuppress" right');
  }
  return { stage: REVIEW_TO[action], deleted: SUPPRESSIBLE.has(action) ? suppress : false };
}

/** The owner's update (restrictions, RSA key, secret reset): only in the proposed or approved stage. */
export function checkOwnerUpdate(consumer: Pick<Consumer, 'stage' | 'deleted' | 'ownerId'>, actor: Pick<Actor, 'id' | 'rights' | 'blocked'>): void {
  requireRight(actor, 'mwoauthupdateownconsumer');
  if (consumer.ownerId !== actor.id) {
    throw new PermissionError('mwoauthupdateownconsumer', 'Only the owner of an application can update it with the "mwoauthupdateownconsumer" right');
  }
  if (consumer.stage !== 'proposed' && consumer.stage !== 'approved') {
    throw new TransitionError('not_accepted', 'Only a proposed or approved consumer can be updated', consumer.stage, 'update');
  }
  if (consumer.deleted && !hasRight(actor, 'mwoauthsuppress')) {
    throw new PermissionError('mwoauthsuppress', 'This consumer is suppressed; changing it needs the "mwoauthsuppress" right');
  }
}

/**
 * The owner withdraws their own approved consumer (wikiauth's addition, docs/mediawiki-compat.md
 * "Owners disabling their consumer"): the owner's update right, as for an update; only an approved
 * consumer. Re-enabling stays an administrator's review action.
 */
export function ownerDisableOutcome(consumer: Pick<Consumer, 'stage' | 'deleted' | 'ownerId'>, actor: Pick<Actor, 'id' | 'rights' | 'blocked'>): ReviewOutcome {
  requireRight(actor, 'mwoauthupdateownconsumer');
  if (consumer.ownerId !== actor.id) {
    throw new PermissionError('mwoauthupdateownconsumer', 'Only the owner of an application can disable it this way; administrators use the review page');
  }
  if (consumer.stage !== 'approved') {
    const { code, message } = WRONG_STAGE.disable;
    throw new TransitionError(code, message, consumer.stage, 'disable');
  }
  if (consumer.deleted && !hasRight(actor, 'mwoauthsuppress')) {
    throw new PermissionError('mwoauthsuppress', 'This consumer is suppressed; changing it needs the "mwoauthsuppress" right');
  }
  return { stage: 'disabled', deleted: consumer.deleted };
}

/** Proposing a consumer: the right, an unblocked account and a confirmed email address. */
export function checkPropose(actor: Pick<Actor, 'rights' | 'blocked' | 'emailConfirmed'>): void {
  requireRight(actor, 'mwoauthproposeconsumer');
  if (!actor.emailConfirmed) {
    throw new DomainError('email_not_confirmed', 'Your account email address has not yet been confirmed.');
  }
}

/** Seeing a suppressed consumer at all needs `mwoauthviewsuppressed`. */
export function checkVisible(consumer: Pick<Consumer, 'deleted'>, actor: Pick<Actor, 'rights'> | undefined): void {
  if (consumer.deleted && !hasRight(actor, 'mwoauthviewsuppressed')) {
    throw new PermissionError('mwoauthviewsuppressed', 'This consumer is suppressed; seeing it needs the "mwoauthviewsuppressed" right');
  }
}

/**
 * The review form's choices for this consumer and administrator (SpecialMWOAuthManageConsumers):
 * pending → approve / reject / reject and suppress; approved or disabled → disable / disable and
 * suppress / re-enable.
 */
export function reviewChoices(consumer: Pick<Consumer, 'stage' | 'deleted'>, actor: Pick<Actor, 'rights' | 'blocked'>): Array<{ action: ReviewAction; suppress: boolean }> {
  const candidates: Array<{ action: ReviewAction; suppress: boolean }> = [
    { action: 'approve', suppress: false },
    { action: 'reject', suppress: false },
    { action: 'reject', suppress: true },
    { action: 'disable', suppress: false },
    { action: 'disable', suppress: true },
    { action: 'reenable', suppress: false },
  ];
  return candidates.filter(({ action, suppress }) => {
    try {
      reviewOutcome(consumer, action, actor, suppress);
      return true;
    } catch {
      return false;
    }
  });
}
