import Koa, { type Middleware } from 'koa';
import type { WebParts } from './compose.js';
import type { ProxyTrust } from './config/config.js';
import { GRANTS } from './domain/grants/catalogue.js';
import { clientAddress, trustsProxies } from './http/client-address.js';
import { errorEdge } from './http/error-edge.js';
import { renderPage } from './http/render.js';
import { securityHeaders } from './http/security-headers.js';
import type { PagePaths } from './http/site-paths.js';
import type { SiteSessions } from './http/site-session.js';
import type { ProviderHost } from './provider/provider-host.js';

export interface App extends Koa {
  readonly host: ProviderHost;
  readonly sessions: SiteSessions;
  shutdown(): Promise<void>;
}

const GC_INTERVAL_MS = 10 * 60 * 1000;

/**
 * Koa middleware order (docs/architecture.md §7): the client's address and security headers
 * first, then the error edge, our own routes, and oidc-provider last. The parts are built by `compose.ts`.
 */
export function createApp(app: Koa, parts: WebParts, opts: { trustProxy: ProxyTrust; log: (line: string) => void }): App {
  // clientAddress() drops forwarding headers from untrusted peers, so koa may read the rest.
  app.proxy = trustsProxies(opts.trustProxy);
  app.use(clientAddress(opts.trustProxy));
  // Page templates link to the other pages through these (src/http/site-paths.ts).
  app.use((ctx, next) => {
    ctx.state.pages = parts.pages;
    return next();
  });
  app.use(securityHeaders);
  app.use(errorEdge(opts.log));
  app.use(currentUser(parts));
  app.use(parts.mediaWiki);
  for (const router of parts.routers) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  app.use(homePage(parts.pages));
  app.use(parts.provider);

  const gc = setInterval(() => void parts.collectGarbage().catch(() => undefined), GC_INTERVAL_MS);
  gc.unref();
  return Object.assign(app, {
    host: parts.host,
    sessions: parts.sessions,
    shutdown: async () => {
      clearInterval(gc);
      parts.host.stop();
    },
  });
}

/** The signed-in user's name for the page header (pages only, not API routes). */
function currentUser(parts: Pick<WebParts, 'sessions' | 'currentUser' | 'pages'>): Middleware {
  const { home, articleRoot } = parts.pages;
  return async (ctx, next) => {
    if (ctx.method === 'GET' && (ctx.path === home || ctx.path.startsWith(articleRoot))) {
      const session = await parts.sessions.current(ctx);
      if (session) ctx.state.user = await parts.currentUser(session.userId);
    }
    return next();
  };
}

function homePage(pages: PagePaths): Middleware {
  return async (ctx, next) => {
    // `/auth` → `/auth/`: the prefix alone names the home page too.
    if (pages.prefix && ctx.path === pages.prefix && ctx.method === 'GET') return ctx.redirect(pages.home);
    if (ctx.path !== pages.home || ctx.method !== 'GET') return next();
    ctx.state.ownPage = true;
    await renderPage(ctx, 'message', {
      title: 'wikiauth',
      heading: 'wikiauth',
      message: `Sign-in for this wiki's apps: OpenID Connect, OAuth 2.0 and OAuth 1.0a, with ${GRANTS.size} MediaWiki grants.`,
      link: { href: '/.well-known/openid-configuration', text: 'OpenID Connect discovery document' },
    });
  };
}
