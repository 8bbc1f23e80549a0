/**
 * The HTTP shop adapter against the reference shop API over real HTTP on port 0: contract
 * reads, 404 as "none", the cache's freshness, retries for reads only, timeouts and contract
 * violations as SHOP_UNAVAILABLE, idempotent acts; and the snapshot the engine reads.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { isAppError } from '../../src/errors';
import { createShopApi } from '../../src/shop-api/server';
import { loadDemoShop } from '../../src/shop/demo';
import { createHttpShopAdapter } from '../../src/shop/http-adapter';
import { loadShopSnapshot, orderNumbersIn } from '../../src/shop/snapshot';

const ROOT = join(__dirname, '../..');
const demo = loadDemoShop(join(ROOT, 'demo/shop'));

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
}

/** The reference API behind a proxy that counts requests per path and can be told to misbehave. */
async function countingShop(): Promise<{
  url: string;
  hits: Map<string, number>;
  failNext: (path: string, status: number, times?: number) => void;
  stop: () => Promise<void>;
}> {
  const api = createShopApi({ shop: demo });
  const target = await listen(api.server);
  const hits = new Map<string, number>();
  const failures = new Map<string, { status: number; times: number }>();
  const proxy = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    hits.set(`${req.method} ${path}`, (hits.get(`${req.method} ${path}`) ?? 0) + 1);
    const f = failures.get(path);
    if (f && f.times > 0) {
      f.times -= 1;
      // 299 stands for "200 with a body outside the contract".
      res.writeHead(f.status === 299 ? 200 : f.status, { 'content-type': 'application/json' });
      res.end(f.status === 299 ? '{"not":"the contract"}' : '{"error":{"code":"DOWN","message":"down"}}');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void fetch(`${target}${req.url ?? ''}`, {
        method: req.method ?? 'GET',
        headers: { 'content-type': 'application/json' },
        ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
      }).then(async (r) => {
        res.writeHead(r.status, { 'content-type': 'application/json' });
        res.end(await r.text());
      });
    });
  });
  const url = await listen(proxy);
  return {
    url,
    hits,
    failNext: (path, status, times = 1) => failures.set(path, { status, times }),
    stop: async () => {
      await close(proxy);
      await close(api.server);
    },
  };
}

describe('HTTP shop adapter', () => {
  let shop: Awaited<ReturnType<typeof countingShop>>;
  beforeEach(async () => {
    shop = await countingShop();
  });
  afterEach(() => shop.stop());

  it('reads orders, tracking, buyers, stock and policy as the contract serves them; 404 is "none"', async () => {
    const a = createHttpShopAdapter({ baseUrl: shop.url });
    expect(await a.order('E1002')).toEqual(demo.order('E1002'));
    expect(await a.order('e1002')).toEqual(demo.order('E1002'));
    expect(await a.tracking('E1002')).toEqual(demo.trackingEvents('E1002'));
    expect(await a.ordersByBuyer('B002')).toEqual(demo.ordersByBuyer('B002'));
    expect(await a.buyer('B002')).toEqual(demo.buyer('B002'));
    expect(await a.policy()).toEqual(demo.policy);
    expect(await a.stock('P100')).toEqual(demo.product('P100')?.variants);
    expect(await a.order('E9999')).toBeUndefined();
    expect(await a.buyer('nobody')).toBeUndefined();
    expect(await a.stock('nothing')).toBeUndefined();
    expect(await a.ordersByBuyer('nobody')).toEqual([]);
    expect(shop.hits.get('GET /v1/orders/E1002')).toBe(1);
  });

  it('answers from the cache while fresh and asks again once the TTL has passed', async () => {
    let now = 1_000_000;
    const a = createHttpShopAdapter({ baseUrl: shop.url, liveTtlMs: 10_000, catalogueTtlMs: 60_000, now: () => now });
    await a.order('E1002');
    await a.order('E1002');
    expect(shop.hits.get('GET /v1/orders/E1002')).toBe(1);
    now += 9_999;
    await a.order('E1002');
    expect(shop.hits.get('GET /v1/orders/E1002')).toBe(1);
    now += 1;
    await a.order('E1002');
    expect(shop.hits.get('GET /v1/orders/E1002')).toBe(2);
    // Policy is catalogue data: still fresh.
    await a.policy();
    now += 30_000;
    await a.policy();
    expect(shop.hits.get('GET /v1/policy')).toBe(1);
  });

  it('retries a failed read, but never an act', async () => {
    const a = createHttpShopAdapter({ baseUrl: shop.url, readRetries: 1 });
    shop.failNext('/v1/orders/E1002', 503);
    expect(await a.order('E1002')).toEqual(demo.order('E1002'));
    expect(shop.hits.get('GET /v1/orders/E1002')).toBe(2);

    shop.failNext('/v1/acts', 503);
    const act = { id: 'act-1', kind: 'remark', conversationId: 'c1', buyerId: 'B002', at: new Date().toISOString(), payload: { remark: 'x' } };
    await expect(a.sendAct(act)).rejects.toMatchObject({ code: 'SHOP_UNAVAILABLE' });
    expect(shop.hits.get('POST /v1/acts')).toBe(1);
  });

  it('turns a dead shop, a timeout and an answer outside the contract into SHOP_UNAVAILABLE', async () => {
    const a = createHttpShopAdapter({ baseUrl: shop.url, readRetries: 2, liveTtlMs: 0 });
    shop.failNext('/v1/orders/E1002', 500, 3);
    await expect(a.order('E1002')).rejects.toMatchObject({ code: 'SHOP_UNAVAILABLE' });
    expect(shop.hits.get('GET /v1/orders/E1002')).toBe(3);

    shop.failNext('/v1/buyers/B002', 299);
    const err: unknown = await a.buyer('B002').catch((e: unknown) => e);
    expect(isAppError(err) && err.code === 'SHOP_UNAVAILABLE' && /contract/.test(err.message)).toBe(true);

    // A server that accepts the connection and never answers.
    const silent = createServer(() => undefined);
    const silentUrl = await listen(silent);
    try {
      const slow = createHttpShopAdapter({ baseUrl: silentUrl, timeoutMs: 200, readRetries: 0 });
      await expect(slow.order('E1002')).rejects.toThrow(/no answer within 200 ms/);
    } finally {
      await close(silent);
    }

    await shop.stop();
    await expect(a.order('E1002')).rejects.toMatchObject({ code: 'SHOP_UNAVAILABLE' });
    shop = await countingShop(); // for afterEach
  });

  it('sends acts idempotently: the same id gets the first answer; the shop may refuse', async () => {
    const a = createHttpShopAdapter({ baseUrl: shop.url });
    const at = new Date().toISOString();
    const remark = { id: 'act-r', kind: 'remark', conversationId: 'c1', buyerId: 'B002', orderNumber: 'E1002', at, payload: { remark: '周末送' } };
    expect(await a.sendAct(remark)).toEqual({ status: 'accepted' });
    expect(await a.sendAct(remark)).toEqual({ status: 'accepted' });
    const late = { ...remark, id: 'act-a', kind: 'address_change', payload: { city: '北京市' } };
    expect(await a.sendAct(late)).toEqual({ status: 'refused', reason: 'already_shipped' });
    // Same id, different content: the shop says so (409) and it becomes a refusal for the agent to see.
    expect(await a.sendAct({ ...remark, payload: { remark: '改了' } })).toMatchObject({
      status: 'refused',
      reason: expect.stringMatching(/^HTTP 409/),
    });
  });

  it('loads a turn snapshot: the buyer, their orders, named orders and tracking, read synchronously', async () => {
    const a = createHttpShopAdapter({ baseUrl: shop.url });
    const snap = await loadShopSnapshot(a, { buyerId: 'B002', productId: 'P100', orderNumbers: orderNumbersIn('订单Ｅ１００１呢') });
    expect(snap.buyer('B002')?.name).toBe(demo.buyer('B002')?.name);
    expect(snap.ordersByBuyer('B002').map((o) => o.number)).toEqual(demo.ordersByBuyer('B002').map((o) => o.number));
    expect(snap.order('E1001')?.buyerId).toBe('B001'); // named in the message (full-width digits)
    expect(snap.trackingEvents('E1002')).toEqual(demo.trackingEvents('E1002'));
    expect(snap.product('P100')?.variants).toEqual(demo.product('P100')?.variants);
    expect(snap.policy.shopName).toBe(demo.policy.shopName);
    expect(snap.buyer('B001')).toBeUndefined(); // not this turn's buyer: not loaded
  });
});
