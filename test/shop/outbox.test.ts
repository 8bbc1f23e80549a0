/**
 * The acts outbox: new act records of a turn (validated, by id) are queued once, sent
 * through the adapter, retried with backoff while it fails, and their state (sent, accepted,
 * refused) published for the agent console.
 */
import { join } from 'node:path';
import type { ConversationState } from '../../src/model/conversation';
import { loadDemoShop } from '../../src/shop/demo';
import { createDemoShopAdapter } from '../../src/shop/demo-adapter';
import { ActDelivery, newActs, type ActView } from '../../src/shop/outbox';
import type { ActOutcome, ShopAct } from '../../src/shop/adapter';
import { createMemoryStore } from '../../src/store';
import type { Store } from '../../src/store/types';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

function conv(acts?: unknown): ConversationState {
  const at = '2026-12-05T06:00:00.000Z';
  const c: ConversationState = {
    id: 'c1',
    buyerId: 'B002',
    shopId: 'demo',
    status: 'bot',
    slots: {},
    turns: [],
    facts: [],
    createdAt: at,
    updatedAt: at,
  };
  return acts === undefined ? c : ({ ...c, acts } as unknown as ConversationState);
}

const deal = { id: 'act-deal-1', kind: 'deal', at: '2026-12-05T06:01:00.000Z', price: 390, freeShipping: true };
const remark = { id: 'act-remark-1', kind: 'remark', at: '2026-12-05T06:02:00.000Z', orderNumber: 'E1002', remark: '周末送' };

describe('newActs', () => {
  it('returns the records added by the turn, by id, and skips records without id, kind or at', () => {
    expect(newActs(conv(), conv())).toEqual([]);
    expect(newActs(conv(), conv([deal]))).toEqual([deal]);
    expect(newActs(conv([deal]), conv([deal, remark]))).toEqual([remark]);
    expect(newActs(conv([deal]), conv([deal, { kind: 'deal' }, 'junk', { id: '', kind: 'x', at: 'y' }, remark]))).toEqual([remark]);
    expect(newActs(conv(), conv('not an array'))).toEqual([]);
  });

  it('takes the engine records as they are: `at` in epoch ms becomes ISO time', () => {
    const at = Date.parse('2026-12-05T06:03:00.000Z');
    const engineDeal = { id: 'c1#1', kind: 'deal', at, conversationId: 'c1', buyerId: 'B002', productId: 'P100', price: 404 };
    expect(newActs(conv(), conv([engineDeal]))).toEqual([{ ...engineDeal, at: '2026-12-05T06:03:00.000Z' }]);
  });
});

describe('ActDelivery', () => {
  let store: Store;
  let now: number;
  const published: ActView[][] = [];
  beforeEach(() => {
    store = createMemoryStore({});
    now = 1_000_000;
    published.length = 0;
  });
  afterEach(() => store.close());

  function delivery(sendAct: (act: ShopAct) => Promise<ActOutcome>): ActDelivery {
    return new ActDelivery({
      store,
      adapter: { sendAct },
      logger: quiet,
      now: () => now,
      baseDelayMs: 1000,
      maxDelayMs: 4000,
      publish: async (_id, acts) => void published.push(acts),
    });
  }

  it('queues each new act once and delivers it to the demo shop with its envelope and values', async () => {
    const shop = createDemoShopAdapter(loadDemoShop(join(__dirname, '../../demo/shop')));
    const d = delivery((act) => shop.sendAct(act));
    expect(await d.enqueueFromTurn(conv(), conv([deal]))).toBe(1);
    expect(await d.enqueueFromTurn(conv(), conv([deal]))).toBe(0); // same id again: nothing new
    expect(published.at(-1)?.map((a) => [a.id, a.state])).toEqual([['act-deal-1', 'sent']]);
    expect(await d.deliverDue()).toBe(1);
    expect(await d.deliverDue()).toBe(0);
    expect(shop.receivedActs()).toEqual([
      { id: 'act-deal-1', kind: 'deal', conversationId: 'c1', buyerId: 'B002', at: deal.at, payload: { price: 390, freeShipping: true } },
    ]);
    expect(published.at(-1)).toEqual([expect.objectContaining({ id: 'act-deal-1', state: 'accepted', attempts: 1 })]);
  });

  it('retries with doubling backoff while the shop fails, then records its answer; a refusal keeps the reason', async () => {
    const calls: string[] = [];
    let down = true;
    const d = delivery(async (act) => {
      calls.push(act.id);
      if (down) throw new Error('connect ECONNREFUSED');
      return act.kind === 'remark' ? { status: 'refused', reason: 'already_shipped' } : { status: 'accepted' };
    });
    await d.enqueueFromTurn(conv(), conv([deal, remark]));
    expect(await d.deliverDue()).toBe(0);
    const first = await store.getOutboxAct('act-deal-1');
    expect(first).toMatchObject({ state: 'sent', attempts: 1, nextAttemptAt: now + 1000, lastError: 'connect ECONNREFUSED' });
    expect(published.at(-1)?.[0]).toMatchObject({ state: 'sent', lastError: 'connect ECONNREFUSED' });

    now += 999;
    expect(await d.deliverDue()).toBe(0);
    expect(calls).toHaveLength(2); // not due yet: no third call
    now += 1;
    await d.deliverDue();
    expect(await store.getOutboxAct('act-deal-1')).toMatchObject({ attempts: 2, nextAttemptAt: now + 2000 });
    now += 2000;
    await d.deliverDue();
    expect(await store.getOutboxAct('act-deal-1')).toMatchObject({ attempts: 3, nextAttemptAt: now + 4000 });
    now += 4000;
    await d.deliverDue();
    expect(await store.getOutboxAct('act-deal-1')).toMatchObject({ attempts: 4, nextAttemptAt: now + 4000 }); // capped

    down = false;
    now += 4000;
    expect(await d.deliverDue()).toBe(2);
    const acts = await store.listOutboxActs('c1');
    expect(acts.map((a) => [a.id, a.state, a.reason ?? null, a.lastError ?? null])).toEqual([
      ['act-deal-1', 'accepted', null, null],
      ['act-remark-1', 'refused', 'already_shipped', null],
    ]);
    const before = calls.length;
    now += 60_000;
    expect(await d.deliverDue()).toBe(0);
    expect(calls).toHaveLength(before); // answered acts are never sent again
  });

  it('start() delivers on its own and stop() waits for the round in progress', async () => {
    const sent: string[] = [];
    const d = delivery(async (act) => {
      sent.push(act.id);
      return { status: 'accepted' };
    });
    d.start();
    await d.enqueueFromTurn(conv(), conv([deal]));
    while ((await store.getOutboxAct('act-deal-1'))?.state !== 'accepted') await new Promise((r) => setTimeout(r, 10));
    await d.stop();
    expect(sent).toEqual(['act-deal-1']);
  });
});
