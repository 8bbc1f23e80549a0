/**
 * Redis goes away mid-conversation: the test runs its own redis-server (append-only on) on a
 * free port, stops it while a conversation is going on, keeps writing, starts it again on the
 * same port and directory, and checks that nothing acknowledged is lost, nothing is stored
 * twice, health said why it was degraded and is ok again, and the bus resubscribed.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRedisStore } from '../../src/store';
import type { StoreLogger } from '../../src/store/shared';
import type { Store, StoredMessage } from '../../src/store/types';
import { freeRedisPort, startRedisServer, type RedisProcess } from './redis-server';

let dir: string;
let server: RedisProcess;
let url: string;
const stores: Store[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kefu-redis-fault-'));
  const port = await freeRedisPort();
  server = await startRedisServer(port, dir, ['--appendonly', 'yes', '--appendfsync', 'always', '--save', '']);
  url = `redis://127.0.0.1:${port}`;
}, 30_000);

afterAll(async () => {
  for (const s of stores) await s.close();
  await server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function recordingLogger(): StoreLogger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, warn: (_d, msg) => void lines.push(`warn: ${msg}`), info: (_d, msg) => void lines.push(`info: ${msg}`) };
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 20));
}

const at = (i: number): string => new Date(Date.UTC(2024, 4, 1, 8, i)).toISOString();

it('keeps every acknowledged write across a Redis stop and restart', async () => {
  const logger = recordingLogger();
  const store = createRedisStore({ url, prefix: 'fault', logger, maxReconnectDelayMs: 100 });
  stores.push(store);
  await store.ready();

  const relayed: unknown[] = [];
  await store.subscribe('conv:c1', (m) => relayed.push(m));

  const acked: StoredMessage[] = [];
  for (let i = 1; i <= 5; i++) {
    acked.push(await store.appendMessage('c1', { from: i % 2 ? 'buyer' : 'bot', text: `before ${i}`, clientId: `b${i}`, at: at(i) }));
  }
  expect(store.health()).toEqual({ status: 'ok' });

  await server.stop();
  await until(() => store.health().status === 'degraded');

  // Writes while Redis is down: they wait, none is acknowledged yet.
  let settled = 0;
  const during = Array.from({ length: 5 }, (_, i) =>
    store.appendMessage('c1', { from: 'buyer', text: `during ${i + 1}`, clientId: `d${i + 1}`, at: at(10 + i) }).finally(() => void (settled += 1)),
  );
  const queued = store
    .enqueue({ conversationId: 'c1', priority: 'high', enqueuedAt: at(12), reason: 'after_sale' })
    .finally(() => void (settled += 1));
  // Let the event loop turn so anything that could settle would have.
  await new Promise((r) => setTimeout(r, 50));
  expect(settled).toBe(0);
  const health = store.health();
  expect(health.status).toBe('degraded');
  expect(health.reason).toMatch(/redis unreachable .*6 operations waiting/);

  await server.start();
  acked.push(...(await Promise.all(during)));
  await queued;
  expect(store.health()).toEqual({ status: 'ok' });

  // One more write after recovery, and a resend of an earlier clientId: no duplicate.
  acked.push(await store.appendMessage('c1', { from: 'bot', text: 'after', at: at(30) }));
  expect((await store.appendMessage('c1', { from: 'buyer', text: 'during 2', clientId: 'd2', at: at(11) })).seq).toBe(7);

  // A fresh connection sees exactly what was acknowledged, in order, gap-free.
  const reader = createRedisStore({ url, prefix: 'fault', logger });
  stores.push(reader);
  const log = await reader.messagesAfter('c1', 0);
  expect(log.map((m) => m.seq)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
  expect(log.map((m) => m.text)).toEqual([...acked].sort((a, b) => a.seq - b.seq).map((m) => m.text));
  expect(log.map((m) => m.text).slice(0, 5)).toEqual(['before 1', 'before 2', 'before 3', 'before 4', 'before 5']);
  expect(await reader.listQueue()).toEqual([{ conversationId: 'c1', priority: 'high', enqueuedAt: at(12), reason: 'after_sale' }]);

  // The logs said why, once, and said when it was over.
  expect(logger.lines.filter((l) => l.startsWith('warn: redis unreachable')).length).toBeGreaterThanOrEqual(1);
  expect(logger.lines.some((l) => l.startsWith('info: redis reachable again'))).toBe(true);

  // The bus subscription came back by itself.
  await until(() => store.health().status === 'ok');
  await reader.publish('conv:c1', { type: 'typing' });
  await until(() => relayed.length > 0);
  expect(relayed).toEqual([{ type: 'typing' }]);
}, 30_000);
