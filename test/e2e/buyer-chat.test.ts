/**
 * The buyer side end to end: the real engine and the real store behind a real server on a
 * free port, real `ws` clients. One conversation per core intent; reconnect; limits are in
 * test/transport (they do not depend on the engine). The last block runs two instances on
 * one real Redis and checks a message posted on one reaches the buyer on the other.
 */
import { Redis } from 'ioredis';
import { createRedisStore } from '../../src/store';
import { silentLogger } from '../../src/store/shared';
import { startServer, TestClient, type Frame, type Running } from '../transport/harness';
import { realEngine } from './real-engine';

const { engine, shop } = realEngine();

describe('buyer chat with the real engine', () => {
  let server: Running;
  const clients: TestClient[] = [];
  async function buyer(): Promise<{ c: TestClient; welcome: Frame }> {
    const c = await TestClient.open(server.wsUrl);
    clients.push(c);
    const welcome = await c.hello();
    await c.nextType('message'); // greeting
    return { c, welcome };
  }
  /** Sends one message; returns its ack and the bot replies stored for it. */
  async function ask(c: TestClient, conversationId: string, id: string, text: string) {
    c.send({ type: 'message', id, text });
    const ack = await c.next((f) => f.type === 'ack' || f.type === 'message');
    expect(ack).toMatchObject({ type: 'ack', id });
    const first = await c.next((f) => f.type === 'message' && f['from'] === 'bot');
    await server.app.conversations.drain();
    const stored = await server.store.messagesAfter(conversationId, ack['seq'] as number);
    return { ack, first, replies: stored.filter((m) => m.from === 'bot') };
  }

  beforeAll(async () => {
    server = await startServer({ engine, shop, env: { LOG_LEVEL: 'warn' } });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await server.stop();
  });

  it('greets a new buyer in Chinese with the greeting template, as the first message', async () => {
    const c = await TestClient.open(server.wsUrl);
    clients.push(c);
    const welcome = await c.hello();
    const greeting = await c.nextType('message');
    expect(greeting).toMatchObject({ from: 'bot', seq: 1 });
    expect(String(greeting['text'])).toMatch(/[\u4e00-\u9fff]/);
    const [stored] = await server.store.messagesAfter(String(welcome['conversationId']), 0);
    expect(stored?.meta?.['intent']).toBe('greeting.hello');
  });

  it.each([
    ['能不能再便宜一点', 'haggle'],
    ['我想改一下收货地址', 'address'],
    ['什么时候发货呀', 'delivery'],
    ['我要退货退款', 'return'],
    ['尺码不合适想换个大一号', 'return'],
    ['可以货到付款吗', 'payment'],
    ['能开发票吗', 'payment'],
    ['还有黑色M码吗', 'product'],
    ['谢谢啦', 'greeting'],
  ])('answers “%s” automatically (%s), acknowledged before the reply', async (text, category) => {
    const { c, welcome } = await buyer();
    const { ack, first, replies } = await ask(c, String(welcome['conversationId']), 'q', text);
    expect(first['seq']).toBeGreaterThan(ack['seq'] as number);
    expect(replies.length).toBeGreaterThan(0);
    expect(replies[0]?.meta?.['category']).toBe(category);
    expect(String(first['text'])).toMatch(/亲/);
    expect(c.frames.some((f) => f.type === 'handoff')).toBe(false);
  });

  it.each([
    ['东西太差了我要给差评', 'bad_review'],
    ['转人工', 'explicit_request'],
  ])('hands “%s” to a person: reply, 已转人工 state, queued with the engine’s priority', async (text, reason) => {
    const { c, welcome } = await buyer();
    const conversationId = String(welcome['conversationId']);
    await ask(c, conversationId, 'h', text);
    expect(await c.nextType('handoff')).toEqual({ type: 'handoff', status: 'queued' });
    const entry = (await server.store.listQueue()).find((q) => q.conversationId === conversationId);
    const conv = await server.store.getConversation(conversationId);
    expect(conv?.status).toBe('queued');
    expect(entry).toMatchObject({ reason, priority: conv?.handoff?.priority });
    if (reason === 'bad_review') expect(entry?.priority).not.toBe('normal');
    // While queued the bot stays quiet but the message is still stored and acknowledged.
    c.send({ type: 'message', id: 'while-queued', text: '还要等多久' });
    const ack = await c.nextType('ack');
    await server.app.conversations.drain();
    const after = await server.store.messagesAfter(conversationId, ack['seq'] as number);
    expect(after.filter((m) => m.from === 'bot')).toEqual([]);
  });

  it('resumes after a dropped connection with what was missed and nothing twice', async () => {
    const { c, welcome } = await buyer();
    const conversationId = String(welcome['conversationId']);
    const { replies } = await ask(c, conversationId, 'r1', '什么时候发货呀');
    const lastSeen = replies.at(-1)!.seq;
    c.ws.terminate();
    await c.waitClosed();
    // Written while the buyer was away: an agent message lands in the log.
    await server.app.conversations.postMessage(conversationId, {
      from: 'agent',
      agentId: 'xiaomei',
      text: '亲，已经帮您催仓库了',
      at: new Date().toISOString(),
    });
    const back = await TestClient.open(server.wsUrl);
    clients.push(back);
    const again = await back.hello({ buyerId: welcome['buyerId'], resumeToken: welcome['resumeToken'], lastSeq: lastSeen });
    expect(again).toMatchObject({ resumed: true, conversationId });
    expect(await back.nextType('message')).toMatchObject({ from: 'agent', text: '亲，已经帮您催仓库了', seq: lastSeen + 1 });
    const { first } = await ask(back, conversationId, 'r2', '谢谢啦');
    expect(first['seq']).toBe(lastSeen + 3);
    const seqs = back.frames.filter((f) => f.type === 'message').map((f) => f['seq']);
    expect(new Set(seqs).size).toBe(seqs.length);
  });
});

describe('two instances on one Redis', () => {
  const prefix = `kefu-test-e2e-${process.pid}-${Date.now().toString(36)}`;
  let a: Running;
  let b: Running;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    const open = async () => {
      const store = createRedisStore({ url: 'redis://127.0.0.1:6379', prefix, logger: silentLogger });
      await store.ready();
      return store;
    };
    a = await startServer({ engine, shop, store: await open(), env: { LOG_LEVEL: 'warn' } });
    b = await startServer({ engine, shop, store: await open(), env: { LOG_LEVEL: 'warn' } });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await a.stop();
    await b.stop();
    await a.store.close();
    await b.store.close();
    const admin = new Redis('redis://127.0.0.1:6379');
    let cursor = '0';
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await admin.del(...keys);
    } while (cursor !== '0');
    await admin.quit();
  });

  it('delivers a message posted on instance B to the buyer connected to instance A', async () => {
    const c = await TestClient.open(a.wsUrl);
    clients.push(c);
    const welcome = await c.hello();
    await c.nextType('message');
    await b.app.conversations.setHandoffStatus(String(welcome['conversationId']), 'assigned', { id: 'ajie', name: '阿杰' });
    await b.app.conversations.postMessage(String(welcome['conversationId']), {
      from: 'agent',
      agentId: 'ajie',
      text: '亲，我是阿杰，来帮您看看',
      at: new Date().toISOString(),
    });
    expect(await c.nextType('handoff')).toEqual({ type: 'handoff', status: 'assigned', agentName: '阿杰' });
    expect(await c.nextType('message')).toMatchObject({ from: 'agent', text: '亲，我是阿杰，来帮您看看', seq: 2 });
  });

  it('resumes on the other instance with the same conversation', async () => {
    const c = await TestClient.open(a.wsUrl);
    clients.push(c);
    const welcome = await c.hello();
    c.send({ type: 'message', id: 'x', text: '能开发票吗' });
    await c.next((f) => f.type === 'message' && f['from'] === 'bot' && f['seq'] === 3);
    await c.close();
    const d = await TestClient.open(b.wsUrl);
    clients.push(d);
    expect(await d.hello({ buyerId: welcome['buyerId'], resumeToken: welcome['resumeToken'], lastSeq: 0 })).toMatchObject({
      resumed: true,
      conversationId: welcome['conversationId'],
    });
    const replay = [await d.nextType('message'), await d.nextType('message'), await d.nextType('message')];
    expect(replay.map((f) => f['from'])).toEqual(['bot', 'buyer', 'bot']);
  });
});
