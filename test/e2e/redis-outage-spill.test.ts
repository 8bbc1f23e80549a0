/**
 * An instance killed with SIGKILL in the middle of a Redis outage loses nothing it
 * acknowledged. The test starts its own redis-server (append-only, fsync always) on a free
 * port and a server process on it; a buyer converses; Redis is stopped; the buyer keeps
 * getting acks and replies and a new buyer starts a chat; the instance is killed; Redis comes
 * back without any of that; a new process with the same INSTANCE_ID and DATA_DIR replays its
 * spill file, and every acknowledged buyer message is in Redis exactly once, in the order it
 * was sent, at the seq its ack gave; what the buyers were shown is there too, and the buyers
 * resume with the whole history.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { createRedisStore } from '../../src/store';
import { silentLogger } from '../../src/store/shared';
import { readSpillFile } from '../../src/store/spill';
import type { Store } from '../../src/store/types';
import { freeRedisPort, startRedisServer, type RedisProcess } from '../store/redis-server';
import { Buyer, expectFrame, runPrefix, scriptsCopy, startInstance, stopAllInstances, tempDir, until, type Instance } from './support/instances';

jest.setTimeout(180_000);

let redis: RedisProcess;
let url: string;
let reader: Store | undefined;
const prefix = runPrefix('spill');
const buyers: Buyer[] = [];
const NAME = 'inst-spill';

beforeAll(async () => {
  const port = await freeRedisPort();
  redis = await startRedisServer(port, tempDir('redis'), ['--appendonly', 'yes', '--appendfsync', 'always', '--save', '']);
  url = `redis://127.0.0.1:${port}`;
}, 90_000);

afterAll(async () => {
  await Promise.all(buyers.map((b) => b.close().catch(() => undefined)));
  await reader?.close();
  await stopAllInstances();
  await redis?.stop();
}, 60_000);

async function open(instance: Instance, hello: Record<string, unknown>, label: string): Promise<Buyer> {
  const b = await Buyer.open(instance, hello, label);
  buyers.push(b);
  return b;
}

it('replays what a SIGKILLed instance acknowledged during a Redis outage: every buyer message once, in order', async () => {
  const scriptsDir = scriptsCopy(); // the instance's DATA_DIR is <scriptsDir>/data, kept across both runs
  const spillFile = join(scriptsDir, 'data', `spill-${NAME}.jsonl`);
  const first = await startInstance({ name: NAME, redisUrl: url, prefix, scriptsDir });

  const buyer = await open(first, {}, 'steady');
  const sent: { id: string; seq: number; text: string }[] = [];
  const ask = async (b: Buyer, text: string, out = sent) => {
    const r = await b.ask(text);
    out.push({ id: r.id, seq: r.seq, text });
    return r;
  };
  await ask(buyer, '你好');
  const beforeOutage = sent.length;

  await redis.stop();
  await until(async () => (await first.health()).body['status'] === 'degraded');
  for (const text of ['什么时候发货', '能便宜点吗', '包邮吗']) await ask(buyer, text);
  // Two more sent back to back: acknowledged, the instance may still be answering them when it dies.
  for (const text of ['有发票吗', '可以货到付款吗']) {
    const r = await buyer.send(text);
    sent.push({ ...r, text });
  }
  const newcomer = await open(first, {}, 'newcomer');
  const newcomerSent: { id: string; seq: number; text: string }[] = [];
  await ask(newcomer, '在吗', newcomerSent);

  // Every acknowledged buyer message is in the spill file before the kill.
  const spilled = readSpillFile(spillFile, silentLogger).entries.flatMap((e) => (e.record.kind === 'message' ? [e.record.message.clientId] : []));
  for (const m of [...sent.slice(beforeOutage), ...newcomerSent]) expect(spilled).toContain(m.id);
  const shown = new Map([buyer, newcomer].map((b) => [b.conversationId, b.timeline()]));

  await first.kill('SIGKILL');
  await redis.start();
  reader = createRedisStore({ url, prefix, logger: silentLogger });
  await reader.ready();
  // Redis came back without what was acknowledged during the outage: only the spill file has it.
  expect(await reader.lastSeq(buyer.conversationId)).toBeLessThan(sent[beforeOutage]?.seq ?? 0);
  expect(await reader.getBuyerSession(newcomer.buyerId)).toBeNull();

  const second = await startInstance({ name: NAME, redisUrl: url, prefix, scriptsDir });
  await until(() => second.logs.some((l) => String(l['msg']).startsWith('spill recovered')));
  const recovered = second.logs.find((l) => String(l['msg']).startsWith('spill recovered'));
  expect(recovered).toMatchObject({ failed: 0, messagesMoved: 0 });
  expect(Number(recovered?.['messagesWritten'])).toBeGreaterThanOrEqual(sent.length - beforeOutage + newcomerSent.length);

  for (const [b, acked] of [
    [buyer, sent],
    [newcomer, newcomerSent],
  ] as const) {
    const log = await reader.messagesAfter(b.conversationId, 0);
    expect(log.map((m) => m.seq)).toEqual(log.map((_, i) => i + 1));
    // Each acknowledged buyer message exactly once, in the order sent, at the seq of its ack.
    expect(log.filter((m) => m.from === 'buyer').map((m) => [m.seq, m.clientId, m.text])).toEqual(acked.map((m) => [m.seq, m.id, m.text]));
    // Everything the buyer was shown is there as shown.
    for (const f of shown.get(b.conversationId) ?? []) {
      expect(log[f.seq - 1]).toMatchObject({ seq: f.seq, from: f.from, ...(f.text !== undefined ? { text: f.text } : {}) });
    }
  }
  expect(await reader.getBuyerSession(newcomer.buyerId)).toMatchObject({ conversationId: newcomer.conversationId });
  expect(await reader.getConversation(newcomer.conversationId)).toMatchObject({ id: newcomer.conversationId });
  // Replayed and cleared.
  expect(fs.readdirSync(join(scriptsDir, 'data')).filter((f) => f.startsWith('spill-') && f.includes('.recover-'))).toEqual([]);

  // The buyer resumes on the new process with the whole history and goes on; unanswered messages get answers.
  const back = await open(second, { buyerId: buyer.buyerId, resumeToken: buyer.resumeToken, lastSeq: 0 }, 'back');
  expect(back.welcome).toMatchObject({ resumed: true, conversationId: buyer.conversationId });
  const last = sent[sent.length - 1] as { seq: number };
  await expectFrame(
    back.client,
    (f) => f.type === 'message' && f['from'] === 'bot' && Number(f['seq']) > last.seq,
    'an answer after the last recovered message',
  );
  const history = back.client.frames.filter((f) => f.type === 'message' && f['from'] === 'buyer').map((f) => f['id']);
  expect(history).toEqual(sent.map((m) => m.id));
  const next = await back.ask('好的谢谢');
  expect(next.reply['from']).toBe('bot');
});
