/**
 * Routing without a global lock (issue 14): two handoff instances on one Redis store dispatch,
 * pick and transfer at the same time. The store's atomic claim is all that stands between
 * them, and it must be enough: a conversation is never assigned twice, an agent never holds
 * more than their capacity, and nothing is lost (every conversation is held by one agent or
 * still waiting in the queue).
 */
import type { ConversationState } from '../../src/model/conversation';
import { createAgentRegistry, type AgentDef } from '../../src/handoff/agents';
import { createHandoff, type Handoff } from '../../src/handoff/compose';
import type { ConversationPort } from '../../src/handoff/core';
import { AGENT_CHANNEL, type AgentBusMessage } from '../../src/handoff/publish';
import type { NewMessage, Store, StoredMessage } from '../../src/store/types';
import { redisHarness } from '../store/redis-harness';

const redis = redisHarness({ url: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379' }, 'dispatch-race');

const AGENTS: AgentDef[] = [
  { id: 'xiaomei', token: 'tok-xiaomei-race', maxChats: 3 },
  { id: 'ajie', token: 'tok-ajie-race', maxChats: 2 },
];

function port(store: Store): ConversationPort {
  return {
    postMessage: (id: string, m: NewMessage): Promise<StoredMessage> => store.appendMessage(id, m),
    setHandoffStatus: async () => undefined,
  };
}

function instance(store: Store): Handoff {
  return createHandoff({ store, agents: createAgentRegistry(AGENTS), conversations: port(store), lockMs: 5000 });
}

async function queueConversation(store: Store, id: string, minute: number): Promise<void> {
  const at = new Date(Date.parse('2026-12-05T09:00:00Z') + minute * 60_000).toISOString();
  const conv: ConversationState = {
    id,
    buyerId: `b-${id}`,
    shopId: 'demo',
    status: 'queued',
    slots: {},
    turns: [{ at, text: '转人工', intent: 'human.request', category: 'human', confidence: 0.9 }],
    facts: [],
    createdAt: at,
    updatedAt: at,
    handoff: { reason: 'explicit_request', priority: 'normal', summary: 'buyer asks for a person', at, suggestions: [] },
  };
  await store.saveConversation(conv);
  await store.enqueue({ conversationId: id, priority: 'normal', enqueuedAt: at, reason: 'explicit_request' });
}

async function online(store: Store, agentId: string): Promise<void> {
  await store.setPresence({ agentId, status: 'online', since: new Date().toISOString() });
  await store.renewPresenceLease(agentId, Date.now() + 60_000);
}

/** Who holds what, checked from both sides: the agents' sets and each conversation's state. */
async function holdings(store: Store, ids: string[]): Promise<{ held: Map<string, string[]>; queued: string[] }> {
  const held = new Map<string, string[]>();
  for (const a of AGENTS) held.set(a.id, await store.listAssignments(a.id));
  const queued = (await store.listQueue()).map((e) => e.conversationId);
  for (const id of ids) {
    const conv = await store.getConversation(id);
    const holders = AGENTS.filter((a) => held.get(a.id)?.includes(id)).map((a) => a.id);
    if (conv?.status === 'agent') {
      expect(holders).toEqual([conv.assignedAgent]);
      expect(queued).not.toContain(id);
    } else {
      expect(conv?.status).toBe('queued');
      expect(holders).toEqual([]);
      expect(queued).toContain(id);
    }
  }
  return { held, queued };
}

describe('two handoff instances on one Redis store, no dispatch lock', () => {
  let a: Store;
  let b: Store;
  let frames: AgentBusMessage[];
  let unsubscribe: () => Promise<void>;

  beforeEach(async () => {
    a = await redis.open();
    b = await redis.twin!(a);
    frames = [];
    unsubscribe = await a.subscribe(AGENT_CHANNEL, (m) => frames.push(m as AgentBusMessage));
  });
  afterEach(async () => {
    await unsubscribe();
    await a.close();
    await b.close();
    await redis.cleanup?.();
  });

  it('racing dispatches assign each conversation once and never beyond capacity', async () => {
    const one = instance(a);
    const two = instance(b);
    for (let round = 0; round < 4; round++) {
      const ids = Array.from({ length: 9 }, (_, i) => `r${round}-c${i}`);
      for (const [i, id] of ids.entries()) await queueConversation(a, id, i);
      await online(a, 'xiaomei');
      await online(a, 'ajie');
      frames.length = 0;

      const counts = await Promise.all([one.routing.dispatch(), two.routing.dispatch(), one.routing.dispatch(), two.routing.dispatch()]);

      const { held, queued } = await holdings(a, ids);
      expect(held.get('xiaomei')).toHaveLength(3);
      expect(held.get('ajie')).toHaveLength(2);
      expect(counts.reduce((x, y) => x + y, 0)).toBe(5);
      // The oldest five went out, the rest wait in order.
      expect(queued).toEqual(ids.slice(5));
      // Each assignment announced once, to its holder.
      await new Promise((r) => setTimeout(r, 100));
      const announced = frames.filter((f) => f.frame.type === 'conversation');
      expect(announced.map((f) => (f.frame.type === 'conversation' ? f.frame.conversation.id : '')).sort()).toEqual(ids.slice(0, 5).sort());
      for (const f of announced) {
        if (f.frame.type === 'conversation') expect(held.get(f.to)).toContain(f.frame.conversation.id);
      }
      // Incremental queue events: the five claimed rows removed, never the whole queue.
      expect(frames.some((f) => f.frame.type === 'queue')).toBe(false);
      const removed = new Set(frames.flatMap((f) => (f.frame.type === 'queue_item' && f.frame.op === 'removed' ? [f.frame.conversationId] : [])));
      expect([...removed].sort()).toEqual(ids.slice(0, 5).sort());

      // Empty the queue, then free everyone for the next round.
      for (const id of queued) await a.removeFromQueue(id);
      for (const agent of AGENTS)
        for (const id of held.get(agent.id) ?? []) await (agent.id === 'xiaomei' ? one : two).actions.close(agent.id, id, 'resolved');
    }
  }, 60_000);

  it('picks, transfers and dispatches racing on one agent never take them past capacity', async () => {
    const one = instance(a);
    const two = instance(b);
    const ids = Array.from({ length: 8 }, (_, i) => `t-c${i}`);
    for (const [i, id] of ids.entries()) await queueConversation(a, id, i);
    await online(a, 'xiaomei');
    // xiaomei takes three; ajie comes online with room for two.
    expect(await one.routing.dispatch()).toBe(3);
    const mine = await a.listAssignments('xiaomei');
    await online(a, 'ajie');

    const results = await Promise.allSettled([
      one.routing.transfer('xiaomei', mine[0]!, 'ajie'),
      two.routing.transfer('xiaomei', mine[1]!, 'ajie'),
      two.routing.pick('ajie', 't-c3'),
      one.routing.dispatch(),
      two.routing.dispatch(),
    ]);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: expect.stringMatching(/^(CONFLICT|NOT_FOUND)$/) });

    const { held } = await holdings(a, ids);
    expect(held.get('ajie')!.length).toBeLessThanOrEqual(2);
    expect(held.get('xiaomei')!.length).toBeLessThanOrEqual(3);
    // Nobody has room left, or the queue is empty: the race lost no slot for good.
    await one.routing.dispatch();
    const after = await holdings(a, ids);
    expect(after.held.get('ajie')).toHaveLength(2);
    expect(after.held.get('xiaomei')).toHaveLength(3);
  }, 60_000);
});
