import { describe, expect, it } from 'vitest';
import type { Actor } from '../../../src/domain/accounts/actor.js';
import { rightsForGroups, effectiveGroups } from '../../../src/domain/accounts/rights.js';
import { STAGES, type Stage } from '../../../src/domain/consumers/consumer.js';
import {
  checkOwnerUpdate,
  checkPropose,
  checkVisible,
  ownerDisableOutcome,
  REVIEW_ACTIONS,
  reviewChoices,
  reviewOutcome,
  TransitionError,
  type ReviewAction,
} from '../../../src/domain/consumers/consumer-transitions.js';
import { DomainError, PermissionError } from '../../../src/domain/errors.js';

function actor(groups: string[], opts: Partial<Actor> = {}): Actor {
  return {
    id: 7,
    name: 'Someone',
    email: 'someone@example.org',
    emailConfirmed: true,
    blocked: false,
    rights: new Set(rightsForGroups(effectiveGroups(groups))),
    ...opts,
  };
}

// The default group rights (docs/architecture.md §4): users propose and update their own consumers; sysops
// manage consumers; bureaucrats suppress and see suppressed consumers.
const USER = actor([]);
const SYSOP = actor(['sysop']);
const SUPPRESSOR = actor(['sysop', 'bureaucrat']);
const BLOCKED_SUPPRESSOR = actor(['sysop', 'bureaucrat'], { blocked: true });

/**
 * MediaWiki's transitions written out independently of the code under test
 * (ConsumerSubmitControl::processAction, docs/mediawiki-compat.md §2).
 */
function expected(action: ReviewAction, from: Stage, deleted: boolean, suppress: boolean, who: Actor): { right: string } | { code: string } | { stage: Stage; deleted: boolean } {
  if (!who.rights.has('mwoauthmanageconsumer') || who.blocked) return { right: 'mwoauthmanageconsumer' };
  if (suppress && (action === 'approve' || action === 'reenable')) return { code: 'invalid_suppress' };
  if (suppress && !who.rights.has('mwoauthsuppress')) return { right: 'mwoauthsuppress' };
  const table: Record<ReviewAction, () => { code: string } | { stage: Stage; deleted: boolean }> = {
    approve: () => (['proposed', 'expired', 'rejected'].includes(from) ? { stage: 'approved', deleted: false } : { code: 'not_proposed' }),
    reject: () => (from === 'proposed' ? { stage: 'rejected', deleted: suppress } : { code: 'not_proposed' }),
    disable: () => (from === 'approved' || (from === 'disabled' && deleted !== suppress) ? { stage: 'disabled', deleted: suppress } : { code: 'not_approved' }),
    reenable: () => (from === 'disabled' ? { stage: 'approved', deleted: false } : { code: 'not_disabled' }),
  };
  const outcome = table[action]();
  if ('code' in outcome) return outcome;
  if (deleted && !who.rights.has('mwoauthsuppress')) return { right: 'mwoauthsuppress' };
  return outcome;
}

function refusal(run: () => unknown): unknown {
  try {
    return { value: run() };
  } catch (err) {
    return err;
  }
}

const ACTORS = [
  ['a plain user', USER],
  ['a sysop', SYSOP],
  ['a sysop who may suppress', SUPPRESSOR],
  ['a blocked sysop who may suppress', BLOCKED_SUPPRESSOR],
] as const;

describe('review transitions (approve, reject, disable, reenable)', () => {
  const cases = ACTORS.flatMap(([who, a]) =>
    REVIEW_ACTIONS.flatMap((action) =>
      STAGES.flatMap((stage) =>
        [false, true].flatMap((deleted) => [false, true].map((suppress) => ({ who, actor: a, action, stage, deleted, suppress }))),
      ),
    ),
  );

  it('covers every action × stage × suppression × actor combination', () => {
    expect(cases).toHaveLength(4 * 4 * 5 * 2 * 2);
  });

  it.each(cases)('$who: $action from $stage (deleted=$deleted, suppress=$suppress)', ({ actor: a, action, stage, deleted, suppress }) => {
    const want = expected(action, stage, deleted, suppress, a);
    const got = refusal(() => reviewOutcome({ stage, deleted }, action, a, suppress));
    if ('right' in want) {
      expect(got).toBeInstanceOf(PermissionError);
      expect((got as PermissionError).right).toBe(want.right);
      expect((got as PermissionError).message).toContain(want.right);
    } else if ('code' in want) {
      expect(got).toBeInstanceOf(DomainError);
      expect(got).not.toBeInstanceOf(PermissionError);
      expect((got as DomainError).code).toBe(want.code);
      if (want.code !== 'invalid_suppress') {
        expect(got).toBeInstanceOf(TransitionError);
        expect((got as TransitionError).message).toContain(stage);
      }
    } else {
      expect(got).toEqual({ value: want });
    }
  });

  it('the allowed transitions are exactly MediaWiki\'s', () => {
    const allowed = STAGES.flatMap((stage) =>
      REVIEW_ACTIONS.filter((action) => {
        try {
          reviewOutcome({ stage, deleted: false }, action, SUPPRESSOR);
          return true;
        } catch {
          return false;
        }
      }).map((action) => `${stage} -${action}-> ${reviewOutcome({ stage, deleted: false }, action, SUPPRESSOR).stage}`),
    );
    expect(allowed.sort()).toEqual(
      [
        'proposed -approve-> approved',
        'proposed -reject-> rejected',
        'expired -approve-> approved',
        'rejected -approve-> approved',
        'approved -disable-> disabled',
        'disabled -reenable-> approved',
      ].sort(),
    );
  });

  it('offers the review form only the choices that would succeed', () => {
    expect(reviewChoices({ stage: 'proposed', deleted: false }, SYSOP)).toEqual([
      { action: 'approve', suppress: false },
      { action: 'reject', suppress: false },
    ]);
    expect(reviewChoices({ stage: 'proposed', deleted: false }, SUPPRESSOR)).toEqual([
      { action: 'approve', suppress: false },
      { action: 'reject', suppress: false },
      { action: 'reject', suppress: true },
    ]);
    expect(reviewChoices({ stage: 'disabled', deleted: false }, SUPPRESSOR)).toEqual([
      { action: 'disable', suppress: true },
      { action: 'reenable', suppress: false },
    ]);
    expect(reviewChoices({ stage: 'disabled', deleted: true }, SYSOP)).toEqual([]);
    expect(reviewChoices({ stage: 'approved', deleted: false }, USER)).toEqual([]);
  });
});

describe('the owner\'s update', () => {
  const owner = (a: Actor) => ({ ...a, id: 7 });
  const cases = STAGES.flatMap((stage) =>
    [false, true].flatMap((deleted) =>
      [
        ['the owner', owner(USER)],
        ['the owner without mwoauthupdateownconsumer', { ...owner(USER), rights: new Set([...USER.rights].filter((r) => r !== 'mwoauthupdateownconsumer')) }],
        ['a blocked owner', { ...owner(USER), blocked: true }],
        ['the owner who may suppress', owner(SUPPRESSOR)],
        ['another user, even an administrator', { ...SUPPRESSOR, id: 8 }],
      ].map(([who, a]) => ({ who: who as string, actor: a as Actor, stage, deleted })),
    ),
  );

  it.each(cases)('$who updates a $stage consumer (deleted=$deleted)', ({ actor: a, stage, deleted }) => {
    const got = refusal(() => checkOwnerUpdate({ stage, deleted, ownerId: 7 }, a));
    if (!a.rights.has('mwoauthupdateownconsumer') || a.blocked || a.id !== 7) {
      expect(got).toBeInstanceOf(PermissionError);
      expect((got as PermissionError).right).toBe('mwoauthupdateownconsumer');
      expect((got as PermissionError).message).toContain('mwoauthupdateownconsumer');
    } else if (stage !== 'proposed' && stage !== 'approved') {
      expect(got).toBeInstanceOf(TransitionError);
      expect((got as TransitionError).code).toBe('not_accepted');
    } else if (deleted && !a.rights.has('mwoauthsuppress')) {
      expect(got).toBeInstanceOf(PermissionError);
      expect((got as PermissionError).right).toBe('mwoauthsuppress');
      expect((got as PermissionError).message).toContain('mwoauthsuppress');
    } else {
      expect(got).toEqual({ value: undefined });
    }
  });

  // wikiauth's addition: the owner disables an approved consumer (the same rights as an update).
  it.each(cases)('$who disables a $stage consumer (deleted=$deleted)', ({ actor: a, stage, deleted }) => {
    const got = refusal(() => ownerDisableOutcome({ stage, deleted, ownerId: 7 }, a));
    if (!a.rights.has('mwoauthupdateownconsumer') || a.blocked || a.id !== 7) {
      expect(got).toBeInstanceOf(PermissionError);
      expect((got as PermissionError).right).toBe('mwoauthupdateownconsumer');
    } else if (stage !== 'approved') {
      expect(got).toBeInstanceOf(TransitionError);
      expect((got as TransitionError).code).toBe('not_approved');
    } else if (deleted && !a.rights.has('mwoauthsuppress')) {
      expect(got).toBeInstanceOf(PermissionError);
      expect((got as PermissionError).right).toBe('mwoauthsuppress');
    } else {
      expect(got).toEqual({ value: { stage: 'disabled', deleted } });
    }
  });
});

describe('proposing and viewing', () => {
  it('lets a user with a confirmed email propose', () => {
    expect(() => checkPropose(USER)).not.toThrow();
  });

  it('refuses a user without mwoauthproposeconsumer, naming the right', () => {
    const got = refusal(() => checkPropose({ ...USER, rights: new Set(['read']) }));
    expect(got).toBeInstanceOf(PermissionError);
    expect((got as PermissionError).right).toBe('mwoauthproposeconsumer');
    expect((got as Error).message).toContain('mwoauthproposeconsumer');
  });

  it('refuses a blocked user, naming the right', () => {
    const got = refusal(() => checkPropose({ ...USER, blocked: true }));
    expect((got as PermissionError).right).toBe('mwoauthproposeconsumer');
    expect((got as Error).message).toMatch(/blocked/);
  });

  it('refuses a user whose email is not confirmed', () => {
    expect(refusal(() => checkPropose({ ...USER, emailConfirmed: false }))).toMatchObject({ code: 'email_not_confirmed' });
  });

  it('hides a suppressed consumer without mwoauthviewsuppressed', () => {
    expect(() => checkVisible({ deleted: false }, undefined)).not.toThrow();
    expect(() => checkVisible({ deleted: true }, SUPPRESSOR)).not.toThrow();
    for (const viewer of [undefined, USER, SYSOP]) {
      const got = refusal(() => checkVisible({ deleted: true }, viewer));
      expect(got).toBeInstanceOf(PermissionError);
      expect((got as PermissionError).right).toBe('mwoauthviewsuppressed');
    }
  });
});
