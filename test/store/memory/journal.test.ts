/**
 * The memory store's journal: what survives a crash mid-write, damaged lines, compaction and
 * the guard against two processes on one data directory.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createMemoryStore } from '../../../src/store';
import { silentLogger, type StoreLogger } from '../../../src/store/shared';

function recordingLogger(): StoreLogger & { warnings: string[]; infos: string[] } {
  const warnings: string[] = [];
  const infos: string[] = [];
  return { warnings, infos, warn: (_d, msg) => void warnings.push(msg), info: (_d, msg) => void infos.push(msg) };
}

const at = '2024-05-01T08:00:00.000Z';
let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kefu-journal-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const journalFile = (): string => path.join(dir, 'journal.jsonl');

it('creates the data directory when it is missing', async () => {
  const nested = path.join(dir, 'a', 'b');
  const store = createMemoryStore({ dataDir: nested });
  await store.appendMessage('c1', { from: 'buyer', text: 'hi', at });
  await store.close();
  expect(fs.readFileSync(path.join(nested, 'journal.jsonl'), 'utf8')).toContain('"text":"hi"');
});

it('ignores a torn last line with a warning and keeps everything before it', async () => {
  const first = createMemoryStore({ dataDir: dir });
  await first.appendMessage('c1', { from: 'buyer', text: 'one', at });
  await first.appendMessage('c1', { from: 'buyer', text: 'two', at });
  await first.close();
  // A crash in the middle of writing the third message.
  fs.appendFileSync(journalFile(), '{"t":"msg","v":{"conversationId":"c1","seq":3,"fr');

  const logger = recordingLogger();
  const second = createMemoryStore({ dataDir: dir, logger });
  expect((await second.messagesAfter('c1', 0)).map((m) => m.text)).toEqual(['one', 'two']);
  expect(logger.warnings.some((w) => w.includes('torn last line'))).toBe(true);
  expect((await second.appendMessage('c1', { from: 'bot', text: 'three', at })).seq).toBe(3);
  await second.close();

  // The torn bytes were compacted away: a third start has nothing to warn about.
  const logger3 = recordingLogger();
  const third = createMemoryStore({ dataDir: dir, logger: logger3 });
  expect((await third.messagesAfter('c1', 0)).map((m) => m.text)).toEqual(['one', 'two', 'three']);
  expect(logger3.warnings).toEqual([]);
  await third.close();
});

it('skips a damaged line in the middle, warns, and keeps the original file aside', async () => {
  const first = createMemoryStore({ dataDir: dir });
  await first.saveConversation({
    id: 'c1',
    buyerId: 'b',
    shopId: 'demo',
    status: 'bot',
    slots: {},
    turns: [],
    facts: [],
    createdAt: at,
    updatedAt: at,
  });
  await first.close();
  fs.appendFileSync(journalFile(), 'not json at all\n{"t":"session","v":{"buyerId":"b","resumeToken":"t","conversationId":"c1"}}\n');

  const logger = recordingLogger();
  const second = createMemoryStore({ dataDir: dir, logger });
  expect((await second.getConversation('c1'))?.id).toBe('c1');
  expect(await second.getBuyerSession('b')).toEqual({ buyerId: 'b', resumeToken: 't', conversationId: 'c1' });
  expect(logger.warnings.some((w) => w.includes('damaged'))).toBe(true);
  expect(fs.readdirSync(dir).some((f) => f.endsWith('.damaged'))).toBe(true);
  await second.close();
});

it('replays a journal whose lines were written twice (a retried write) without doubling anything', async () => {
  const first = createMemoryStore({ dataDir: dir });
  await first.appendMessage('c1', { from: 'buyer', text: 'one', at });
  await first.appendAudit({ at, who: 'boss', action: 'publish' });
  await first.assign('ajie', 'c1');
  await first.unassign('ajie', 'c1');
  await first.close();
  const text = fs.readFileSync(journalFile(), 'utf8');
  fs.writeFileSync(journalFile(), text + text);

  const logger = recordingLogger();
  const second = createMemoryStore({ dataDir: dir, logger });
  expect((await second.messagesAfter('c1', 0)).map((m) => m.text)).toEqual(['one']);
  expect(await second.listAudit()).toHaveLength(1);
  expect(await second.listAssignments('ajie')).toEqual([]);
  expect(logger.warnings).toEqual([]);
  await second.close();
});

it('compacts a large journal while running without losing state', async () => {
  const store = createMemoryStore({ dataDir: dir, compactBytes: 4096, logger: silentLogger });
  for (let i = 0; i < 200; i++) {
    // The same conversation saved again and again: compaction keeps only the latest.
    await store.saveConversation({
      id: 'c1',
      buyerId: 'b',
      shopId: 'demo',
      status: 'bot',
      slots: { variants: { i } },
      turns: [],
      facts: [],
      createdAt: at,
      updatedAt: at,
    });
  }
  await store.appendMessage('c1', { from: 'buyer', text: 'last', at });
  await store.close();
  expect(fs.statSync(journalFile()).size).toBeLessThan(4096 * 2);
  const again = createMemoryStore({ dataDir: dir });
  expect((await again.getConversation('c1'))?.slots).toEqual({ variants: { i: 199 } });
  expect((await again.messagesAfter('c1', 0)).map((m) => m.text)).toEqual(['last']);
  await again.close();
});

it('keeps every write made while a compaction is running', async () => {
  const logger = recordingLogger();
  const store = createMemoryStore({ dataDir: dir, compactBytes: 4096, logger });
  const conv = (id: string, i: number) => ({
    id,
    buyerId: 'b',
    shopId: 'demo',
    status: 'bot' as const,
    slots: { variants: { i } },
    turns: [],
    facts: [],
    createdAt: at,
    updatedAt: at,
  });
  // Many writers at once, so batches keep arriving while snapshots are written in the background.
  await Promise.all(
    Array.from({ length: 40 }, async (_, c) => {
      for (let i = 0; i < 30; i++) {
        await Promise.all([store.saveConversation(conv(`c${c}`, i)), store.appendMessage(`c${c}`, { from: 'buyer', text: `m${i}`, at })]);
      }
    }),
  );
  await store.close();
  expect(logger.infos.filter((m) => m === 'journal compacted').length).toBeGreaterThan(0);
  expect(logger.warnings).toEqual([]);
  const again = createMemoryStore({ dataDir: dir, logger: silentLogger });
  for (let c = 0; c < 40; c++) {
    expect((await again.getConversation(`c${c}`))?.slots).toEqual({ variants: { i: 29 } });
    expect((await again.messagesAfter(`c${c}`, 0)).map((m) => m.text)).toEqual(Array.from({ length: 30 }, (_, i) => `m${i}`));
  }
  await again.close();
});

it('an acknowledged append is on disk even if the process is killed right after', () => {
  // A child process appends, prints the seq it got, and is SIGKILLed by itself at once.
  const script = `
    const { createMemoryStore } = require(${JSON.stringify(path.resolve(__dirname, '../../../src/store'))});
    const store = createMemoryStore({ dataDir: ${JSON.stringify(dir)} });
    store.appendMessage('c1', { from: 'buyer', text: 'acked', at: '${at}' }).then((m) => {
      process.stdout.write('ack ' + m.seq + '\\n', () => process.kill(process.pid, 'SIGKILL'));
    });
  `;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', cwd: path.resolve(__dirname, '../../..') });
  expect(child.stdout).toBe('ack 1\n');
  expect(child.signal).toBe('SIGKILL');
  const store = createMemoryStore({ dataDir: dir });
  return store
    .messagesAfter('c1', 0)
    .then((messages) => expect(messages.map((m) => m.text)).toEqual(['acked']))
    .finally(() => store.close());
});

it('refuses a data directory held by another live process', () => {
  fs.writeFileSync(path.join(dir, 'LOCK'), `${process.ppid}\n`);
  expect(() => createMemoryStore({ dataDir: dir })).toThrow(/in use by process/);
});

it('takes over a directory whose lock holder is dead (after SIGKILL)', async () => {
  fs.writeFileSync(path.join(dir, 'LOCK'), '999999999\n');
  const store = createMemoryStore({ dataDir: dir });
  await store.close();
});

it('reports each batch (ops, bytes written, time to write and sync) to onJournalBatch; ops queued together share one batch', async () => {
  const batches: { ms: number; ops: number; bytes: number }[] = [];
  const store = createMemoryStore({ dataDir: dir, logger: silentLogger, onJournalBatch: (b) => batches.push(b) });
  await Promise.all([1, 2, 3].map((n) => store.appendMessage('c1', { from: 'buyer', text: `m${n}`, at })));
  await store.appendMessage('c1', { from: 'buyer', text: 'alone', at });
  await store.close();
  expect(batches.map((b) => b.ops)).toEqual([3, 1]);
  expect(batches.reduce((sum, b) => sum + b.bytes, 0)).toBe(fs.statSync(journalFile()).size);
  for (const b of batches) expect(b.ms).toBeGreaterThanOrEqual(0);
});
