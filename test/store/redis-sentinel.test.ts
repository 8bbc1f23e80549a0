/**
 * Redis through Sentinel (REDIS_SENTINELS, REDIS_SENTINEL_NAME): a master, a replica and one
 * sentinel started by this test. The store finds the master by asking the sentinel, keeps
 * working after a failover to the replica, and the configuration is read and validated.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config';
import { createStore } from '../../src/store';
import { silentLogger } from '../../src/store/shared';
import type { Store } from '../../src/store/types';
import { deleteKeysUnder, uniquePrefix } from './redis-harness';
import { freeRedisPort, startRedisServer, type RedisProcess } from './redis-server';

let dir: string;
let master: RedisProcess;
let replica: RedisProcess;
let sentinel: ChildProcess;
let sentinelPort: number;
const NAME = 'kefu-test-master';

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kefu-sentinel-'));
  const masterPort = await freeRedisPort();
  const replicaPort = await freeRedisPort([masterPort]);
  sentinelPort = await freeRedisPort([masterPort, replicaPort]);
  master = await startRedisServer(masterPort, dir, ['--save', '', '--appendonly', 'no', '--dbfilename', `m-${masterPort}.rdb`]);
  replica = await startRedisServer(replicaPort, dir, [
    '--save',
    '',
    '--appendonly',
    'no',
    '--dbfilename',
    `r-${replicaPort}.rdb`,
    '--replicaof',
    '127.0.0.1',
    String(masterPort),
  ]);
  const conf = path.join(dir, 'sentinel.conf');
  fs.writeFileSync(
    conf,
    [
      `port ${sentinelPort}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor ${NAME} 127.0.0.1 ${masterPort} 1`,
      // Long enough that a loaded machine never looks like a dead master: only our FAILOVER moves it.
      `sentinel down-after-milliseconds ${NAME} 10000`,
      `sentinel failover-timeout ${NAME} 10000`,
      '',
    ].join('\n'),
  );
  sentinel = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
  const admin = new Redis(sentinelPort, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => 100 });
  try {
    // Ready once the sentinel knows the master and the replica is in sync.
    await until('the sentinel to see the replica', async () => {
      await admin.connect().catch(() => undefined);
      const replicas = (await admin.call('SENTINEL', 'REPLICAS', NAME)) as string[][];
      const flags = replicas[0]?.[replicas[0].indexOf('flags') + 1];
      return flags === 'slave' ? true : undefined;
    });
    const rep = new Redis(replicaPort, '127.0.0.1');
    try {
      await until('the replica to sync', async () => ((await rep.info('replication')).includes('master_link_status:up') ? true : undefined));
    } finally {
      rep.disconnect();
    }
  } finally {
    admin.disconnect();
  }
}, 90_000);

afterAll(async () => {
  if (sentinel && sentinel.exitCode === null) {
    const exited = new Promise<void>((r) => sentinel.once('exit', () => r()));
    sentinel.kill('SIGTERM');
    await exited;
  }
  await replica?.stop();
  await master?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

it('reads REDIS_SENTINELS and REDIS_SENTINEL_NAME, and refuses a malformed list', () => {
  const config = loadConfig({
    REDIS_SENTINELS: '10.0.0.1:26379, 10.0.0.2:26379',
    REDIS_SENTINEL_NAME: 'shop',
    REDIS_PASSWORD: 'pw',
    REDIS_SENTINEL_PASSWORD: 'spw',
  });
  expect(config.redisSentinel).toEqual({
    sentinels: [
      { host: '10.0.0.1', port: 26379 },
      { host: '10.0.0.2', port: 26379 },
    ],
    name: 'shop',
    password: 'pw',
    sentinelPassword: 'spw',
  });
  expect(loadConfig({ REDIS_SENTINELS: 's1:26379' }).redisSentinel?.name).toBe('mymaster');
  expect(loadConfig({}).redisSentinel).toBeUndefined();
  expect(() => loadConfig({ REDIS_SENTINELS: 's1' })).toThrow(/REDIS_SENTINELS: "s1" must look like host:port/);
  expect(() => loadConfig({ REDIS_SENTINELS: 's1:1', REDIS_SENTINEL_NAME: 'a b' })).toThrow(/REDIS_SENTINEL_NAME/);
});

it('finds the master through the sentinel and keeps storing after a failover to the replica', async () => {
  const prefix = uniquePrefix('sentinel');
  const store: Store = createStore({
    redisSentinel: { sentinels: [{ host: '127.0.0.1', port: sentinelPort }], name: NAME },
    redisPrefix: prefix,
    logger: silentLogger,
  });
  const direct = new Redis(master.port, '127.0.0.1');
  const promoted = new Redis(replica.port, '127.0.0.1');
  try {
    expect(store.kind).toBe('redis');
    await store.ready();
    const first = await store.appendMessage('c1', { from: 'buyer', text: '在吗', clientId: 'm1', at: new Date(0).toISOString() });
    expect((await direct.keys(`${prefix}:*`)).length).toBeGreaterThan(0);

    const sentinelAdmin = new Redis(sentinelPort, '127.0.0.1');
    try {
      // INPROG: a failover is already running, which is what we asked for.
      await sentinelAdmin.call('SENTINEL', 'FAILOVER', NAME).catch((err: Error) => {
        if (!err.message.includes('INPROG')) throw err;
      });
      await until('the sentinel to name the replica as master', async () => {
        const [, port] = (await sentinelAdmin.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', NAME)) as [string, string];
        return Number(port) === replica.port ? true : undefined;
      });
    } finally {
      sentinelAdmin.disconnect();
    }
    await until('the replica to become a master', async () => ((await promoted.info('replication')).includes('role:master') ? true : undefined));

    // The old master is now a replica: a write reaching it would fail with READONLY. The
    // client reconnects through the sentinel, so the write lands on the new master.
    const second = await store.appendMessage('c1', { from: 'buyer', text: '还在吗', clientId: 'm2', at: new Date(1).toISOString() });
    expect(second.seq).toBe(first.seq + 1);
    const log = await store.messagesAfter('c1', 0);
    expect(log.map((m) => m.text)).toEqual(['在吗', '还在吗']);
    expect((await promoted.keys(`${prefix}:*`)).length).toBeGreaterThan(0);
  } finally {
    await store.close();
    await deleteKeysUnder(promoted, prefix).catch(() => undefined);
    direct.disconnect();
    promoted.disconnect();
  }
}, 90_000);
