/**
 * Contract harness for the Redis store: every test gets its own key prefix on the given
 * server (or cluster), and every key under it is deleted afterwards. Never FLUSHALL: the
 * server may be shared.
 */
import { Cluster, Redis } from 'ioredis';
import { createRedisStore } from '../../src/store';
import { silentLogger } from '../../src/store/shared';
import { keyLayout } from '../../src/store/redis/keys';
import type { Store } from '../../src/store/types';
import type { StoreHarness } from './contract';

let counter = 0;

/** A prefix unique to this test run: no glob characters, no braces. */
export function uniquePrefix(label: string): string {
  counter += 1;
  return `kefu-test-${label}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

/** Deletes every key under `prefix` on every master. */
export async function deleteKeysUnder(admin: Redis | Cluster, prefix: string): Promise<void> {
  const nodes = admin instanceof Cluster ? admin.nodes('master') : [admin];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      // One DEL per key: in a cluster the keys of one batch may sit in different slots.
      for (const key of keys) await node.del(key);
    } while (cursor !== '0');
  }
}

export function redisHarness(target: { url?: string; clusterNodes?: string[] }, label: string): StoreHarness & { used: string[] } {
  const prefixes: string[] = [];
  const used: string[] = [];
  const prefixOf = new WeakMap<Store, string>();
  const open = async (prefix: string): Promise<Store> => {
    const store = createRedisStore({ ...target, prefix, logger: silentLogger });
    prefixOf.set(store, prefix);
    await store.ready();
    return store;
  };
  return {
    used,
    open: async () => {
      const prefix = uniquePrefix(label);
      prefixes.push(prefix);
      used.push(prefix);
      return open(prefix);
    },
    twin: async (store) => open(prefixOf.get(store)!),
    reopen: async (store) => {
      await store.close();
      return open(prefixOf.get(store)!);
    },
    writeLegacy: async (store, convs) => {
      // Older code wrote the state (and status index) alone, nothing beside the queue.
      const admin = target.clusterNodes
        ? new Cluster(target.clusterNodes.map((hp) => ({ host: hp.split(':')[0]!, port: Number(hp.split(':')[1]) })))
        : new Redis(target.url ?? 'redis://127.0.0.1:6379');
      const k = keyLayout(prefixOf.get(store)!);
      try {
        for (const c of convs) {
          await admin.set(k.convState(c.id), JSON.stringify(c));
          await admin.hset(k.statusIndex, c.id, c.status);
        }
      } finally {
        await admin.quit();
      }
      return store;
    },
    cleanup: async () => {
      const admin = target.clusterNodes
        ? new Cluster(target.clusterNodes.map((hp) => ({ host: hp.split(':')[0]!, port: Number(hp.split(':')[1]) })))
        : new Redis(target.url ?? 'redis://127.0.0.1:6379');
      try {
        for (const p of prefixes.splice(0)) await deleteKeysUnder(admin, p);
      } finally {
        await admin.quit();
      }
    },
  };
}
