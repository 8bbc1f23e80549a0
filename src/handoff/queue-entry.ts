/**
 * Entering the queue, and waiting in it: what happens when the bot hands a conversation to
 * a person (priority, SLA clocks, routing, an honest word to the buyer when nobody is
 * online), when the buyer takes the request back, and on every buyer turn (metrics, the
 * first-response clock while the buyer waits on a person).
 */
import type { BotReply } from '../dialogue/types';
import type { Metrics } from '../metrics';
import type { BuyerTurnInfo, ConversationPort, HandoffCore } from './core';
import { capPriority, queuePriority } from './priority';
import type { AgentPublisher } from './publish';
import type { AgentRoster } from './roster';
import type { Routing } from './routing';
import { isLogisticsIssue, type SlaClocks } from './sla-clocks';
import { isAfterHoursLine } from './waiting';

/** How many of the newest messages are searched for the after-hours line (see toldAfterHours). */
const RECENT_MESSAGES = 20;

/** slots key: the handoff (its `at`) whose buyer was already told nobody is online. */
const NO_AGENT_TOLD = 'noAgentToldFor';

export interface QueueEntranceDeps {
  conversations: ConversationPort;
  metrics?: Metrics;
  /**
   * What the bot tells a buyer whose conversation was queued while no agent is online (the
   * engine's system.no_agent move). Without it the buyer is told nothing more.
   */
  noAgentNotice?: () => { text: string; meta?: Record<string, unknown> } | undefined;
}

/** The engine's system.no_agent move as the notice a queued buyer gets when nobody is online. */
export function noAgentNotice(engine: {
  systemNotice?(name: string): BotReply | undefined;
}): { text: string; meta: Record<string, unknown> } | undefined {
  const r = engine.systemNotice?.('no_agent');
  return r ? { text: r.text, meta: { intent: r.intent, category: r.category, ...(r.templateId ? { templateId: r.templateId } : {}) } } : undefined;
}

export class QueueEntrance {
  constructor(
    private readonly core: HandoffCore,
    private readonly roster: AgentRoster,
    private readonly routing: Routing,
    private readonly clocks: SlaClocks,
    private readonly publisher: AgentPublisher,
    private readonly deps: QueueEntranceDeps,
  ) {}

  /**
   * A conversation has entered the queue (the server stored it with the engine's priority).
   * Applies the domain priority, starts its SLA clocks, counts it and routes it. Idempotent.
   * Tracked by the core, so shutdown waits for it (see HandoffCore.track).
   */
  onQueued(conversationId: string): Promise<void> {
    return this.core.track(this.queued(conversationId));
  }

  /**
   * The buyer took back the request while queued (the store already took it out of the
   * queue): its SLA clocks stop and consoles drop the row.
   */
  onWithdrawn(conversationId: string): Promise<void> {
    return this.core.track(this.withdrawn(conversationId));
  }

  /**
   * Records one buyer turn (metrics and the first-response clock). While queued or with an
   * agent the buyer waits on a person, so the clock starts unless it is already running.
   */
  onBuyerTurn(info: BuyerTurnInfo): Promise<void> {
    return this.core.track(this.buyerTurn(info));
  }

  private async queued(conversationId: string): Promise<void> {
    const { store } = this.core;
    const conv = await store.getConversation(conversationId);
    // Into the handoff history first (every instance may record it; the log keeps it once).
    if (conv?.handoff && (conv.status === 'queued' || conv.status === 'agent')) {
      const { reason, priority, at } = conv.handoff;
      await this.core.recordHistory(conversationId, { kind: 'queued', at, reason, priority });
    }
    if (!conv || conv.status !== 'queued') return;
    const info = conv.handoff;
    const priority = info ? queuePriority(info, conv) : 'normal';
    // Under the turn lock, as claims are: a claim that already happened is never undone
    // (and the store refuses to enqueue a conversation that is no longer queued).
    await this.core.withConversationLock(conversationId, async () => {
      const entry = await store.getQueueEntry(conversationId);
      const admitted = entry ? capPriority(priority, entry.cap) : priority; // admission.ts caps
      if (entry && entry.priority !== admitted) await store.enqueue({ ...entry, priority: admitted });
    });
    this.deps.metrics?.handoffs.inc({ reason: info?.reason ?? 'unknown', priority });
    // The handoff follows the buyer's message within the same turn: start the clocks now.
    const startedAt = this.core.nowMs();
    await this.clocks.start('first_response', conversationId, startedAt);
    if (isLogisticsIssue(conv)) await this.clocks.start('logistics_resolution', conversationId, startedAt);
    await this.routing.dispatch();
    await this.tellBuyerIfNobodyOnline(conversationId);
    // Still waiting after routing: consoles get the new row (a claimed one went out as removed).
    await this.publisher.queueChanged(conversationId, 'added');
  }

  private async withdrawn(conversationId: string): Promise<void> {
    await this.core.recordHistory(conversationId, { kind: 'withdrawn', at: this.core.nowIso() });
    await this.clocks.clear(conversationId);
    await this.publisher.queueRemoved(conversationId);
  }

  private async buyerTurn(info: BuyerTurnInfo): Promise<void> {
    const m = this.deps.metrics;
    m?.messages.inc({ direction: 'in', from: 'buyer', intent: info.intent });
    for (const r of info.replies) m?.messages.inc({ direction: 'out', from: 'bot', intent: r.intent });
    const handedOff = info.statusBefore === 'bot' && info.statusAfter === 'queued';
    if (info.statusBefore === 'queued' || info.statusBefore === 'agent') {
      m?.turns.inc({ outcome: 'with_agent' });
      await this.clocks.start('first_response', info.conversationId, info.at);
      // The row shows the buyer's last words and the clock.
      if (info.statusBefore === 'queued') await this.publisher.queueChanged(info.conversationId);
    } else if (handedOff) {
      m?.turns.inc({ outcome: 'handed_off' });
    } else if (info.replies.length > 0) {
      m?.turns.inc({ outcome: 'auto_answered' });
      m?.firstResponse.observe({ responder: 'bot' }, info.tookMs / 1000);
    }
  }

  /**
   * The bot's handoff notice promises a person "马上"; with no agent online (or all away) that
   * is not true. The buyer is told once per queueing (marked on the conversation under its
   * lock, so a repeated queued event or a second instance does not say it again) that the
   * question is recorded and will be answered when someone is back. It stays queued.
   */
  private async tellBuyerIfNobodyOnline(conversationId: string): Promise<void> {
    const notice = this.deps.noAgentNotice;
    if (!notice || (await this.roster.anyAgentOnline())) return;
    let queuedAt = '';
    const marked = await this.core.updateConversation(conversationId, (conv) => {
      if (conv.status !== 'queued' || !conv.handoff || conv.slots[NO_AGENT_TOLD] === conv.handoff.at) return null;
      queuedAt = conv.handoff.at;
      return { ...conv, slots: { ...conv.slots, [NO_AGENT_TOLD]: queuedAt } };
    });
    if (!marked) return;
    // Outside business hours the handoff's own line said that nobody is in and when people are
    // back (the waiting room's after_hours): a second notice would only repeat it.
    if (await this.toldAfterHours(conversationId, queuedAt)) return;
    const message = notice();
    if (!message) return;
    await this.deps.conversations.postMessage(conversationId, {
      from: 'bot',
      text: message.text,
      at: this.core.nowIso(),
      ...(message.meta ? { meta: message.meta } : {}),
    });
  }

  /**
   * Whether the buyer got the after-hours line since the conversation was queued (`since`, its
   * handoff's time). It is posted with the handoff, just before routing starts, so the last few
   * messages hold it.
   */
  private async toldAfterHours(conversationId: string, since: string): Promise<boolean> {
    const { store } = this.core;
    const log = await store.messagesAfter(conversationId, Math.max(0, (await store.lastSeq(conversationId)) - RECENT_MESSAGES));
    return log.some((m) => m.from === 'bot' && m.at >= since && isAfterHoursLine(m.meta));
  }
}
