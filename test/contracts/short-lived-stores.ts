import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionGenerations } from '../../src/domain/accounts/session-generations.js';
import type { UsedTotpSteps } from '../../src/domain/accounts/two-factor-service.js';
import type { PendingOathKeys } from '../../src/domain/accounts/two-factor-setup.js';
import type { ProviderArtifactStore } from '../../src/domain/artifacts/provider-artifacts.js';
import type { ClaimOnce, Counters, Marks, PendingSignInStore, RequestTokenRecords, SiteSessionStore } from '../../src/domain/artifacts/stores.js';

/** The short-lived ports of src/domain/artifacts, as one backend (or the composition root's placement) provides them. */
export interface ShortLivedStores {
  readonly providerArtifacts: ProviderArtifactStore;
  readonly siteSessions: SiteSessionStore;
  readonly oauth1Nonces: ClaimOnce;
  readonly requestTokens: RequestTokenRecords;
  readonly loginThrottleCounters: Counters;
  readonly rateLimitCounters: Counters;
  readonly sessionGenerations: SessionGenerations;
  readonly reauthenticationRequests: Marks;
  readonly usedTotpSteps: UsedTotpSteps;
  readonly pendingSignIns: PendingSignInStore;
  readonly pendingOathKeys: PendingOathKeys;
  collectGarbage?(): Promise<number>;
}

export interface ShortLivedBackend {
  readonly stores: ShortLivedStores;
  close(): Promise<void>;
}

const id = () => randomBytes(12).toString('base64url');

/**
 * What every implementation of the short-lived ports promises (docs/architecture.md §3): the
 * in-memory fakes the unit tests use, SQL, Redis, and the placement the composition root makes.
 */
export function shortLivedStoresContract(name: string, open: () => Promise<ShortLivedBackend>): void {
  describe(`short-lived stores contract: ${name}`, () => {
    let backend: ShortLivedBackend;
    let stores: ShortLivedStores;

    beforeAll(async () => {
      backend = await open();
      stores = backend.stores;
    });
    afterAll(async () => backend?.close());

    it('stores, replaces and destroys provider artifacts, and finds them by uid and user code', async () => {
      const store = stores.providerArtifacts;
      const key = id();
      expect(await store.find('Session', key)).toBeUndefined();
      await store.upsert('Session', key, { uid: 'u-1', accountId: '7', nested: { a: [1, 2] } }, 60, { uid: `uid-${key}` });
      expect(await store.find('Session', key)).toEqual({ uid: 'u-1', accountId: '7', nested: { a: [1, 2] } });
      expect(await store.findByUid('Session', `uid-${key}`)).toMatchObject({ accountId: '7' });
      expect(await store.findByUid('Interaction', `uid-${key}`)).toBeUndefined();
      expect(await store.find('Interaction', key)).toBeUndefined();

      await store.upsert('DeviceCode', key, { userCode: 'ABCD' }, 60, { userCode: `code-${key}` });
      expect(await store.findByUserCode('DeviceCode', `code-${key}`)).toEqual({ userCode: 'ABCD' });

      await store.upsert('Session', key, { accountId: '8' }, 60);
      expect(await store.find('Session', key)).toEqual({ accountId: '8' });
      await store.destroy('Session', key);
      expect(await store.find('Session', key)).toBeUndefined();
    });

    it('consumes a one-time artifact exactly once among 50 concurrent callers, and marks it consumed', async () => {
      const store = stores.providerArtifacts;
      for (const kind of ['AuthorizationCode', 'RefreshToken']) {
        const key = id();
        await store.upsert(kind, key, { grantId: 'g' }, 60, { grantId: 'g' });
        const results = await Promise.all(Array.from({ length: 50 }, () => store.consume(kind, key)));
        expect(results.filter(Boolean)).toHaveLength(1);
        const found = await store.find(kind, key);
        expect(found).toMatchObject({ grantId: 'g' });
        expect(typeof found!.consumed).toBe('number');
        // A fresh upsert under the same id is a new, unconsumed artifact.
        await store.upsert(kind, key, { grantId: 'g' }, 60);
        expect((await store.find(kind, key))!.consumed).toBeUndefined();
      }
      expect(await store.consume('AuthorizationCode', id())).toBe(false);
    });

    it('consumes an OAuth 1.0a request token exactly once among 50 concurrent callers', async () => {
      const key = id();
      const token = { secret: 's', consumerKey: 'c', callback: 'oob' };
      await stores.requestTokens.save(key, token, 60);
      expect(await stores.requestTokens.find(key)).toEqual({ ...token, used: false });
      const results = await Promise.all(Array.from({ length: 50 }, () => stores.requestTokens.consume(key)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await stores.requestTokens.find(key)).toEqual({ ...token, used: true });
      // Saved again (authorized), it is a new, unused token.
      await stores.requestTokens.save(key, { ...token, verifier: 'v', accessKey: 'a' }, 60);
      expect(await stores.requestTokens.find(key)).toEqual({ ...token, verifier: 'v', accessKey: 'a', used: false });
      expect(await stores.requestTokens.consume(id())).toBe(false);
      expect(await stores.requestTokens.find(id())).toBeUndefined();
    });

    it('revokes by grant id only the artifacts of that kind and grant', async () => {
      const store = stores.providerArtifacts;
      const [grant, other] = [id(), id()];
      const [a, b, c, d] = [id(), id(), id(), id()];
      await store.upsert('AuthorizationCode', a, { grantId: grant }, 60, { grantId: grant });
      await store.upsert('AuthorizationCode', b, { grantId: grant }, 60, { grantId: grant });
      await store.upsert('AuthorizationCode', c, { grantId: other }, 60, { grantId: other });
      await store.upsert('AccessToken', d, { grantId: grant }, 60, { grantId: grant });
      expect(await store.idsByGrantId('AccessToken', grant)).toEqual([d]);
      expect(await store.idsByGrantId('AccessToken', other)).toEqual([]);
      await store.revokeByGrantId('AuthorizationCode', grant);
      expect(await store.find('AuthorizationCode', a)).toBeUndefined();
      expect(await store.find('AuthorizationCode', b)).toBeUndefined();
      expect(await store.find('AuthorizationCode', c)).toBeDefined();
      expect(await store.find('AccessToken', d)).toBeDefined();
      await store.revokeByGrantId('AccessToken', grant);
      expect(await store.find('AccessToken', d)).toBeUndefined();
    });

    it('claims a nonce once among concurrent callers and counts concurrent increments', async () => {
      const nonce = id();
      const claimed = await Promise.all(Array.from({ length: 20 }, () => stores.oauth1Nonces.claim(nonce, 60)));
      expect(claimed.filter(Boolean)).toHaveLength(1);

      const counter = id();
      const counts = await Promise.all(Array.from({ length: 20 }, () => stores.loginThrottleCounters.increment(counter, 60)));
      expect([...counts].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(await stores.loginThrottleCounters.count(counter)).toBe(20);
      // Each port is its own: the same id elsewhere is another counter.
      expect(await stores.rateLimitCounters.count(counter)).toBe(0);
      await Promise.all(Array.from({ length: 5 }, () => stores.loginThrottleCounters.giveBack(counter)));
      expect(await stores.loginThrottleCounters.count(counter)).toBe(15);
      await stores.loginThrottleCounters.reset(counter);
      // Nothing to give back: the counter does not go below zero or start a window.
      await stores.loginThrottleCounters.giveBack(counter);
      expect(await stores.loginThrottleCounters.count(counter)).toBe(0);
      expect(await stores.loginThrottleCounters.count(counter)).toBe(0);
      expect(await stores.loginThrottleCounters.increment(counter, 60)).toBe(1);
    });

    it('keeps site sessions, session generations and re-authentication marks', async () => {
      const session = id();
      expect(await stores.siteSessions.find(session)).toBeUndefined();
      await stores.siteSessions.save(session, { userId: 7, loginMs: 1_700_000_000_123, generation: 2 }, 60);
      expect(await stores.siteSessions.find(session)).toEqual({ userId: 7, loginMs: 1_700_000_000_123, generation: 2 });
      await stores.siteSessions.destroy(session);
      expect(await stores.siteSessions.find(session)).toBeUndefined();

      const user = 1_000_000 + Math.floor(Math.random() * 1_000_000);
      expect(await stores.sessionGenerations.current(user)).toBe(0);
      await Promise.all([stores.sessionGenerations.bump(user), stores.sessionGenerations.bump(user)]);
      expect(await stores.sessionGenerations.current(user)).toBe(2);

      const uid = id();
      expect(await stores.reauthenticationRequests.find(uid)).toBeUndefined();
      await stores.reauthenticationRequests.mark(uid, 1_700_000_000_456, 60);
      expect(await stores.reauthenticationRequests.find(uid)).toBe(1_700_000_000_456);
    });

    it('claims a TOTP step once among concurrent callers and remembers the last step claimed', async () => {
      const user = 1_000_000 + Math.floor(Math.random() * 1_000_000);
      expect(await stores.usedTotpSteps.last(user)).toBeUndefined();
      const results = await Promise.all(Array.from({ length: 10 }, () => stores.usedTotpSteps.claim(user, 100)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await stores.usedTotpSteps.claim(user, 99)).toBe(true);
      expect(await stores.usedTotpSteps.last(user)).toBe(100);
      expect(await stores.usedTotpSteps.claim(user, 101)).toBe(true);
      expect(await stores.usedTotpSteps.last(user)).toBe(101);
    });

    it('keeps pending two-factor sign-ins and keys waiting for their first code', async () => {
      const pending = id();
      expect(await stores.pendingSignIns.find(pending)).toBeUndefined();
      await stores.pendingSignIns.save(pending, { userId: 7, userName: 'Zoë_' }, 60);
      expect(await stores.pendingSignIns.find(pending)).toEqual({ userId: 7, userName: 'Zoë_' });
      await stores.pendingSignIns.destroy(pending);
      expect(await stores.pendingSignIns.find(pending)).toBeUndefined();

      const user = 1_000_000 + Math.floor(Math.random() * 1_000_000);
      const key = { secret: 'JBSWY3DPEHPK3PXP', scratchTokens: ['ABCDEFGHIJKLMNOP'] };
      expect(await stores.pendingOathKeys.find(user)).toBeUndefined();
      await stores.pendingOathKeys.keep(user, key, 60);
      expect(await stores.pendingOathKeys.find(user)).toEqual(key);
      await stores.pendingOathKeys.forget(user);
      expect(await stores.pendingOathKeys.find(user)).toBeUndefined();
    });

    it('forgets artifacts, sessions, nonces and counters when they expire', async () => {
      const [key, session, nonce, counter] = [id(), id(), id(), id()];
      await stores.providerArtifacts.upsert('Interaction', key, { x: 1 }, 1);
      await stores.siteSessions.save(session, { userId: 7, loginMs: 1, generation: 0 }, 1);
      await stores.pendingSignIns.save(session, { userId: 7, userName: 'Zoë' }, 1);
      expect(await stores.oauth1Nonces.claim(nonce, 1)).toBe(true);
      expect(await stores.loginThrottleCounters.increment(counter, 1)).toBe(1);
      await sleep(2100);
      expect(await stores.providerArtifacts.find('Interaction', key)).toBeUndefined();
      expect(await stores.siteSessions.find(session)).toBeUndefined();
      expect(await stores.pendingSignIns.find(session)).toBeUndefined();
      expect(await stores.oauth1Nonces.claim(nonce, 60)).toBe(true);
      expect(await stores.loginThrottleCounters.increment(counter, 60)).toBe(1);
      await stores.collectGarbage?.();
    });
  });
}
