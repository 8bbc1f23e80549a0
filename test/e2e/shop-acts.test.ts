/**
 * Acts reach a real shop exactly once across an outage: the reference shop API runs in its
 * own process; it is killed, a turn records an act (queued in the journaled store's outbox),
 * delivery fails and is retried; the process restarts on the same port; the act is delivered,
 * the shop holds it once, and nothing is sent again. The outbox survives a store restart too.
 */
import { join } from 'node:path';
import type { ConversationState } from '../../src/model/conversation';
import { createHttpShopAdapter } from '../../src/shop/http-adapter';
import { ActDelivery } from '../../src/shop/outbox';
import { createMemoryStore } from '../../src/store';
import { silentLogger } from '../../src/store/shared';
import type { Store } from '../../src/store/types';
import { stopAllInstances, tempDir } from './support/instances';
import { shopCopy, startShopApi, stopAllShopApis, type ShopApiProcess } from './support/shop-api';

jest.setTimeout(120_000);

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const at = '2026-12-05T06:00:00.000Z';
const base: ConversationState = {
  id: 'c-acts',
  buyerId: 'B001',
  shopId: 'demo',
  status: 'bot',
  slots: {},
  turns: [],
  facts: [],
  createdAt: at,
  updatedAt: at,
};
const withActs = (acts: unknown[]): ConversationState => ({ ...base, acts }) as unknown as ConversationState;
/** E1001 is B001's paid, not yet shipped order: the reference shop accepts an address change. */
const addressChange = {
  id: 'act-e2e-address-1',
  kind: 'address_change',
  at,
  orderNumber: 'E1001',
  address: { recipient: '王小明', phone: '13812345678', province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路 100 号' },
};

let api: ShopApiProcess;
let store: Store;
const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const c of cleanups) await c();
  await stopAllShopApis();
  await stopAllInstances();
});

async function actsAtShop(url: string): Promise<{ id: string; deliveries: number; result: { status: string } }[]> {
  const res = await fetch(`${url}/v1/acts`);
  return ((await res.json()) as { acts: { id: string; deliveries: number; result: { status: string } }[] }).acts;
}

it('delivers an act recorded while the shop was down exactly once after it comes back', async () => {
  const dir = shopCopy();
  const dataDir = tempDir('acts-data');
  api = await startShopApi(dir);
  const port = api.port;
  const url = api.url;
  store = createMemoryStore({ dataDir, logger: silentLogger });
  cleanups.push(() => store.close());
  let now = Date.now();
  const delivery = (s: Store) =>
    new ActDelivery({
      store: s,
      adapter: createHttpShopAdapter({ baseUrl: url, timeoutMs: 2000 }),
      logger: quiet,
      now: () => now,
      baseDelayMs: 1000,
    });

  await api.kill();
  const d1 = delivery(store);
  expect(await d1.enqueueFromTurn(base, withActs([addressChange]))).toBe(1);
  expect(await d1.deliverDue()).toBe(0);
  expect(await store.getOutboxAct(addressChange.id)).toMatchObject({ state: 'sent', attempts: 1 });
  expect((await store.getOutboxAct(addressChange.id))?.lastError).toMatch(/unreachable/);

  // The process restarts meanwhile: the act is in the journal, still to send.
  await store.close();
  store = createMemoryStore({ dataDir, logger: silentLogger });
  const d2 = delivery(store);
  now += 1000;
  expect(await d2.deliverDue()).toBe(0); // still down: retried, not lost
  expect(await store.getOutboxAct(addressChange.id)).toMatchObject({ state: 'sent', attempts: 2 });

  api = await startShopApi(join(dir), port);
  now += 2000;
  expect(await d2.deliverDue()).toBe(1);
  expect(await store.getOutboxAct(addressChange.id)).toMatchObject({ state: 'accepted', attempts: 3 });
  now += 600_000;
  expect(await d2.deliverDue()).toBe(0);
  // The same turn seen again (e.g. a retried save) queues nothing new.
  expect(await d2.enqueueFromTurn(base, withActs([addressChange]))).toBe(0);
  expect(await d2.deliverDue()).toBe(0);

  const atShop = await actsAtShop(api.url);
  expect(atShop).toEqual([
    expect.objectContaining({
      id: addressChange.id,
      kind: 'address_change',
      orderNumber: 'E1001',
      deliveries: 1,
      result: { id: addressChange.id, status: 'accepted' },
    }),
  ]);
});
