import { DomainError, type DomainErrorCode } from '../domain/errors.js';

/**
 * The management pages' one table from domain codes to answers: a refusal the user can correct is
 * shown on the form they sent (400, their input kept); a missing right, a consumer that does not
 * exist and an outage are the error edge's page (403, 404, 503: src/http/error-edge.ts).
 */
const ANSWER: Readonly<Record<DomainErrorCode, 'form' | 'page'>> = {
  bad_request: 'form',
  bad_csrf_token: 'form',
  request_too_large: 'form',
  not_logged_in: 'form',
  session_mismatch: 'form',
  unknown_prompt: 'form',
  invalid_action: 'form',
  agreement_required: 'form',
  user_exists: 'form',
  invalid_user_name: 'form',
  invalid_email: 'form',
  invalid_password: 'form',
  login_failed: 'form',
  user_blocked: 'form',
  not_blocked: 'form',
  not_enrolled: 'form',
  wiki_blocks: 'form',
  invalid_name: 'form',
  invalid_version: 'form',
  version_not_newer: 'form',
  invalid_description: 'form',
  invalid_callback_url: 'form',
  invalid_callback_is_prefix: 'form',
  invalid_grant_name: 'form',
  invalid_grant_type: 'form',
  invalid_restrictions: 'form',
  invalid_rsa_key: 'form',
  invalid_reason: 'form',
  reason_required: 'form',
  invalid_suppress: 'form',
  owner_needs_email: 'form',
  email_not_confirmed: 'form',
  email_mismatched: 'form',
  change_conflict: 'form',
  not_proposed: 'form',
  not_approved: 'form',
  not_disabled: 'form',
  not_accepted: 'form',
  not_oauth2: 'form',
  invalid_client_metadata: 'form',
  not_authorized: 'form',
  no_signing_key: 'form',
  bad_key: 'form',
  unknown_key: 'form',
  key_in_use: 'form',
  key_still_needed: 'form',
  already_retired: 'form',
  invalid_delay: 'form',
  schema_outdated: 'form',
  not_a_wiki_database: 'form',
  temporarily_unavailable: 'page',
  invalid_token: 'form',
  permission_denied: 'page',
  not_found: 'page',
};

/** The message to show on the form, or undefined when the error belongs to the error edge. */
export function formError(err: unknown): string | undefined {
  return err instanceof DomainError && ANSWER[err.code] === 'form' ? err.message : undefined;
}
