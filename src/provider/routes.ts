/** oidc-provider routes under MediaWiki's REST path (docs/architecture.md §2). */
export function providerRoutes(scriptPath: string) {
  const base = `${scriptPath}/rest.php/oauth2`;
  return {
    authorization: `${base}/authorize`,
    token: `${base}/access_token`,
    userinfo: `${base}/userinfo`,
    jwks: `${base}/jwks`,
    introspection: `${base}/introspect`,
    revocation: `${base}/revoke`,
    end_session: `${base}/logout`,
    registration: `${base}/register`,
    pushed_authorization_request: `${base}/par`,
    code_verification: `${base}/device`,
    device_authorization: `${base}/device/auth`,
    backchannel_authentication: `${base}/backchannel`,
    challenge: `${base}/challenge`,
  };
}


