import type { Knex } from 'knex';
import type { Config, WikiSessionConfig } from './config/config.js';
import { hashingCookieIds, hashingSiteSessionIds } from './domain/artifacts/hashed-ids.js';
import type { ProviderArtifactPlaces } from './provider/artifact-placement.js';
import { cacheFileWikiSessions, objectCacheWikiSessions, redisWikiSessions, type OpenedWikiSessions } from './storage/mediawiki-sessions.js';
import { openRedisArtifactStores, sqlArtifactStores, type ArtifactStores } from './storage/short-lived-storage.js';

/** The short-lived ports, each on the backend chosen for it. */
export interface PlacedStores extends Omit<ArtifactStores, 'providerArtifacts'> {
  readonly providerArtifacts: ProviderArtifactPlaces;
  /** Whether short-lived state has a store of its own (Redis) besides the database. */
  readonly separateShortLived: boolean;
  /** `/readyz` checks besides the database. */
  readonly readinessChecks: Record<string, () => Promise<void>>;
  close(): void;
}

/**
 * Where each kind of state lives (docs/architecture.md §3). Without REDIS_URL everything shares the
 * SQL database. With it, the provider's durable artifacts stay in SQL, so losing Redis signs nobody's
 * apps out, and all other short-lived state goes to Redis with TTLs: provider sessions,
 * interactions and codes, site sessions, OAuth 1.0a request tokens and nonces, rate-limit and
 * sign-in counters, session generations, re-authentication marks, pending two-factor sign-ins,
 * used TOTP steps and two-factor keys waiting for their first code.
 */
export async function placeStores(config: Config, db: Knex): Promise<PlacedStores> {
  const sql = sqlArtifactStores(db);
  const redis = config.redis ? await openRedisArtifactStores(config.redis) : undefined;
  const shortLived = redis?.stores ?? sql;
  return {
    providerArtifacts: { durable: sql.providerArtifacts, shortLived: shortLived.providerArtifacts },
    siteSessions: hashingSiteSessionIds(shortLived.siteSessions),
    oauth1Nonces: shortLived.oauth1Nonces,
    requestTokens: shortLived.requestTokens,
    rateLimitCounters: shortLived.rateLimitCounters,
    loginThrottleCounters: shortLived.loginThrottleCounters,
    sessionGenerations: shortLived.sessionGenerations,
    reauthenticationRequests: shortLived.reauthenticationRequests,
    pendingSignIns: hashingCookieIds(shortLived.pendingSignIns),
    usedTotpSteps: shortLived.usedTotpSteps,
    pendingOathKeys: shortLived.pendingOathKeys,
    separateShortLived: redis !== undefined,
    collectGarbage: async () => (await sql.collectGarbage()) + (redis ? await redis.stores.collectGarbage() : 0),
    readinessChecks: redis ? { redis: () => redis.ping() } : {},
    close: () => redis?.close(),
  };
}

/**
 * MEDIAWIKI_SESSION: the wiki's sessions are read where the wiki keeps them (its
 * `$wgSessionCacheType`, given as MEDIAWIKI_SESSION_STORE): the `objectcache` table of its
 * database, a SQLite wiki's cache file, or its Redis.
 */
export function openWikiSessions(config: WikiSessionConfig, db: Knex): Promise<OpenedWikiSessions> {
  const { store, keyspace } = config;
  switch (store.kind) {
    case 'database':
      return objectCacheWikiSessions(db, keyspace);
    case 'sqlite':
      return cacheFileWikiSessions(store.filename, keyspace, db);
    case 'redis':
      return redisWikiSessions(store.url, keyspace, db);
  }
}
