import { GRANTS } from '../domain/grants/catalogue.js';

const OIDC_WORDING: Record<string, string> = {
  openid: 'Confirm who you are on this site (your user name)',
  profile: 'See your user name, groups, rights and edit count',
  email: 'See your email address and real name',
  offline_access: 'Keep this access when you are not using the application',
};

/** The consent list in plain words: one line per scope, grants with MediaWiki's descriptions. */
export function describeScopes(scopes: readonly string[]): string[] {
  const lines = scopes.map((scope) => OIDC_WORDING[scope] ?? GRANTS.get(scope)?.description ?? scope);
  return [...new Set(lines)];
}
