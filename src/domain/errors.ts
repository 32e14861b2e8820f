/**
 * Every code a DomainError may carry: a closed list, so each edge's table from codes to its wire
 * format (docs/architecture.md §6) is checked to cover them all.
 */
export type DomainErrorCode =
  // Requests the edges refuse before the domain is asked.
  | 'bad_request'
  | 'bad_csrf_token'
  | 'request_too_large'
  | 'not_logged_in'
  | 'session_mismatch'
  | 'unknown_prompt'
  | 'invalid_action'
  | 'agreement_required'
  // Accounts.
  | 'user_exists'
  | 'invalid_user_name'
  | 'invalid_email'
  | 'invalid_password'
  | 'login_failed'
  | 'user_blocked'
  | 'not_blocked'
  | 'wiki_blocks'
  | 'not_enrolled'
  // Consumers and their registration.
  | 'invalid_name'
  | 'invalid_version'
  | 'version_not_newer'
  | 'invalid_description'
  | 'invalid_callback_url'
  | 'invalid_callback_is_prefix'
  | 'invalid_grant_name'
  | 'invalid_grant_type'
  | 'invalid_restrictions'
  | 'invalid_rsa_key'
  | 'invalid_reason'
  | 'reason_required'
  | 'invalid_suppress'
  | 'owner_needs_email'
  | 'email_not_confirmed'
  | 'email_mismatched'
  | 'change_conflict'
  | 'not_proposed'
  | 'not_approved'
  | 'not_disabled'
  | 'not_accepted'
  | 'not_oauth2'
  | 'invalid_client_metadata'
  // Authorizations.
  | 'not_authorized'
  // Signing keys.
  | 'no_signing_key'
  | 'bad_key'
  | 'unknown_key'
  | 'key_in_use'
  | 'key_still_needed'
  | 'already_retired'
  | 'invalid_delay'
  // Storage.
  | 'schema_outdated'
  | 'not_a_wiki_database'
  | 'temporarily_unavailable'
  // Access.
  | 'invalid_token'
  | 'permission_denied'
  | 'not_found';

/**
 * Domain errors carry a stable `code`; each edge (HTTP, OAuth 1.0a, CLI) translates them once
 * into its own wire format. Programmer misuse stays a plain TypeError.
 */
export class DomainError extends Error {
  readonly code: DomainErrorCode;

  constructor(code: DomainErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DomainError';
    this.code = code;
  }
}

/** A request that needs a right the actor lacks; `right` names it (MediaWiki's rights). */
export class PermissionError extends DomainError {
  readonly right: string;

  constructor(right: string, message = `This action needs the "${right}" right`) {
    super('permission_denied', message);
    this.name = 'PermissionError';
    this.right = right;
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string) {
    super('not_found', `${what} not found`);
    this.name = 'NotFoundError';
  }
}

/** A dependency (database, Redis) is unreachable: the HTTP edge answers 503. */
export class UnavailableError extends DomainError {
  readonly dependency: string;

  constructor(dependency: string, options?: { cause?: unknown }) {
    super('temporarily_unavailable', `${dependency} is unavailable`, options);
    this.name = 'UnavailableError';
    this.dependency = dependency;
  }
}
