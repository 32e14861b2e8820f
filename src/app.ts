import Koa from 'koa';
import type { Services } from './services.js';

export interface App extends Koa {
  shutdown(): Promise<void>;
}

/** Koa middleware order and mounts only. */
export async function createApp(services: Services): Promise<App> {
  const app = new Koa() as App;
  app.proxy = services.config.trustProxy;
  app.use(async (ctx, next) => {
    if (ctx.path === '/healthz') {
      ctx.body = { status: 'ok' };
      return;
    }
    await next();
  });
  app.shutdown = async () => {};
  return app;
}
