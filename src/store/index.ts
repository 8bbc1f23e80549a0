/**
 * Entry point of the storage layer: picks the store from config. No Redis settings means the
 * embedded memory store journaling to DATA_DIR.
 */
import type { Store } from './types';
import { createMemoryStore, type FsyncPolicy, type JournalBatch } from './memory/memory-store';
import { createRedisStore } from './redis/redis-store';
import type { StoreLogger } from './shared';

export type * from './types';
export { createMemoryStore, type MemoryStoreOptions, type FsyncPolicy, type JournalBatch } from './memory/memory-store';
export { createRedisStore, type RedisStoreOptions } from './redis/redis-store';
export { keyLayout, hashTag } from './redis/keys';
export { compareQueueEntries, type StoreLogger, type AuditEntry } from './shared';

export interface StoreConfig {
  /** REDIS_URL, e.g. redis://127.0.0.1:6379/0. */
  redisUrl?: string;
  /** REDIS_CLUSTER_NODES as "host:port" strings or parsed objects; wins over redisUrl. */
  redisClusterNodes?: (string | { host: string; port: number })[];
  /** REDIS_SENTINELS and friends: Redis through Sentinel. Cluster nodes win over it, it wins over redisUrl. */
  redisSentinel?: { sentinels: { host: string; port: number }[]; name: string; password?: string; sentinelPassword?: string };
  /** Key prefix for the Redis store (default "kefu"). */
  redisPrefix?: string;
  /** DATA_DIR for the embedded store's journal (default ./data); null for pure memory. */
  dataDir?: string | null;
  fsync?: FsyncPolicy;
  logger?: StoreLogger;
  /** The embedded store's journal batches (write + fsync time), for the metrics. */
  onJournalBatch?: (batch: JournalBatch) => void;
}

/** Builds the configured store. Memory when none of redisUrl, redisSentinel, redisClusterNodes is set. */
export function createStore(config: StoreConfig = {}): Store {
  if (config.redisUrl || config.redisSentinel || (config.redisClusterNodes && config.redisClusterNodes.length > 0)) {
    return createRedisStore({
      ...(config.redisUrl ? { url: config.redisUrl } : {}),
      ...(config.redisSentinel ? { sentinel: config.redisSentinel } : {}),
      ...(config.redisClusterNodes && config.redisClusterNodes.length > 0
        ? { clusterNodes: config.redisClusterNodes.map((n) => (typeof n === 'string' ? n : `${n.host}:${n.port}`)) }
        : {}),
      prefix: config.redisPrefix ?? 'kefu',
      ...(config.logger ? { logger: config.logger } : {}),
    });
  }
  const dataDir = config.dataDir === undefined ? './data' : config.dataDir;
  return createMemoryStore({
    ...(dataDir === null ? {} : { dataDir }),
    ...(config.fsync ? { fsync: config.fsync } : {}),
    ...(config.logger ? { logger: config.logger } : {}),
    ...(config.onJournalBatch ? { onJournalBatch: config.onJournalBatch } : {}),
  });
}
