/**
 * startServer (src/server.ts), as `npm start` and bench:ws run it: it warms the engine and a
 * buyer turn up before it listens, keeps nothing of the warm-up, answers a buyer, and stops.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config';
import { startServer } from '../src/server';
import { readHandoffHistory } from '../src/handoff/history';
import { createMemoryStore } from '../src/store';
import { silentLogger } from '../src/store/shared';
import { createLogger } from '../src/transport/logger';
import { logSink, TestClient } from './transport/harness';

const ROOT = join(__dirname, '..');

it('warms up without keeping any of it, then serves a buyer', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kefu-server-test-'));
  const { logs, destination } = logSink();
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    SCRIPTS_DIR: ROOT,
    SHOP_DIR: join(ROOT, 'demo/shop'),
    DATA_DIR: dataDir,
    METRICS_PUBLIC: 'true',
  });
  const server = await startServer(config, { logger: createLogger({ level: 'info', destination }) });
  try {
    const messages = logs.map((l) => l['msg']);
    expect(messages).toEqual(expect.arrayContaining(['engine warmed up', 'buyer turns warmed up', 'listening']));
    expect((logs.find((l) => l['msg'] === 'buyer turns warmed up')?.['turns'] as number) > 0).toBe(true);
    // The warm-up's conversations were on a store of their own, and none of its turns counted.
    expect(await server.store.listConversations()).toEqual([]);
    const metrics = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
    expect(metrics.split('\n').filter((l) => /^kefu_(acts|buyer_turns|messages|handoffs)_total\{/.test(l))).toEqual([]);

    const c = await TestClient.open(`ws://127.0.0.1:${server.port}/ws/buyer`);
    await c.hello();
    await c.nextType('message'); // greeting
    c.send({ type: 'message', id: 'm1', text: '什么时候发货呀' });
    await c.nextType('ack');
    const reply = await c.next((f) => f.type === 'message' && f['from'] === 'bot');
    expect(String(reply['text'])).toMatch(/发货/);
    await c.close();
    expect(await server.store.listConversations()).toHaveLength(1);
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

it('finishes a handoff under way before the store closes when it stops', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kefu-server-test-'));
  const { logs, destination } = logSink();
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', SCRIPTS_DIR: ROOT, SHOP_DIR: join(ROOT, 'demo/shop'), DATA_DIR: dataDir });
  const server = await startServer(config, { logger: createLogger({ level: 'info', destination }), warmUp: false });
  // Acknowledged, then the server stops at once: the bot turn hands off, and with no agent
  // online the buyer is to be told so; all of it must happen before the store closes.
  const conversationId = await (async () => {
    try {
      const { conversation } = await server.app.conversations.openSession({});
      await server.app.conversations.receiveBuyerMessage(conversation.id, 'm1', '转人工');
      return conversation.id;
    } finally {
      await server.stop();
    }
  })();
  try {
    expect(logs.filter((l) => Number(l['level']) >= 50).map((l) => l['msg'])).toEqual([]);
    const store = createMemoryStore({ dataDir, logger: silentLogger });
    await store.ready();
    const conv = await store.getConversation(conversationId);
    expect(conv?.status).toBe('queued');
    // The queued event's routing ran to its end: it records the handoff in the conversation's
    // history first and, with nobody online, tells the buyer so (within business hours; outside
    // them the turn's own after-hours line has said it), all before the store closed.
    expect((await readHandoffHistory(store, conversationId)).map((e) => e.kind)).toEqual(['queued']);
    const told = (await store.messagesAfter(conversationId, 0)).filter((m) => m.from === 'bot' && /不在|上班时间/.test(m.text));
    expect(told).toHaveLength(1);
    await store.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
