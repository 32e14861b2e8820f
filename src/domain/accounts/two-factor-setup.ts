import type { TwoFactorService } from './two-factor-service.js';
import { useScratchToken, type OathKey } from './two-factor.js';

/** What the pages use of the two-factor service; its `disable` also ends the user's sessions. */
export type Enrolments = Pick<TwoFactorService, 'isEnrolled' | 'confirmNewKey' | 'enrol' | 'verifySecondFactor' | 'disable'>;

/**
 * A key shown to the user but not yet confirmed, kept between the enrolment page and its form
 * (OATHAuth keeps it in the session as `oathauth_totp_key`). One per user; it expires.
 */
export interface PendingOathKeys {
  find(userId: number): Promise<OathKey | undefined>;
  keep(userId: number, key: OathKey, ttlSeconds: number): Promise<void>;
  forget(userId: number): Promise<void>;
}

/** Long enough to install an app and scan the code; an expired key is replaced by a new one. */
const PENDING_KEY_LIFETIME_SECONDS = 30 * 60;

export interface TwoFactorSetupDeps {
  readonly enrolments: Enrolments;
  readonly pending: PendingOathKeys;
  readonly newKey: () => OathKey;
}

/** The enrolment page: a key to show, or none because two-factor is already on (its secret is never shown again). */
export type EnrolmentStart = { readonly enrolled: true } | { readonly enrolled: false; readonly secret: string };

export type ConfirmOutcome =
  /** The scratch tokens, to be shown this once. */
  | { readonly outcome: 'enabled'; readonly scratchTokens: readonly string[] }
  | { readonly outcome: 'wrong_code' }
  /** OATHAuth refuses a recovery code as the confirming code: it proves nothing about the app. */
  | { readonly outcome: 'scratch_token' }
  /** No key is pending (it expired, or another tab already confirmed it). */
  | { readonly outcome: 'no_pending_key' }
  | { readonly outcome: 'already_enrolled' };

export type DisableOutcome = 'disabled' | 'wrong_code' | 'not_enrolled';

/**
 * Turning two-factor authentication on and off for oneself (Special:OATHManage). Turning it off
 * needs the second factor and ends every site session of the user (docs/sign-in.md, "Sessions").
 */
export class TwoFactorSetup {
  readonly #deps: TwoFactorSetupDeps;

  constructor(deps: TwoFactorSetupDeps) {
    this.#deps = deps;
  }

  isEnrolled(userId: number): Promise<boolean> {
    return this.#deps.enrolments.isEnrolled(userId);
  }

  /** The pending key's secret (a new key when none is pending), unless the user is enrolled. */
  async start(userId: number): Promise<EnrolmentStart> {
    if (await this.#deps.enrolments.isEnrolled(userId)) return { enrolled: true };
    let key = await this.#deps.pending.find(userId);
    if (!key) {
      key = this.#deps.newKey();
      await this.#deps.pending.keep(userId, key, PENDING_KEY_LIFETIME_SECONDS);
    }
    return { enrolled: false, secret: key.secret };
  }

  /** The first code from the app turns the pending key into the user's enrolment; that code is used up. */
  async confirm(userId: number, code: string): Promise<ConfirmOutcome> {
    if (await this.#deps.enrolments.isEnrolled(userId)) return { outcome: 'already_enrolled' };
    const key = await this.#deps.pending.find(userId);
    if (!key) return { outcome: 'no_pending_key' };
    if (useScratchToken(key, code)) return { outcome: 'scratch_token' };
    if (!(await this.#deps.enrolments.confirmNewKey(userId, key, code))) return { outcome: 'wrong_code' };
    await this.#deps.enrolments.enrol(userId, key);
    await this.#deps.pending.forget(userId);
    return { outcome: 'enabled', scratchTokens: key.scratchTokens };
  }

  /** The user turns it off, proving the second factor with a current code or a scratch token. */
  async disable(userId: number, code: string): Promise<DisableOutcome> {
    if (!(await this.#deps.enrolments.isEnrolled(userId))) return 'not_enrolled';
    if ((await this.#deps.enrolments.verifySecondFactor(userId, code)) === undefined) return 'wrong_code';
    return (await this.#deps.enrolments.disable(userId)) ? 'disabled' : 'not_enrolled';
  }
}
