/**
 * The channel contract: the same scenarios on every channel, over real sockets and real HTTP
 * (the real engine over the project's scripts and the demo shop, the real memory store):
 *  - the widget socket (/ws/buyer, a signed shop buyer);
 *  - the signed webhook (POST /api/channels/webhook in, POSTs to a real callback server out).
 * Then what only the webhook has: signatures, replays, and a callback that is down and back.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskFileStore } from '../../src/files/file-store';
import { webhookConcern, WEBHOOK_PATH } from '../../src/channels/http-webhook';
import { signWebhook, verifyWebhook, WebhookChannel, type CallbackBody } from '../../src/channels/webhook';
import { loadDemoShop } from '../../src/shop';
import { createDemoShopAdapter } from '../../src/shop/demo-adapter';
import { ActDelivery } from '../../src/shop/outbox';
import { createMemoryStore } from '../../src/store';
import type { Store } from '../../src/store/types';
import { signShopBuyer } from '../../src/transport/shop-identity';
import { TestClient, type Frame } from '../transport/harness';
import { ROOT } from '../e2e/real-engine';
import { TOKENS, startAgentServer, type AgentServer } from '../e2e/agent-helpers';

const SECRET = 'contract-test-webhook-secret-0123456789';
const RATE_LIMIT = 6;
const MAX_TEXT = 120;

/** A shop's connector: a real HTTP server that checks our signature and records what it gets. */
class CallbackServer {
  readonly bodies: CallbackBody[] = [];
  readonly deliveryIds: string[] = [];
  badSignatures = 0;
  private server: Server | null = null;
  private waiters: (() => void)[] = [];
  port = 0;

  async start(port = 0): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/callback`;
  }

  /** Down: the port refuses connections. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const ok = verifyWebhook(
      SECRET,
      { signature: req.headers['x-dianxiaoer-signature'] as string, timestamp: req.headers['x-dianxiaoer-timestamp'] as string },
      raw,
      Date.now(),
    );
    if (!ok.ok) {
      this.badSignatures += 1;
      res.writeHead(401).end();
      return;
    }
    this.bodies.push(JSON.parse(raw.toString('utf8')) as CallbackBody);
    this.deliveryIds.push(String(req.headers['x-dianxiaoer-delivery']));
    res.writeHead(204).end();
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Waits for a delivery matching `pred` (any, already received or to come). */
  async waitFor(pred: (b: CallbackBody) => boolean, what: string, timeoutMs = 15_000): Promise<CallbackBody> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.bodies.find(pred);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no callback ${what}; got ${JSON.stringify(this.bodies.slice(-5))}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, Math.min(left, 200)).unref();
      });
    }
  }
}

/** What every channel offers a test: send as the buyer, see what the buyer sees. */
interface BuyerEnd {
  send(text: string): Promise<{ ok: true } | { ok: false; code: string; message: string; status?: number }>;
  /** The next message the buyer sees from the bot or an agent that matches. */
  message(
    pred: (m: { from: string; text: string; agentName?: string }) => boolean,
    what: string,
  ): Promise<{ from: string; text: string; agentName?: string }>;
  handoff(status: string): Promise<{ status: string; agentName?: string }>;
  /** Every text the buyer has seen so far. */
  seen(): string[];
  conversationId(): Promise<string>;
  close(): Promise<void>;
}

interface ChannelUnderTest {
  name: string;
  /** A buyer of the demo shop on this channel. */
  open(shopBuyerId: string): Promise<BuyerEnd>;
}

let s: AgentServer;
let store: Store;
let callback: CallbackServer;
let delivery: ActDelivery;
let fileStore: DiskFileStore;
let filesDir: string;

function widgetChannel(): ChannelUnderTest {
  return {
    name: 'widget socket',
    async open(shopBuyerId) {
      const c = await TestClient.open(s.wsUrl);
      const welcome = await c.hello({ shopBuyerId, shopBuyerSig: signShopBuyer(s.config.shopSecret, shopBuyerId) });
      let n = 0;
      const isOut = (f: Frame) => f.type === 'message' && f['from'] !== 'buyer';
      return {
        async send(text) {
          const id = `w-${(n += 1)}`;
          c.send({ type: 'message', id, text });
          const f = await c.next((x) => (x.type === 'ack' || x.type === 'error') && x['id'] === id, `ack or error for ${id}`);
          return f.type === 'ack' ? { ok: true } : { ok: false, code: String(f['code']), message: String(f['message']) };
        },
        async message(pred, what) {
          const f = await c.next((x) => isOut(x) && pred(x as unknown as { from: string; text: string }), what);
          return f as unknown as { from: string; text: string; agentName?: string };
        },
        async handoff(status) {
          return (await c.next((f) => f.type === 'handoff' && f['status'] === status, `handoff ${status}`)) as unknown as { status: string };
        },
        seen: () => c.frames.filter(isOut).map((f) => String(f['text'])),
        conversationId: async () => String(welcome['conversationId']),
        close: () => c.close(),
      };
    },
  };
}

/** Signs and POSTs one inbound webhook request. */
async function postWebhook(body: unknown, opts: { secret?: string; timestamp?: string; raw?: string } = {}): Promise<Response> {
  const raw = opts.raw ?? JSON.stringify(body);
  const timestamp = opts.timestamp ?? String(Math.floor(Date.now() / 1000));
  return fetch(`${s.url}${WEBHOOK_PATH}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-dianxiaoer-timestamp': timestamp,
      'x-dianxiaoer-signature': signWebhook(opts.secret ?? SECRET, timestamp, raw),
    },
    body: raw,
  });
}

function webhookChannel(): ChannelUnderTest {
  return {
    name: 'signed webhook',
    async open(buyerId) {
      let n = 0;
      let cursor = 0;
      let conversationId: string | undefined;
      const mine = (b: CallbackBody) => b.buyerId === buyerId;
      return {
        async send(text) {
          const res = await postWebhook({ buyerId, messageId: `${buyerId}-m${(n += 1)}`, text });
          const body = (await res.json()) as { conversationId?: string; error?: { code: string; message: string } };
          if (res.status === 202) {
            conversationId = body.conversationId;
            return { ok: true };
          }
          return { ok: false, code: body.error?.code ?? '?', message: body.error?.message ?? '', status: res.status };
        },
        async message(pred, what) {
          for (;;) {
            const list = callback.bodies.filter(mine);
            const i = list.findIndex((b, k) => k >= cursor && b.type === 'message' && pred(b.message));
            if (i >= 0) {
              cursor = i + 1;
              return (list[i] as Extract<CallbackBody, { type: 'message' }>).message;
            }
            await callback.waitFor((b) => mine(b) && callback.bodies.filter(mine).length > list.length, what);
          }
        },
        async handoff(status) {
          const b = await callback.waitFor((x) => mine(x) && x.type === 'handoff' && x.handoff.status === status, `handoff ${status}`);
          return (b as Extract<CallbackBody, { type: 'handoff' }>).handoff;
        },
        seen: () =>
          callback.bodies.filter((b) => mine(b) && b.type === 'message').map((b) => (b as Extract<CallbackBody, { type: 'message' }>).message.text),
        async conversationId() {
          if (!conversationId) throw new Error('no message sent yet');
          return conversationId;
        },
        close: async () => undefined,
      };
    },
  };
}

beforeAll(async () => {
  callback = new CallbackServer();
  await callback.start();
  store = createMemoryStore({});
  filesDir = mkdtempSync(join(tmpdir(), 'kefu-webhook-files-'));
  fileStore = new DiskFileStore(filesDir);
  const channel = new WebhookChannel({
    store,
    secret: SECRET,
    callbackUrl: callback.url,
    logger: { info: () => {}, warn: () => {} },
    timeoutMs: 2000,
  });
  s = await startAgentServer({
    store,
    maxChats: 20,
    env: { RATE_LIMIT_MESSAGES: String(RATE_LIMIT), MAX_TEXT_LENGTH: String(MAX_TEXT) },
    concerns: [webhookConcern({ channel, secret: SECRET, fileStore })],
  });
  delivery = new ActDelivery({
    store,
    adapter: createDemoShopAdapter(loadDemoShop(join(ROOT, 'demo/shop'))),
    routes: [channel.route()],
    logger: { info: () => {}, warn: () => {}, error: () => {} },
    pollMs: 100,
    baseDelayMs: 100,
    maxDelayMs: 400,
  });
  delivery.start();
}, 60_000);

afterAll(async () => {
  await delivery?.stop();
  await s?.stop();
  await store?.close();
  await callback?.stop();
  rmSync(filesDir, { recursive: true, force: true });
});

describe.each([
  ['widget socket', widgetChannel],
  ['signed webhook', webhookChannel],
])('channel contract: %s', (_name, make) => {
  const channel = (): ChannelUnderTest => make();
  // Each channel gets its own demo buyers (sessions are per channel, so the same shop buyer would work too).
  const buyer = (widget: string, webhook: string): string => (_name === 'widget socket' ? widget : webhook);

  it("a question gets the bot's answer from the shop's data", async () => {
    const b = await channel().open(buyer('B002', 'B002'));
    expect(await b.send('我的快递到哪了')).toEqual({ ok: true });
    const order = s.shop.ordersByBuyer('B002')[0];
    const tracking = order?.shipment?.trackingNumber;
    expect(tracking).toBeDefined();
    const reply = await b.message((m) => m.from === 'bot' && m.text.includes(tracking!), 'tracking reply');
    expect(reply.text).toContain(tracking!);
    await b.close();
  });

  it('a handoff reaches the agent queue, and the agent reply reaches the buyer; notes never do', async () => {
    const b = await channel().open(buyer('B003', 'B004'));
    expect(await b.send('我要人工客服')).toEqual({ ok: true });
    await b.handoff('queued');
    const conversationId = await b.conversationId();
    // In the queue, or already routed to the agent still online from an earlier test.
    const queued = (await store.listQueue()).some((e) => e.conversationId === conversationId);
    expect(queued || (await store.listAssignments('xiaomei')).includes(conversationId)).toBe(true);

    const agent = await TestClient.open(s.agentUrl(TOKENS.xiaomei));
    await agent.next((f) => f.type === 'conversation' && (f['conversation'] as { id: string }).id === conversationId, 'assigned conversation');
    expect(await b.handoff('assigned')).toMatchObject({ agentName: '小美' });
    agent.send({ type: 'note', conversationId, text: '内部备注：买家是老客户', id: 'n1' });
    await agent.next((f) => f.type === 'ack' && f['id'] === 'n1', 'note ack');
    agent.send({ type: 'message', conversationId, text: '亲，我是小美，马上为您处理', id: 'a1' });
    expect(await b.message((m) => m.from === 'agent', 'agent reply')).toMatchObject({ text: '亲，我是小美，马上为您处理', agentName: '小美' });
    agent.send({ type: 'close', conversationId, resolution: 'resolved' });
    await b.handoff('closed');
    // The note sat between the two in the log; the buyer saw the message and never the note.
    expect(b.seen().some((t) => t.includes('内部备注'))).toBe(false);
    await agent.close();
    await b.close();
  });

  it('over-length and empty text are refused with a clear error', async () => {
    const b = await channel().open(buyer('B005', 'B006'));
    const refused = await b.send('好'.repeat(MAX_TEXT + 1));
    expect(refused).toMatchObject({ ok: false, code: 'TEXT_TOO_LONG', message: `Message text is longer than ${MAX_TEXT} characters` });
    if ('status' in refused) expect(refused.status).toBe(413);
    expect(await b.send('   ')).toMatchObject({ ok: false, code: 'EMPTY_TEXT' });
    await b.close();
  });

  it('the per-buyer rate limit applies', async () => {
    const b = await channel().open(buyer('B007', 'B009'));
    const results = [];
    for (let i = 0; i <= RATE_LIMIT; i += 1) results.push(await b.send(`你好${i}`));
    expect(results.slice(0, RATE_LIMIT).every((r) => r.ok)).toBe(true);
    expect(results[RATE_LIMIT]).toMatchObject({ ok: false, code: 'RATE_LIMITED' });
    if ('status' in results[RATE_LIMIT]!) expect((results[RATE_LIMIT] as { status: number }).status).toBe(429);
    await b.close();
  });
});

describe('webhook channel only', () => {
  it('refuses a bad or missing signature with 401 before reading the body', async () => {
    const body = { buyerId: 'B010', messageId: 'sig-1', text: '你好' };
    const wrong = await postWebhook(body, { secret: 'not-the-secret-at-all-0123' });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
    const missing = await fetch(`${s.url}${WEBHOOK_PATH}`, { method: 'POST', body: JSON.stringify(body) });
    expect(missing.status).toBe(401);
    // A signed body that is not JSON, or misses fields: 400 with what is wrong.
    const notJson = await postWebhook(undefined, { raw: '{"buyerId":' });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: { code: string } }).error.code).toBe('BAD_JSON');
    const noText = await postWebhook({ buyerId: 'B010', messageId: 'sig-2' });
    expect(noText.status).toBe(400);
    expect(((await noText.json()) as { error: { message: string } }).error.message).toMatch(/^text:/);
    expect(await store.getBuyerSession('webhook:B010')).toBeNull();
  });

  it('refuses a stale timestamp and an exact replay with 401', async () => {
    const body = { buyerId: 'B010', messageId: 'replay-1', text: '在吗' };
    const stale = await postWebhook(body, { timestamp: String(Math.floor(Date.now() / 1000) - 10 * 60) });
    expect(stale.status).toBe(401);
    expect(((await stale.json()) as { error: { message: string } }).error.message).toMatch(/Timestamp/);

    const raw = JSON.stringify(body);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const first = await postWebhook(body, { raw, timestamp });
    expect(first.status).toBe(202);
    const again = await postWebhook(body, { raw, timestamp });
    expect(again.status).toBe(401);
    expect(((await again.json()) as { error: { message: string } }).error.message).toMatch(/replay/);
    // A connector's honest retry (same messageId, signed again later) is accepted and stored once.
    const retry = (await (await postWebhook(body, { raw, timestamp: String(Number(timestamp) + 1) })).json()) as { duplicate: boolean; seq: number };
    expect(retry.duplicate).toBe(true);
  });

  it('takes a photo (checked by content, once per messageId) and hands over; an agent image reaches the callback as a signed link', async () => {
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
    const body = { buyerId: 'B005', messageId: 'img-1', image: { base64: png.toString('base64') } };
    const res = await postWebhook(body);
    expect(res.status).toBe(202);
    const { conversationId, seq } = (await res.json()) as { conversationId: string; seq: number };
    expect(seq).toBeGreaterThan(0);
    // The bot never pretends to look at a photo: it acknowledges it and hands over.
    await callback.waitFor(
      (b) => b.conversationId === conversationId && b.type === 'handoff' && b.handoff.status === 'queued',
      'handoff after photo',
    );
    const stored = (await store.messagesAfter(conversationId, 0)).find((m) => m.seq === seq);
    expect(stored?.meta?.['file']).toMatchObject({ contentType: 'image/png', size: png.length });
    // A retry of the same photo, signed again, is not posted twice.
    const again = await postWebhook(body, { timestamp: String(Math.floor(Date.now() / 1000) + 1) });
    expect(await again.json()).toMatchObject({ conversationId, duplicate: true });
    // Not an image by content: 415.
    const notImage = await postWebhook({ buyerId: 'B005', messageId: 'img-2', image: { base64: Buffer.from('<svg/>').toString('base64') } });
    expect(notImage.status).toBe(415);

    // An agent's image goes out with a signed link the connector can fetch.
    const saved = await fileStore.put(png, { contentType: 'image/png', conversationId, uploadedBy: 'agent:xiaomei', at: new Date().toISOString() });
    await s.app.conversations.postPhoto(conversationId, {
      from: 'agent',
      file: { id: saved.id, contentType: saved.contentType, size: saved.size },
      agentId: 'xiaomei',
      agentName: '小美',
    });
    const sent = await callback.waitFor(
      (b) => b.conversationId === conversationId && b.type === 'message' && b.message.from === 'agent' && b.message.file !== undefined,
      'agent image',
    );
    const file = (sent as Extract<CallbackBody, { type: 'message' }>).message.file!;
    expect(file.id).toBe(saved.id);
    const fetched = await fetch(`${s.url}${file.path!}`);
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await fetched.arrayBuffer()).equals(png)).toBe(true);
    const tampered = await fetch(`${s.url}${file.path!.replace(/sig=./, (m) => (m.endsWith('0') ? 'sig=1' : 'sig=0'))}`);
    expect(tampered.status).toBe(401);
  });

  it('a callback that is down and comes back gets each message exactly once, in order', async () => {
    const port = callback.port;
    await callback.stop();
    const before = callback.bodies.length;
    const res = await postWebhook({ buyerId: 'B001', messageId: 'down-1', text: '我的快递到哪了' });
    expect(res.status).toBe(202);
    const { conversationId } = (await res.json()) as { conversationId: string };
    // While the callback is down the answer waits in the outbox, retried with backoff.
    await waitUntil(async () => {
      const entries = await store.listOutboxActs(`webhook:${conversationId}`);
      return entries.some((e) => e.attempts >= 2 && e.state === 'sent');
    }, 'failed attempts while the callback is down');
    expect(callback.bodies.length).toBe(before);

    await callback.start(port);
    await callback.waitFor(
      (b) => b.conversationId === conversationId && b.type === 'message' && b.message.from === 'bot' && b.message.seq > 2,
      'the answer',
    );
    await waitUntil(async () => (await store.listOutboxActs(`webhook:${conversationId}`)).every((e) => e.state === 'accepted'), 'all accepted');
    const mine = callback.bodies.filter((b) => b.conversationId === conversationId);
    const ids = callback.deliveryIds.slice(before);
    expect(new Set(ids).size).toBe(ids.length);
    const seqs = mine.flatMap((b) => (b.type === 'message' ? [b.message.seq] : []));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const log = await store.messagesAfter(conversationId, 0);
    expect(seqs).toEqual(log.filter((m) => m.from !== 'buyer').map((m) => m.seq));
    expect(callback.badSignatures).toBe(0);
  }, 30_000);

  it('remembers what it accepted across a restart: an exact replay is refused, a photo retried is not posted twice', async () => {
    // Its own server on a journaled embedded store, stopped and started again on the same data.
    const dataDir = mkdtempSync(join(tmpdir(), 'kefu-webhook-restart-'));
    const startOn = async () => {
      const st = createMemoryStore({ dataDir });
      const ch = new WebhookChannel({ store: st, secret: SECRET, callbackUrl: callback.url, logger: { info: () => {}, warn: () => {} } });
      const server = await startAgentServer({ store: st, concerns: [webhookConcern({ channel: ch, secret: SECRET, fileStore })] });
      return { st, server };
    };
    const post = (url: string, raw: string, timestamp: string) =>
      fetch(`${url}${WEBHOOK_PATH}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-dianxiaoer-timestamp': timestamp,
          'x-dianxiaoer-signature': signWebhook(SECRET, timestamp, raw),
        },
        body: raw,
      });
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
    const text = JSON.stringify({ buyerId: 'B007', messageId: 'restart-text-1', text: '在吗' });
    const photo = JSON.stringify({ buyerId: 'B007', messageId: 'restart-img-1', image: { base64: png.toString('base64') } });
    const ts = String(Math.floor(Date.now() / 1000));
    let run = await startOn();
    try {
      expect((await post(run.server.url, text, ts)).status).toBe(202);
      const first = (await (await post(run.server.url, photo, ts)).json()) as { conversationId: string; seq: number };
      expect(first.seq).toBeGreaterThan(0);
      await run.server.stop();
      await run.st.close();

      run = await startOn();
      const replay = await post(run.server.url, text, ts);
      expect(replay.status).toBe(401);
      expect(((await replay.json()) as { error: { message: string } }).error.message).toMatch(/replay/);
      const retried = await post(run.server.url, photo, String(Number(ts) + 1));
      expect(await retried.json()).toMatchObject({ conversationId: first.conversationId, duplicate: true });
      const photos = (await run.st.messagesAfter(first.conversationId, 0)).filter((m) => m.from === 'buyer' && m.meta?.['file']);
      expect(photos).toHaveLength(1);
    } finally {
      await run.server.stop();
      await run.st.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
