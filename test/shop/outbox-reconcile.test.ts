/**
 * The crash window of acts: a turn's state (with its new act in conv.acts) is saved, and the
 * process stops before the act reaches the outbox. The start-up reconciliation finds it and
 * queues it (once: by act id), the periodic one re-checks what this process touched lately,
 * and nothing already in the outbox is sent again. On the real journal store (a restart is a
 * new store over the same DATA_DIR) and on real Redis.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Redis } from 'ioredis';
import type { ConversationState } from '../../src/model/conversation';
import type { ShopAct } from '../../src/shop/adapter';
import { ActDelivery } from '../../src/shop/outbox';
import { createMemoryStore, createRedisStore } from '../../src/store';
import type { Store } from '../../src/store/types';
import { deleteKeysUnder, uniquePrefix } from '../store/redis-harness';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const NOW = Date.parse('2026-12-05T06:10:00.000Z');

function conv(id: string, acts: unknown[], updatedAt = '2026-12-05T06:05:00.000Z'): ConversationState {
  return {
    id,
    buyerId: 'B002',
    shopId: 'demo',
    status: 'bot',
    slots: {},
    turns: [],
    facts: [],
    createdAt: '2026-12-05T06:00:00.000Z',
    updatedAt,
    acts,
  } as unknown as ConversationState;
}

const deal = { id: 'c1#1', kind: 'deal', at: Date.parse('2026-12-05T06:01:00.000Z'), productId: 'P100', price: 390, quantity: 1 };
const remark = { id: 'c1#2', kind: 'remark', at: Date.parse('2026-12-05T06:04:00.000Z'), orderNumber: 'E1002', text: '周末送' };

/** Delivery with a shop that records every act it is sent and accepts it. */
function delivery(store: Store, sent: ShopAct[]): ActDelivery {
  return new ActDelivery({
    store,
    adapter: { sendAct: async (act) => (sent.push(act), { status: 'accepted' }) },
    logger: quiet,
    now: () => NOW,
    reconcileEveryMs: 0,
  });
}

/** Before the "crash": the deal went through normally; the remark's turn was saved and the process stopped. */
async function beforeCrash(store: Store): Promise<void> {
  const sent: ShopAct[] = [];
  const d = delivery(store, sent);
  await store.saveConversation(conv('c1', [deal]));
  expect(await d.enqueueFromTurn(conv('c1', []), conv('c1', [deal]))).toBe(1);
  expect(await d.deliverDue()).toBe(1);
  expect(sent.map((a) => a.id)).toEqual(['c1#1']);
  await store.saveConversation(conv('c1', [deal, remark])); // saved; the outbox write never happened
  // An old conversation outside the start-up window, never queued either: left alone.
  await store.saveConversation(conv('old', [{ ...deal, id: 'old#1' }], '2026-11-01T00:00:00.000Z'));
}

/** After the restart: reconciliation queues exactly the missing act, and delivery sends only it. */
async function afterRestart(store: Store): Promise<void> {
  const sent: ShopAct[] = [];
  const d = delivery(store, sent);
  const since = NOW - 7 * 86_400_000;
  expect(await d.reconcile(since, true)).toBe(1);
  expect(await d.reconcile(since, true)).toBe(0); // idempotent by act id
  expect((await store.listOutboxActs('c1')).map((a) => [a.id, a.state])).toEqual([
    ['c1#1', 'accepted'],
    ['c1#2', 'sent'],
  ]);
  expect(await store.getOutboxAct('old#1')).toBeNull();
  expect(await d.deliverDue()).toBe(1);
  expect(sent.map((a) => [a.id, a.kind, a.orderNumber])).toEqual([['c1#2', 'remark', 'E1002']]);
  expect(sent[0]?.payload).toMatchObject({ text: '周末送' });
  expect(await d.deliverDue()).toBe(0);
}

describe('acts reconciliation', () => {
  it('on the journal store: an act saved just before a crash is sent once after the restart', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kefu-reconcile-'));
    try {
      const first = createMemoryStore({ dataDir: dir });
      await beforeCrash(first);
      await first.close();
      const second = createMemoryStore({ dataDir: dir });
      await afterRestart(second);
      await second.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('on Redis: the same, with a new store over the same keys', async () => {
    const prefix = uniquePrefix('reconcile');
    const admin = new Redis('redis://127.0.0.1:6379');
    try {
      const first = createRedisStore({ url: 'redis://127.0.0.1:6379', prefix });
      await beforeCrash(first);
      await first.close();
      const second = createRedisStore({ url: 'redis://127.0.0.1:6379', prefix });
      await afterRestart(second);
      await second.close();
    } finally {
      await deleteKeysUnder(admin, prefix);
      await admin.quit();
    }
  });

  it('start() reconciles before its first round, so the missing act goes out without a new turn', async () => {
    const store = createMemoryStore({});
    try {
      await store.saveConversation(conv('c1', [deal]));
      const sent: ShopAct[] = [];
      const d = new ActDelivery({
        store,
        adapter: { sendAct: async (act) => (sent.push(act), { status: 'accepted' }) },
        logger: quiet,
        pollMs: 20,
        reconcileEveryMs: 0,
      });
      d.start();
      const deadline = Date.now() + 5000;
      while (sent.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await d.stop();
      expect(sent.map((a) => a.id)).toEqual(['c1#1']);
    } finally {
      await store.close();
    }
  });

  it('the periodic pass re-checks recently touched conversations: an outbox write that failed is queued later', async () => {
    const real = createMemoryStore({});
    let failNext = true;
    // The real store, with its next outbox write failing as a store outage would.
    const flaky = new Proxy(real, {
      get(target, prop, receiver) {
        if (prop === 'addOutboxAct')
          return async (...args: Parameters<Store['addOutboxAct']>) => {
            if (failNext) {
              failNext = false;
              throw new Error('store unavailable');
            }
            return target.addOutboxAct(...args);
          };
        const value: unknown = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    try {
      const sent: ShopAct[] = [];
      const d = delivery(flaky, sent);
      await real.saveConversation(conv('c1', [deal]));
      await expect(d.enqueueFromTurn(conv('c1', []), conv('c1', [deal]))).rejects.toThrow('store unavailable');
      expect(await real.getOutboxAct('c1#1')).toBeNull();
      // Not a full scan: only what this process touched since `since`.
      expect(await d.reconcile(NOW - 120_000, false)).toBe(1);
      expect(await d.deliverDue()).toBe(1);
      expect(sent.map((a) => a.id)).toEqual(['c1#1']);
    } finally {
      await real.close();
    }
  });
});
