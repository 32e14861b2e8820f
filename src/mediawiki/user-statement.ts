import type { Identity } from '../domain/accounts/identity.js';
import type { JsonValue } from './php.js';

/**
 * MediaWiki's `UserStatementProvider` body, in its key order: shared by Special:OAuth/identify
 * (inside the JWT) and `rest.php/oauth2/resource/profile`. `rights` differ between the two (the
 * user's own rights on identify, the rights within the grants on resource/profile).
 */
export function userStatementBody(identity: Identity, rights: readonly string[], grants: readonly string[]): Record<string, JsonValue> {
  const { privateInfo } = identity;
  return {
    sub: identity.sub,
    username: identity.username,
    editcount: identity.editCount,
    confirmed_email: identity.confirmedEmail,
    email_verified: identity.confirmedEmail,
    blocked: identity.blocked,
    registered: identity.registered,
    groups: [...identity.groups],
    rights: [...rights],
    grants: [...grants],
    ...(privateInfo ? { realname: privateInfo.realName, email: privateInfo.email } : {}),
  };
}
