// Middleware stacks of oidc-provider 9.13.3 (pinned) that src/provider/access-token-format.ts adjusts.
declare module 'oidc-provider/lib/actions/introspection.js' {
  const stack: Array<(ctx: unknown, next: () => Promise<void>) => unknown>;
  export default stack;
}
declare module 'oidc-provider/lib/actions/revocation.js' {
  const stack: Array<(ctx: unknown, next: () => Promise<void>) => unknown>;
  export default stack;
}
declare module 'oidc-provider/lib/shared/reject_structured_tokens.js' {
  const middleware: (ctx: unknown, next: () => Promise<void>) => unknown;
  export default middleware;
}
