/**
 * Agent console end to end: real server on port 0, real ws sockets for buyers and agents,
 * real memory store, and the real dialogue engine over the project's intents/, templates/ and
 * demo shop (see agent-helpers.ts).
 */
import type { Suggestion } from '../../src/model/conversation';
import { createMemoryStore } from '../../src/store';
import type { AgentPresence } from '../../src/store/types';
import { TestClient, type Frame } from '../transport/harness';
import { TOKENS, queueSeenBy, say, startAgentServer, type AgentServer } from './agent-helpers';

const isConv = (id?: string) => (f: Frame) => f.type === 'conversation' && (id === undefined || (f['conversation'] as { id: string }).id === id);
const convId = (f: Frame) => (f['conversation'] as { id: string }).id;
const isBot = (f: Frame) => f.type === 'message' && f['from'] === 'bot';

async function welcomeOf(b: TestClient): Promise<string> {
  const w = b.frames.find((f) => f.type === 'welcome');
  return String(w?.['conversationId']);
}

describe('agent socket', () => {
  let s: AgentServer;
  beforeEach(async () => {
    s = await startAgentServer({ maxChats: 1 });
  });
  afterEach(async () => {
    await s.stop();
  });

  it('refuses a bad token, a buyer id, and no token before sending anything', async () => {
    const buyer = await s.buyer();
    const buyerId = String(buyer.frames.find((f) => f.type === 'welcome')?.['buyerId']);
    for (const url of [s.agentUrl('wrong-token'), s.agentUrl(buyerId), s.agentUrl('').replace('?token=', '')]) {
      const c = new TestClient(url);
      const closed = await c.waitClosed();
      expect(closed).toEqual({ code: 1008, reason: 'UNAUTHORIZED' });
      expect(c.frames).toEqual([]);
    }
    // The Authorization header works as well as ?token=.
    const viaHeader = await TestClient.open(s.agentUrl('').replace('?token=', ''), { headers: { authorization: `Bearer ${TOKENS.ajie}` } });
    expect((await viaHeader.nextType('hello'))['agent']).toMatchObject({ id: 'ajie' });
    await viaHeader.close();
    await buyer.close();
  });

  it('routes a bad review before an older ordinary request, within capacity, and the buyer sees the agent', async () => {
    const plain = await s.buyer();
    await say(plain, '我要人工');
    await plain.next((f) => f.type === 'handoff' && f['status'] === 'queued');
    // A demo-shop buyer with an order on file, so the console's order card is filled.
    const angry = await s.buyer({ buyerId: 'B001' });
    await say(angry, '再不处理我就给差评');
    await angry.next((f) => f.type === 'handoff' && f['status'] === 'queued');
    const angryId = await welcomeOf(angry);
    const plainId = await welcomeOf(plain);

    const xiaomei = await TestClient.open(s.agentUrl(TOKENS.xiaomei));
    const got = await xiaomei.next(isConv(), 'conversation');
    expect(convId(got)).toBe(angryId);
    expect(got['intent']).toBe('bad_review.complaint');
    expect((got['conversation'] as { priority: string }).priority).toBe('urgent');
    // Never argue with a bad review: the bot apologised before handing off.
    const angryLog = await s.store.messagesAfter(angryId, 0);
    expect(angryLog.filter((m) => m.from === 'bot' && m.meta?.['intent'] === 'bad_review.complaint').length).toBeGreaterThan(0);
    // The engine's own three ranked suggestions, each with a reason; the complaint's own replies first.
    const suggestions = got['suggestions'] as Suggestion[];
    const stored = await s.store.getConversation(angryId);
    expect(stored).not.toBeNull();
    expect(suggestions).toEqual(s.engine.suggest(stored!));
    expect(suggestions).toHaveLength(3);
    expect(suggestions[0]?.templateId).toMatch(/^bad_review\.complaint\//);
    for (const sug of suggestions) {
      expect(sug.text.trim()).not.toBe('');
      expect(sug.reason.trim()).not.toBe('');
    }
    // The order card is B001's order from the demo shop.
    const order = s.shop.ordersByBuyer('B001')[0];
    expect(order).toBeDefined();
    expect(got['conversation'] as { buyerName?: string; order?: { number: string; items: { name: string }[] } }).toMatchObject({
      buyerId: 'B001',
      buyerName: s.shop.buyer('B001')?.name,
      order: { number: order!.number, items: order!.items.map((i) => expect.objectContaining({ name: i.name })) },
    });
    expect(await angry.next((f) => f.type === 'handoff' && f['status'] === 'assigned')).toMatchObject({ agentName: '小美' });

    // Capacity 1: the older request keeps waiting and shows in the queue.
    // The queue reaches consoles as changes: the claimed row is removed, the other stays.
    await xiaomei.next((f) => f.type === 'queue_item' && f['op'] === 'removed' && f['conversationId'] === angryId, 'angry row removed');
    expect(queueSeenBy(xiaomei.frames)).toEqual([plainId]);
    expect(xiaomei.frames.filter(isConv()).map(convId)).toEqual([angryId]);

    // The agent's reply reaches the buyer's socket; the buyer's next message reaches the agent.
    xiaomei.send({ type: 'message', conversationId: angryId, text: '亲，非常抱歉，我马上处理', id: 'a1' });
    expect(await angry.next((f) => f.type === 'message' && f['from'] === 'agent')).toMatchObject({
      text: '亲，非常抱歉，我马上处理',
      agentName: '小美',
    });
    await say(angry, '快点');
    expect(await xiaomei.next((f) => f.type === 'message' && (f['message'] as { from: string }).from === 'buyer')).toMatchObject({
      conversationId: angryId,
      message: { text: '快点' },
    });
    // While the agent holds it, the bot stays quiet. 快点 says nothing new, so the suggestions
    // still answer the bad review (issue 10: never thanks or greetings to an angry buyer).
    const turn = await xiaomei.next((f) => f.type === 'turn' && f['conversationId'] === angryId);
    const held = await s.store.getConversation(angryId);
    expect(held?.status).toBe('agent');
    const refreshed = turn['suggestions'] as Suggestion[];
    expect(refreshed).toHaveLength(3);
    expect(refreshed).toEqual(held!.handoff!.suggestions.slice(0, 3));
    expect(refreshed.filter((x) => x.templateId?.startsWith('greeting.'))).toEqual([]);
    expect(refreshed[0]?.templateId).toMatch(/^bad_review\.complaint\//);
    // Any bot reply to 快点 would be published before the turn, so it would reach the buyer
    // before this second agent message.
    const agentFirst = angry.frames.findIndex((f) => f.type === 'message' && f['from'] === 'agent');
    xiaomei.send({ type: 'message', conversationId: angryId, text: '亲，正在为您加急', id: 'a2' });
    await angry.next((f) => f.type === 'message' && f['from'] === 'agent' && f['text'] === '亲，正在为您加急');
    expect(angry.frames.slice(agentFirst).filter(isBot)).toEqual([]);

    await xiaomei.close();
    await angry.close();
    await plain.close();
  });

  it('an agent going away hands chats to a colleague; return to bot resumes auto replies', async () => {
    const xiaomei = await TestClient.open(s.agentUrl(TOKENS.xiaomei));
    await xiaomei.nextType('hello');
    await xiaomei.nextType('queue');
    const buyer = await s.buyer();
    const id = await welcomeOf(buyer);
    await say(buyer, '转人工');
    await xiaomei.next(isConv(id));
    xiaomei.send({ type: 'note', conversationId: id, text: '买家<b>很急</b>', id: 'n1' });
    await xiaomei.next((f) => f.type === 'ack' && f['id'] === 'n1');

    const ajie = await TestClient.open(s.agentUrl(TOKENS.ajie));
    await ajie.nextType('hello');
    xiaomei.send({ type: 'presence', status: 'away' });
    const handed = await ajie.next(isConv(id), 'handed-over conversation');
    const history = (handed['conversation'] as { history: { from: string; text: string }[] }).history;
    expect(history.map((h) => h.from)).toEqual(['bot', 'buyer', 'bot', 'note']);
    expect(history[3]?.text).toBe('买家<b>很急</b>');
    expect(await xiaomei.next((f) => f.type === 'released')).toMatchObject({ conversationId: id, reason: 'handover' });
    expect(await buyer.next((f) => f.type === 'handoff' && f['status'] === 'assigned' && f['agentName'] === '阿杰')).toBeTruthy();
    // Notes never reach the buyer.
    expect(buyer.frames.some((f) => String(f['text'] ?? '').includes('很急'))).toBe(false);

    ajie.send({ type: 'return_to_bot', conversationId: id, id: 'r1' });
    await ajie.next((f) => f.type === 'ack' && f['id'] === 'r1');
    await buyer.next((f) => f.type === 'handoff' && f['status'] === 'returned');
    await say(buyer, '这件衣服什么材质');
    const reply = await buyer.next(isBot, 'bot reply');
    // The bot answers the product question itself, from the demo shop's product in focus.
    const productId = (await s.store.getConversation(id))?.productId;
    const product = productId ? s.shop.product(productId) : undefined;
    expect(product).toBeDefined();
    expect(String(reply['text'])).toContain(product!.description);
    const [storedReply] = await s.store.messagesAfter(id, Number(reply['seq']) - 1, 1);
    expect(storedReply).toMatchObject({ from: 'bot', meta: { intent: 'product.info' } });

    // Someone else's conversation is refused.
    xiaomei.send({ type: 'close', conversationId: id, resolution: 'resolved', id: 'x' });
    expect(await xiaomei.next((f) => f.type === 'error' && f['id'] === 'x')).toMatchObject({ code: 'FORBIDDEN' });

    await Promise.all([xiaomei.close(), ajie.close(), buyer.close()]);
  });

  it('going away with nobody else online puts the chat back in the queue, and the buyer sees it', async () => {
    const xiaomei = await TestClient.open(s.agentUrl(TOKENS.xiaomei));
    await xiaomei.nextType('queue');
    const buyer = await s.buyer();
    const id = await welcomeOf(buyer);
    await say(buyer, '转人工');
    await xiaomei.next(isConv(id));
    await buyer.next((f) => f.type === 'handoff' && f['status'] === 'assigned');
    xiaomei.send({ type: 'presence', status: 'offline' });
    await buyer.next((f) => f.type === 'handoff' && f['status'] === 'queued');
    expect((await s.store.listQueue()).map((e) => e.conversationId)).toEqual([id]);
    await Promise.all([xiaomei.close(), buyer.close()]);
  });
});

describe('agent presence right after connecting', () => {
  it('a presence frame sent while the connection is still starting wins over the connect’s own online', async () => {
    // The connect reads the agent's presence (none yet), then marks them online. Hold that
    // read until the agent's "away" frame has had its chance: handled meanwhile, "away"
    // would be overwritten by the stale "online" decision.
    const inner = createMemoryStore({});
    let armed = false;
    let reached!: () => void;
    const readHeld = new Promise<void>((r) => (reached = r));
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const store = new Proxy(inner, {
      get(target, prop) {
        if (prop === 'getPresence') {
          return async (agentId: string) => {
            const value = await target.getPresence(agentId);
            if (armed && agentId === 'xiaomei') {
              armed = false;
              reached();
              await released;
            }
            return value;
          };
        }
        if (prop === 'setPresence') {
          return async (p: AgentPresence) => {
            if (p.status === 'away') release(); // handled before the connect finished: let it race
            return target.setPresence(p);
          };
        }
        const v: unknown = Reflect.get(target, prop, target);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const s = await startAgentServer({ store });
    try {
      armed = true;
      const xiaomei = await TestClient.open(s.agentUrl(TOKENS.xiaomei));
      await readHeld;
      xiaomei.send({ type: 'presence', status: 'away', id: 'p1' });
      // If the frame waits for the connect (as it should), nothing above releases the read:
      // give the server a moment to show it would not, then let the connect finish.
      void new Promise((r) => setTimeout(r, 300)).then(() => release());
      const ack = await xiaomei.next((f) => f.type === 'ack' && f['id'] === 'p1', 'presence ack');
      // Answered after the connect's own frames, and the agent stays away.
      expect(xiaomei.frames.indexOf(ack)).toBeGreaterThan(xiaomei.frames.findIndex((f) => f.type === 'queue'));
      expect((await inner.getPresence('xiaomei'))?.status).toBe('away');
      // A buyer asking for a person now waits in the queue instead of going to the away agent.
      const buyer = await s.buyer();
      await say(buyer, '转人工');
      await buyer.next((f) => f.type === 'handoff' && f['status'] === 'queued');
      expect((await inner.listQueue()).map((e) => e.conversationId)).toEqual([await welcomeOf(buyer)]);
      expect(xiaomei.frames.some(isConv())).toBe(false);
      await Promise.all([xiaomei.close(), buyer.close()]);
    } finally {
      await s.stop();
      await inner.close();
    }
  });
});

describe('SLA and metrics over HTTP', () => {
  it('with METRICS_TOKEN set, /metrics answers only a scraper that shows it', async () => {
    const token = 'scrape-me-0123456789abcdef';
    const s = await startAgentServer({ env: { METRICS_TOKEN: token } });
    try {
      expect((await fetch(`${s.url}/metrics`)).status).toBe(401);
      expect((await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${token}x` } })).status).toBe(401);
      expect((await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${TOKENS.xiaomei}` } })).status).toBe(401);
      const res = await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/kefu_handoff_queue_length 0/);
    } finally {
      await s.stop();
    }
  });

  it('detects a first-response breach with a fake clock and reports it in /api/stats and /metrics', async () => {
    let nowMs = Date.parse('2025-03-01T02:00:00Z');
    const s = await startAgentServer({ console: { clock: () => new Date(nowMs) }, env: { METRICS_PUBLIC: 'true' } });
    try {
      const buyer = await s.buyer();
      await say(buyer, '我要人工');
      await buyer.next((f) => f.type === 'handoff' && f['status'] === 'queued');
      // intents/human.request.yaml hands off with priority normal (the domain orders the queue by bad review, overdue delivery, then waiting time).
      expect(await s.store.listQueue()).toEqual([expect.objectContaining({ priority: 'normal', reason: 'explicit_request' })]);
      // Wait until the handoff service has started the clock (it reacts to the server's event).
      for (let i = 0; i < 100 && (await s.store.listTimers()).length === 0; i++) await new Promise((r) => setImmediate(r));

      nowMs += 6 * 60_000;
      await s.console.handoff.sweeper.sweep();
      const auth = { authorization: `Bearer ${TOKENS.xiaomei}` };
      expect((await fetch(`${s.url}/api/stats`)).status).toBe(401);
      const stats = (await (await fetch(`${s.url}/api/stats`, { headers: auth })).json()) as Record<string, number>;
      expect(stats).toMatchObject({ queueLength: 1, slaBreached: 1, agentsOnline: 0 });

      const metrics = await (await fetch(`${s.url}/metrics`)).text();
      expect(metrics).toMatch(/kefu_sla_breaches_total\{kind="first_response"\} 1/);
      expect(metrics).toMatch(/kefu_handoffs_total\{reason="explicit_request",priority="normal"\} 1/);
      expect(metrics).toMatch(/kefu_handoff_queue_length 1/);
      expect(metrics).toMatch(/kefu_messages_total\{direction="in",from="buyer",intent="human.request"\} 1/);
      expect(metrics).toMatch(/kefu_buyer_turns_total\{outcome="handed_off"\} 1/);

      // The console sees the breach on the queued conversation.
      const agent = await TestClient.open(s.agentUrl(TOKENS.xiaomei));
      const conv = await agent.next((f) => f.type === 'conversation');
      expect((conv['conversation'] as { sla: { kind: string; state: string }[] }).sla).toEqual([
        expect.objectContaining({ kind: 'first_response', state: 'breached' }),
      ]);
      await agent.close();
      await buyer.close();
    } finally {
      await s.stop();
    }
  });
});
