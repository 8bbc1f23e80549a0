/**
 * Start-up of the embedded store with many conversations (`npm run bench:replay`): writes a
 * journal of N conversations (default 100,000, each with a few turns and messages; 90 % of
 * them closed months ago, the rest recent), then, each in a fresh child process, measures
 * the start-up replay (time, journal size, RSS and live heap after a GC), runs retention
 * (RETENTION_DAYS=90: archive + removal), and measures start-up again (the first start after
 * it also compacts the removals away; the second shows the lasting figures).
 *
 *   npm run bench:replay
 *   REPLAY_CONVERSATIONS=20000 REPLAY_MESSAGES=4 npm run bench:replay
 */
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConversationState } from '../src/model/conversation';
import { createMemoryStore } from '../src/store';
import { applyRetention } from '../src/store/retention';
import { silentLogger } from '../src/store/shared';

const CONVERSATIONS = Number(process.env['REPLAY_CONVERSATIONS'] ?? 100_000);
const MESSAGES = Number(process.env['REPLAY_MESSAGES'] ?? 6);
const DAY = 86_400_000;

interface Measure {
  ms: number;
  rssMb: number;
  heapMb: number;
  journalMb: number;
  conversations: number;
}

/** Writes the journal as the store would after N conversations (no fsync: this is set-up). */
function writeJournal(dir: string, now: number): void {
  const fd = fs.openSync(join(dir, 'journal.jsonl'), 'w');
  const questions = ['什么时候发货呀', '能便宜点吗', '还有黑色M码吗', '可以货到付款吗', '能开发票吗', '这件大衣是什么面料'];
  let chunk: string[] = [];
  for (let i = 0; i < CONVERSATIONS; i++) {
    const id = `c_${i.toString(36).padStart(8, '0')}`;
    const old = i % 10 !== 0;
    const at = new Date(now - (old ? 200 : 2) * DAY + i * 10).toISOString();
    const turns = Array.from({ length: Math.ceil(MESSAGES / 2) }, (_, t) => ({
      at,
      text: questions[(i + t) % questions.length] as string,
      intent: 'product.info',
      category: 'product' as const,
      confidence: 0.9,
    }));
    const conv: ConversationState = {
      id,
      buyerId: `b_${i}`,
      shopId: 'demo',
      status: old ? 'closed' : 'bot',
      ...(old ? { closedResolution: 'resolved' } : {}),
      slots: { variants: { 'product.info/describe': 2 }, botSaid: [{ text: '亲，是羊毛的', templateId: 'product.material#0' }] },
      turns,
      facts: [],
      createdAt: at,
      updatedAt: at,
    };
    chunk.push(`${JSON.stringify({ t: 'conv', v: conv, r: 1 })}\n`);
    chunk.push(`${JSON.stringify({ t: 'session', v: { buyerId: `b_${i}`, resumeToken: `t${i}`, conversationId: id } })}\n`);
    for (let m = 1; m <= MESSAGES; m++) {
      const buyer = m % 2 === 1;
      const msg = buyer
        ? { from: 'buyer', text: questions[(i + m) % questions.length], clientId: `m${m}`, at, conversationId: id, seq: m }
        : {
            from: 'bot',
            text: '亲，这款是100%羊毛的，保暖不扎人哦～',
            at,
            meta: { intent: 'product.info', replyTo: m - 1 },
            conversationId: id,
            seq: m,
          };
      chunk.push(`${JSON.stringify({ t: 'msg', v: msg })}\n`);
    }
    if (chunk.length > 5000) {
      fs.writeSync(fd, chunk.join(''));
      chunk = [];
    }
  }
  fs.writeSync(fd, chunk.join(''));
  fs.closeSync(fd);
}

/** In a child: opens the store on `dir` and reports how long that took and the memory it holds. */
async function measureOpen(dir: string): Promise<void> {
  const journalMb = fs.statSync(join(dir, 'journal.jsonl')).size / 1e6;
  const started = performance.now();
  const store = createMemoryStore({ dataDir: dir, logger: silentLogger });
  const ms = performance.now() - started;
  (globalThis as { gc?: () => void }).gc?.();
  const mem = process.memoryUsage();
  const conversations = (await store.listConversations()).length;
  await store.close();
  process.send?.({ ms, rssMb: mem.rss / 1e6, heapMb: (mem.heapUsed + mem.external) / 1e6, journalMb, conversations } satisfies Measure);
}

/** In a child: runs retention once and reports how long it took. */
async function retain(dir: string, now: number): Promise<void> {
  const store = createMemoryStore({ dataDir: dir, logger: silentLogger });
  const started = performance.now();
  const result = await applyRetention(store, { dataDir: dir, retentionDays: 90, now: () => now });
  const ms = performance.now() - started;
  await store.close();
  process.send?.({ ms, archived: result.archived, removed: result.removed });
}

function child<T>(args: string[]): Promise<T> {
  const proc = fork(__filename, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [...process.execArgv, '--expose-gc'] });
  return new Promise((resolve, reject) => {
    proc.once('message', (m) => resolve(m as T));
    proc.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`child exited with ${code}`))));
  });
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(join(tmpdir(), 'kefu-replay-'));
  const now = Date.now();
  try {
    process.stdout.write(`bench:replay — ${CONVERSATIONS} conversations × ${MESSAGES} messages, 90 % closed 200 days ago\n\n`);
    writeJournal(dir, now);
    const before = await child<Measure>(['--open', dir]);
    const retention = await child<{ ms: number; archived: number; removed: number }>(['--retain', dir, String(now)]);
    // The first start after retention replays the removals and compacts them away (a running
    // server compacts a few seconds after a large removal); the next start shows the result.
    const first = await child<Measure>(['--open', dir]);
    const after = await child<Measure>(['--open', dir]);
    const archiveMb = fs.readdirSync(join(dir, 'archive')).reduce((sum, f) => sum + fs.statSync(join(dir, 'archive', f)).size, 0) / 1e6;
    const row = (label: string, m: Measure): string =>
      `${label.padEnd(26)}${String(m.conversations).padStart(14)}${m.journalMb.toFixed(1).padStart(12)}${(m.ms / 1000).toFixed(2).padStart(12)}${m.rssMb.toFixed(0).padStart(10)}${m.heapMb.toFixed(0).padStart(10)}\n`;
    process.stdout.write(
      `${''.padEnd(26)}${'conversations'.padStart(14)}${'journal MB'.padStart(12)}${'replay s'.padStart(12)}${'RSS MB'.padStart(10)}${'heap MB'.padStart(10)}\n`,
    );
    process.stdout.write(row('start-up before retention', before));
    process.stdout.write(row('first start-up after', first));
    process.stdout.write(row('start-up after retention', after));
    process.stdout.write(
      `\nretention run: ${(retention.ms / 1000).toFixed(2)} s, ${retention.archived} archived (${archiveMb.toFixed(1)} MB of JSON Lines), ${retention.removed} removed\n`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--open') {
  measureOpen(process.argv[3] as string).catch((err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  });
} else if (process.argv[2] === '--retain') {
  retain(process.argv[3] as string, Number(process.argv[4])).catch((err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  });
} else {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
