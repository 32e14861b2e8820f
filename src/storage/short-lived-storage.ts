import type { Knex } from 'knex';
import { artifactStores, type ArtifactStores } from './artifact-stores.js';
import { unavailableOnDriverErrors } from './driver-errors.js';
import { connectRedis, createRedis } from './redis/create-redis.js';
import { RedisArtifactStore } from './redis/redis-artifact-store.js';
import { SqlArtifactStore } from './sql/sql-artifact-store.js';

export type { ArtifactStores } from './artifact-stores.js';

/** Every short-lived port on the SQL database (`wikiauth_artifact`). */
export function sqlArtifactStores(db: Knex): ArtifactStores {
  return artifactStores(unavailableOnDriverErrors(new SqlArtifactStore(db)));
}

export interface RedisArtifactBackend {
  readonly stores: ArtifactStores;
  /** Readiness: Redis answers. */
  ping(): Promise<void>;
  close(): void;
}

/** Every short-lived port on Redis (TTL'd keys under `prefix`); starts even while Redis is down. */
export async function openRedisArtifactStores(redisConfig: { url: string; prefix: string }): Promise<RedisArtifactBackend> {
  const redis = createRedis(redisConfig.url);
  await connectRedis(redis);
  const table = new RedisArtifactStore(redis, redisConfig.prefix);
  return { stores: artifactStores(table), ping: () => table.ping(), close: () => redis.disconnect() };
}
