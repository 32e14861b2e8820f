import type { Middleware, ParameterizedContext, Next } from 'koa';
import Provider, { type Configuration } from 'oidc-provider';
import type { KeyService, KeySet } from '../domain/keys/key-service.js';

const POLL_MS = 3000;

interface Built {
  readonly provider: Provider;
  readonly middleware: Middleware;
  readonly keys: KeySet;
}

/**
 * Owns the current oidc-provider instance. JWKS and cookie keys are fixed when a Provider is built,
 * so every instance polls the key set in the database and swaps in a rebuilt provider when it
 * changes (key rotation on another instance, a new key's activation time). Requests always go to
 * the current one.
 */
export class ProviderHost {
  readonly #issuer: string;
  readonly #keys: KeyService;
  readonly #configure: (keys: KeySet) => Configuration;
  readonly #onBuilt: (provider: Provider, keys: KeySet) => void;
  #built!: Built;
  #timer: NodeJS.Timeout | undefined;

  constructor(opts: { issuer: string; keys: KeyService; configure: (keys: KeySet) => Configuration; onBuilt: (provider: Provider, keys: KeySet) => void }) {
    this.#issuer = opts.issuer;
    this.#keys = opts.keys;
    this.#configure = opts.configure;
    this.#onBuilt = opts.onBuilt;
  }

  get provider(): Provider {
    return this.#built.provider;
  }

  get keys(): KeySet {
    return this.#built.keys;
  }

  async start(): Promise<void> {
    this.#build(await this.#keys.keySet());
    this.#timer = setInterval(() => void this.refresh().catch(() => undefined), POLL_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Rebuild when the effective key set changed; true if it did. */
  async refresh(): Promise<boolean> {
    const keys = await this.#keys.keySet();
    if (keys.version === this.#built.keys.version) return false;
    this.#build(keys);
    return true;
  }

  /** Koa middleware running the current provider on the outer context (as koa-mount does). */
  middleware(): Middleware {
    return (ctx, next) => this.#built.middleware(ctx, next);
  }

  #build(keys: KeySet): void {
    const provider = new Provider(this.#issuer, this.#configure(keys));
    this.#onBuilt(provider, keys);
    this.#built = { provider, keys, middleware: compose(provider.middleware as Middleware[]) };
  }
}

/** koa-compose: run a middleware stack, then `next`. */
function compose(stack: Middleware[]): Middleware {
  return (ctx: ParameterizedContext, next: Next) => {
    const dispatch = (i: number): Promise<void> => {
      const fn = i === stack.length ? next : stack[i]!;
      return Promise.resolve(fn(ctx, () => dispatch(i + 1)));
    };
    return dispatch(0);
  };
}
