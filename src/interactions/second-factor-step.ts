import { TWO_FACTORS } from '../domain/accounts/assurance.js';
import type { PasswordThrottle } from '../domain/accounts/password-throttle.js';
import type { TwoFactorService } from '../domain/accounts/two-factor-service.js';
import type { PendingSignIn, PendingSignIns } from '../http/pending-sign-in.js';

/** Codes one password entry allows; then the password is asked again (and counted by its throttle). */
export const CODES_PER_PASSWORD = 5;

export interface SecondFactorDeps {
  readonly pendingSignIns: Pick<PendingSignIns, 'checkCsrf' | 'countAttempt'>;
  /** Second-factor codes per account from every address (MediaWiki's `badoath` limit). */
  readonly codeThrottle: Pick<PasswordThrottle, 'attempt'>;
  readonly twoFactor: Pick<TwoFactorService, 'verifySecondFactor'>;
}

/**
 * What a posted code leads to: `expired` back to the password (no pending sign-in, or too many
 * codes for one password), `forged` (a CSRF token not of this pending sign-in), `throttled`,
 * `failed`, or `signedIn` with the factors to record.
 */
export type SecondFactorOutcome =
  | { readonly kind: 'expired' }
  | { readonly kind: 'forged' | 'throttled' | 'failed' }
  | { readonly kind: 'signedIn'; readonly userId: number; readonly amr: readonly string[] };

/**
 * The second page of a sign-in (docs/sign-in.md, "Sign-in flow"): a TOTP code or scratch token for the
 * user whose password was accepted. Each code counts against its pending sign-in and the `badoath`
 * throttle before it is checked.
 */
export async function checkSecondFactor(
  deps: SecondFactorDeps,
  pending: PendingSignIn | undefined,
  posted: { readonly csrfToken: unknown; readonly code: string; readonly ip: string },
): Promise<SecondFactorOutcome> {
  if (!pending) return { kind: 'expired' };
  if (!deps.pendingSignIns.checkCsrf(pending, posted.csrfToken)) return { kind: 'forged' };
  if ((await deps.pendingSignIns.countAttempt(pending)) > CODES_PER_PASSWORD) return { kind: 'expired' };
  if (!(await deps.codeThrottle.attempt(posted.ip, pending.userName))) return { kind: 'throttled' };
  if (!(await deps.twoFactor.verifySecondFactor(pending.userId, posted.code.slice(0, 64)))) return { kind: 'failed' };
  return { kind: 'signedIn', userId: pending.userId, amr: TWO_FACTORS };
}
