import { loadDemoShop } from '../../src/shop';
import { HANDOFF_CHANNEL } from '../../src/conversation/events';
import { startServer, TestClient, type Frame, type Running } from './harness';
import { createScriptedEngine, type ScriptedEngine } from './scripted-engine';

const shop = loadDemoShop('demo/shop');

describe('buyer socket /ws/buyer', () => {
  let server: Running;
  let engine: ScriptedEngine;
  const clients: TestClient[] = [];

  async function connect(): Promise<TestClient> {
    const c = await TestClient.open(server.wsUrl);
    clients.push(c);
    return c;
  }

  beforeEach(async () => {
    engine = createScriptedEngine();
    server = await startServer({
      engine,
      shop,
      env: { RATE_LIMIT_MESSAGES: '5', RATE_LIMIT_WINDOW_MS: '60000', MAX_CONNECTIONS_PER_IP: '6', MAX_TEXT_LENGTH: '50' },
    });
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await server.stop();
  });

  it('welcomes a new buyer with ids and a greeting, then acks each message before the reply', async () => {
    const c = await connect();
    const welcome = await c.hello();
    expect(welcome).toMatchObject({ status: 'bot', resumed: false });
    expect(typeof welcome['buyerId']).toBe('string');
    expect(String(welcome['resumeToken']).length).toBeGreaterThan(20);
    const greeting = await c.nextType('message');
    expect(greeting).toMatchObject({ from: 'bot', text: '亲，欢迎光临~', seq: 1, quickReplies: ['查物流', '退换货'] });

    c.send({ type: 'message', id: 'm1', text: '在吗' });
    const ack = await c.next((f) => f.type === 'ack' || f.type === 'message');
    expect(ack).toEqual({ type: 'ack', id: 'm1', seq: 2 });
    const reply = await c.nextType('message');
    expect(reply).toMatchObject({ from: 'bot', text: '收到：在吗', seq: 3 });
    // Stored before acknowledged: the log has the buyer's message at the acked seq.
    const log = await server.store.messagesAfter(String(welcome['conversationId']), 0);
    expect(log.map((m) => [m.seq, m.from, m.text])).toEqual([
      [1, 'bot', '亲，欢迎光临~'],
      [2, 'buyer', '在吗'],
      [3, 'bot', '收到：在吗'],
    ]);
  });

  it('opens a conversation for a message sent before hello', async () => {
    const c = await connect();
    c.send({ type: 'message', id: 'early', text: '有货吗' });
    const welcome = await c.nextType('welcome');
    expect(welcome['conversationId']).toBeTruthy();
    await c.next((f) => f.type === 'ack' && f['id'] === 'early');
    expect(await c.next((f) => f.type === 'message' && f['from'] === 'bot' && f['text'] === '收到：有货吗')).toBeTruthy();
  });

  it('keeps order within a conversation when messages arrive back to back', async () => {
    const c = await connect();
    await c.hello();
    for (let i = 1; i <= 4; i++) c.send({ type: 'message', id: `m${i}`, text: `问题${i}` });
    const seen: string[] = [];
    while (seen.length < 8) {
      const f = await c.next((x) => x.type === 'ack' || (x.type === 'message' && x['seq'] !== 1));
      seen.push(f.type === 'ack' ? `ack:${String(f['id'])}` : String(f['text']));
    }
    // Every reply follows the ack of its own question, and replies come in question order.
    const replies = seen.filter((s) => s.startsWith('收到'));
    expect(replies).toEqual(['收到：问题1', '收到：问题2', '收到：问题3', '收到：问题4']);
    for (let i = 1; i <= 4; i++) expect(seen.indexOf(`ack:m${i}`)).toBeLessThan(seen.indexOf(`收到：问题${i}`));
    const seqs = c.frames.filter((f) => f.type === 'ack' || f.type === 'message').map((f) => f['seq'] as number);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('resumes with buyer id and token: same conversation, only what was missed, no duplicates', async () => {
    const a = await connect();
    const welcome = await a.hello();
    await a.nextType('message');
    a.send({ type: 'message', id: 'q1', text: '第一句' });
    await a.next((f) => f.type === 'message' && f['text'] === '收到：第一句');
    await a.close();

    // While the buyer is away an agent writes to the conversation.
    const conversationId = String(welcome['conversationId']);
    await server.app.conversations.postMessage(conversationId, {
      from: 'agent',
      agentId: 'xiaomei',
      text: '亲，我是小美',
      at: new Date().toISOString(),
    });

    const b = await connect();
    const again = await b.hello({ buyerId: welcome['buyerId'], resumeToken: welcome['resumeToken'], lastSeq: 3 });
    expect(again).toMatchObject({ conversationId, buyerId: welcome['buyerId'], resumed: true, lastSeq: 4 });
    const missed = await b.nextType('message');
    expect(missed).toMatchObject({ from: 'agent', text: '亲，我是小美', seq: 4, agentName: 'xiaomei' });
    b.send({ type: 'message', id: 'q2', text: '第二句' });
    await b.next((f) => f.type === 'message' && f['text'] === '收到：第二句');
    const messageSeqs = b.frames.filter((f) => f.type === 'message').map((f) => f['seq']);
    expect(messageSeqs).toEqual([4, 6]);
  });

  it('replays the whole conversation, own messages included, to a reloaded page that sends lastSeq 0', async () => {
    const a = await connect();
    const w = await a.hello();
    a.send({ type: 'message', id: 'x1', text: '你好' });
    await a.next((f) => f.type === 'message' && f['text'] === '收到：你好');
    await a.close();
    const b = await connect();
    await b.hello({ buyerId: w['buyerId'], resumeToken: w['resumeToken'], lastSeq: 0 });
    const replay = [await b.nextType('message'), await b.nextType('message'), await b.nextType('message')];
    expect(replay.map((f) => [f['from'], f['text']])).toEqual([
      ['bot', '亲，欢迎光临~'],
      ['buyer', '你好'],
      ['bot', '收到：你好'],
    ]);
    expect(replay[1]).toMatchObject({ id: 'x1' });
  });

  it('gives a wrong resume token a new conversation and a new buyer id, never the other buyer’s', async () => {
    const victim = await connect();
    const w = await victim.hello();
    victim.send({ type: 'message', id: 'secret', text: '我的地址是北京' });
    await victim.next((f) => f['text'] === '收到：我的地址是北京');

    const attacker = await connect();
    const got = await attacker.hello({ buyerId: w['buyerId'], resumeToken: 'guessed-token', lastSeq: 0 });
    expect(got['conversationId']).not.toBe(w['conversationId']);
    expect(got['buyerId']).not.toBe(w['buyerId']);
    expect(got['resumed']).toBe(false);
    const first = await attacker.nextType('message');
    expect(first['text']).toBe('亲，欢迎光临~');
    expect(JSON.stringify(attacker.frames)).not.toContain('北京');
    // The victim's own session still works.
    const back = await connect();
    expect(await back.hello({ buyerId: w['buyerId'], resumeToken: w['resumeToken'], lastSeq: 3 })).toMatchObject({ resumed: true });
  });

  it('stores a resent client id once and answers it once', async () => {
    const c = await connect();
    const w = await c.hello();
    c.send({ type: 'message', id: 'dup', text: '发货了吗' });
    const ack1 = await c.nextType('ack');
    await c.next((f) => f['text'] === '收到：发货了吗');
    c.send({ type: 'message', id: 'dup', text: '发货了吗' });
    const ack2 = await c.nextType('ack');
    expect(ack2['seq']).toBe(ack1['seq']);
    c.send({ type: 'message', id: 'after', text: '好的' });
    await c.next((f) => f['text'] === '收到：好的');
    const log = await server.store.messagesAfter(String(w['conversationId']), 0);
    expect(log.filter((m) => m.text === '发货了吗')).toHaveLength(1);
    expect(log.filter((m) => m.text === '收到：发货了吗')).toHaveLength(1);
  });

  it('hands off: queued state to the buyer, conversation queued in the store, event on the handoff channel', async () => {
    let handoffEvent!: (e: unknown) => void;
    const published = new Promise<unknown>((r) => (handoffEvent = r));
    await server.store.subscribe(HANDOFF_CHANNEL, (e) => handoffEvent(e));
    const c = await connect();
    const w = await c.hello();
    c.send({ type: 'message', id: 'h', text: '我要转人工' });
    await c.next((f) => f['text'] === '好的亲，这就为您转人工');
    expect(await c.nextType('handoff')).toEqual({ type: 'handoff', status: 'queued' });
    const conversationId = String(w['conversationId']);
    expect((await server.store.getConversation(conversationId))?.status).toBe('queued');
    expect((await server.store.listQueue()).map((q) => [q.conversationId, q.priority, q.reason])).toEqual([
      [conversationId, 'normal', 'explicit_request'],
    ]);
    expect(await published).toMatchObject({
      kind: 'queued',
      conversationId,
      priority: 'normal',
      reason: 'explicit_request',
      instanceId: server.config.instanceId,
    });
  });

  it('hands the conversation to a person when the engine fails, instead of leaving the buyer unanswered', async () => {
    const c = await connect();
    const w = await c.hello();
    c.send({ type: 'message', id: 'b', text: 'boom' });
    const ack = await c.nextType('ack');
    // The buyer is told a person is coming (a holding reply to that message), then queued.
    const holding = await c.next((f) => f.type === 'message' && f['from'] === 'bot', 'holding reply');
    expect(holding['text']).toBe('亲，稍等，马上请同事来处理～');
    expect(Number(holding['seq'])).toBeGreaterThan(Number(ack['seq']));
    expect(await c.nextType('handoff')).toEqual({ type: 'handoff', status: 'queued' });
    const queue = await server.store.listQueue();
    expect(queue[0]).toMatchObject({ conversationId: w['conversationId'], reason: 'error', priority: 'high' });
    expect(server.logs.some((l) => l['msg'] === 'bot turn failed; handing off')).toBe(true);
  });

  it('delivers agent messages posted through the conversation service and hides internal notes', async () => {
    const c = await connect();
    const w = await c.hello();
    await c.nextType('message');
    const id = String(w['conversationId']);
    await server.app.conversations.postMessage(id, {
      from: 'agent',
      agentId: 'xiaomei',
      text: '内部：这位是老客户',
      at: new Date().toISOString(),
      meta: { internal: true },
    });
    await server.app.conversations.setHandoffStatus(id, 'assigned', { id: 'xiaomei', name: '小美' });
    await server.app.conversations.postMessage(id, {
      from: 'agent',
      agentId: 'xiaomei',
      text: '亲，您好',
      at: new Date().toISOString(),
      meta: { agentName: '小美' },
    });
    expect(await c.nextType('handoff')).toEqual({ type: 'handoff', status: 'assigned', agentName: '小美' });
    expect(await c.nextType('message')).toMatchObject({ from: 'agent', text: '亲，您好', agentName: '小美', seq: 3 });
    expect(JSON.stringify(c.frames)).not.toContain('内部');
  });
});

describe('limits', () => {
  let server: Running;
  const clients: TestClient[] = [];
  async function connect(): Promise<TestClient> {
    const c = await TestClient.open(server.wsUrl);
    clients.push(c);
    return c;
  }
  beforeEach(async () => {
    server = await startServer({
      engine: createScriptedEngine(),
      shop,
      env: { RATE_LIMIT_MESSAGES: '3', RATE_LIMIT_WINDOW_MS: '600000', MAX_CONNECTIONS_PER_IP: '4', MAX_TEXT_LENGTH: '20', HEARTBEAT_MS: '150' },
    });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await server.stop();
  });

  async function errorFor(c: TestClient, frame: unknown): Promise<Frame> {
    c.send(frame);
    return c.nextType('error');
  }

  it('answers malformed JSON, unknown types and bad fields with coded errors and keeps the socket open', async () => {
    const c = await connect();
    await c.hello();
    expect(await errorFor(c, '{oops')).toMatchObject({ code: 'BAD_JSON' });
    expect(await errorFor(c, { type: 'dance' })).toMatchObject({ code: 'UNKNOWN_TYPE' });
    expect(await errorFor(c, { type: 'message', text: 'no id' })).toMatchObject({ code: 'BAD_FRAME' });
    expect(await errorFor(c, { type: 'message', id: 'e', text: '   ' })).toMatchObject({ code: 'EMPTY_TEXT', id: 'e' });
    expect(await errorFor(c, { type: 'message', id: 'long', text: '长'.repeat(21) })).toMatchObject({ code: 'TEXT_TOO_LONG', id: 'long' });
    c.send({ type: 'message', id: 'ok', text: '还在吗' });
    expect(await c.next((f) => f['text'] === '收到：还在吗')).toBeTruthy();
  });

  it('closes on binary frames with 1003 after saying why', async () => {
    const c = await connect();
    await c.hello();
    c.ws.send(Buffer.from([1, 2, 3]));
    expect(await c.nextType('error')).toMatchObject({ code: 'BINARY_FRAME' });
    expect((await c.waitClosed()).code).toBe(1003);
  });

  it('closes a socket that sends a frame over 8 KB with 1009', async () => {
    const c = await connect();
    await c.hello();
    c.send({ type: 'message', id: 'big', text: 'x'.repeat(9000) });
    expect((await c.waitClosed()).code).toBe(1009);
    // The server is fine: a new socket works.
    const d = await connect();
    expect(await d.hello()).toMatchObject({ type: 'welcome' });
  });

  it('rate-limits a flooding buyer without affecting another buyer, and closes a persistent flood', async () => {
    const flood = await connect();
    await flood.hello();
    const calm = await connect();
    await calm.hello();
    for (let i = 0; i < 5; i++) flood.send({ type: 'message', id: `f${i}`, text: `刷${i}` });
    const err = await flood.nextType('error');
    expect(err).toMatchObject({ code: 'RATE_LIMITED' });
    calm.send({ type: 'message', id: 'c1', text: '我正常问' });
    expect(await calm.next((f) => f['text'] === '收到：我正常问')).toBeTruthy();
    for (let i = 5; i < 12; i++) flood.send({ type: 'message', id: `f${i}`, text: `刷${i}` });
    expect((await flood.waitClosed()).code).toBe(1008);
    const stored = flood.frames.filter((f) => f.type === 'ack');
    expect(stored).toHaveLength(3);
  });

  it('refuses more sockets per address than the cap with TOO_MANY_CONNECTIONS and 1013', async () => {
    for (let i = 0; i < 4; i++) await (await connect()).hello();
    const extra = await connect();
    expect(await extra.nextType('error')).toMatchObject({ code: 'TOO_MANY_CONNECTIONS' });
    expect((await extra.waitClosed()).code).toBe(1013);
    // Closing one frees a slot.
    await clients[0]!.close();
    const again = await connect();
    expect(await again.hello()).toMatchObject({ type: 'welcome' });
  });

  it('drops a socket that stops answering pings', async () => {
    const dead = new TestClient(server.wsUrl, { autoPong: false });
    clients.push(dead);
    await new Promise((r) => dead.ws.once('open', r));
    const closed = await dead.waitClosed();
    expect(closed.code).toBe(1006);
  });
});

describe('graceful shutdown', () => {
  it('finishes an in-flight bot turn, then closes sockets with 1001', async () => {
    const engine = createScriptedEngine();
    const server = await startServer({ engine, shop });
    const c = await TestClient.open(server.wsUrl);
    await c.hello();
    c.send({ type: 'message', id: 's', text: 'slow question' });
    await c.nextType('ack');
    await engine.slowStarted;
    const closing = server.stop();
    // New messages during shutdown are refused with a code.
    c.send({ type: 'message', id: 'late', text: '还有一句' });
    expect(await c.nextType('error')).toMatchObject({ code: 'SHUTTING_DOWN', id: 'late' });
    engine.releaseSlow();
    expect(await c.next((f) => f['text'] === '收到：slow question')).toBeTruthy();
    expect((await c.waitClosed()).code).toBe(1001);
    await closing;
  });
});
