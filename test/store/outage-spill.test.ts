/**
 * The spill file behind withOutageFallback: what is acknowledged during a Redis outage is on
 * disk before the caller gets its answer, survives the process, and is replayed into Redis
 * exactly once at the next start.
 *
 * - the file itself (no Redis): entries are durable lines, confirmed ones are dropped, a torn
 *   last line is tolerated, a damaged line is skipped, one live process per INSTANCE_ID, and
 *   an orphan of an instance that is gone is adopted;
 * - the replay against the shared Redis (127.0.0.1:6379, own key prefix): idempotent, and
 *   with another instance having written meanwhile it keeps Redis's order and drops nothing;
 * - the wrapper over the test's own redis-server, stopped under it: acknowledged writes are
 *   in the spill file, a process that goes away without Redis having them leaves them there,
 *   and the next one replays them.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import * as path from 'node:path';
import { Redis } from 'ioredis';
import { isAppError } from '../../src/errors';
import { createRedisStore } from '../../src/store';
import { withOutageFallback } from '../../src/store/outage';
import type { StoreLogger } from '../../src/store/shared';
import { SpillFile, readSpillFile, spillFileName, type SpillEntry, type SpillRecord } from '../../src/store/spill';
import { replaySpill } from '../../src/store/spill-replay';
import type { Store } from '../../src/store/types';
import { conversation } from './contract';
import { deleteKeysUnder, uniquePrefix } from './redis-harness';
import { freeRedisPort, startRedisServer, type RedisProcess } from './redis-server';

jest.setTimeout(120_000);

const dirs: string[] = [];
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(tmpdir(), 'kefu-spill-'));
  dirs.push(d);
  return d;
}

const children: ChildProcess[] = [];
/** A live process that is not us (a lock holder the tests can point at). */
function liveProcess(): number {
  const child = spawn('sleep', ['300'], { stdio: 'ignore' });
  children.push(child);
  return child.pid as number;
}

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function recordingLogger(): StoreLogger & { lines: { level: string; msg: string; detail: Record<string, unknown> }[] } {
  const lines: { level: string; msg: string; detail: Record<string, unknown> }[] = [];
  return {
    lines,
    warn: (detail, msg) => void lines.push({ level: 'warn', msg, detail }),
    info: (detail, msg) => void lines.push({ level: 'info', msg, detail }),
  };
}

const at = (i: number): string => new Date(Date.UTC(2024, 4, 1, 8, i)).toISOString();

const buyerMessage = (conversationId: string, clientId: string, seq: number, text: string): SpillRecord => ({
  kind: 'message',
  conversationId,
  message: { from: 'buyer', text, clientId, at: at(seq) },
  seq,
});
const botMessage = (conversationId: string, opId: string, seq: number, text: string, replyTo: number): SpillRecord => ({
  kind: 'message',
  conversationId,
  message: { from: 'bot', text, at: at(seq), meta: { replyTo } },
  seq,
  opId,
});

const line = (n: number, r: SpillRecord): string => `${JSON.stringify({ n, ...r })}\n`;

describe('the spill file', () => {
  it('holds each entry on disk once append resolves, and empties itself once all are confirmed', async () => {
    const dir = tempDir();
    const spill = SpillFile.open({ dir, instanceId: 'web-1', logger: recordingLogger() });
    expect(spill.file).toBe(path.join(dir, 'spill-web-1.jsonl'));
    const records = [buyerMessage('c1', 'm1', 4, '在吗'), buyerMessage('c1', 'm2', 5, '能便宜点吗')];
    expect(await Promise.all(records.map((r, i) => spill.append(i + 1, r)))).toEqual([true, true]);
    // What another process would find after a crash right now: both entries.
    expect(readSpillFile(spill.file, recordingLogger()).entries).toEqual(records.map((record, i) => ({ n: i + 1, record })));

    spill.done(1);
    await spill.append(3, buyerMessage('c1', 'm3', 6, '包邮吗'));
    expect(readSpillFile(spill.file, recordingLogger()).entries.map((e) => e.n)).toEqual([2, 3]);

    spill.done(2);
    spill.done(3);
    await spill.close();
    expect(fs.existsSync(spill.file)).toBe(false); // nothing unconfirmed: nothing left behind
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('keeps unconfirmed entries at close, and the next start takes them over', async () => {
    const dir = tempDir();
    const first = SpillFile.open({ dir, instanceId: 'web-1', logger: recordingLogger() });
    await first.append(1, buyerMessage('c1', 'm1', 2, '你好'));
    await first.append(2, buyerMessage('c1', 'm2', 3, '在吗'));
    first.done(1);
    await first.close();

    const second = SpillFile.open({ dir, instanceId: 'web-1', logger: recordingLogger() });
    expect(second.recoveredFiles).toHaveLength(1);
    expect(second.readRecovered().entries).toEqual([{ n: 2, record: buyerMessage('c1', 'm2', 3, '在吗') }]);
    second.discardRecovered();
    await second.close();
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('tolerates a torn last line (a crash in the middle of a write)', () => {
    const dir = tempDir();
    const full = line(1, buyerMessage('c1', 'm1', 2, '你好')) + line(2, buyerMessage('c1', 'm2', 3, '在吗'));
    const torn = line(3, buyerMessage('c1', 'm3', 4, '包邮吗')).slice(0, 30);
    fs.writeFileSync(path.join(dir, spillFileName('web-1')), full + torn);
    const logger = recordingLogger();
    const spill = SpillFile.open({ dir, instanceId: 'web-1', logger });
    const read = spill.readRecovered();
    expect(read.entries.map((e) => e.n)).toEqual([1, 2]);
    expect(read).toMatchObject({ torn: 1, damaged: 0 });
    expect(logger.lines.map((l) => l.msg)).toContain('ignoring torn last line of the spill file (a crash during a write: never acknowledged)');
  });

  it('skips a damaged line in the middle and keeps a copy of the file', () => {
    const dir = tempDir();
    const text = line(1, buyerMessage('c1', 'm1', 2, '你好')) + '{"n":2,"kind":"mess\n' + line(3, buyerMessage('c1', 'm3', 4, '包邮吗'));
    fs.writeFileSync(path.join(dir, spillFileName('web-1')), text);
    const spill = SpillFile.open({ dir, instanceId: 'web-1', logger: recordingLogger() });
    const read = spill.readRecovered();
    expect(read.entries.map((e) => e.n)).toEqual([1, 3]);
    expect(read.damaged).toBe(1);
    const kept = fs.readdirSync(dir).filter((f) => f.includes('.damaged-'));
    expect(kept).toHaveLength(1);
    expect(fs.readFileSync(path.join(dir, kept[0] as string), 'utf8')).toBe(text);
  });

  it('refuses a second live process with the same INSTANCE_ID', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'spill-web-1.lock'), JSON.stringify({ pid: liveProcess(), host: hostname() }));
    const err = (() => {
      try {
        SpillFile.open({ dir, instanceId: 'web-1', logger: recordingLogger() });
        return null;
      } catch (e) {
        return e;
      }
    })();
    expect(isAppError(err) && err.code).toBe('INVALID_CONFIG');
    expect(String((err as Error).message)).toMatch(/INSTANCE_ID web-1 is in use by process \d+/);
    // Another INSTANCE_ID on the same DATA_DIR is fine.
    const other = SpillFile.open({ dir, instanceId: 'web-2', logger: recordingLogger() });
    expect(other.file).toBe(path.join(dir, 'spill-web-2.jsonl'));
  });

  it('adopts the spill file of an instance that is gone, never one of a live instance', () => {
    const dir = tempDir();
    const gonePid = spawnSync('true').pid as number; // has exited
    fs.writeFileSync(path.join(dir, spillFileName('old-random-id')), line(1, buyerMessage('c1', 'm1', 2, '你好')));
    fs.writeFileSync(path.join(dir, 'spill-old-random-id.lock'), JSON.stringify({ pid: gonePid, host: hostname() }));
    fs.writeFileSync(path.join(dir, spillFileName('live')), line(1, buyerMessage('c9', 'x1', 2, '在吗')));
    fs.writeFileSync(path.join(dir, 'spill-live.lock'), JSON.stringify({ pid: liveProcess(), host: hostname() }));
    fs.writeFileSync(path.join(dir, spillFileName('elsewhere')), line(1, buyerMessage('c8', 'y1', 2, '在吗')));
    fs.writeFileSync(path.join(dir, 'spill-elsewhere.lock'), JSON.stringify({ pid: gonePid, host: `not-${hostname()}` }));

    const logger = recordingLogger();
    const spill = SpillFile.open({ dir, instanceId: 'new-id', logger });
    expect(spill.readRecovered().entries.map((e) => e.record)).toEqual([buyerMessage('c1', 'm1', 2, '你好')]);
    expect(logger.lines.some((l) => l.msg === 'adopting the spill file of an instance that is gone')).toBe(true);
    // The live instance's and the other machine's files are where they were.
    expect(fs.existsSync(path.join(dir, spillFileName('live')))).toBe(true);
    expect(fs.existsSync(path.join(dir, spillFileName('elsewhere')))).toBe(true);
    expect(fs.existsSync(path.join(dir, spillFileName('old-random-id')))).toBe(false);
  });
});

describe('replaying a spill file into Redis', () => {
  const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefixes: string[] = [];
  const open: Store[] = [];

  async function redisStore(): Promise<Store> {
    const prefix = uniquePrefix('spill-replay');
    prefixes.push(prefix);
    const s = createRedisStore({ url, prefix, logger: recordingLogger() });
    open.push(s);
    await s.ready();
    return s;
  }

  afterAll(async () => {
    for (const s of open) await s.close();
    const admin = new Redis(url);
    try {
      for (const p of prefixes) await deleteKeysUnder(admin, p);
    } finally {
      await admin.quit();
    }
  });

  /** What one buyer turn during an outage leaves in a spill file: a new conversation, its session, messages, a handoff. */
  function outageTurn(): SpillEntry[] {
    const state = conversation('c1', { buyerId: 'b1', status: 'queued', createdAt: at(1), updatedAt: at(3) });
    const records: SpillRecord[] = [
      { kind: 'conversation', state: { ...state, status: 'bot', updatedAt: at(1), turns: [] } },
      { kind: 'session', session: { buyerId: 'b1', resumeToken: 'tok', conversationId: 'c1' } },
      botMessage('c1', 'op-greet', 1, '亲，在的～', 0),
      buyerMessage('c1', 'm1', 2, '我要投诉'),
      {
        kind: 'conversation',
        state: { ...state, turns: [{ seq: 2, at: at(2), text: '我要投诉', intent: 'review.bad', category: 'bad_review', confidence: 0.9 }] },
      },
      botMessage('c1', 'op-reply', 3, '亲，非常抱歉…', 2),
      { kind: 'enqueue', entry: { conversationId: 'c1', priority: 'urgent', enqueuedAt: at(3), reason: 'complaint' } },
    ];
    return records.map((record, i) => ({ n: i + 1, record }));
  }

  it('writes everything once, and a second replay changes nothing', async () => {
    const store = await redisStore();
    const entries = outageTurn();
    // The first two writes had landed before the process died.
    await store.saveConversation((entries[0]?.record as { state: ReturnType<typeof conversation> }).state);
    await store.appendMessage('c1', { from: 'bot', text: '亲，在的～', at: at(1), meta: { replyTo: 0 } }, { opId: 'op-greet' });

    const first = await replaySpill(store, entries, recordingLogger());
    expect(first).toMatchObject({ entries: 7, messagesWritten: 2, messagesAlreadyThere: 1, messagesMoved: 0, queued: 1, failed: 0 });
    const again = await replaySpill(store, entries, recordingLogger());
    expect(again).toMatchObject({ messagesWritten: 0, messagesAlreadyThere: 3, sessionsWritten: 0, failed: 0 });

    const log = await store.messagesAfter('c1', 0);
    expect(log.map((m) => [m.seq, m.from, m.text])).toEqual([
      [1, 'bot', '亲，在的～'],
      [2, 'buyer', '我要投诉'],
      [3, 'bot', '亲，非常抱歉…'],
    ]);
    expect((await store.getConversation('c1'))?.status).toBe('queued');
    expect(await store.getBuyerSession('b1')).toEqual({ buyerId: 'b1', resumeToken: 'tok', conversationId: 'c1' });
    expect(await store.listQueue()).toEqual([{ conversationId: 'c1', priority: 'urgent', enqueuedAt: at(3), reason: 'complaint' }]);
  });

  it('keeps Redis order when another instance wrote meanwhile: nothing dropped, replies follow their message', async () => {
    const store = await redisStore();
    const entries = outageTurn();
    // Another instance had the conversation meanwhile: two messages, a newer state, an agent took it.
    await store.appendMessage('c1', { from: 'bot', text: '亲，在的～', at: at(1), meta: { replyTo: 0 } }, { opId: 'op-greet' });
    await store.appendMessage('c1', { from: 'buyer', text: '有人吗', clientId: 'other-1', at: at(4) });
    const newer = conversation('c1', { buyerId: 'b1', status: 'agent', assignedAgent: 'xiaomei', createdAt: at(1), updatedAt: at(9) });
    await store.saveConversation(newer);

    const logger = recordingLogger();
    const summary = await replaySpill(store, entries, logger);
    expect(summary).toMatchObject({ messagesWritten: 2, messagesAlreadyThere: 1, messagesMoved: 2, statesKeptNewer: 2, queued: 0, queueSkipped: 1 });
    const log = await store.messagesAfter('c1', 0);
    expect(log.map((m) => [m.seq, m.from, m.text, m.meta?.['replyTo']])).toEqual([
      [1, 'bot', '亲，在的～', 0],
      [2, 'buyer', '有人吗', undefined],
      [3, 'buyer', '我要投诉', undefined],
      [4, 'bot', '亲，非常抱歉…', 3], // still answers the complaint at its new seq
    ]);
    expect(logger.lines.filter((l) => l.msg.startsWith('recovered message stored at another seq')).map((l) => l.detail)).toEqual([
      { conversationId: 'c1', from: 'buyer', provisionalSeq: 2, seq: 3 },
      { conversationId: 'c1', from: 'bot', provisionalSeq: 3, seq: 4 },
    ]);
    expect(await store.getConversation('c1')).toEqual(newer); // the newer state wins
    expect(await store.listQueue()).toEqual([]); // an agent has it: not queued again
  });

  it('keeps a buyer session that points at a newer conversation', async () => {
    const store = await redisStore();
    await store.saveConversation(conversation('old', { createdAt: at(1), updatedAt: at(1) }));
    await store.saveConversation(conversation('new', { createdAt: at(5), updatedAt: at(5) }));
    await store.saveBuyerSession({ buyerId: 'b1', resumeToken: 'tok', conversationId: 'new' });
    const summary = await replaySpill(
      store,
      [{ n: 1, record: { kind: 'session', session: { buyerId: 'b1', resumeToken: 'tok', conversationId: 'old' } } }],
      recordingLogger(),
    );
    expect(summary).toMatchObject({ sessionsKept: 1, sessionsWritten: 0 });
    expect((await store.getBuyerSession('b1'))?.conversationId).toBe('new');
  });
});

describe('withOutageFallback with a spill file, Redis stopped under it', () => {
  let redisDir: string;
  let redis: RedisProcess;
  let url: string;
  let redisDown = false;
  const stores: Store[] = [];
  const prefix = `spill-${process.pid}-${Date.now().toString(36)}`;

  beforeAll(async () => {
    redisDir = tempDir();
    redis = await startRedisServer(await freeRedisPort(), redisDir, ['--appendonly', 'yes', '--appendfsync', 'always', '--save', '']);
    url = `redis://127.0.0.1:${redis.port}`;
  }, 30_000);

  // A failed test may have left Redis stopped: the next one starts with it running.
  beforeEach(async () => {
    if (redisDown) await redis.start();
    redisDown = false;
  });

  afterAll(async () => {
    if (redisDown) await redis.start();
    for (const s of stores) await s.close().catch(() => undefined);
    await redis.stop();
  });

  /** Polls until `check` holds; gives up after 30 s so a broken store fails with the condition instead of hanging. */
  async function until(check: () => boolean | Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`condition not reached: ${check.toString()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  function raw(name: string): Store {
    const s = createRedisStore({ url, prefix: `${prefix}:${name}`, logger: recordingLogger(), maxReconnectDelayMs: 100 });
    stores.push(s);
    return s;
  }

  function wrapped(name: string, dataDir: string, logger = recordingLogger()): Store {
    const s = withOutageFallback(raw(name), { logger, fallbackAfterMs: 500, readTimeoutMs: 1000, spill: { dir: dataDir, instanceId: 'web-1' } });
    stores.push(s);
    return s;
  }

  it('an instance stopped during the outage leaves acknowledged writes in the spill file; the next one replays them', async () => {
    const dataDir = tempDir();
    const first = wrapped('restart', dataDir);
    await first.ready();
    await first.saveConversation(conversation('c1', { turns: [] }));
    await first.appendMessage('c1', { from: 'bot', text: '欢迎', at: at(1) });

    await redis.stop();
    redisDown = true;
    await until(() => first.health().status === 'degraded');
    const acked = [];
    for (let i = 1; i <= 3; i++)
      acked.push(await first.appendMessage('c1', { from: 'buyer', text: `during ${i}`, clientId: `d${i}`, at: at(10 + i) }));
    acked.push(await first.appendMessage('c1', { from: 'bot', text: '亲～', at: at(14), meta: { replyTo: 4 } }));
    await first.saveConversation(conversation('c1', { status: 'queued', updatedAt: at(15) }));
    await first.enqueue({ conversationId: 'c1', priority: 'high', enqueuedAt: at(15), reason: 'after_sale' });
    expect(acked.map((m) => m.seq)).toEqual([2, 3, 4, 5]);
    expect(first.health().reason).toMatch(/6 in the spill file/);
    // Already on disk, before Redis has any of it.
    const onDisk = readSpillFile(path.join(dataDir, 'spill-web-1.jsonl'), recordingLogger()).entries.map((e) => e.record.kind);
    expect(onDisk).toEqual(['message', 'message', 'message', 'message', 'conversation', 'enqueue']);

    // The process goes away while Redis is still down: its queue to Redis is gone.
    await first.close();
    await redis.start();
    redisDown = false;
    const reader = raw('restart');
    await reader.ready();
    expect(await reader.lastSeq('c1')).toBe(1);

    const logger = recordingLogger();
    const second = wrapped('restart', dataDir, logger);
    await second.ready(); // connected, and the spill replayed
    expect((await reader.messagesAfter('c1', 0)).map((m) => [m.seq, m.text])).toEqual([
      [1, '欢迎'],
      [2, 'during 1'],
      [3, 'during 2'],
      [4, 'during 3'],
      [5, '亲～'],
    ]);
    expect((await reader.getConversation('c1'))?.status).toBe('queued');
    expect((await reader.listQueue()).map((q) => q.conversationId)).toEqual(['c1']);
    expect(logger.lines.find((l) => l.msg.startsWith('spill recovered'))?.detail).toMatchObject({ entries: 6, messagesWritten: 4, failed: 0 });
    expect(fs.readdirSync(dataDir).filter((f) => f.includes('.recover-'))).toEqual([]);
    expect(second.health()).toEqual({ status: 'ok' });
  });

  it('empties the spill file once Redis has confirmed everything', async () => {
    const dataDir = tempDir();
    const store = wrapped('drain', dataDir);
    await store.ready();
    await store.saveConversation(conversation('c2', { turns: [] }));
    await redis.stop();
    redisDown = true;
    await until(() => store.health().status === 'degraded');
    await store.appendMessage('c2', { from: 'buyer', text: '在吗', clientId: 'q1', at: at(1) });
    const file = path.join(dataDir, 'spill-web-1.jsonl');
    expect(fs.statSync(file).size).toBeGreaterThan(0);

    await redis.start();
    redisDown = false;
    await until(() => store.health().status === 'ok');
    await until(() => fs.statSync(file).size === 0);
    expect(readSpillFile(file, recordingLogger()).entries).toEqual([]);
  });

  it('does not answer early when the spill file cannot be written', async () => {
    const notADir = path.join(tempDir(), 'file');
    fs.writeFileSync(notADir, '');
    const logger = recordingLogger();
    const store = wrapped('nospill', notADir, logger);
    await store.ready();
    expect(logger.lines.map((l) => l.msg)).toContain(
      'spill file unavailable: while redis is unreachable, writes wait for redis instead of being acknowledged early',
    );
    await store.saveConversation(conversation('c3', { turns: [] }));
    await redis.stop();
    redisDown = true;
    await until(() => store.health().status === 'degraded');
    expect(store.health().reason).toMatch(/spill file unavailable .*writes wait for redis/);

    let answered = false;
    const append = store.appendMessage('c3', { from: 'buyer', text: '在吗', clientId: 'w1', at: at(1) }).then((m) => {
      answered = true;
      return m;
    });
    // Past the fallback delay, still no answer: nothing is acknowledged that is only in memory.
    await new Promise((r) => setTimeout(r, 1200));
    expect(answered).toBe(false);
    await redis.start();
    redisDown = false;
    expect((await append).seq).toBe(1);
  });
});
