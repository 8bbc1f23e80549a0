/**
 * What consoles are shown, read from the store: the conversation frame an agent gets on
 * assignment or refresh, the queue (whole, or one row of it for incremental updates), every
 * agent with presence and load, and the figures of the console header. The pure shapes and
 * builders are in ./view; this module only gathers their inputs.
 */
import type { ConversationState, Suggestion } from '../model/conversation';
import { maskPhonesInText } from '../replies/mask-phones';
import type { AgentPresence, PresenceStatus, QueueEntry } from '../store/types';
import { actView } from '../shop/outbox';
import { displayNameOf } from './agents';
import type { HandoffCore } from './core';
import { notesLogId } from './core';
import { queuePriority } from './priority';
import { awayTimerKey, type AgentRoster } from './roster';
import { clockKeys, slaViews, type SlaConfig, type SlaView } from './sla';
import { callbackOf } from './waiting';
import { lastTurn, mergeHistory, queueItemView, type ConversationFrame, type ConversationView, type OrderCard, type QueueItemView } from './view';

const HISTORY_LIMIT = 500;

export interface AgentStatusView {
  agentId: string;
  name: string;
  status: PresenceStatus;
  since?: string;
  /** Away: when the agent's chats move to colleagues or the queue (epoch ms), unless they are back. */
  chatsMoveAt?: number;
  load: number;
  maxChats: number;
}

/** Figures for the console header (GET /api/stats). */
export interface HandoffStats {
  queueLength: number;
  oldestWaitSeconds: number;
  agentsOnline: number;
  agentsAway: number;
  activeChats: number;
  slaApproaching: number;
  slaBreached: number;
  serverTime: number;
}

export interface HandoffViewsDeps {
  sla: SlaConfig;
  /** Fresh suggestions when none are stored on the conversation (engine.suggest). */
  suggest?: (conv: ConversationState) => Suggestion[];
  orderCard?: (conv: ConversationState) => OrderCard | undefined;
  buyerName?: (buyerId: string) => string | undefined;
}

export class HandoffViews {
  constructor(
    private readonly core: HandoffCore,
    private readonly roster: AgentRoster,
    private readonly deps: HandoffViewsDeps,
  ) {}

  /** The full conversation frame an agent gets on assignment or refresh. */
  async conversationFrame(conversationId: string): Promise<ConversationFrame | null> {
    const { store } = this.core;
    const conv = await store.getConversation(conversationId);
    if (!conv) return null;
    const [messages, notes, sla, acts] = await Promise.all([
      store.messagesAfter(conversationId, 0, HISTORY_LIMIT),
      store.messagesAfter(notesLogId(conversationId), 0, HISTORY_LIMIT),
      this.slaOf(conversationId),
      store.listOutboxActs(conversationId),
    ]);
    const turn = lastTurn(conv);
    const buyerName = this.deps.buyerName?.(conv.buyerId);
    const order = this.deps.orderCard?.(conv);
    const callback = callbackOf(conv);
    const view: ConversationView = {
      id: conv.id,
      buyerId: conv.buyerId,
      ...(buyerName ? { buyerName } : {}),
      // In full: the agent holding the chat is the one who calls back (queue previews mask phones).
      ...(callback ? { callback } : {}),
      status: conv.status,
      ...(conv.assignedAgent ? { assignedAgent: conv.assignedAgent } : {}),
      ...(conv.handoff
        ? {
            priority: queuePriority(conv.handoff, conv),
            reason: conv.handoff.reason,
            summary: maskPhonesInText(conv.handoff.summary),
            handoffAt: conv.handoff.at,
          }
        : {}),
      createdAt: conv.createdAt,
      updatedAt: conv.updatedAt,
      history: mergeHistory(messages, notes),
      facts: conv.facts,
      ...(order ? { order } : {}),
      sla,
      ...(acts.length > 0 ? { acts: acts.map(actView) } : {}),
    };
    let suggestions = conv.handoff?.suggestions ?? [];
    if (suggestions.length === 0 && this.deps.suggest) {
      try {
        suggestions = this.deps.suggest(conv);
      } catch (err) {
        this.core.fail(err, 'suggest');
      }
    }
    return {
      type: 'conversation',
      conversation: view,
      intent: turn?.intent ?? null,
      category: turn?.category ?? null,
      confidence: turn?.confidence ?? null,
      entities: conv.facts,
      suggestions: suggestions.slice(0, 3),
    };
  }

  /** The queue as consoles show it, in routing order (the snapshot a console gets on connect). */
  async queueView(): Promise<QueueItemView[]> {
    const { store } = this.core;
    const [queue, sla] = await Promise.all([store.listQueue(), this.slaByConversation()]);
    const convs = await Promise.all(queue.map((e) => store.getConversation(e.conversationId)));
    return queue.map((e, i) => {
      const conv = convs[i] ?? null;
      return queueItemView(e, conv, sla.get(e.conversationId) ?? [], conv ? this.deps.buyerName?.(conv.buyerId) : undefined);
    });
  }

  /**
   * One row of the queue, or null when the conversation is not in it: what an incremental
   * queue update carries. Reads this conversation and its clocks only.
   */
  async queueItem(conversationId: string, known?: QueueEntry): Promise<QueueItemView | null> {
    const { store } = this.core;
    const entry = known ?? (await store.getQueueEntry(conversationId));
    if (!entry) return null;
    const [conv, sla] = await Promise.all([store.getConversation(conversationId), this.slaOf(conversationId)]);
    // Claimed or withdrawn since the entry was read: no longer a row (the invariant: queued iff in the queue).
    if (conv && conv.status !== 'queued') return null;
    return queueItemView(entry, conv, sla, conv ? this.deps.buyerName?.(conv.buyerId) : undefined);
  }

  /** Every configured agent with presence and load. */
  async agentsView(): Promise<AgentStatusView[]> {
    const { store, agents } = this.core;
    const [list, lapsedIds] = await Promise.all([store.listPresence(), this.roster.lapsedAgents()]);
    const presence = new Map(list.map((p): [string, AgentPresence] => [p.agentId, p]));
    const awayIds = agents
      .list()
      .filter((a) => presence.get(a.id)?.status === 'away')
      .map((a) => awayTimerKey(a.id));
    const moves = new Map((await store.getTimers(awayIds)).map((t): [string, number] => [t.key, t.dueAt]));
    return Promise.all(
      agents.list().map(async (a) => {
        const p = presence.get(a.id);
        const status: PresenceStatus = lapsedIds.has(a.id) ? 'offline' : (p?.status ?? 'offline');
        const chatsMoveAt = status === 'away' ? moves.get(awayTimerKey(a.id)) : undefined;
        return {
          agentId: a.id,
          name: displayNameOf(a),
          status,
          ...(p ? { since: p.since } : {}),
          ...(chatsMoveAt !== undefined ? { chatsMoveAt } : {}),
          load: (await store.listAssignments(a.id)).length,
          maxChats: a.maxChats,
        };
      }),
    );
  }

  /** Conversation ids the agent holds. */
  async assignments(agentId: string): Promise<string[]> {
    return this.core.store.listAssignments(agentId);
  }

  /** SLA views per conversation at `now`. */
  async slaByConversation(now = this.core.nowMs()): Promise<Map<string, SlaView[]>> {
    return slaViews(await this.core.store.listTimers(), this.deps.sla, now);
  }

  /** SLA views of one conversation at `now` (reads its own timers by key). */
  async slaOf(conversationId: string, now = this.core.nowMs()): Promise<SlaView[]> {
    const keys = (['first_response', 'logistics_resolution'] as const).flatMap((kind) => clockKeys(kind, conversationId));
    return slaViews(await this.core.store.getTimers(keys), this.deps.sla, now).get(conversationId) ?? [];
  }

  /** Figures for the console header (GET /api/stats). */
  async stats(): Promise<HandoffStats> {
    const { store } = this.core;
    const now = this.core.nowMs();
    const [queue, agents, sla] = await Promise.all([store.listQueue(), this.agentsView(), this.slaByConversation(now)]);
    const oldest = queue.reduce((min, e) => Math.min(min, Date.parse(e.enqueuedAt) || now), now);
    let approaching = 0;
    let breached = 0;
    for (const views of sla.values()) {
      for (const v of views) {
        if (v.state === 'approaching') approaching++;
        else if (v.state === 'breached') breached++;
      }
    }
    return {
      queueLength: queue.length,
      oldestWaitSeconds: Math.round((now - oldest) / 1000),
      agentsOnline: agents.filter((a) => a.status === 'online').length,
      agentsAway: agents.filter((a) => a.status === 'away').length,
      activeChats: agents.reduce((s, a) => s + a.load, 0),
      slaApproaching: approaching,
      slaBreached: breached,
      serverTime: now,
    };
  }
}
