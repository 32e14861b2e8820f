import type { SessionGenerations } from '../domain/accounts/session-generations.js';
import type { UsedTotpSteps } from '../domain/accounts/two-factor-service.js';
import type { PendingOathKeys } from '../domain/accounts/two-factor-setup.js';
import { formatOathData, parseOathData } from '../domain/accounts/two-factor.js';
import type { ProviderArtifactStore } from '../domain/artifacts/provider-artifacts.js';
import type { ClaimOnce, Counters, Marks, PendingSignInStore, RequestTokenRecords, SiteSessionStore } from '../domain/artifacts/stores.js';
import type { ArtifactTable } from './artifact-table.js';

/** Every short-lived port of the domain, on one backend; the composition root picks per port. */
export interface ArtifactStores {
  readonly providerArtifacts: ProviderArtifactStore;
  readonly siteSessions: SiteSessionStore;
  readonly oauth1Nonces: ClaimOnce;
  readonly requestTokens: RequestTokenRecords;
  readonly rateLimitCounters: Counters;
  readonly loginThrottleCounters: Counters;
  readonly sessionGenerations: SessionGenerations;
  readonly reauthenticationRequests: Marks;
  readonly pendingSignIns: PendingSignInStore;
  readonly usedTotpSteps: UsedTotpSteps;
  readonly pendingOathKeys: PendingOathKeys;
  /** Drop expired entries (SQL; Redis expires its own); returns how many. */
  collectGarbage(): Promise<number>;
}

/*
 * The namespaces each port writes under. They are the names the rows and keys have always had, so
 * stored state survives an upgrade; provider artifacts use the provider's own kinds.
 */
const NS = {
  siteSession: 'SiteSession',
  oauth1Nonce: 'OAuth1Nonce',
  requestToken: 'OAuth1RequestToken',
  rateLimit: 'RateLimit',
  loginThrottle: 'LoginThrottle',
  sessionGeneration: 'SessionGeneration',
  reauthentication: 'ReauthenticationRequest',
  pendingSignIn: 'PendingSignIn',
  totpStep: 'OathTotpStep',
  lastTotpStep: 'OathTotpLastStep',
  pendingOathKey: 'PendingOathKey',
} as const;

/** Longer than any site session: an expired generation starts again at 1, past every session it ended. */
const GENERATION_LIFETIME_SECONDS = 10 * 365 * 24 * 3600;

export function artifactStores(table: ArtifactTable): ArtifactStores {
  return {
    providerArtifacts: table,
    siteSessions: {
      save: (id, session, ttl) => table.upsert(NS.siteSession, id, session, ttl),
      async find(id) {
        const payload = await table.find(NS.siteSession, id);
        if (!payload) return undefined;
        const amr = Array.isArray(payload.amr) ? { amr: payload.amr.map(String) } : {};
        return { userId: Number(payload.userId), loginMs: Number(payload.loginMs), generation: Number(payload.generation ?? 0), ...amr, ...(payload.fromWiki === true ? { fromWiki: true } : {}) };
      },
      destroy: (id) => table.destroy(NS.siteSession, id),
    },
    oauth1Nonces: { claim: (id, rememberSeconds) => table.addOnce(NS.oauth1Nonce, id, rememberSeconds) },
    requestTokens: {
      save: (key, token, ttl) => table.upsert(NS.requestToken, key, token, ttl),
      async find(key) {
        const payload = await table.find(NS.requestToken, key);
        if (!payload) return undefined;
        const text = (name: string) => (typeof payload[name] === 'string' ? (payload[name] as string) : undefined);
        return {
          secret: text('secret') ?? '',
          consumerKey: text('consumerKey') ?? '',
          callback: text('callback') ?? '',
          ...(text('verifier') ? { verifier: text('verifier') } : {}),
          ...(text('accessKey') ? { accessKey: text('accessKey') } : {}),
          used: payload.consumed !== undefined,
        };
      },
      consume: (key) => table.consume(NS.requestToken, key),
    },
    rateLimitCounters: counters(table, NS.rateLimit),
    loginThrottleCounters: counters(table, NS.loginThrottle),
    sessionGenerations: sessionGenerations(counters(table, NS.sessionGeneration)),
    reauthenticationRequests: {
      mark: (id, atMs, ttl) => table.upsert(NS.reauthentication, id, { at: atMs }, ttl),
      async find(id) {
        const payload = await table.find(NS.reauthentication, id);
        return payload && Number(payload.at);
      },
    },
    pendingSignIns: {
      save: (id, pending, ttl) => table.upsert(NS.pendingSignIn, id, pending, ttl),
      async find(id) {
        const payload = await table.find(NS.pendingSignIn, id);
        return payload && { userId: Number(payload.userId), userName: String(payload.userName) };
      },
      destroy: (id) => table.destroy(NS.pendingSignIn, id),
    },
    usedTotpSteps: usedTotpSteps(table),
    pendingOathKeys: {
      async find(userId) {
        const data = (await table.find(NS.pendingOathKey, String(userId)))?.data;
        return typeof data === 'string' ? parseOathData(data) : undefined;
      },
      keep: (userId, key, ttl) => table.upsert(NS.pendingOathKey, String(userId), { data: formatOathData(key) }, ttl),
      forget: (userId) => table.destroy(NS.pendingOathKey, String(userId)),
    },
    collectGarbage: () => table.collectGarbage(),
  };
}

/**
 * OATHAuth's stash lifetime for the last used step: 30 s × (1 + 2 × window radius 4); an older step is
 * outside the window anyway (docs/sign-in.md, "Two-factor authentication").
 */
const TOTP_STEP_LIFETIME_SECONDS = 270;

/**
 * A step is claimed with one atomic add, so two sign-ins racing with one code get one success; the last
 * claimed step then refuses every earlier one.
 */
function usedTotpSteps(table: ArtifactTable): UsedTotpSteps {
  const last = async (userId: number) => {
    const found = await table.find(NS.lastTotpStep, String(userId));
    return found === undefined ? undefined : Number(found.step);
  };
  return {
    last,
    async claim(userId, step) {
      if (!(await table.addOnce(NS.totpStep, `${userId}:${step}`, TOTP_STEP_LIFETIME_SECONDS))) return false;
      const previous = await last(userId);
      if (previous === undefined || step > previous) await table.upsert(NS.lastTotpStep, String(userId), { step }, TOTP_STEP_LIFETIME_SECONDS);
      return true;
    },
  };
}

function counters(table: ArtifactTable, namespace: string): Counters {
  return {
    increment: (id, windowSeconds) => table.increment(namespace, id, windowSeconds),
    giveBack: (id) => table.decrement(namespace, id),
    count: async (id) => Number((await table.find(namespace, id))?.count ?? 0),
    reset: (id) => table.destroy(namespace, id),
  };
}

/** Generations as counters that outlive every session (docs/sign-in.md, "Sessions"). */
function sessionGenerations(generations: Counters): SessionGenerations {
  return {
    current: (userId) => generations.count(String(userId)),
    bump: async (userId) => void (await generations.increment(String(userId), GENERATION_LIFETIME_SECONDS)),
  };
}
