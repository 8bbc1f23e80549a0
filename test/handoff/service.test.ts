import type { ConversationState, HandoffInfo } from '../../src/model/conversation';
import { createAgentRegistry, type AgentDef } from '../../src/handoff/agents';
import { createHandoff, type Handoff, type HandoffDeps } from '../../src/handoff/compose';
import { notesLogId, type ConversationPort } from '../../src/handoff/core';
import { createMetrics } from '../../src/metrics';
import { createMemoryStore } from '../../src/store';
import type { NewMessage, Store, StoredMessage } from '../../src/store/types';

const T0 = Date.parse('2025-03-01T10:00:00.000Z');

class FakeClock {
  ms = T0;
  now = (): Date => new Date(this.ms);
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** Records what the buyer would see; stores messages like the server's conversation service. */
class BuyerSide implements ConversationPort {
  readonly states: { conversationId: string; status: string; agent?: string }[] = [];
  constructor(private readonly store: Store) {}
  postMessage(conversationId: string, message: NewMessage): Promise<StoredMessage> {
    return this.store.appendMessage(conversationId, message);
  }
  async setHandoffStatus(conversationId: string, status: 'queued' | 'assigned' | 'returned' | 'closed', agent?: { id: string }): Promise<void> {
    this.states.push({ conversationId, status, ...(agent ? { agent: agent.id } : {}) });
  }
}

function agentDefs(...specs: [string, number][]): AgentDef[] {
  return specs.map(([id, maxChats]) => ({ id, token: `tok-${id}-123456`, maxChats }));
}

function setup(agents: AgentDef[], extra: Partial<HandoffDeps> = {}) {
  const store = createMemoryStore();
  const clock = new FakeClock();
  const buyer = new BuyerSide(store);
  const metrics = createMetrics({ defaultMetrics: false });
  const service = createHandoff({
    store,
    agents: createAgentRegistry(agents),
    conversations: buyer,
    metrics,
    clock: clock.now,
    ...extra,
  });
  return { store, clock, buyer, metrics, service };
}

/** Puts a conversation into the queue the way the server does after a handing-off turn. */
async function handOff(
  ctx: ReturnType<typeof setup>,
  id: string,
  handoff: Pick<HandoffInfo, 'reason' | 'priority'>,
  intent = 'human.request',
): Promise<void> {
  const at = ctx.clock.now().toISOString();
  const conv: ConversationState = {
    id,
    buyerId: `b-${id}`,
    shopId: 'demo',
    status: 'queued',
    slots: {},
    turns: [{ at, text: '你好', intent, category: intent.startsWith('bad_review') ? 'bad_review' : 'human', confidence: 0.9 }],
    facts: [],
    createdAt: at,
    updatedAt: at,
    handoff: {
      ...handoff,
      summary: 'buyer wants help',
      at,
      suggestions: [
        { text: '亲，非常抱歉给您带来不好的体验', reason: 'apologise first', templateId: 'bad_review.complaint#1' },
        { text: '亲，麻烦发一下订单号', reason: 'need the order', templateId: 'common.order#1' },
        { text: '亲，我马上为您处理', reason: 'reassure', templateId: 'common.handle#1' },
      ],
    },
  };
  await ctx.store.saveConversation(conv);
  await ctx.store.appendMessage(id, { from: 'buyer', text: '你好', at });
  await ctx.store.enqueue({ conversationId: id, priority: handoff.priority, enqueuedAt: at, reason: handoff.reason });
  await ctx.service.entrance.onQueued(id);
}

describe('HandoffService routing', () => {
  it('assigns a bad review before an older ordinary request', async () => {
    const ctx = setup(agentDefs(['xiaomei', 1]));
    await handOff(ctx, 'old', { reason: 'explicit_request', priority: 'normal' });
    ctx.clock.advance(60_000);
    // The engine may call a complaint only "high"; the queue still puts it first.
    await handOff(ctx, 'angry', { reason: 'bad_review', priority: 'high' }, 'bad_review.complaint');
    expect((await ctx.store.listQueue()).map((e) => e.conversationId)).toEqual(['angry', 'old']);

    await ctx.service.presence.setPresence('xiaomei', 'online');
    expect(await ctx.store.listAssignments('xiaomei')).toEqual(['angry']);
    expect((await ctx.store.getConversation('angry'))?.status).toBe('agent');
    expect((await ctx.store.getConversation('old'))?.status).toBe('queued');
    expect(ctx.buyer.states).toContainEqual({ conversationId: 'angry', status: 'assigned', agent: 'xiaomei' });
  });

  it('puts overdue delivery ahead of ordinary requests but behind complaints', async () => {
    const ctx = setup(agentDefs(['xiaomei', 5]));
    await handOff(ctx, 'plain', { reason: 'low_confidence', priority: 'urgent' });
    await handOff(ctx, 'late', { reason: 'overdue_delivery', priority: 'normal' }, 'delivery.tracking');
    await handOff(ctx, 'review', { reason: 'bad_review', priority: 'normal' }, 'bad_review.complaint');
    expect((await ctx.store.listQueue()).map((e) => e.conversationId)).toEqual(['review', 'late', 'plain']);
  });

  it('never gives an agent more chats than their capacity, and spreads load', async () => {
    const ctx = setup(agentDefs(['xiaomei', 2], ['ajie', 1]));
    await ctx.service.presence.setPresence('xiaomei', 'online');
    await ctx.service.presence.setPresence('ajie', 'online');
    for (const id of ['c1', 'c2', 'c3', 'c4']) {
      await handOff(ctx, id, { reason: 'explicit_request', priority: 'normal' });
      ctx.clock.advance(1000);
    }
    expect((await ctx.store.listAssignments('xiaomei')).length).toBe(2);
    expect((await ctx.store.listAssignments('ajie')).length).toBe(1);
    expect((await ctx.store.listQueue()).map((e) => e.conversationId)).toEqual(['c4']);
    // Least loaded first: c1 and c2 went to different agents.
    const [ajies] = await ctx.store.listAssignments('ajie');
    expect(['c1', 'c2']).toContain(ajies);

    // A free slot takes the waiting one.
    await ctx.service.actions.close('ajie', ajies!, 'resolved');
    expect(await ctx.store.listAssignments('ajie')).toEqual(['c4']);
    expect((await ctx.store.getConversation(ajies!))?.closedResolution).toBe('resolved');
  });

  it('an agent may pick a specific conversation, within capacity', async () => {
    const ctx = setup(agentDefs(['xiaomei', 1]));
    await handOff(ctx, 'a', { reason: 'explicit_request', priority: 'normal' });
    await handOff(ctx, 'b', { reason: 'explicit_request', priority: 'normal' });
    // Not online, so routing leaves the queue alone (not away: an away agent may not pick, see below).
    await ctx.store.setPresence({ agentId: 'xiaomei', status: 'offline', since: ctx.clock.now().toISOString() });
    await ctx.service.routing.pick('xiaomei', 'b');
    expect(await ctx.store.listAssignments('xiaomei')).toEqual(['b']);
    await expect(ctx.service.routing.pick('xiaomei', 'a')).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('an away agent may not pick from the queue', async () => {
    const ctx = setup(agentDefs(['xiaomei', 3]));
    await handOff(ctx, 'a', { reason: 'explicit_request', priority: 'normal' });
    await ctx.store.setPresence({ agentId: 'xiaomei', status: 'away', since: ctx.clock.now().toISOString() });
    await expect(ctx.service.routing.pick('xiaomei', 'a')).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await ctx.store.listAssignments('xiaomei')).toEqual([]);
  });
});

describe('HandoffService presence and actions', () => {
  it('going away hands open chats to an online colleague, else back to the queue', async () => {
    const ctx = setup(agentDefs(['xiaomei', 3], ['ajie', 1]));
    await ctx.service.presence.setPresence('xiaomei', 'online');
    await handOff(ctx, 'c1', { reason: 'explicit_request', priority: 'normal' });
    await handOff(ctx, 'c2', { reason: 'explicit_request', priority: 'normal' });
    expect(await ctx.store.listAssignments('xiaomei')).toEqual(['c1', 'c2']);
    await ctx.service.presence.setPresence('ajie', 'online');

    await ctx.service.presence.setPresence('xiaomei', 'away');
    expect(await ctx.store.listAssignments('xiaomei')).toEqual([]);
    expect(await ctx.store.listAssignments('ajie')).toHaveLength(1);
    const queued = await ctx.store.listQueue();
    expect(queued).toHaveLength(1);
    const waiting = await ctx.store.getConversation(queued[0]!.conversationId);
    expect(waiting?.status).toBe('queued');
    expect(waiting?.assignedAgent).toBeUndefined();
    expect(ctx.buyer.states.filter((s) => s.status === 'queued').map((s) => s.conversationId)).toContain(waiting?.id);

    // Back from the meal break: the waiting chat comes back.
    await ctx.service.presence.setPresence('xiaomei', 'online');
    expect(await ctx.store.listAssignments('xiaomei')).toEqual([waiting?.id]);
  });

  it('return to bot clears the handoff and tells the buyer', async () => {
    const ctx = setup(agentDefs(['xiaomei', 3]));
    await ctx.service.presence.setPresence('xiaomei', 'online');
    await handOff(ctx, 'c1', { reason: 'explicit_request', priority: 'normal' });
    await ctx.service.actions.returnToBot('xiaomei', 'c1');
    const conv = await ctx.store.getConversation('c1');
    expect(conv?.status).toBe('bot');
    expect(conv?.handoff).toBeUndefined();
    expect(conv?.assignedAgent).toBeUndefined();
    expect(ctx.buyer.states.at(-1)).toEqual({ conversationId: 'c1', status: 'returned' });
    expect(await ctx.store.listTimers()).toEqual([]);
    await expect(ctx.service.actions.sendMessage('xiaomei', 'c1', '还在吗')).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('transfers to a named colleague, refusing one who is away', async () => {
    const ctx = setup(agentDefs(['xiaomei', 3], ['ajie', 3]));
    await ctx.service.presence.setPresence('xiaomei', 'online');
    await handOff(ctx, 'c1', { reason: 'explicit_request', priority: 'normal' });
    await expect(ctx.service.routing.transfer('xiaomei', 'c1', 'ajie')).rejects.toMatchObject({ code: 'CONFLICT' });
    await ctx.service.presence.setPresence('ajie', 'online');
    await ctx.service.routing.transfer('xiaomei', 'c1', 'ajie');
    expect((await ctx.store.getConversation('c1'))?.assignedAgent).toBe('ajie');
    expect(await ctx.store.listAssignments('xiaomei')).toEqual([]);
    await expect(ctx.service.actions.close('xiaomei', 'c1', 'resolved')).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('agent messages reach the log, notes never do, and suggestion use is counted', async () => {
    const ctx = setup(agentDefs(['xiaomei', 3]));
    await ctx.service.presence.setPresence('xiaomei', 'online');
    await handOff(ctx, 'c1', { reason: 'bad_review', priority: 'high' }, 'bad_review.complaint');
    await ctx.service.actions.sendMessage('xiaomei', 'c1', '亲，非常抱歉给您带来不好的体验');
    await ctx.service.actions.sendMessage('xiaomei', 'c1', '亲，麻烦发一下订单号，谢谢', { suggestionIndex: 1 });
    await ctx.service.actions.addNote('xiaomei', 'c1', '疑似职业差评师，保留证据');
    const log = await ctx.store.messagesAfter('c1', 0);
    expect(log.map((m) => m.from)).toEqual(['buyer', 'agent', 'agent']);
    expect(log.some((m) => m.text.includes('职业差评师'))).toBe(false);
    expect((await ctx.store.messagesAfter(notesLogId('c1'), 0)).map((m) => m.text)).toEqual(['疑似职业差评师，保留证据']);

    const frame = await ctx.service.views.conversationFrame('c1');
    expect(frame?.conversation.history.map((h) => h.from)).toEqual(['buyer', 'agent', 'agent', 'note']);
    expect(frame?.suggestions).toHaveLength(3);

    const text = await ctx.metrics.render();
    expect(text).toMatch(/kefu_suggestions_total\{template="bad_review.complaint#1",use="sent_as_is"\} 1/);
    expect(text).toMatch(/kefu_suggestions_total\{template="common.order#1",use="edited"\} 1/);
  });
});

describe('HandoffService SLA', () => {
  it('warns, then counts a breach when nobody answers a queued buyer within 5 minutes', async () => {
    const ctx = setup(agentDefs(['xiaomei', 3]));
    await handOff(ctx, 'c1', { reason: 'explicit_request', priority: 'normal' });
    expect(await ctx.service.sweeper.sweep()).toBe(0);

    ctx.clock.advance(4 * 60_000 + 1);
    await ctx.service.sweeper.sweep();
    expect((await ctx.service.views.slaByConversation()).get('c1')).toEqual([
      expect.objectContaining({ kind: 'first_response', state: 'approaching' }),
    ]);
    expect((await ctx.service.views.stats()).slaApproaching).toBe(1);

    ctx.clock.advance(60_000);
    await ctx.service.sweeper.sweep();
    const stats = await ctx.service.views.stats();
    expect(stats.slaBreached).toBe(1);
    expect(await ctx.metrics.render()).toMatch(/kefu_sla_breaches_total\{kind="first_response"\} 1/);

    // The agent finally answers: the breach stays counted but is no longer shown.
    await ctx.service.presence.setPresence('xiaomei', 'online');
    await ctx.service.actions.sendMessage('xiaomei', 'c1', '亲，让您久等了');
    expect((await ctx.service.views.stats()).slaBreached).toBe(0);
    expect(await ctx.metrics.render()).toMatch(/kefu_first_response_seconds_count\{responder="agent"\} 1/);
  });

  it('an answer in time stops the clock: no breach later', async () => {
    const ctx = setup(agentDefs(['xiaomei', 3]));
    await ctx.service.presence.setPresence('xiaomei', 'online');
    await handOff(ctx, 'c1', { reason: 'explicit_request', priority: 'normal' });
    ctx.clock.advance(2 * 60_000);
    await ctx.service.actions.sendMessage('xiaomei', 'c1', '亲，在的');
    ctx.clock.advance(10 * 60_000);
    await ctx.service.sweeper.sweep();
    expect(await ctx.metrics.render()).not.toMatch(/kefu_sla_breaches_total\{kind="first_response"\} 1/);

    // A new buyer message while the agent holds it restarts the clock.
    await ctx.service.entrance.onBuyerTurn({
      conversationId: 'c1',
      statusBefore: 'agent',
      statusAfter: 'agent',
      intent: 'delivery.tracking',
      replies: [],
      at: ctx.clock.ms,
      tookMs: 1,
    });
    ctx.clock.advance(5 * 60_000);
    await ctx.service.sweeper.sweep();
    expect(await ctx.metrics.render()).toMatch(/kefu_sla_breaches_total\{kind="first_response"\} 1/);
  });

  it('after-sale logistics must be resolved within 48 hours', async () => {
    const ctx = setup(agentDefs(['xiaomei', 3]));
    await ctx.service.presence.setPresence('xiaomei', 'online');
    await handOff(ctx, 'c1', { reason: 'overdue_delivery', priority: 'high' }, 'delivery.tracking');
    await ctx.service.actions.sendMessage('xiaomei', 'c1', '亲，我马上帮您催件');
    ctx.clock.advance(47 * 3_600_000);
    await ctx.service.sweeper.sweep();
    expect((await ctx.service.views.slaByConversation()).get('c1')).toEqual([
      expect.objectContaining({ kind: 'logistics_resolution', state: 'approaching' }),
    ]);
    ctx.clock.advance(2 * 3_600_000);
    await ctx.service.sweeper.sweep();
    expect(await ctx.metrics.render()).toMatch(/kefu_sla_breaches_total\{kind="logistics_resolution"\} 1/);
    await ctx.service.actions.close('xiaomei', 'c1', 'resent');
    expect(await ctx.store.listTimers()).toEqual([]);
  });

  it('timers survive a restart: a new service on the same store fires them', async () => {
    const ctx = setup(agentDefs(['xiaomei', 3]));
    await handOff(ctx, 'c1', { reason: 'explicit_request', priority: 'normal' });
    const metrics = createMetrics({ defaultMetrics: false });
    const clock = new FakeClock();
    clock.ms = ctx.clock.ms + 6 * 60_000;
    const restarted = createHandoff({
      store: ctx.store,
      agents: createAgentRegistry(agentDefs(['xiaomei', 3])),
      conversations: ctx.buyer,
      metrics,
      clock: clock.now,
    });
    await restarted.sweeper.sweep();
    expect(await metrics.render()).toMatch(/kefu_sla_breaches_total\{kind="first_response"\} 1/);
  });
});

describe('HandoffService presence leases (agents on an instance that died)', () => {
  /** A second instance's service on the same store and clock. */
  function twin(ctx: ReturnType<typeof setup>, agents: AgentDef[]): Handoff {
    return createHandoff({
      store: ctx.store,
      agents: createAgentRegistry(agents),
      conversations: ctx.buyer,
      metrics: createMetrics({ defaultMetrics: false }),
      clock: ctx.clock.now,
    });
  }

  it('once the lease has expired the agent gets no new chats, and their open chats go back to the queue exactly once', async () => {
    const agents = agentDefs(['xiaomei', 3], ['ajie', 3]);
    const ctx = setup(agents); // instance A
    const onB = twin(ctx, agents);
    await onB.presence.agentConnected('xiaomei');
    await handOff(ctx, 'held', { reason: 'explicit_request', priority: 'normal' });
    expect(await ctx.store.listAssignments('xiaomei')).toEqual(['held']);

    // B dies: nobody renews. Still within the lease, routing trusts the lease.
    ctx.clock.advance(29_000);
    expect(await ctx.service.presence.expireLeases()).toEqual([]);
    ctx.clock.advance(2_000);
    // Expired but not yet taken by a sweeper: routing already skips the agent.
    await handOff(ctx, 'new', { reason: 'explicit_request', priority: 'normal' });
    expect((await ctx.store.getConversation('new'))?.status).toBe('queued');
    expect((await ctx.service.views.agentsView()).find((a) => a.agentId === 'xiaomei')?.status).toBe('offline');

    // Every surviving instance sweeps; exactly one of them hands the chats over.
    const third = twin(ctx, agents);
    const swept = await Promise.all([ctx.service.presence.expireLeases(), third.presence.expireLeases()]);
    expect(swept.flat()).toEqual(['xiaomei']);
    expect((await ctx.store.getPresence('xiaomei'))?.status).toBe('offline');
    expect(await ctx.store.listAssignments('xiaomei')).toEqual([]);
    const held = await ctx.store.getConversation('held');
    expect(held?.status).toBe('queued');
    expect(held?.assignedAgent).toBeUndefined();
    expect((await ctx.store.listQueue()).map((e) => e.conversationId).sort()).toEqual(['held', 'new']);
    expect(ctx.buyer.states.filter((s) => s.conversationId === 'held').map((s) => s.status)).toEqual(['assigned', 'queued']);
    // History stays with the conversation for whoever takes it next.
    expect((await ctx.service.views.conversationFrame('held'))?.conversation.history.map((h) => h.text)).toEqual(['你好']);

    // The agent's console reconnects (on A): a new lease, online, and the waiting chats come back.
    await ctx.service.presence.agentConnected('xiaomei');
    expect((await ctx.store.getPresence('xiaomei'))?.status).toBe('online');
    expect(await ctx.store.listAssignments('xiaomei')).toEqual(['held', 'new']);
    ctx.clock.advance(31_000);
    await ctx.service.presence.renewLeases(['xiaomei']);
    expect(await ctx.service.presence.expireLeases()).toEqual([]);
  });

  it('an expired agent with an online colleague hands the chat to the colleague', async () => {
    const agents = agentDefs(['xiaomei', 3], ['ajie', 3]);
    const ctx = setup(agents);
    const onB = twin(ctx, agents);
    await onB.presence.agentConnected('xiaomei');
    await handOff(ctx, 'c1', { reason: 'explicit_request', priority: 'normal' });
    await ctx.service.presence.agentConnected('ajie');
    ctx.clock.advance(20_000);
    await ctx.service.presence.renewLeases(['ajie']); // A renews its own agent; B is dead
    ctx.clock.advance(11_000);
    expect(await ctx.service.presence.expireLeases()).toEqual(['xiaomei']);
    expect(await ctx.store.listAssignments('ajie')).toEqual(['c1']);
    expect((await ctx.store.getConversation('c1'))?.assignedAgent).toBe('ajie');
  });

  it('renewals keep an agent online; a lease lost while the console stayed connected is taken back', async () => {
    const ctx = setup(agentDefs(['xiaomei', 3]));
    await ctx.service.presence.agentConnected('xiaomei');
    for (let i = 0; i < 5; i++) {
      ctx.clock.advance(10_000);
      await ctx.service.presence.renewLeases(['xiaomei']);
      expect(await ctx.service.presence.expireLeases()).toEqual([]);
    }
    expect((await ctx.store.getPresence('xiaomei'))?.status).toBe('online');

    // The instance stalled past the lease and a sweeper took it; the next renewal brings the agent back.
    ctx.clock.advance(31_000);
    expect(await ctx.service.presence.expireLeases()).toEqual(['xiaomei']);
    expect((await ctx.store.getPresence('xiaomei'))?.status).toBe('offline');
    await ctx.service.presence.renewLeases(['xiaomei']);
    expect((await ctx.store.getPresence('xiaomei'))?.status).toBe('online');
    await handOff(ctx, 'c1', { reason: 'explicit_request', priority: 'normal' });
    expect(await ctx.store.listAssignments('xiaomei')).toEqual(['c1']);
  });

  it('closing the console on one instance does not take an agent offline while another instance still holds one', async () => {
    const agents = agentDefs(['xiaomei', 3]);
    const ctx = setup(agents);
    const onB = twin(ctx, agents);
    await ctx.service.presence.agentConnected('xiaomei');
    await onB.presence.agentConnected('xiaomei');
    await onB.presence.agentDisconnected('xiaomei', 30_000);
    for (let i = 0; i < 4; i++) {
      ctx.clock.advance(10_000);
      await ctx.service.presence.renewLeases(['xiaomei']);
      await ctx.service.sweeper.sweep();
      await ctx.service.presence.expireLeases();
    }
    expect((await ctx.store.getPresence('xiaomei'))?.status).toBe('online');

    // Without any console left, the grace period ends the same way as before.
    await ctx.service.presence.agentDisconnected('xiaomei', 30_000);
    ctx.clock.advance(30_000);
    await ctx.service.sweeper.sweep();
    await ctx.service.presence.expireLeases();
    expect((await ctx.store.getPresence('xiaomei'))?.status).toBe('offline');
  });
});

describe('HandoffService with nobody online', () => {
  const NOTICE = '亲，客服暂时不在线，您的问题已经记录下来了，客服上线后第一时间回复您～';
  const botLines = async (store: Store, id: string) => (await store.messagesAfter(id, 0)).filter((m) => m.from === 'bot').map((m) => m.text);

  it('tells the buyer honestly, once per queueing, and keeps the conversation queued', async () => {
    const ctx = setup(agentDefs(['xiaomei', 2]), { noAgentNotice: () => ({ text: NOTICE, meta: { intent: 'system' } }) });
    await handOff(ctx, 'night', { reason: 'explicit_request', priority: 'normal' });
    expect(await botLines(ctx.store, 'night')).toEqual([NOTICE]);
    expect((await ctx.store.getConversation('night'))?.status).toBe('queued');
    // The same queued event again (a retry, another instance) says nothing more.
    await ctx.service.entrance.onQueued('night');
    expect(await botLines(ctx.store, 'night')).toEqual([NOTICE]);
  });

  it('counts an away agent as not there, and says nothing when someone is online', async () => {
    const ctx = setup(agentDefs(['xiaomei', 1], ['ajie', 1]), { noAgentNotice: () => ({ text: NOTICE }) });
    await ctx.service.presence.setPresence('xiaomei', 'away');
    await handOff(ctx, 'lunch', { reason: 'explicit_request', priority: 'normal' });
    expect(await botLines(ctx.store, 'lunch')).toEqual([NOTICE]);

    await ctx.service.presence.setPresence('ajie', 'online'); // takes 'lunch'
    await handOff(ctx, 'busy', { reason: 'explicit_request', priority: 'normal' });
    // ajie is full, but online: the queue is being worked, the usual notice stands.
    expect((await ctx.store.getConversation('busy'))?.status).toBe('queued');
    expect(await botLines(ctx.store, 'busy')).toEqual([]);
  });
});
