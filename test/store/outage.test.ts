/**
 * withOutageFallback over a real Redis store: the test starts its own redis-server
 * (append-only, fsync always) on a free port, stops it in the middle of a conversation and
 * starts it again on the same port and directory. While Redis is away the wrapper must keep a
 * buyer's conversation going from its local copy (writes acknowledged and buffered, reads,
 * own bus events, locks, rate limits), say so in health(), and once Redis is back every
 * acknowledged write must be in Redis exactly once, with the seqs the callers were given.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { isAppError } from '../../src/errors';
import { createRedisStore } from '../../src/store';
import { withOutageFallback } from '../../src/store/outage';
import type { StoreLogger } from '../../src/store/shared';
import type { Store, StoredMessage } from '../../src/store/types';
import { conversation } from './contract';
import { freeRedisPort, startRedisServer, type RedisProcess } from './redis-server';

jest.setTimeout(120_000);

let dir: string;
let redis: RedisProcess;
let url: string;
let redisDown = false;
const stores: Store[] = [];
const prefix = `outage-${process.pid}-${Date.now().toString(36)}`;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kefu-outage-'));
  redis = await startRedisServer(await freeRedisPort(), dir, ['--appendonly', 'yes', '--appendfsync', 'always', '--save', '']);
  url = `redis://127.0.0.1:${redis.port}`;
}, 30_000);

afterAll(async () => {
  if (redisDown) await redis.start(); // a failed test may have left it stopped: let buffered writes drain
  for (const s of stores) await s.close().catch(() => undefined);
  await redis.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function recordingLogger(): StoreLogger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, warn: (_d, msg) => void lines.push(`warn: ${msg}`), info: (_d, msg) => void lines.push(`info: ${msg}`) };
}

/** Polls until `check` holds; gives up after 20 s so a broken store fails the test instead of hanging it. */
async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not reached: ${check.toString()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const at = (i: number): string => new Date(Date.UTC(2024, 4, 1, 8, i)).toISOString();

async function open(name: string): Promise<{ store: Store; raw: Store; logger: ReturnType<typeof recordingLogger> }> {
  const logger = recordingLogger();
  const raw = createRedisStore({ url, prefix: `${prefix}:${name}`, logger: recordingLogger(), maxReconnectDelayMs: 100 });
  await raw.ready();
  const store = withOutageFallback(raw, { logger, fallbackAfterMs: 500, readTimeoutMs: 1000 });
  stores.push(store);
  return { store, raw, logger };
}

/** A plain Redis store on the same data: what another instance would read. */
async function reader(name: string): Promise<Store> {
  const r = createRedisStore({ url, prefix: `${prefix}:${name}`, logger: recordingLogger() });
  stores.push(r);
  await r.ready();
  return r;
}

it('keeps a conversation going from the local copy while Redis is down, and loses nothing acknowledged', async () => {
  const { store, logger } = await open('main');
  // A conversation this process opened (so it knows the whole log) and a buyer session.
  await store.saveConversation(conversation('c1', { turns: [] }));
  await store.saveBuyerSession({ buyerId: 'b1', resumeToken: 'tok-1', conversationId: 'c1' });
  const acked: StoredMessage[] = [];
  for (let i = 1; i <= 3; i++)
    acked.push(await store.appendMessage('c1', { from: i % 2 ? 'buyer' : 'bot', text: `before ${i}`, clientId: `b${i}`, at: at(i) }));
  const events: unknown[] = [];
  await store.subscribe('conv:c1', (m) => events.push(m));
  await until(() => store.health().status === 'ok'); // the subscriber connection is up
  expect(await store.firstSeen('webhook:sig:before', 60_000)).toBe(true);

  await redis.stop();
  redisDown = true;
  await until(() => store.health().status === 'degraded');
  expect(store.health().reason).toMatch(/local copy/);

  // Writes are acknowledged at once, numbered after what is known locally.
  for (let i = 1; i <= 3; i++) acked.push(await store.appendMessage('c1', { from: 'buyer', text: `during ${i}`, clientId: `d${i}`, at: at(10 + i) }));
  expect(acked.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  // A resend of an acknowledged message gets the same seq, not a second copy.
  expect((await store.appendMessage('c1', { from: 'buyer', text: 'during 2', clientId: 'd2', at: at(12) })).seq).toBe(5);
  await store.saveConversation(conversation('c1', { status: 'queued' }));
  await store.enqueue({ conversationId: 'c1', priority: 'high', enqueuedAt: at(13), reason: 'after_sale' });
  expect(store.health()).toMatchObject({ status: 'degraded', reason: expect.stringMatching(/\d+ acknowledged writes buffered/) });

  // Reads come from the local copy.
  expect((await store.messagesAfter('c1', 0)).map((m) => m.text)).toEqual(acked.map((m) => m.text));
  expect((await store.messagesAfter('c1', 4, 1)).map((m) => m.seq)).toEqual([5]);
  expect(await store.lastSeq('c1')).toBe(6); // counts the buffered appends too
  expect((await store.getConversation('c1'))?.status).toBe('queued');
  expect(await store.getBuyerSession('b1')).toEqual({ buyerId: 'b1', resumeToken: 'tok-1', conversationId: 'c1' });
  // …and what was never seen here cannot be made up: it fails with a code.
  const unknown = await store.getConversation('never-seen').then(
    () => null,
    (err: unknown) => err,
  );
  expect(isAppError(unknown) && unknown.code).toBe('STORE_UNAVAILABLE');

  // A buyer who starts chatting during the outage: opened here, so it can be numbered too.
  await store.saveConversation(conversation('c2', { turns: [] }));
  const c2 = await store.appendMessage('c2', { from: 'bot', text: '欢迎', at: at(20) });
  expect(c2.seq).toBe(1);

  // Our own events reach our own subscribers.
  await store.publish('conv:c1', { kind: 'typing', from: 'bot' });
  expect(events).toEqual([{ kind: 'typing', from: 'bot' }]);

  // Locks and rate limits fall back to this process.
  const order: string[] = [];
  const hold = (name: string) =>
    store.withLock('turn:c1', 5000, async () => {
      order.push(`${name} in`);
      await new Promise((r) => setTimeout(r, 20));
      order.push(`${name} out`);
      return name;
    });
  expect(await Promise.all([hold('a'), hold('b')])).toEqual(['a', 'b']);
  expect(order).toEqual(['a in', 'a out', 'b in', 'b out']);
  const hits = [];
  for (let i = 0; i < 3; i++) hits.push(await store.hit('rate:buyer:b1', 60_000, 2));
  expect(hits.map((h) => h.allowed)).toEqual([true, true, false]);
  // Replay guards too: a key this instance saw before or during the outage is refused again.
  expect(await store.firstSeen('webhook:sig:during', 60_000)).toBe(true);
  expect(await store.firstSeen('webhook:sig:during', 60_000)).toBe(false);
  expect(await store.firstSeen('webhook:sig:before', 60_000)).toBe(false);

  // Redis returns: everything buffered is confirmed, health is ok again.
  await redis.start();
  redisDown = false;
  await until(() => store.health().status === 'ok');
  expect(logger.lines.some((l) => l.startsWith('warn: store degraded'))).toBe(true);
  expect(logger.lines.some((l) => l.startsWith('info: store recovered'))).toBe(true);

  const other = await reader('main');
  const log = await other.messagesAfter('c1', 0);
  expect(log.map((m) => [m.seq, m.text, m.clientId])).toEqual(acked.map((m) => [m.seq, m.text, m.clientId]));
  expect((await other.getConversation('c1'))?.status).toBe('queued');
  expect(await other.listQueue()).toEqual([{ conversationId: 'c1', priority: 'high', enqueuedAt: at(13), reason: 'after_sale' }]);
  expect(await other.getBuyerSession('b1')).toEqual({ buyerId: 'b1', resumeToken: 'tok-1', conversationId: 'c1' });
  expect((await other.messagesAfter('c2', 0)).map((m) => [m.seq, m.text])).toEqual([[1, '欢迎']]);

  // Our own event, buffered and published when Redis returned, was not delivered to us twice;
  // another instance's events arrive again through Redis.
  await other.publish('conv:c1', { kind: 'typing', from: 'agent' });
  await until(() => events.length >= 2);
  expect(events).toEqual([
    { kind: 'typing', from: 'bot' },
    { kind: 'typing', from: 'agent' },
  ]);
});

it('falls back when Redis is connected but stuck, and is ok again once it answers', async () => {
  const { store, raw } = await open('stuck');
  await store.saveConversation(conversation('s1', { turns: [] }));
  await store.appendMessage('s1', { from: 'bot', text: '欢迎', at: at(1) });
  expect(store.health()).toEqual({ status: 'ok' });

  // Every client of this Redis waits, but no connection drops: only slowness shows it.
  const admin = await reader('stuck');
  expect(spawnSync('redis-cli', ['-p', String(redis.port), 'client', 'pause', '3000', 'WRITE'], { encoding: 'utf8' }).stdout.trim()).toBe('OK');

  const ack = await store.appendMessage('s1', { from: 'buyer', text: '在吗', clientId: 'q1', at: at(2) });
  expect(ack.seq).toBe(2); // acknowledged from the local log after the fallback delay
  expect(raw.health().status).toBe('ok'); // the client itself saw nothing wrong…
  expect(store.health()).toMatchObject({ status: 'degraded', reason: expect.stringMatching(/took longer than 500 ms/) }); // …the wrapper did
  expect((await store.messagesAfter('s1', 0)).map((m) => m.text)).toEqual(['欢迎', '在吗']);

  await until(() => store.health().status === 'ok');
  expect((await admin.messagesAfter('s1', 0)).map((m) => [m.seq, m.text])).toEqual([
    [1, '欢迎'],
    [2, '在吗'],
  ]);
});
