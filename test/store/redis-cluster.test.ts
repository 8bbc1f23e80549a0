/**
 * The store contract on a three-master Redis Cluster started by this test, and a check that
 * the data really spreads over the masters while each conversation stays in one slot.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Cluster } from 'ioredis';
import { createRedisStore, hashTag, keyLayout } from '../../src/store';
import { silentLogger } from '../../src/store/shared';
import { describeStoreContract } from './contract';
import { redisHarness, uniquePrefix, deleteKeysUnder } from './redis-harness';
import { createCluster, freeRedisPort, startRedisServer, type RedisProcess } from './redis-server';

const target: { clusterNodes: string[] } = { clusterNodes: [] };
const servers: RedisProcess[] = [];
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kefu-cluster-'));
  const ports: number[] = [];
  for (let i = 0; i < 3; i++) ports.push(await freeRedisPort(ports.flatMap((p) => [p, p + 10000, p - 10000])));
  for (const port of ports) {
    servers.push(
      await startRedisServer(port, dir, [
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        path.join(dir, `nodes-${port}.conf`),
        '--save',
        '',
        '--appendonly',
        'no',
      ]),
    );
  }
  await createCluster(ports);
  target.clusterNodes = ports.map((p) => `127.0.0.1:${p}`);
}, 60_000);

afterAll(async () => {
  for (const s of servers) await s.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describeStoreContract('redis cluster (3 masters)', redisHarness(target, 'cluster'));

it('keeps each conversation in one slot while spreading conversations over the masters', async () => {
  const prefix = uniquePrefix('spread');
  const store = createRedisStore({ clusterNodes: target.clusterNodes, prefix, logger: silentLogger });
  const admin = new Cluster(target.clusterNodes.map((hp) => ({ host: '127.0.0.1', port: Number(hp.split(':')[1]) })));
  try {
    await store.ready();
    for (let i = 0; i < 30; i++) {
      await store.appendMessage(`c${i}`, { from: 'buyer', text: '在吗', clientId: `m${i}`, at: new Date(0).toISOString() });
    }
    const k = keyLayout(prefix);
    expect(new Set([k.convState('c1'), k.convLog('c1'), k.convDedupe('c1')].map(hashTag))).toEqual(new Set(['conv:c1']));
    const perMaster = await Promise.all(admin.nodes('master').map(async (n) => (await n.keys(`${prefix}:*`)).length));
    expect(perMaster).toHaveLength(3);
    expect(perMaster.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
    expect(perMaster.reduce((a, b) => a + b, 0)).toBe(60); // log + dedupe hash per conversation
  } finally {
    await store.close();
    await deleteKeysUnder(admin, prefix);
    await admin.quit();
  }
});

it('carries the bus over sharded pub/sub (Redis 7): each conversation channel on its own shard, between two instances', async () => {
  const prefix = uniquePrefix('sharded');
  const a = createRedisStore({ clusterNodes: target.clusterNodes, prefix, logger: silentLogger });
  const b = createRedisStore({ clusterNodes: target.clusterNodes, prefix, logger: silentLogger });
  const admin = new Cluster(target.clusterNodes.map((hp) => ({ host: '127.0.0.1', port: Number(hp.split(':')[1]) })));
  try {
    await Promise.all([a.ready(), b.ready()]);
    const ids = Array.from({ length: 12 }, (_, i) => `c${i}`);
    const seen: unknown[] = [];
    const offs = await Promise.all(ids.map((id) => b.subscribe(`conv:${id}`, (m) => seen.push(m))));
    const handoff: unknown[] = [];
    await b.subscribe('handoff', (m) => handoff.push(m));
    for (const id of ids) await a.publish(`conv:${id}`, { kind: 'typing', conversationId: id });
    await a.publish('handoff', { kind: 'queued' });
    for (let i = 0; i < 100 && (seen.length < ids.length || handoff.length < 1); i++) await new Promise((r) => setTimeout(r, 20));
    expect(seen).toHaveLength(ids.length);
    expect(handoff).toEqual([{ kind: 'queued' }]);
    // Subscribed as shard channels, spread over more than one master; none as a plain channel.
    const k = keyLayout(prefix);
    const perMaster = await Promise.all(
      admin.nodes('master').map(async (n) => ({
        sharded: ((await n.call('PUBSUB', 'SHARDCHANNELS', `${prefix}:*`)) as string[]).length,
        plain: ((await n.call('PUBSUB', 'CHANNELS', `${prefix}:*`)) as string[]).length,
      })),
    );
    expect(perMaster.reduce((sum, n) => sum + n.sharded, 0)).toBe(ids.length + 1);
    expect(perMaster.filter((n) => n.sharded > 0).length).toBeGreaterThanOrEqual(2);
    expect(perMaster.every((n) => n.plain === 0)).toBe(true);
    expect(hashTag(k.shardChannel('conv:c1'))).toBe(hashTag(k.convState('c1')));
    for (const off of offs) await off();
  } finally {
    await a.close();
    await b.close();
    await admin.quit();
  }
});
