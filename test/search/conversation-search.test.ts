/**
 * Conversation search over the Store interface: the same answers from the memory store and
 * from the real Redis store (own key prefix, deleted afterwards), seeded with plain states and
 * messages. Views, dates in shop time, the agent filter and phone masking.
 */
import { join } from 'node:path';
import type { ConversationState } from '../../src/model/conversation';
import { searchConversations, conversationsOfBuyer, shopDayStart, type SearchDeps } from '../../src/search/conversation-search';
import { visitorLabel } from '../../src/search/visitor-label';
import { loadDemoShop } from '../../src/shop';
import { createMemoryStore } from '../../src/store';
import type { Store } from '../../src/store/types';
import { redisHarness } from '../store/redis-harness';

const shop = loadDemoShop(join(__dirname, '../../demo/shop'));

function conv(
  id: string,
  buyerId: string,
  status: ConversationState['status'],
  at: string,
  extra: Partial<ConversationState> = {},
): ConversationState {
  return { id, buyerId, shopId: 'demo', status, slots: {}, turns: [], facts: [], createdAt: at, updatedAt: at, ...extra };
}

async function seed(store: Store): Promise<void> {
  const turn = { at: '2026-11-20T02:00:00.000Z', text: '什么时候发货', intent: 'delivery.ship_time', category: 'delivery' as const, confidence: 0.9 };
  await store.saveConversation(
    conv('c-closed', 'B001', 'closed', '2026-11-20T02:00:00.000Z', {
      turns: [turn],
      closedResolution: 'resolved',
      handoff: { reason: 'explicit_request', priority: 'high', summary: '', suggestions: [], at: '2026-11-20T02:00:00.000Z' },
    }),
  );
  await store.appendMessage('c-closed', { from: 'buyer', text: '什么时候发货', at: '2026-11-20T02:00:00.000Z' });
  await store.appendMessage('c-closed', { from: 'agent', agentId: 'xiaomei', text: '今天下午发出', at: '2026-11-20T02:01:00.000Z' });
  await store.saveConversation(conv('c-anon', 'b_visitor1', 'queued', '2026-11-21T15:30:00.000Z'));
  await store.appendMessage('c-anon', { from: 'buyer', text: '电话 137 5555 0123 联系我', at: '2026-11-21T15:30:00.000Z' });
  await store.saveConversation(conv('c-bot', 'B002', 'bot', '2026-11-22T03:00:00.000Z'));
  await store.appendMessage('c-bot', { from: 'buyer', text: '在吗', at: '2026-11-22T03:00:00.000Z' });
  await store.assign('ajie', 'c-anon');
}

function suite(name: string, open: () => Promise<Store>, done: (s: Store) => Promise<void>): void {
  describe(`conversation search on the ${name} store`, () => {
    let store: Store;
    let deps: SearchDeps;
    beforeAll(async () => {
      store = await open();
      await seed(store);
      deps = { store, shop, utcOffsetMinutes: 480 };
    });
    afterAll(async () => done(store));
    const ids = async (q: Parameters<typeof searchConversations>[1], viewer = 'ajie') =>
      (await searchConversations(deps, q, viewer)).map((h) => h.id);

    it('filters by view, newest first', async () => {
      expect(await ids({ view: 'all' })).toEqual(['c-bot', 'c-anon', 'c-closed']);
      expect(await ids({ view: 'closed' })).toEqual(['c-closed']);
      // c-anon was queued, then taken by ajie: the store keeps it `agent`, out of the queue.
      expect((await store.getConversation('c-anon'))?.status).toBe('agent');
      expect(await ids({ view: 'queued' })).toEqual([]);
      expect(await ids({ view: 'open' })).toEqual(['c-anon']);
      expect(await ids({ view: 'mine' })).toEqual(['c-anon']);
      expect(await ids({ view: 'mine' }, 'xiaomei')).toEqual([]);
    });

    it('filters by intent, priority, agent and shop-local dates', async () => {
      expect(await ids({ view: 'all', intent: 'delivery.ship_time' })).toEqual(['c-closed']);
      expect(await ids({ view: 'all', priority: 'high' })).toEqual(['c-closed']);
      expect(await ids({ view: 'all', agent: 'xiaomei' })).toEqual(['c-closed']);
      // 2026-11-21T15:30Z is 23:30 on the 21st in China, 2026-11-22T03:00Z is the 22nd.
      expect(await ids({ view: 'all', from: '2026-11-21', to: '2026-11-21' })).toEqual(['c-anon']);
      expect(await ids({ view: 'all', from: '2026-11-22' })).toEqual(['c-bot']);
      expect(shopDayStart('2026-11-21', 480)).toBe(Date.parse('2026-11-20T16:00:00Z'));
    });

    it('matches buyer, visitor label, order, phone and words, with phones masked', async () => {
      const [byName] = await searchConversations(deps, { view: 'all', text: '王小明' }, 'ajie');
      expect(byName).toMatchObject({ id: 'c-closed', matchedBy: 'buyer', label: '王小明', known: true, agents: ['xiaomei'], resolution: 'resolved' });
      const label = visitorLabel('b_visitor1');
      expect((await searchConversations(deps, { view: 'all', text: label }, 'ajie')).map((h) => [h.id, h.label, h.known])).toEqual([
        ['c-anon', label, false],
      ]);
      expect(await ids({ view: 'all', text: 'E1002' })).toEqual(['c-bot']);
      const typed = await searchConversations(deps, { view: 'all', text: '13755550123' }, 'ajie');
      expect(typed.map((h) => h.id)).toEqual(['c-anon']);
      expect(JSON.stringify(typed)).not.toMatch(/5555\s?0123/);
      expect(typed[0]?.snippet).toContain('137****0123');
      const onOrder = await searchConversations(deps, { view: 'all', text: '139 8765 4321' }, 'ajie');
      expect(onOrder.map((h) => [h.id, h.snippet])).toEqual([['c-bot', '手机 139****4321']]);
      expect(await ids({ view: 'all', text: '下午发出' })).toEqual(['c-closed']);
      expect(await ids({ view: 'all', text: '不存在的话' })).toEqual([]);
    });

    it("lists one buyer's conversations for the contact panel", async () => {
      expect((await conversationsOfBuyer(deps, 'B001')).map((h) => h.id)).toEqual(['c-closed']);
      expect(await conversationsOfBuyer(deps, 'nobody')).toEqual([]);
    });
  });
}

suite(
  'memory',
  async () => createMemoryStore(),
  async (s) => s.close(),
);
const redis = redisHarness({ url: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379' }, 'search');
suite(
  'redis',
  () => redis.open(),
  async (s) => {
    await s.close();
    await redis.cleanup?.();
  },
);
