/**
 * A fixed path for @koa/router: `:` starts a parameter in its patterns, so MediaWiki titles such
 * as `Special:OAuthListConsumers` must be escaped, or `/wiki/Special:X` would match any
 * `/wiki/Special…` path.
 */
export function literalPath(path: string): string {
  return path.replace(/:/g, '\\:');
}
