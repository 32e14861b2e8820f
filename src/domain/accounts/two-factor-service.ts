import { NO_SESSIONS, type SessionGenerations } from './session-generations.js';
import { useScratchToken, type OathKey, type TotpVerifier } from './two-factor.js';

/**
 * A user's enrolment as stored. `key` is undefined when a row exists that wikiauth cannot check (another
 * module such as WebAuthn, an encrypted secret, unreadable data): the user counts as enrolled and no
 * code is accepted, so an enrolment is never silently skipped. `revision` is opaque: what `replace`
 * compares against, so two sign-ins cannot spend one scratch token.
 */
export interface Enrolment {
  readonly userId: number;
  readonly key: OathKey | undefined;
  readonly revision: string;
}

/** Where enrolments live: OATHAuth's `oathauth_users` (1.39) or `oathauth_devices` (1.41+). */
export interface EnrolmentRepository {
  find(userId: number): Promise<Enrolment | undefined>;
  /** Insert or replace the user's TOTP enrolment. */
  save(userId: number, key: OathKey): Promise<void>;
  /** Replace only if the stored enrolment is still `previous` (compare-and-set); false otherwise. */
  replace(previous: Enrolment, key: OathKey): Promise<boolean>;
  /** Remove the user's TOTP enrolment; false if there was none. */
  delete(userId: number): Promise<boolean>;
}

/**
 * The TOTP steps a user has used, shared by every instance (OATHAuth keeps the last one in its stash for
 * 270 s, the window's width: an older step is outside the window anyway).
 */
export interface UsedTotpSteps {
  last(userId: number): Promise<number | undefined>;
  /** Atomically claim a step: true for exactly one caller; remembers it as the last used. */
  claim(userId: number, step: number): Promise<boolean>;
}

/** How the second factor was given: an authenticator's code or a single-use scratch token. */
export type SecondFactorMethod = 'totp' | 'scratch';

/**
 * Two-factor authentication as Extension:OATHAuth does it (docs/sign-in.md, "Two-factor
 * authentication"). Names used by the sign-in and the enrolment pages: `isEnrolled`,
 * `verifySecondFactor`, `confirmNewKey`, `enrol`, `disable`.
 */
export class TwoFactorService {
  readonly #enrolments: EnrolmentRepository;
  readonly #steps: UsedTotpSteps;
  readonly #totp: TotpVerifier;
  readonly #sessions: SessionGenerations;
  readonly #nowSeconds: () => number;

  constructor(deps: { enrolments: EnrolmentRepository; steps: UsedTotpSteps; totp: TotpVerifier; sessions?: SessionGenerations; nowSeconds?: () => number }) {
    this.#enrolments = deps.enrolments;
    this.#steps = deps.steps;
    this.#totp = deps.totp;
    this.#sessions = deps.sessions ?? NO_SESSIONS;
    this.#nowSeconds = deps.nowSeconds ?? (() => Date.now() / 1000);
  }

  async isEnrolled(userId: number): Promise<boolean> {
    return (await this.#enrolments.find(userId)) !== undefined;
  }

  /** The enrolment, for pages that show whether it can be checked here. */
  async enrolment(userId: number): Promise<Enrolment | undefined> {
    return this.#enrolments.find(userId);
  }

  /**
   * Checks a code: a TOTP code of a step after the last one used (each step once, on every instance),
   * or a scratch token, which is spent (the enrolment re-saved without it). Undefined when nothing
   * matched, the user is not enrolled or the enrolment cannot be checked here.
   */
  async verifySecondFactor(userId: number, code: string): Promise<SecondFactorMethod | undefined> {
    const enrolment = await this.#enrolments.find(userId);
    if (!enrolment?.key) return undefined;
    const step = await this.#totp.verify(enrolment.key.secret, code, await this.#steps.last(userId), this.#nowSeconds());
    if (step !== undefined) return (await this.#steps.claim(userId, step)) ? 'totp' : undefined;
    const spent = useScratchToken(enrolment.key, code);
    if (spent && (await this.#enrolments.replace(enrolment, spent))) return 'scratch';
    return undefined;
  }

  /**
   * A first code for a key not saved yet (the enrolment page's confirmation): true when it matches,
   * and its step is used up, as OATHAuth's enabling consumes the code.
   */
  async confirmNewKey(userId: number, key: OathKey, code: string): Promise<boolean> {
    const step = await this.#totp.verify(key.secret, code, await this.#steps.last(userId), this.#nowSeconds());
    return step !== undefined && (await this.#steps.claim(userId, step));
  }

  /** Turns two-factor on (or replaces the key). The enrolment pages confirm a first code before calling this. */
  async enrol(userId: number, key: OathKey): Promise<void> {
    await this.#enrolments.save(userId, key);
  }

  /** Turns two-factor off and ends every site session of the user (docs/sign-in.md, "Sessions"). */
  async disable(userId: number): Promise<boolean> {
    const removed = await this.#enrolments.delete(userId);
    if (removed) await this.#sessions.bump(userId);
    return removed;
  }
}
