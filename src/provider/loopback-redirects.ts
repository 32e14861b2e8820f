import type Provider from 'oidc-provider';

// RFC 8252 §7.3: a loopback redirect's port is chosen by the app at run time. MediaWiki's OAuth 2
// library matches `http://127.0.0.1` and `http://[::1]` redirects on any port, for every client
// (docs/mediawiki-compat.md "Loopback redirect URIs"); oidc-provider does it for native clients only.
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]']);

/** The URI without its port when it is an http loopback URI, else undefined. */
function withoutLoopbackPort(uri: string): string | undefined {
  const url = URL.parse(uri);
  if (!url || url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname)) return undefined;
  url.port = '';
  return url.href;
}

/** A requested redirect URI is allowed if registered, or a registered loopback URI on another port. */
export function loopbackRedirectAllowed(requested: string, registered: readonly string[]): boolean {
  const bare = withoutLoopbackPort(requested);
  return bare !== undefined && registered.some((uri) => withoutLoopbackPort(uri) === bare);
}

interface ClientModel {
  prototype: { redirectUris?: string[]; redirectUriAllowed(value: string): boolean };
}

export function installLoopbackRedirects(provider: Provider): void {
  const model = provider.Client as unknown as ClientModel;
  const exact = model.prototype.redirectUriAllowed;
  model.prototype.redirectUriAllowed = function (value: string) {
    return exact.call(this, value) || loopbackRedirectAllowed(value, this.redirectUris ?? []);
  };
}
