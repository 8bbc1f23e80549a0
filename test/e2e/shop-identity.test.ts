/**
 * Signed shop identity end to end: the real engine, demo shop and memory store behind a real
 * server on a free port, real `ws` clients. A hello with the shop's signature of a buyer id
 * opens that buyer's own conversation (her orders are in focus); a bad signature is told
 * BAD_BUYER_SIGNATURE and continues anonymously; an id or a stolen resume token without the
 * signature never reaches her conversation.
 */
import { signShopBuyer } from '../../src/transport/shop-identity';
import { startServer, TestClient, type Frame, type Running } from '../transport/harness';
import { realEngine } from './real-engine';

const { engine, shop } = realEngine();
const LINA = 'B002';
const linaOrder = shop.ordersByBuyer(LINA)[0];
const TRACKING = linaOrder?.shipment?.trackingNumber ?? 'missing';
const COURIER = shop.courierName(linaOrder?.shipment?.carrier ?? 'missing');

describe('signed shop buyers on /ws/buyer', () => {
  let server: Running;
  const clients: TestClient[] = [];
  const sign = (id: string) => signShopBuyer(server.config.shopSecret, id);

  async function connect(hello: Record<string, unknown>): Promise<{ c: TestClient; welcome: Frame }> {
    const c = await TestClient.open(server.wsUrl);
    clients.push(c);
    return { c, welcome: await c.hello(hello) };
  }

  /** Asks and returns the text of every bot reply to it. */
  async function ask(c: TestClient, conversationId: string, text: string): Promise<string> {
    const id = `q-${Math.random().toString(36).slice(2)}`;
    c.send({ type: 'message', id, text });
    const ack = await c.next((f) => f.type === 'ack' && f['id'] === id, 'ack');
    await c.next((f) => f.type === 'message' && f['from'] === 'bot' && (f['seq'] as number) > (ack['seq'] as number), 'reply');
    await server.app.conversations.drain();
    const replies = await server.store.messagesAfter(conversationId, ack['seq'] as number);
    return replies
      .filter((m) => m.from === 'bot')
      .map((m) => m.text)
      .join('\n');
  }

  beforeAll(async () => {
    expect(linaOrder?.shipment).toBeDefined();
    server = await startServer({ engine, shop, env: { LOG_LEVEL: 'warn' } });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await server.stop();
  });

  it('greets a signed buyer with an unpaid order, then reminds them to pay, as two bot messages', async () => {
    const unpaid = shop.ordersByBuyer('B003')[0];
    expect(unpaid?.status).toBe('unpaid');
    const { c } = await connect({ shopBuyerId: 'B003', shopBuyerSig: sign('B003') });
    const greeting = await c.nextType('message');
    const reminder = await c.nextType('message');
    expect(greeting).toMatchObject({ from: 'bot', seq: 1 });
    expect(reminder).toMatchObject({ from: 'bot', seq: 2 });
    // Either variant of payment.pay/remind: unpaid, and when it ships if paid now.
    expect(String(reminder['text'])).toMatch(/付款/);
    expect(String(reminder['text'])).toMatch(/16:00前/);
  });

  it('opens the signed buyer’s own conversation: greeted by name, her parcel tracked', async () => {
    const { c, welcome } = await connect({ shopBuyerId: LINA, shopBuyerSig: sign(LINA) });
    expect(c.frames.some((f) => f.type === 'error')).toBe(false);
    expect(welcome).toMatchObject({ buyerId: `shop:${LINA}`, resumed: false });
    const greeting = await c.nextType('message');
    expect(String(greeting['text'])).toContain(shop.buyer(LINA)?.name);
    const conversationId = String(welcome['conversationId']);
    expect((await server.store.getConversation(conversationId))?.buyerId).toBe(LINA);

    const reply = await ask(c, conversationId, '我的快递到哪了');
    expect(reply).toContain(TRACKING);
    expect(reply).toContain(COURIER);
  });

  it('finds the same conversation from another device; only the token holder’s lastSeq counts', async () => {
    const first = await connect({ shopBuyerId: LINA, shopBuyerSig: sign(LINA) });
    const conversationId = String(first.welcome['conversationId']);
    const lastSeq = first.welcome['lastSeq'] as number;
    expect(lastSeq).toBeGreaterThan(1); // the earlier test's question and answer are in it

    // A new device (no token): same conversation, replayed from the start.
    expect(first.welcome['resumed']).toBe(false);
    const replayed = await first.c.next((f) => f.type === 'message' && f['seq'] === lastSeq, 'replay');
    expect(first.c.frames.filter((f) => f.type === 'message').map((f) => f['seq'])).toEqual(Array.from({ length: lastSeq }, (_, i) => i + 1));
    expect(replayed).toBeDefined();

    // The widget that holds the token resumes after its lastSeq.
    const again = await connect({
      shopBuyerId: LINA,
      shopBuyerSig: sign(LINA),
      buyerId: first.welcome['buyerId'],
      resumeToken: first.welcome['resumeToken'],
      lastSeq,
    });
    expect(again.welcome).toMatchObject({ conversationId, resumed: true, lastSeq });
    const reply = await ask(again.c, conversationId, '快递到哪了');
    expect(reply).toContain(TRACKING);
    expect(again.c.frames.filter((f) => f.type === 'message' && (f['seq'] as number) <= lastSeq)).toEqual([]);
  });

  it.each([
    ['another buyer’s signature', () => ({ shopBuyerId: LINA, shopBuyerSig: sign('B001') })],
    ['a signature made with another secret', () => ({ shopBuyerId: LINA, shopBuyerSig: signShopBuyer('x'.repeat(64), LINA) })],
    ['a malformed signature', () => ({ shopBuyerId: LINA, shopBuyerSig: 'not-hex' })],
    ['an id without a signature', () => ({ shopBuyerId: LINA })],
  ])('%s: BAD_BUYER_SIGNATURE, then an anonymous conversation without her data', async (_what, hello) => {
    const { c, welcome } = await connect(hello());
    const error = c.frames.find((f) => f.type === 'error');
    expect(error).toMatchObject({ code: 'BAD_BUYER_SIGNATURE' });
    expect(c.frames.indexOf(error as Frame)).toBeLessThan(c.frames.indexOf(welcome));
    expect(c.closed).toBeNull();
    expect(String(welcome['buyerId'])).toMatch(/^b_/);
    const conversationId = String(welcome['conversationId']);
    const conv = await server.store.getConversation(conversationId);
    expect(conv?.buyerId).not.toBe(LINA);
    const greeting = await c.nextType('message');
    expect(String(greeting['text'])).not.toContain(shop.buyer(LINA)?.name);
    const reply = await ask(c, conversationId, '我的快递到哪了');
    expect(reply).not.toContain(TRACKING);
  });

  it('an anonymous buyer cannot claim her id, nor her session with its resume token, without the signature', async () => {
    const lina = await connect({ shopBuyerId: LINA, shopBuyerSig: sign(LINA) });
    const session = await server.store.getBuyerSession(`shop:${LINA}`);
    expect(session?.conversationId).toBe(lina.welcome['conversationId']);
    for (const hello of [
      { buyerId: LINA, resumeToken: String(lina.welcome['resumeToken']) },
      { buyerId: `shop:${LINA}`, resumeToken: String(lina.welcome['resumeToken']) },
    ]) {
      const { c, welcome } = await connect(hello);
      expect(welcome['resumed']).toBe(false);
      expect(String(welcome['buyerId'])).toMatch(/^b_/);
      expect(welcome['conversationId']).not.toBe(lina.welcome['conversationId']);
      const messages = await c.next((f) => f.type === 'message', 'greeting');
      expect(messages['seq']).toBe(1);
      const reply = await ask(c, String(welcome['conversationId']), '我的快递到哪了');
      expect(reply).not.toContain(TRACKING);
    }
    // Her session is untouched.
    expect(await server.store.getBuyerSession(`shop:${LINA}`)).toEqual(session);
  });

  it('lists the demo buyers with working signatures in demo mode only', async () => {
    const res = await fetch(`${server.url}/api/demo/buyers`);
    expect(res.status).toBe(200);
    const { buyers } = (await res.json()) as { buyers: { id: string; name: string; signature: string; order?: { number: string } }[] };
    const lina = buyers.find((b) => b.id === LINA);
    expect(lina).toMatchObject({ name: shop.buyer(LINA)?.name, signature: sign(LINA), order: { number: linaOrder?.number } });

    const configured = await startServer({ engine, shop, env: { LOG_LEVEL: 'warn', SHOP_SECRET: 's'.repeat(40) } });
    try {
      expect(configured.config.generatedShopSecret).toBe(false);
      expect((await fetch(`${configured.url}/api/demo/buyers`)).status).toBe(404);
      // …and there a buyer is signed with the configured secret.
      const c = await TestClient.open(configured.wsUrl);
      const welcome = await c.hello({ shopBuyerId: LINA, shopBuyerSig: signShopBuyer('s'.repeat(40), LINA) });
      expect(welcome['buyerId']).toBe(`shop:${LINA}`);
      await c.close();
    } finally {
      await configured.stop();
    }
  });
});
