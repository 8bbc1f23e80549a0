/**
 * Redis goes away under a running server process: the test starts its own redis-server
 * (append-only, fsync always) on a free port and a server process on it, a buyer converses,
 * Redis is stopped, the buyer keeps getting acks and bot replies and a new buyer can still
 * start a chat, /healthz says degraded and why, the logs say so; Redis comes back and every
 * message that was acknowledged is in Redis, in the order and with the seqs the buyer saw.
 */
import { createRedisStore } from '../../src/store';
import { silentLogger } from '../../src/store/shared';
import type { Store } from '../../src/store/types';
import { freeRedisPort, startRedisServer, type RedisProcess } from '../store/redis-server';
import { Buyer, runPrefix, scriptsCopy, startInstance, stopAllInstances, tempDir, until, type Instance } from './support/instances';

jest.setTimeout(120_000);

let redis: RedisProcess;
let url: string;
let server: Instance;
const prefix = runPrefix('outage');
const buyers: Buyer[] = [];

beforeAll(async () => {
  const port = await freeRedisPort();
  redis = await startRedisServer(port, tempDir('redis'), ['--appendonly', 'yes', '--appendfsync', 'always', '--save', '']);
  url = `redis://127.0.0.1:${port}`;
  server = await startInstance({ name: 'inst-outage', redisUrl: url, prefix, scriptsDir: scriptsCopy() });
}, 90_000);

afterAll(async () => {
  await Promise.all(buyers.map((b) => b.close().catch(() => undefined)));
  await stopAllInstances();
  await redis?.stop(); // the whole server is throwaway: its temp dir goes with stopAllInstances
}, 60_000);

/** Every frame the buyer was given for the conversation: acks of its own messages and messages. */
function seen(buyer: Buyer): Map<number, { from: string; text?: string; id?: string }> {
  const bySeq = new Map<number, { from: string; text?: string; id?: string }>();
  for (const f of buyer.timeline()) bySeq.set(f.seq, { ...bySeq.get(f.seq), ...f });
  return bySeq;
}

it('keeps answering buyers while Redis is down and loses nothing acknowledged', async () => {
  const buyer = await Buyer.open(server, {}, 'before');
  buyers.push(buyer);
  const sentTexts = new Map<string, string>();
  const ask = async (b: Buyer, text: string) => {
    const r = await b.ask(text);
    sentTexts.set(r.id, text);
    return r;
  };
  await ask(buyer, '你好');
  await ask(buyer, '这个有货吗');
  expect((await server.health()).body).toMatchObject({ status: 'ok' });

  await redis.stop();
  await until(async () => (await server.health()).body['status'] === 'degraded');
  const health = await server.health();
  // Still taking buyers: 200, with the reason.
  expect(health.status).toBe(200);
  expect(String(health.body['reason'])).toMatch(/redis unreachable/);

  // The buyer keeps getting acks and replies, in order.
  const during = [];
  for (const text of ['什么时候发货', '能便宜点吗', '包邮吗']) during.push(await ask(buyer, text));
  expect(during.map((d) => d.reply['from'])).toEqual(['bot', 'bot', 'bot']);
  // A buyer arriving during the outage can start a conversation too.
  const newcomer = await Buyer.open(server, {}, 'newcomer');
  buyers.push(newcomer);
  await ask(newcomer, '你好');
  expect((await server.health()).body['status']).toBe('degraded');
  expect(String((await server.health()).body['reason'])).toMatch(/acknowledged writes buffered/);

  // The logs say why. (Log lines come through the child's stdout, which may trail its HTTP
  // answers, so wait for them; the test's timeout fails it if they never come.)
  const warned = () => server.logs.filter((l) => l['level'] === 'warn').map((l) => String(l['msg']));
  await until(() => warned().some((m) => /redis unreachable/.test(m)) && warned().some((m) => /store degraded/.test(m)));

  await redis.start();
  await until(async () => (await server.health()).body['status'] === 'ok', 100);
  await until(() => server.logs.some((l) => String(l['msg']).startsWith('store recovered')));

  // After recovery the conversation goes on with the next seq.
  const after = await ask(buyer, '好的谢谢');

  // A fresh connection to Redis holds exactly what each buyer was shown, seq for seq.
  const reader: Store = createRedisStore({ url, prefix, logger: silentLogger });
  try {
    await reader.ready();
    for (const b of [buyer, newcomer]) {
      await until(() => seen(b).size > 0);
      const log = await reader.messagesAfter(b.conversationId, 0);
      const shown = seen(b);
      expect(log.map((m) => m.seq)).toEqual(Array.from({ length: log.length }, (_, i) => i + 1));
      for (const [seq, frame] of shown) {
        const stored = log[seq - 1];
        expect(stored?.seq).toBe(seq);
        if (frame.text !== undefined) expect(stored?.text).toBe(frame.text);
        if (frame.id !== undefined) {
          expect(stored).toMatchObject({ from: 'buyer', clientId: frame.id, text: sentTexts.get(frame.id) });
        }
      }
      // Every acknowledged buyer message is there once.
      const acked = [...shown.values()].filter((f) => f.from === 'buyer' && f.id).map((f) => f.id);
      expect(
        log
          .filter((m) => m.from === 'buyer')
          .map((m) => m.clientId)
          .sort(),
      ).toEqual([...acked].sort());
    }
    expect(clientIds(await reader.messagesAfter(buyer.conversationId, 0))).toContain(after.id);
    // Conversation state and the buyer's session were written through the outage too.
    expect((await reader.getConversation(buyer.conversationId))?.turns.map((t) => t.text)).toEqual([
      '你好',
      '这个有货吗',
      '什么时候发货',
      '能便宜点吗',
      '包邮吗',
      '好的谢谢',
    ]);
    expect(await reader.getBuyerSession(newcomer.buyerId)).toMatchObject({ conversationId: newcomer.conversationId });
  } finally {
    await reader.close();
  }
});

function clientIds(messages: { clientId?: string }[]): (string | undefined)[] {
  return messages.map((m) => m.clientId);
}
