/**
 * Journal damage and a full disk (issue 15): a damaged line loses only itself, a valid-JSON
 * line with a null value does not stop start-up, and start-up compaction on a nearly full file
 * system neither fails nor leaves a temp file behind.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createMemoryStore } from '../../../src/store';
import type { StoreLogger } from '../../../src/store/shared';
import { LOST_MESSAGE_TEXT } from '../../../src/store/memory/state';

type Warning = { msg: string; detail: Record<string, unknown> };
function recordingLogger(): StoreLogger & { warnings: Warning[] } {
  const warnings: Warning[] = [];
  return { warnings, warn: (detail, msg) => void warnings.push({ msg, detail }), info: () => undefined };
}

const at = '2024-05-01T08:00:00.000Z';
let dir: string;
const journalFile = (): string => path.join(dir, 'journal.jsonl');

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kefu-damage-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

async function writeMessages(n: number, text = (i: number) => `第${i}条`): Promise<void> {
  const store = createMemoryStore({ dataDir: dir, fsync: 'never' });
  for (let i = 1; i <= n; i++) await store.appendMessage('c1', { from: i % 2 ? 'buyer' : 'bot', text: text(i), at });
  await store.close();
}

it('keeps the later messages of a conversation when a line in the middle is damaged, and marks the gap', async () => {
  await writeMessages(61);
  const lines = fs.readFileSync(journalFile(), 'utf8').split('\n');
  const idx = lines.findIndex((l) => l.includes('"text":"第6条"'));
  lines[idx] = (lines[idx] ?? '').slice(0, 25) + '\u0000garbled';
  fs.writeFileSync(journalFile(), lines.join('\n'));

  const logger = recordingLogger();
  const store = createMemoryStore({ dataDir: dir, logger });
  const log = await store.messagesAfter('c1', 0);
  expect(log).toHaveLength(61);
  expect(log.map((m) => m.seq)).toEqual(Array.from({ length: 61 }, (_, i) => i + 1));
  expect(log[5]).toMatchObject({ seq: 6, from: 'system', text: LOST_MESSAGE_TEXT, meta: { internal: true, lost: true } });
  expect(log.filter((m) => m.meta?.['lost'] !== true).map((m) => m.text)).toEqual(
    Array.from({ length: 61 }, (_, i) => `第${i + 1}条`).filter((t) => t !== '第6条'),
  );
  // The damaged line and the gap are named: file and line.
  const damaged = logger.warnings.find((w) => w.msg.includes('skipping damaged journal line'));
  expect(damaged?.detail).toMatchObject({ file: journalFile(), line: idx + 1 });
  expect(logger.warnings.some((w) => w.detail['lostSeqs'] !== undefined && (w.detail['lostSeqs'] as number[]).includes(6))).toBe(true);
  // New messages continue after the last one.
  expect((await store.appendMessage('c1', { from: 'bot', text: '继续', at })).seq).toBe(62);
  await store.close();
});

it('skips a valid-JSON line whose value is null, with a warning, and starts', async () => {
  await writeMessages(3);
  fs.appendFileSync(
    journalFile(),
    '{"t":"conv","v":null}\n{"t":"msg","v":null}\n{"t":"session","v":{"buyerId":"b","resumeToken":"t","conversationId":"c1"}}\n',
  );
  const logger = recordingLogger();
  const store = createMemoryStore({ dataDir: dir, logger });
  expect((await store.messagesAfter('c1', 0)).map((m) => m.text)).toEqual(['第1条', '第2条', '第3条']);
  expect(await store.getBuyerSession('b')).toEqual({ buyerId: 'b', resumeToken: 't', conversationId: 'c1' });
  expect(logger.warnings.filter((w) => w.msg.includes('skipping damaged journal line')).map((w) => w.detail['line'])).toEqual([4, 5]);
  await store.close();
});

/** Mounts a tmpfs of `kb` KiB at a fresh directory; undefined when this process may not mount. */
function smallTmpfs(kb: number): string | undefined {
  const mnt = fs.mkdtempSync(path.join(os.tmpdir(), 'kefu-tmpfs-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${kb}k`, 'tmpfs', mnt]);
  if (r.status === 0) return mnt;
  fs.rmSync(mnt, { recursive: true, force: true });
  return undefined;
}

const mountable = smallTmpfs(64);
if (mountable) spawnSync('umount', [mountable]);
const onTmpfs = mountable ? it : it.skip;

onTmpfs('starts on a nearly full disk without a second copy of the journal, and leaves no temp file (small tmpfs)', async () => {
  const mnt = smallTmpfs(512);
  if (!mnt) throw new Error('tmpfs mount failed');
  const realDir = dir;
  try {
    dir = path.join(mnt, 'data');
    // A journal of ~300 KB on a 512 KB file system: no room for a compacted copy beside it.
    await writeMessages(300, (i) => `第${i}条：${'很长的消息内容'.repeat(40)}`);
    const size = fs.statSync(journalFile()).size;
    expect(size).toBeGreaterThan(256 * 1024);

    const logger = recordingLogger();
    const store = createMemoryStore({ dataDir: dir, logger });
    expect(await store.lastSeq('c1')).toBe(300);
    expect(logger.warnings.some((w) => w.msg.includes('no room for the compacted copy') && w.detail['file'] === journalFile())).toBe(true);
    expect(fs.existsSync(`${journalFile()}.tmp`)).toBe(false);
    // It keeps appending to the journal it has.
    expect((await store.appendMessage('c1', { from: 'bot', text: '还在', at })).seq).toBe(301);
    await store.close();
    const again = createMemoryStore({ dataDir: dir, logger: recordingLogger() });
    expect(await again.lastSeq('c1')).toBe(301);
    await again.close();
  } finally {
    dir = realDir;
    spawnSync('umount', [mnt]);
    fs.rmSync(mnt, { recursive: true, force: true });
  }
});
