/**
 * The connection drops after Redis ran a take but before its reply arrived: the client
 * reconnects and resends the command (autoResendUnfulfilledCommands). The test puts a TCP
 * proxy between the store and the real Redis at 127.0.0.1:6379 that swallows exactly that
 * reply and cuts the connection. The resent claim must return the entry the first run took
 * (not claim a second one, which would leave the first assigned to an agent who never heard
 * of it); the same for SLA timers and expired presence leases.
 */
import * as net from 'node:net';
import { createRedisStore } from '../../src/store';
import { silentLogger } from '../../src/store/shared';
import type { Store } from '../../src/store/types';
import { deleteKeysUnder, uniquePrefix } from './redis-harness';
import { Redis } from 'ioredis';

const upstream = { host: '127.0.0.1', port: 6379 };

/** Forwards to Redis; `dropNextReply()` makes it cut both sides instead of relaying the next reply. */
async function flakyProxy() {
  let drop = false;
  let dropped = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const redis = net.connect(upstream);
    sockets.add(client).add(redis);
    const cut = (): void => {
      client.destroy();
      redis.destroy();
    };
    client.on('data', (d) => redis.write(d));
    redis.on('data', (d) => {
      if (drop) {
        drop = false;
        dropped += 1;
        cut();
        return;
      }
      client.write(d);
    });
    for (const s of [client, redis]) {
      s.on('error', cut);
      s.on('close', () => {
        sockets.delete(s);
        cut();
      });
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}`,
    dropNextReply: () => void (drop = true),
    dropped: () => dropped,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

let proxy: Awaited<ReturnType<typeof flakyProxy>>;
let store: Store;
let direct: Store;
const prefix = uniquePrefix('resend');

beforeAll(async () => {
  proxy = await flakyProxy();
  store = createRedisStore({ url: proxy.url, prefix, logger: silentLogger, maxReconnectDelayMs: 50 });
  direct = createRedisStore({ url: `redis://${upstream.host}:${upstream.port}`, prefix, logger: silentLogger });
  await Promise.all([store.ready(), direct.ready()]);
  // Load every script once, so the cut reply below is the script's and not a NOSCRIPT error.
  await store.claimNext('warm-up', 1);
  await store.takeDueTimers(0);
  await store.takeExpiredLeases(0);
});

afterAll(async () => {
  await store.close();
  await direct.close();
  await proxy.close();
  const admin = new Redis(`redis://${upstream.host}:${upstream.port}`);
  await deleteKeysUnder(admin, prefix);
  await admin.quit();
});

it('a claim resent after its reply was lost returns the first claim; the next entry stays queued', async () => {
  const at = (m: number) => new Date(Date.UTC(2024, 4, 1, 8, m)).toISOString();
  await direct.enqueue({ conversationId: 'first', priority: 'normal', enqueuedAt: at(1) });
  await direct.enqueue({ conversationId: 'second', priority: 'normal', enqueuedAt: at(2) });
  const before = proxy.dropped();
  proxy.dropNextReply();
  const claimed = await store.claimNext('xiaomei', 5);
  expect(proxy.dropped()).toBe(before + 1);
  expect(claimed?.conversationId).toBe('first');
  expect(await direct.listAssignments('xiaomei')).toEqual(['first']);
  expect((await direct.listQueue()).map((e) => e.conversationId)).toEqual(['second']);
});

it('a timer take resent after its reply was lost returns the same timers; later ones stay', async () => {
  await direct.setTimer({ key: 'first-response:a', dueAt: 100, payload: { conversationId: 'a' } });
  await direct.setTimer({ key: 'first-response:b', dueAt: 200, payload: { conversationId: 'b' } });
  const before = proxy.dropped();
  proxy.dropNextReply();
  const taken = await store.takeDueTimers(1000, 1);
  expect(proxy.dropped()).toBe(before + 1);
  expect(taken.map((t) => t.key)).toEqual(['first-response:a']);
  expect((await direct.listTimers()).map((t) => t.key)).toEqual(['first-response:b']);
});

it('a lease expiry resent after its reply was lost still reports the agent it took', async () => {
  await direct.setPresence({ agentId: 'xiaomei', status: 'online', since: new Date(0).toISOString() });
  await direct.renewPresenceLease('xiaomei', 100);
  const before = proxy.dropped();
  proxy.dropNextReply();
  const taken = await store.takeExpiredLeases(1000);
  expect(proxy.dropped()).toBe(before + 1);
  expect(taken).toEqual([{ agentId: 'xiaomei', expiresAt: 100 }]);
  expect((await direct.getPresence('xiaomei'))?.status).toBe('offline');
});
