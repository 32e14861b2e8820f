import type { Knex } from 'knex';
import type { Config } from '../config/config.js';
import type { ArtifactStore } from '../domain/artifacts/artifact-store.js';
import type { AuthorizationRepository } from '../domain/grants/authorization.js';
import { ArtifactRouter } from './artifact-router.js';
import { unavailableOnDriverErrors } from './driver-errors.js';
import { connectRedis, createRedis } from './redis/create-redis.js';
import { RedisArtifactStore } from './redis/redis-artifact-store.js';
import { SqlArtifactStore } from './sql/sql-artifact-store.js';
import { SqlAuthorizationRepository } from './sql/sql-authorization-repository.js';

export interface ShortLivedStorage {
  readonly artifacts: ArtifactStore;
  /** Deleting an authorization also drops its grants' artifacts wherever they live. */
  readonly authorizations: AuthorizationRepository;
  /** `/readyz` checks besides the database. */
  readonly readinessChecks: Record<string, () => Promise<void>>;
  close(): void;
}

/**
 * docs/architecture.md §3: without REDIS_URL short-lived artifacts share the SQL database; with it they go to
 * Redis (TTL'd keys under REDIS_PREFIX) and only durable models stay in SQL.
 */
export async function openShortLivedStorage(config: Config, db: Knex): Promise<ShortLivedStorage> {
  const sqlArtifacts = unavailableOnDriverErrors(new SqlArtifactStore(db));
  const sqlAuthorizations = unavailableOnDriverErrors(new SqlAuthorizationRepository(db));
  if (!config.redis) {
    return { artifacts: sqlArtifacts, authorizations: sqlAuthorizations, readinessChecks: {}, close: () => undefined };
  }
  const redis = createRedis(config.redis.url);
  await connectRedis(redis);
  const redisArtifacts = new RedisArtifactStore(redis, config.redis.prefix);
  const router = new ArtifactRouter(sqlArtifacts, redisArtifacts);
  return {
    artifacts: router,
    authorizations: revokingShortLivedArtifacts(sqlAuthorizations, router),
    readinessChecks: { redis: () => redisArtifacts.ping() },
    close: () => redis.disconnect(),
  };
}

/**
 * The SQL repository deletes an authorization with its grants, tokens and SQL artifacts in one
 * transaction; Redis cannot join it, so its artifacts of those grants go right after.
 */
function revokingShortLivedArtifacts(repository: AuthorizationRepository, router: ArtifactRouter): AuthorizationRepository {
  return {
    findById: (id) => repository.findById(id),
    findByAccessToken: (token) => repository.findByAccessToken(token),
    find: (userId, consumerId, wiki) => repository.find(userId, consumerId, wiki),
    listByUser: (userId) => repository.listByUser(userId),
    countByConsumer: (consumerId) => repository.countByConsumer(consumerId),
    upsert: (input, opts) => repository.upsert(input, opts),
    async delete(where) {
      const deleted = await repository.delete(where);
      await router.revokeGrants(deleted.grantIds);
      return deleted;
    },
  };
}
