import type { ClientMetadata } from 'oidc-provider';
import { redirectUrisOf } from '../domain/consumers/client-registration.js';
import type { Consumer } from '../domain/consumers/consumer.js';
import { allowedScopes } from '../domain/grants/scopes.js';
import { fromMwTimestamp } from '../domain/mw-timestamp.js';

// RFC 7591 fields a dynamically registered client gave, echoed back on RFC 7592 reads.
const ECHOED_METADATA = ['contacts', 'client_uri', 'logo_uri', 'policy_uri', 'tos_uri'] as const;

/**
 * An OAuth 2 consumer as oidc-provider client metadata (docs/mediawiki-compat.md §6):
 * client_id = consumer key, client_secret = HMAC'd secret, exact redirect URI(s), the consumer's
 * grant types; non-confidential consumers are public clients (PKCE required).
 * Rejected, expired, disabled or suppressed consumers are no clients at all.
 */
export function consumerToClient(consumer: Consumer, clientSecret: string | undefined): ClientMetadata | undefined {
  if (consumer.oauthVersion !== 2 || consumer.deleted) return undefined;
  if (consumer.stage !== 'approved' && consumer.stage !== 'proposed') return undefined;
  // A proposed consumer serves only its owner (isUsableBy): a machine token has no user to be.
  const grantTypes = consumer.oauth2AllowedGrants.filter((g) => consumer.stage === 'approved' || g !== 'client_credentials');
  const usesRedirects = grantTypes.includes('authorization_code');
  const confidential = consumer.oauth2IsConfidential;
  const scheme = consumer.callbackUrl.split(':')[0]!.toLowerCase();
  const { post_logout_redirect_uris, id_token_signed_response_alg, require_auth_time, token_endpoint_auth_method } = consumer.metadata;
  // Both secret methods work for every confidential client; a dynamic client sees the one it chose.
  const secretMethod = token_endpoint_auth_method === 'client_secret_post' ? 'client_secret_post' : 'client_secret_basic';
  const echoed = Object.fromEntries(ECHOED_METADATA.filter((f) => consumer.metadata[f] !== undefined).map((f) => [f, consumer.metadata[f]]));
  return {
    client_id: consumer.key,
    client_id_issued_at: Math.floor(fromMwTimestamp(consumer.registration).getTime() / 1000),
    ...(confidential && clientSecret
      ? { client_secret: clientSecret, client_secret_expires_at: 0, token_endpoint_auth_method: secretMethod }
      : { token_endpoint_auth_method: 'none' }),
    client_name: consumer.name,
    grant_types: grantTypes,
    response_types: usesRedirects ? ['code'] : [],
    redirect_uris: usesRedirects ? redirectUrisOf(consumer) : [],
    // RFC 8252: custom-scheme and loopback redirects belong to native apps.
    application_type: !confidential && scheme !== 'https' ? 'native' : 'web',
    scope: allowedScopes(consumer).join(' '),
    ...(post_logout_redirect_uris?.length ? { post_logout_redirect_uris: [...post_logout_redirect_uris] } : {}),
    ...(id_token_signed_response_alg ? { id_token_signed_response_alg: id_token_signed_response_alg as ClientMetadata['id_token_signed_response_alg'] } : {}),
    ...(require_auth_time ? { require_auth_time: true } : {}),
    ...echoed,
    'mw:stage': consumer.stage,
    'mw:owner': consumer.ownerId,
    'mw:owner_only': consumer.ownerOnly,
  };
}

export const CLIENT_EXTRA_PROPERTIES = ['mw:stage', 'mw:owner', 'mw:owner_only'];
