import type { ArtifactStore } from '../domain/artifacts/artifact-store.js';

const WINDOW_SECONDS = 300;
// MediaWiki's $wgPasswordAttemptThrottle defaults: 5 per account and 150 per IP in 5 minutes
// (per IP is lower here: there are no shared proxies between a wiki's users and this service).
const PER_ACCOUNT = 5;
const PER_IP = 50;

/** Sign-in throttling, counted in the artifact store so every instance shares the counters. */
export class LoginThrottle {
  readonly #store: ArtifactStore;

  constructor(store: ArtifactStore) {
    this.#store = store;
  }

  /** True when recent failures are over a limit: refuse without checking the password. */
  async isThrottled(ip: string, userName: string): Promise<boolean> {
    const [byIp, byAccount] = await Promise.all([this.#count(`ip:${ip}`), this.#count(`user:${key(userName)}`)]);
    return byIp >= PER_IP || byAccount >= PER_ACCOUNT;
  }

  async recordFailure(ip: string, userName: string): Promise<void> {
    await Promise.all([
      this.#store.increment('LoginThrottle', `ip:${ip}`, WINDOW_SECONDS),
      this.#store.increment('LoginThrottle', `user:${key(userName)}`, WINDOW_SECONDS),
    ]);
  }

  /** A successful sign-in forgets the account's failures (not the address's). */
  async clear(userName: string): Promise<void> {
    await this.#store.destroy('LoginThrottle', `user:${key(userName)}`);
  }

  async #count(id: string): Promise<number> {
    const entry = await this.#store.find('LoginThrottle', id);
    return Number(entry?.count ?? 0);
  }
}

function key(userName: string): string {
  return userName.trim().replace(/_/g, ' ').toLowerCase().slice(0, 255);
}
