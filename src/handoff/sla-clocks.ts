/**
 * The SLA clocks of conversations with a person (rules and timer shapes in ./sla): started
 * when a buyer starts waiting on a person, stopped by an agent's message, cleared when the
 * conversation leaves the handoff, and fired by the timer sweep (./sweeper) as "approaching"
 * warnings and breaches, which consoles are told about.
 */
import type { ConversationState } from '../model/conversation';
import type { Metrics } from '../metrics';
import type { Timer } from '../store/types';
import type { HandoffCore } from './core';
import type { AgentPublisher } from './publish';
import { SLA_PREFIX, breachMarker, clockKeys, parseSlaKey, startTimers, type SlaConfig, type SlaKind } from './sla';
import { lastTurn } from './view';

export interface SlaClocksDeps {
  sla: SlaConfig;
  metrics?: Metrics;
}

export class SlaClocks {
  constructor(
    private readonly core: HandoffCore,
    private readonly publisher: AgentPublisher,
    private readonly deps: SlaClocksDeps,
  ) {}

  /** Starts an SLA clock unless one is running or breached (the earliest start counts), or anew with `restart`. */
  async start(kind: SlaKind, conversationId: string, startedAt: number, restart = false): Promise<void> {
    const { store } = this.core;
    if (!restart) {
      // By key: this runs on every buyer turn while queued, and listing every timer grows with the queue.
      const running = (await store.getTimers(clockKeys(kind, conversationId))).some((t) => !t.key.startsWith(`${SLA_PREFIX}warn:`));
      if (running) return;
    }
    for (const t of startTimers(this.deps.sla, kind, conversationId, startedAt)) await store.setTimer(t);
  }

  /** A first response came (an agent's message): the clock stops and the response time is measured. */
  async stopFirstResponse(conversationId: string, responder: 'agent' | 'bot'): Promise<void> {
    const { store } = this.core;
    const timers = (await store.getTimers(clockKeys('first_response', conversationId))).sort((a, b) => a.dueAt - b.dueAt);
    const started = timers.map((t) => t.payload['startedAt']).find((v): v is number => typeof v === 'number');
    for (const t of timers) await store.clearTimer(t.key);
    if (started !== undefined) this.deps.metrics?.firstResponse.observe({ responder }, Math.max(0, this.core.nowMs() - started) / 1000);
  }

  /** Every clock of the conversation stops (closed, returned to the bot, withdrawn). */
  async clear(conversationId: string): Promise<void> {
    for (const kind of ['first_response', 'logistics_resolution'] as const) {
      for (const key of clockKeys(kind, conversationId)) await this.core.store.clearTimer(key);
    }
  }

  /**
   * Handles a due timer if it is an SLA timer: a warning counts as approaching, a due timer
   * as a breach and leaves a breach marker. Returns the conversation whose clocks changed,
   * 'not_mine' for a timer that is not an SLA timer, or null.
   */
  async fire(t: Timer, now: number): Promise<ConversationState | 'not_mine' | null> {
    const parsed = parseSlaKey(t.key);
    if (!parsed) return 'not_mine';
    const { kind, conversationId, role } = parsed;
    if (role === 'breached') return null; // marker expired: nothing left to show
    const conv = await this.core.store.getConversation(conversationId);
    if (!conv || conv.status === 'closed' || conv.status === 'bot') return null;
    const dueAt = typeof t.payload['dueAt'] === 'number' ? t.payload['dueAt'] : t.dueAt;
    const startedAt = typeof t.payload['startedAt'] === 'number' ? t.payload['startedAt'] : now;
    if (role === 'warn') {
      this.deps.metrics?.slaApproaching.inc({ kind });
      await this.notify(conv, kind, 'approaching', dueAt);
      return conv;
    }
    this.deps.metrics?.slaBreaches.inc({ kind });
    await this.core.store.setTimer(breachMarker(this.deps.sla, kind, conversationId, startedAt, dueAt, now));
    await this.notify(conv, kind, 'breached', dueAt);
    return conv;
  }

  private async notify(conv: ConversationState, kind: SlaKind, state: 'approaching' | 'breached', dueAt: number): Promise<void> {
    await this.publisher.publishTo(conv.assignedAgent ?? '*', { type: 'sla', conversationId: conv.id, kind, state, dueAt });
  }
}

/** After-sale logistics (late, lost, signed-but-missing parcels) runs on the 48 h clock. */
export function isLogisticsIssue(conv: ConversationState): boolean {
  if (conv.handoff?.reason === 'overdue_delivery') return true;
  const turn = lastTurn(conv);
  return turn?.intent === 'delivery.tracking' || turn?.intent === 'delivery.signed_not_received';
}
