import { DomainError, UnavailableError, type DomainErrorCode } from '../domain/errors.js';

/** What the sign-in form says, in MediaWiki's words (its `wrongpassword`, `login-throttled`, `sessionfailure`; OATHAuth's for the code). */
export const LOGIN_MESSAGES = {
  failed: 'Incorrect username or password entered. Please try again.',
  blocked: 'This account is blocked and cannot log in.',
  throttled: 'You have made too many recent login attempts. Please wait 5 minutes before trying again.',
  sessionFailure:
    'There seems to be a problem with your login session; this action has been canceled as a precaution against session hijacking. Please resubmit the form.',
  // OATHAuth's oathauth-login-failed and oathauth-throttled, and the expiry of a pending sign-in.
  codeFailed: 'Verification failed.',
  codeThrottled: 'Too many verification attempts! Please wait 1 minute.',
  codeExpired: 'Your login session has expired or had too many verification attempts. Please log in again.',
} as const;

/**
 * The sign-in edge's one table from domain codes to its form's message. Every refusal not named
 * here reads as a failed login: one message for an unknown user and a wrong password
 * (docs/architecture.md §9).
 */
const MESSAGE_BY_CODE: Partial<Record<DomainErrorCode, string>> = {
  user_blocked: LOGIN_MESSAGES.blocked,
};

/** The form's message for a refused sign-in, or undefined when the error is the error edge's (an outage, a bug). */
export function loginRefusal(err: unknown): string | undefined {
  if (!(err instanceof DomainError) || err instanceof UnavailableError) return undefined;
  return MESSAGE_BY_CODE[err.code] ?? LOGIN_MESSAGES.failed;
}
