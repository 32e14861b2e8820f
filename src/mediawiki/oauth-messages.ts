/**
 * English texts of the messages Special:OAuth answers errors with, copied from the OAuth
 * extension's `i18n/en.json` (master @ 1cb9461e). `$N` are MediaWiki message parameters.
 * Wikitext (`[$1 contact]`, `[[$2]]`) and HTML spans stay literal: `Message::text()` and
 * `::escaped()`, which the raw/json error formats use, do not parse wikitext.
 */
export const EN_MESSAGES = {
  'mwoauth-oauth-exception': 'An error occurred in the OAuth protocol: $1',
  'mwoauth-bad-request-missing-params':
    "Sorry, something went wrong configuring this connected application. Contact the application's developer.\n\n" +
    '<span class="plainlinks mw-mwoautherror-details">OAuth missing parameters, $1</span>',
  'mwoauth-bad-request-invalid-action':
    "Sorry, something went wrong, you'll need to contact the application author for help with this.\n\n" +
    '<span class="plainlinks mw-mwoautherror-details">Unknown URL, $1</span>',
  'mwoauth-bad-request-invalid-action-contact':
    "Sorry, something went wrong. You'll need to [$1 contact] the application author for help with this.\n\n" +
    '<span class="plainlinks mw-mwoautherror-details">Unknown URL, $2</span>',
  'mwoauthdatastore-access-token-not-found': 'No approved grant was found for that authorization token.',
  'mwoauthdatastore-request-token-not-found':
    'Sorry, something went wrong connecting this application.\n' +
    'Go back and try to connect your account again, or contact the application author.\n\n' +
    '<span class="plainlinks mw-mwoautherror-details">OAuth token not found, $1</span>',
  'mwoauthdatastore-callback-not-found':
    'OAuth callback URL not found in cache. This is probably an error in how the application makes requests to the server.',
  'mwoauthdatastore-request-token-already-used':
    'This request has already been completed and cannot be resubmitted.\n' +
    'Go back to the application and try to connect your account again, or contact the application author.\n\n' +
    '<span class="plainlinks mw-mwoautherror-details">OAuth token already used, $1</span>',
  'mwoauthdatastore-bad-token': 'No token was found matching your request.',
  'mwoauthdatastore-bad-source-ip': 'The request came from an invalid IP address.',
  'mwoauthdatastore-bad-verifier': 'The verification code provided was not valid.',
  'mwoauthdatastore-invalid-token-type': 'The requested token type is invalid.',
  'mwoauthserver-bad-consumer':
    '"$1" is not approved as a Connected App. [$2 Contact] the application author for help.\n\n' +
    '<span class="plainlinks mw-mwoautherror-details">Connected OAuth app not approved.</span>',
  'mwoauthserver-bad-consumer-key':
    'Sorry, something went wrong connecting this application.\n\n' +
    '<span class="plainlinks mw-mwoautherror-details">Unknown OAuth key, $1</span>',
  'mwoauthserver-bad-consumer-version':
    "Sorry, something went wrong. You'll need to [$1 contact] the application author for help with this.\n\n" +
    '<span class="plainlinks mw-mwoautherror-details">Wrong OAuth version, $2</span>',
  'mwoauthserver-insufficient-rights':
    'Your account is not allowed to use Connected Apps, contact your site administrator to find out why.\n\n' +
    '<span class="plainlinks mw-mwoautherror-details">Insufficient OAuth user rights, $1</span>',
  'mwoauthserver-invalid-request-token': 'Invalid token in your request.',
  'mwoauthserver-invalid-user':
    'To use Connected Apps on this site, you must have an account across all projects. ' +
    'When you have an account on all projects, you can try to connect "$1" again.\n\n' +
    '<span class="plainlinks mw-mwoautherror-details">Unified login needed, $2</span>',
  'mwoauthserver-consumer-no-secret':
    'Sorry, something went wrong connecting this application.\n\n' +
    '<span class="plainlinks mw-mwoautherror-details">Consumer has no secret key, $1</span>',
  'mwoauthserver-consumer-owner-only':
    '"$1" is an owner-only Connected App. To fetch the access token, see [[$2]].\n\n' +
    '<span class="plainlinks mw-mwoautherror-details">Consumer is owner-only, $3</span>',
  'mwoauth-callback-not-oob': 'oauth_callback must be set, and must be set to "oob" (case-sensitive)',
  'mwoauth-callback-not-oob-or-prefix':
    'oauth_callback must be set, and must be set to "oob" (case-sensitive), ' +
    'or the configured callback must be a prefix of the supplied callback.',
  'mwoauth-oauth-unsupported-version': 'This endpoint is not allowed for OAuth version $1',
  'mwoauth-db-readonly': 'The OAuth database is temporarily locked. Please try again in a few minutes.',
  'mwoauth-invalid-consumer-key': 'No consumer exists with the given key.',
  'mwoauth-access-token-not-found': 'No consumer access token found for this request.',
  'mwoauth-invalid-authorization': 'The authorization headers in your request are not valid: $1',
  'mwoauth-invalid-authorization-wrong-wiki': 'The authorization headers in your request are not valid for $1',
  'mwoauth-invalid-authorization-invalid-user':
    'The authorization headers in your request are for a user that does not exist here',
  'mwoauth-invalid-authorization-blocked-user':
    'The authorization headers in your request are for a user who is blocked',
  'mwoauth-invalid-authorization-not-approved':
    'The app that you are trying to connect seems to be set up incorrectly. Contact the author of "$1" for help.',
} as const satisfies Record<string, string>;

export type MessageKey = keyof typeof EN_MESSAGES;
