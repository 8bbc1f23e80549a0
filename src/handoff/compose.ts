/**
 * Builds the handoff stage from its pieces, one concern each, wired by their typed deps
 * (each piece takes only the pieces it calls):
 *  - core (store, registry, clock, conversation lock) and roster (who can take work);
 *  - views (what consoles see) and publisher (frames to consoles, queue row events);
 *  - routing (dispatch, pick, transfer, handover) and presence (online/away/offline, leases);
 *  - SLA clocks, the queue entrance (handoffs, withdrawals, buyer turns), agent actions, and
 *    the timer sweeper that hands due timers to presence and the clocks.
 * No I/O and no timers here; the composition root (src/server.ts, and tests the same way)
 * calls it and hands the result to the transports, which call the pieces directly.
 */
import type { ConversationState, Suggestion } from '../model/conversation';
import type { Metrics } from '../metrics';
import type { Store } from '../store/types';
import type { BotReply } from '../dialogue/types';
import type { ShopData } from '../shop/types';
import { AgentActions } from './actions';
import type { AgentRegistry } from './agents';
import { HandoffCore, type ConversationPort } from './core';
import { Presence } from './presence';
import { AgentPublisher } from './publish';
import { noAgentNotice, QueueEntrance } from './queue-entry';
import { AgentRoster } from './roster';
import { Routing } from './routing';
import { DEFAULT_SLA, type SlaConfig } from './sla';
import { SlaClocks } from './sla-clocks';
import { TimerSweeper } from './sweeper';
import { orderCardFor, type OrderCard } from './view';
import { HandoffViews } from './views';

export interface HandoffDeps {
  store: Store;
  agents: AgentRegistry;
  conversations: ConversationPort;
  metrics?: Metrics;
  clock?: () => Date;
  /** Fresh suggestions when none are stored on the conversation (engine.suggest). */
  suggest?: (conv: ConversationState) => Suggestion[];
  orderCard?: (conv: ConversationState) => OrderCard | undefined;
  buyerName?: (buyerId: string) => string | undefined;
  sla?: Partial<SlaConfig>;
  /** Lease of the per-conversation lock (same key as the bot turn). */
  lockMs?: number;
  /** How long an away agent keeps their chats (default 0: they move at once). */
  awayGraceMs?: number;
  /** How long an agent's presence lease lasts without renewal (default 30 s). */
  presenceLeaseMs?: number;
  onError?: (err: unknown, context: string) => void;
  /** What the bot tells a buyer queued while no agent is online (engine.systemNotice('no_agent')). */
  noAgentNotice?: () => { text: string; meta?: Record<string, unknown> } | undefined;
}

/** The handoff stage's pieces, grouped for the callers (transports, the turn hook, tests). */
export interface Handoff {
  /** Entering the queue, withdrawing, buyer turns. */
  readonly entrance: QueueEntrance;
  /** Dispatch, pick, transfer, requeue, handover. */
  readonly routing: Routing;
  /** Online / away / offline, console connections, presence leases. */
  readonly presence: Presence;
  /** Send, note, return to the bot, close. */
  readonly actions: AgentActions;
  /** Conversation frame, queue, agents, stats. */
  readonly views: HandoffViews;
  /** SLA clocks of conversations. */
  readonly clocks: SlaClocks;
  /** Fires due timers (SLA, presence); the periodic sweeper. */
  readonly sweeper: TimerSweeper;
  /** Frames to consoles on every instance. */
  readonly publisher: AgentPublisher;
  /**
   * Resolves once the work started by queued events, buyer turns and sweeps has finished:
   * shutdown waits for it before the store closes, so a handoff under way is not cut off.
   */
  settled(): Promise<void>;
}

/**
 * The deps that come from the bot, the shop and the configured limits, as the server wires
 * them (src/server.ts; the agent-console tests the same way).
 */
export function botAndShopDeps(
  bot: { suggest(conv: ConversationState): Suggestion[]; systemNotice?(name: string): BotReply | undefined },
  shop: ShopData,
  config: { limits: { turnLockMs: number }; presence: { leaseMs: number; awayGraceMs: number } },
): Pick<HandoffDeps, 'suggest' | 'orderCard' | 'buyerName' | 'lockMs' | 'presenceLeaseMs' | 'awayGraceMs' | 'noAgentNotice'> {
  return {
    suggest: (conv) => bot.suggest(conv),
    orderCard: (conv) => orderCardFor(shop, conv),
    buyerName: (id) => shop.buyer(id)?.name,
    lockMs: config.limits.turnLockMs,
    presenceLeaseMs: config.presence.leaseMs,
    awayGraceMs: config.presence.awayGraceMs,
    noAgentNotice: () => noAgentNotice(bot),
  };
}

/** Builds the handoff stage. */
export function createHandoff(deps: HandoffDeps): Handoff {
  const { conversations } = deps;
  const metrics = deps.metrics ? { metrics: deps.metrics } : {};
  const core = new HandoffCore({
    store: deps.store,
    agents: deps.agents,
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...(deps.lockMs !== undefined ? { lockMs: deps.lockMs } : {}),
    ...(deps.onError ? { onError: deps.onError } : {}),
  });
  const sla: SlaConfig = { ...DEFAULT_SLA, ...deps.sla };
  const roster = new AgentRoster(core);
  const views = new HandoffViews(core, roster, {
    sla,
    ...(deps.suggest ? { suggest: deps.suggest } : {}),
    ...(deps.orderCard ? { orderCard: deps.orderCard } : {}),
    ...(deps.buyerName ? { buyerName: deps.buyerName } : {}),
  });
  const publisher = new AgentPublisher(core, views);
  const clocks = new SlaClocks(core, publisher, { sla, ...metrics });
  const routing = new Routing(core, roster, views, publisher, { conversations, ...metrics });
  const presence = new Presence(core, routing, publisher, {
    ...(deps.awayGraceMs !== undefined ? { awayGraceMs: deps.awayGraceMs } : {}),
    ...(deps.presenceLeaseMs !== undefined ? { presenceLeaseMs: deps.presenceLeaseMs } : {}),
  });
  const entrance = new QueueEntrance(core, roster, routing, clocks, publisher, {
    conversations,
    ...metrics,
    ...(deps.noAgentNotice ? { noAgentNotice: deps.noAgentNotice } : {}),
  });
  const actions = new AgentActions(core, routing, clocks, publisher, { conversations, ...metrics });
  const sweeper = new TimerSweeper(core, presence, clocks, routing, publisher);
  return { entrance, routing, presence, actions, views, clocks, sweeper, publisher, settled: () => core.settled() };
}
