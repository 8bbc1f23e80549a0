/**
 * The handoff service: everything that happens to a conversation between "the bot hands it
 * to a person" and "a person closes it or gives it back". Queue priority, routing to the
 * least-loaded online agent, agent picks, transfers, presence with handover, internal notes,
 * agent messages, close with a resolution tag, SLA clocks and the sweeper that fires them.
 *
 * All shared state lives in the Store (queue, assignments, presence, timers, conversations),
 * so several instances can run this service against one Store. Claims happen under one
 * store lock ('handoff:dispatch') on top of the store's atomic claimNext, and conversation
 * state is written under the same per-conversation lock the bot turn uses ('turn:<id>').
 * Agent-facing events go out on the Bus channel AGENT_CHANNEL; buyer-facing ones through
 * the conversation port (the server's conversation service), which publishes them on the
 * conversation's channel.
 *
 * Presence across instances: the instance holding an agent's console socket renews the
 * agent's presence lease in the store (`startLeaseRenewal`). An instance that dies without
 * closing its sockets (SIGKILL, OOM) stops renewing; once the lease has expired routing
 * treats the agent as offline, and the first sweeper to take the expired lease (the store
 * gives it to exactly one) marks the agent offline and hands their chats over, as going
 * offline does. A console that connects again, anywhere, takes a new lease.
 */
import type { ConversationState, HandoffInfo, Priority, Suggestion } from '../model/conversation';
import { AppError } from '../errors';
import { maskPhonesInText } from '../replies/mask-phones';
import type { Metrics, SuggestionUse } from '../metrics';
import type { AgentPresence, NewMessage, PresenceLease, PresenceStatus, QueueEntry, Store, StoredMessage, Timer } from '../store/types';
import { displayNameOf, type AgentDef, type AgentRegistry } from './agents';
import { actView } from '../shop/outbox';
import { capPriority, queuePriority } from './priority';
import { callbackOf } from './waiting';
import { recordHandoffEvent, type HandoffEvent } from './history';
import {
  DEFAULT_SLA,
  SLA_PREFIX,
  breachMarker,
  clockKeys,
  parseSlaKey,
  slaViews,
  startTimers,
  type SlaConfig,
  type SlaKind,
  type SlaView,
} from './sla';
import {
  lastTurn,
  mergeHistory,
  queueItemView,
  type ConversationFrame,
  type ConversationView,
  type HistoryItem,
  type OrderCard,
  type QueueItemView,
} from './view';

/** Bus channel for agent-facing events; every instance forwards them to its local consoles. */
export const AGENT_CHANNEL = 'handoff:agents';

/** Resolution tags an agent closes a conversation with. */
export const RESOLUTIONS = ['resolved', 'refunded', 'exchanged', 'resent', 'no_action', 'spam'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

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

/** Frames the service sends to consoles (the socket adds hello/ack/error and live turns). */
export type AgentEventFrame =
  | ConversationFrame
  | { type: 'released'; conversationId: string; reason: 'transfer' | 'handover' | 'returned' | 'closed' }
  | { type: 'queue'; queue: QueueItemView[]; serverTime: number }
  | { type: 'agents'; agents: AgentStatusView[] }
  | { type: 'sla'; conversationId: string; kind: SlaKind; state: 'approaching' | 'breached'; dueAt: number }
  | { type: 'note'; conversationId: string; note: HistoryItem };

/** What is published on AGENT_CHANNEL: a frame for one agent or for all ('*'). */
export interface AgentBusMessage {
  to: string;
  frame: AgentEventFrame;
}

/** The part of the server's conversation service the handoff side uses (src/conversation/conversation-service.ts). */
export interface ConversationPort {
  postMessage(conversationId: string, message: NewMessage): Promise<StoredMessage>;
  setHandoffStatus(
    conversationId: string,
    status: 'queued' | 'assigned' | 'returned' | 'closed',
    agent?: { id: string; name?: string },
  ): Promise<void>;
}

export interface HandoffServiceDeps {
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
  /**
   * How long an agent who goes away keeps their chats before they move (default 0: at once).
   * Away agents get no new chats and cannot pick from the queue meanwhile.
   */
  awayGraceMs?: number;
  /**
   * How long an agent's presence lease lasts without renewal (default 30 s): after an
   * instance dies, its agents count as offline this long after its last renewal at most.
   */
  presenceLeaseMs?: number;
  onError?: (err: unknown, context: string) => void;
  /**
   * What the bot tells a buyer whose conversation was queued while no agent is online (the
   * engine's system.no_agent move). Without it the buyer is told nothing more.
   */
  noAgentNotice?: () => { text: string; meta?: Record<string, unknown> } | undefined;
}

/** Info about a buyer turn, given by the engine wrapper (see `wrapEngine` in ./engine-hooks). */
export interface BuyerTurnInfo {
  conversationId: string;
  /** Status before the turn. */
  statusBefore: ConversationState['status'];
  /** Status after the turn (queued when this turn hands off). */
  statusAfter: ConversationState['status'];
  intent: string;
  replies: { intent: string }[];
  /** Epoch ms when the buyer's message was handled. */
  at: number;
  /** Engine time for this turn in ms (bot first-response time). */
  tookMs: number;
  handoff?: HandoffInfo;
}

/** Notes live in their own log so they can never reach the buyer's widget or replay. */
export function notesLogId(conversationId: string): string {
  return `note:${conversationId}`;
}

const HISTORY_LIMIT = 500;
/**
 * While queue changes keep coming (buyers writing in queued conversations), the queue view is
 * rebuilt at most this often: each build reads every queued conversation, so rebuilding per
 * change would cost O(queue) per buyer message. The first change after a quiet spell is
 * published at once.
 */
const QUEUE_REBUILD_GAP_MS = 100;
const DISPATCH_LOCK = 'handoff:dispatch';
/** slots key: the handoff (its `at`) whose buyer was already told nobody is online. */
const NO_AGENT_TOLD = 'noAgentToldFor';
export const DEFAULT_PRESENCE_LEASE_MS = 30_000;
export const DEFAULT_PRESENCE_RENEW_MS = 10_000;

export class HandoffService {
  private readonly sla: SlaConfig;
  private readonly clock: () => Date;
  private readonly lockMs: number;
  private readonly leaseMs: number;
  private sweeping = false;
  private expiring = false;

  constructor(private readonly deps: HandoffServiceDeps) {
    this.sla = { ...DEFAULT_SLA, ...deps.sla };
    this.clock = deps.clock ?? (() => new Date());
    this.lockMs = deps.lockMs ?? 15_000;
    this.leaseMs = deps.presenceLeaseMs ?? DEFAULT_PRESENCE_LEASE_MS;
  }

  private nowMs(): number {
    return this.clock().getTime();
  }

  private nowIso(): string {
    return this.clock().toISOString();
  }

  private fail(err: unknown, context: string): void {
    this.deps.onError?.(err, context);
  }

  // --- entering the queue ---------------------------------------------------------------

  /**
   * A conversation has entered the queue (the server stored it with the engine's priority).
   * Applies the domain priority, starts its SLA clocks, counts it and routes it. Idempotent.
   */
  async onQueued(conversationId: string): Promise<void> {
    const { store } = this.deps;
    const conv = await store.getConversation(conversationId);
    // Into the handoff history first (every instance may record it; the log keeps it once).
    if (conv?.handoff && (conv.status === 'queued' || conv.status === 'agent')) {
      const { reason, priority, at } = conv.handoff;
      await this.recordHistory(conversationId, { kind: 'queued', at, reason, priority });
    }
    if (!conv || conv.status !== 'queued') return;
    const info = conv.handoff;
    const priority = info ? queuePriority(info, conv) : 'normal';
    await store.withLock(DISPATCH_LOCK, this.lockMs, async () => {
      // Re-prioritise only while still queued, so a claim that already happened is never undone.
      const entry = (await store.listQueue()).find((e) => e.conversationId === conversationId);
      const admitted = entry ? capPriority(priority, entry.cap) : priority; // admission.ts caps
      if (entry && entry.priority !== admitted) await store.enqueue({ ...entry, priority: admitted });
    });
    this.deps.metrics?.handoffs.inc({ reason: info?.reason ?? 'unknown', priority });
    // The handoff follows the buyer's message within the same turn: start the clocks now.
    const startedAt = this.nowMs();
    await this.startClock('first_response', conversationId, startedAt, false);
    if (isLogisticsIssue(conv)) await this.startClock('logistics_resolution', conversationId, startedAt, false);
    await this.dispatch();
    await this.tellBuyerIfNobodyOnline(conversationId);
    await this.publishQueue();
  }

  /**
   * The buyer took back the request while queued (the store already took it out of the
   * queue): its SLA clocks stop and consoles see the shorter queue.
   */
  async onWithdrawn(conversationId: string): Promise<void> {
    await this.recordHistory(conversationId, { kind: 'withdrawn', at: this.nowIso() });
    await this.clearClocks(conversationId);
    await this.publishQueue();
  }

  /**
   * The bot's handoff notice promises a person "马上"; with no agent online (or all away) that
   * is not true. The buyer is told once per queueing (marked on the conversation under its
   * lock, so a repeated queued event or a second instance does not say it again) that the
   * question is recorded and will be answered when someone is back. It stays queued.
   */
  private async tellBuyerIfNobodyOnline(conversationId: string): Promise<void> {
    const notice = this.deps.noAgentNotice;
    if (!notice || (await this.anyAgentOnline())) return;
    const marked = await this.updateConversation(conversationId, (conv) => {
      if (conv.status !== 'queued' || !conv.handoff || conv.slots[NO_AGENT_TOLD] === conv.handoff.at) return null;
      return { ...conv, slots: { ...conv.slots, [NO_AGENT_TOLD]: conv.handoff.at } };
    });
    if (!marked) return;
    const message = notice();
    if (!message) return;
    await this.deps.conversations.postMessage(conversationId, {
      from: 'bot',
      text: message.text,
      at: this.nowIso(),
      ...(message.meta ? { meta: message.meta } : {}),
    });
  }

  /** True when some agent is online with a live lease (busy or not): the queue is being worked. */
  private async anyAgentOnline(): Promise<boolean> {
    const [presence, lapsedIds] = await Promise.all([this.deps.store.listPresence(), this.lapsedAgents()]);
    return presence.some((p) => p.status === 'online' && !lapsedIds.has(p.agentId) && this.deps.agents.get(p.agentId) !== undefined);
  }

  /**
   * Records one buyer turn (metrics and the first-response clock). While queued or with an
   * agent the buyer waits on a person, so the clock starts unless it is already running.
   */
  async onBuyerTurn(info: BuyerTurnInfo): Promise<void> {
    const m = this.deps.metrics;
    m?.messages.inc({ direction: 'in', from: 'buyer', intent: info.intent });
    for (const r of info.replies) m?.messages.inc({ direction: 'out', from: 'bot', intent: r.intent });
    const handedOff = info.statusBefore === 'bot' && info.statusAfter === 'queued';
    if (info.statusBefore === 'queued' || info.statusBefore === 'agent') {
      m?.turns.inc({ outcome: 'with_agent' });
      await this.startClock('first_response', info.conversationId, info.at, false);
      if (info.statusBefore === 'queued') await this.publishQueue();
    } else if (handedOff) {
      m?.turns.inc({ outcome: 'handed_off' });
    } else if (info.replies.length > 0) {
      m?.turns.inc({ outcome: 'auto_answered' });
      m?.firstResponse.observe({ responder: 'bot' }, info.tookMs / 1000);
    }
  }

  // --- routing ---------------------------------------------------------------------------

  /**
   * Assigns queued conversations, head first, each to the least-loaded online agent with a
   * free slot, until the queue is empty or nobody has room. `exclude` skips one agent for
   * this round. Returns how many were assigned.
   */
  async dispatch(exclude?: string): Promise<number> {
    const { store } = this.deps;
    const assigned: { agent: AgentDef; entry: QueueEntry }[] = [];
    await store.withLock(DISPATCH_LOCK, this.lockMs, async () => {
      for (let misses = 0; misses < 3;) {
        const head = (await store.listQueue())[0];
        if (!head) return;
        const agent = await this.pickAgent(exclude);
        if (!agent) return;
        const entry = await this.claim(agent, head.conversationId);
        // Gone meanwhile (withdrawn, or taken by a picking agent): look at the new head.
        if (!entry) {
          misses++;
          continue;
        }
        if (await this.acceptClaim(agent, entry)) assigned.push({ agent, entry });
      }
    });
    for (const { agent, entry } of assigned) await this.announceAssignment(agent, entry.conversationId);
    if (assigned.length > 0) await Promise.all([this.publishQueue(), this.publishAgents()]);
    return assigned.length;
  }

  /** Online agents with room, least loaded first (ties: longest online, then id). */
  private async rankAgents(exclude?: string): Promise<{ agent: AgentDef; load: number }[]> {
    const { store, agents } = this.deps;
    const [presence, lapsed] = await Promise.all([store.listPresence(), this.lapsedAgents()]);
    const out: { agent: AgentDef; load: number; since: string }[] = [];
    for (const p of presence) {
      if (p.status !== 'online' || p.agentId === exclude || lapsed.has(p.agentId)) continue;
      const agent = agents.get(p.agentId);
      if (!agent) continue;
      const load = (await store.listAssignments(agent.id)).length;
      if (load < agent.maxChats) out.push({ agent, load, since: p.since });
    }
    out.sort((a, b) => a.load - b.load || (a.since < b.since ? -1 : a.since > b.since ? 1 : 0) || (a.agent.id < b.agent.id ? -1 : 1));
    return out;
  }

  private async pickAgent(exclude?: string): Promise<AgentDef | undefined> {
    return (await this.rankAgents(exclude))[0]?.agent;
  }

  /**
   * Claims one queued conversation for the agent. The store moves it to the agent in the same
   * step (the handoff invariant); the bot turn's lock keeps a buyer turn from writing back the
   * state it read before the claim.
   */
  private async claim(agent: AgentDef, conversationId: string): Promise<QueueEntry | null> {
    const { store } = this.deps;
    return store.withLock(`turn:${conversationId}`, this.lockMs, () => store.claimNext(agent.id, agent.maxChats, conversationId));
  }

  /** Completes a claim on the conversation (stamps it); drops claims of conversations that moved on. */
  private async acceptClaim(agent: AgentDef, entry: QueueEntry): Promise<boolean> {
    const { store } = this.deps;
    const ok = await this.updateConversation(entry.conversationId, (conv) => {
      if (conv.status === 'agent' && conv.assignedAgent === agent.id) return { ...conv };
      // Data from before the store moved claimed conversations itself.
      return conv.status === 'queued' ? { ...conv, status: 'agent', assignedAgent: agent.id } : null;
    });
    if (!ok) {
      await store.unassign(agent.id, entry.conversationId);
      return false;
    }
    const waited = (this.nowMs() - Date.parse(entry.enqueuedAt)) / 1000;
    if (Number.isFinite(waited)) this.deps.metrics?.queueWait.observe(Math.max(0, waited));
    return true;
  }

  private async announceAssignment(agent: AgentDef, conversationId: string): Promise<void> {
    await this.deps.conversations.setHandoffStatus(conversationId, 'assigned', { id: agent.id, name: displayNameOf(agent) });
    const frame = await this.conversationFrame(conversationId);
    if (frame) await this.publishTo(agent.id, frame);
  }

  /** An agent takes one conversation from the queue (respecting their capacity). */
  async pick(agentId: string, conversationId: string): Promise<void> {
    const agent = this.requireAgent(agentId);
    const { store } = this.deps;
    if ((await store.getPresence(agentId))?.status === 'away')
      throw new AppError('CONFLICT', 'You are away (离开): come back online to take chats from the queue');
    const claimed = await store.withLock(DISPATCH_LOCK, this.lockMs, async () => {
      const load = (await store.listAssignments(agentId)).length;
      if (load >= agent.maxChats) throw new AppError('CONFLICT', `You already hold ${load} of ${agent.maxChats} conversations`);
      const entry = await this.claim(agent, conversationId);
      if (!entry) throw new AppError('NOT_FOUND', 'That conversation is no longer in the queue');
      if (!(await this.acceptClaim(agent, entry))) throw new AppError('CONFLICT', 'That conversation is no longer waiting');
      return entry;
    });
    await this.announceAssignment(agent, claimed.conversationId);
    await Promise.all([this.publishQueue(), this.publishAgents()]);
  }

  /**
   * Hands a conversation to another online agent with room, or back to the queue when
   * `toAgentId` is omitted. The new holder gets the full history.
   */
  async transfer(agentId: string, conversationId: string, toAgentId?: string): Promise<void> {
    await this.requireHolder(agentId, conversationId);
    if (toAgentId === undefined) {
      await this.requeue(agentId, conversationId, 'transfer');
      // The agent who just let go is skipped on purpose: give colleagues the first chance.
      await this.dispatch(agentId);
      await Promise.all([this.publishQueue(), this.publishAgents()]);
      return;
    }
    if (toAgentId === agentId) throw new AppError('CONFLICT', 'You already hold this conversation');
    const target = this.deps.agents.get(toAgentId);
    if (!target) throw new AppError('NOT_FOUND', `No agent ${toAgentId}`);
    const moved = await this.deps.store.withLock(DISPATCH_LOCK, this.lockMs, async () => {
      const presence = await this.deps.store.getPresence(toAgentId);
      const lapsedTarget = (await this.lapsedAgents()).has(toAgentId);
      if (presence?.status !== 'online' || lapsedTarget) throw new AppError('CONFLICT', `${displayNameOf(target)} is not online`);
      const load = (await this.deps.store.listAssignments(toAgentId)).length;
      if (load >= target.maxChats) throw new AppError('CONFLICT', `${displayNameOf(target)} has no free slot`);
      return this.moveTo(agentId, target, conversationId);
    });
    if (moved) await this.finishMove(agentId, target, conversationId, 'transfer');
  }

  /** Moves the assignment (inside the dispatch lock). */
  private async moveTo(fromId: string, target: AgentDef, conversationId: string): Promise<boolean> {
    const { store } = this.deps;
    const ok = await this.updateConversation(conversationId, (conv) =>
      conv.status === 'agent' && conv.assignedAgent === fromId ? { ...conv, assignedAgent: target.id } : null,
    );
    if (!ok) return false;
    await store.unassign(fromId, conversationId);
    await store.assign(target.id, conversationId);
    return true;
  }

  private async finishMove(fromId: string, target: AgentDef, conversationId: string, reason: 'transfer' | 'handover'): Promise<void> {
    await this.publishTo(fromId, { type: 'released', conversationId, reason });
    await this.announceAssignment(target, conversationId);
    await this.publishAgents();
  }

  /** Puts a held conversation back in the queue keeping its original place in time. */
  private async requeue(agentId: string, conversationId: string, reason: 'transfer' | 'handover'): Promise<void> {
    const { store } = this.deps;
    let entry: QueueEntry | undefined;
    const ok = await this.updateConversation(conversationId, (conv) => {
      if (conv.status !== 'agent' || conv.assignedAgent !== agentId) return null;
      const priority: Priority = conv.handoff ? queuePriority(conv.handoff, conv) : 'normal';
      entry = {
        conversationId,
        priority,
        enqueuedAt: conv.handoff?.at ?? this.nowIso(),
        ...(conv.handoff ? { reason: conv.handoff.reason } : {}),
      };
      const next: ConversationState = { ...conv, status: 'queued' };
      delete next.assignedAgent;
      return next;
    });
    await store.unassign(agentId, conversationId);
    if (!ok || !entry) return;
    await store.enqueue(entry);
    await this.publishTo(agentId, { type: 'released', conversationId, reason });
    await this.deps.conversations.setHandoffStatus(conversationId, 'queued');
  }

  // --- presence --------------------------------------------------------------------------

  /**
   * Sets an agent's presence. Going away or offline hands each open conversation to another
   * online agent with room, or back to the queue; coming online takes work from the queue.
   */
  async setPresence(agentId: string, status: PresenceStatus): Promise<void> {
    this.requireAgent(agentId);
    const { store } = this.deps;
    const before = await store.getPresence(agentId);
    if (before?.status !== status) await store.setPresence({ agentId, status, since: this.nowIso() });
    const grace = this.deps.awayGraceMs ?? 0;
    if (status === 'away' && grace > 0) {
      // A short break keeps the agent's chats; they move only if the break outlasts the grace.
      if (before?.status !== 'away') await store.setTimer({ key: awayTimerKey(agentId), dueAt: this.nowMs() + grace, payload: { agentId } });
    } else {
      await store.clearTimer(awayTimerKey(agentId));
      if (status !== 'online') await this.handOver(agentId);
    }
    await this.dispatch();
    await Promise.all([this.publishAgents(), this.publishQueue()]);
  }

  /** The away grace ran out (a stored timer, so any instance completes it): chats move if still away. */
  private async awayGraceOver(agentId: string): Promise<void> {
    if ((await this.deps.store.getPresence(agentId))?.status !== 'away') return;
    await this.handOver(agentId);
    await this.dispatch();
    await Promise.all([this.publishAgents(), this.publishQueue()]);
  }

  /**
   * A console connected: cancel a pending "gone" timer, and an agent who was offline comes
   * online (opening the console is how an agent starts work; away stays away).
   */
  async agentConnected(agentId: string): Promise<void> {
    // The lease first: a sweeper that took an expired lease before this renewal has marked
    // the agent offline already, so the read below sees that and brings them back online.
    await this.deps.store.renewPresenceLease(agentId, this.nowMs() + this.leaseMs);
    await this.deps.store.clearTimer(goneTimerKey(agentId));
    const p = await this.deps.store.getPresence(agentId);
    if (!p || p.status === 'offline') await this.setPresence(agentId, 'online');
  }

  /**
   * The agent's last console on this instance closed. After `graceMs` without a new
   * connection the agent counts as offline and their chats are handed over (a stored timer,
   * so any instance completes it even if this one dies). The lease is kept for the grace
   * period too, unless a console on another instance keeps renewing it.
   */
  async agentDisconnected(agentId: string, graceMs: number): Promise<void> {
    const dueAt = this.nowMs() + graceMs;
    await this.deps.store.renewPresenceLease(agentId, dueAt);
    await this.deps.store.setTimer({ key: goneTimerKey(agentId), dueAt, payload: { agentId } });
  }

  /**
   * Renews the presence lease of every agent with a console on this instance. An agent
   * whose lease was taken meanwhile (this instance stalled past the lease, or its Redis
   * connection did) is brought back as on a reconnect.
   */
  async renewLeases(agentIds: Iterable<string>): Promise<void> {
    const expiresAt = this.nowMs() + this.leaseMs;
    for (const agentId of new Set(agentIds)) {
      if (!this.deps.agents.get(agentId)) continue;
      const kept = await this.deps.store.renewPresenceLease(agentId, expiresAt);
      if (!kept) await this.agentConnected(agentId);
    }
  }

  /**
   * Renews the leases of `localAgents()` (the agents with a console socket on this instance)
   * every `intervalMs`; returns the stop function. The interval must be well below the
   * lease (config checks it is at most half).
   */
  startLeaseRenewal(localAgents: () => Iterable<string>, intervalMs = DEFAULT_PRESENCE_RENEW_MS): () => void {
    let running = false;
    const timer = setInterval(() => {
      if (running) return; // a slow store: never pile renewals up
      running = true;
      this.renewLeases(localAgents())
        .catch((err: unknown) => this.fail(err, 'presence lease renewal'))
        .finally(() => {
          running = false;
        });
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /**
   * Takes the presence leases that expired by `now` (the store gives each to one instance
   * only) and does what going offline does: the agent's open chats go to an online colleague
   * with room or back to the queue. Returns the agents taken.
   */
  async expireLeases(now = this.nowMs()): Promise<string[]> {
    if (this.expiring) return [];
    this.expiring = true;
    try {
      const taken = await this.deps.store.takeExpiredLeases(now);
      for (const { agentId } of taken) {
        if (!this.deps.agents.get(agentId)) continue;
        // Reconnected since the lease was taken: their chats stay with them.
        if ((await this.deps.store.getPresence(agentId))?.status === 'online') continue;
        await this.handOver(agentId).catch((err: unknown) => this.fail(err, `hand over from ${agentId}`));
      }
      if (taken.length > 0) {
        await this.dispatch();
        await Promise.all([this.publishAgents(), this.publishQueue()]);
      }
      return taken.map((l) => l.agentId);
    } finally {
      this.expiring = false;
    }
  }

  /** Agents whose lease has expired (not yet taken by a sweeper): offline whatever their status says. */
  private async lapsedAgents(now = this.nowMs()): Promise<Set<string>> {
    return lapsed(await this.deps.store.listPresenceLeases(), now);
  }

  /** Hands every conversation the agent holds to a colleague, or back to the queue. */
  private async handOver(agentId: string): Promise<void> {
    const { store } = this.deps;
    for (const conversationId of await store.listAssignments(agentId)) {
      const target = await store.withLock(DISPATCH_LOCK, this.lockMs, async () => {
        const to = await this.pickAgent(agentId);
        if (to && (await this.moveTo(agentId, to, conversationId))) return to;
        return undefined;
      });
      if (target) await this.finishMove(agentId, target, conversationId, 'handover');
      else await this.requeue(agentId, conversationId, 'handover');
    }
  }

  // --- conversation actions ----------------------------------------------------------------

  /**
   * Sends an agent's message to the buyer (stored like any other message). `suggestion`
   * says which suggested reply the agent started from, for the suggestion-use metric.
   */
  async sendMessage(
    agentId: string,
    conversationId: string,
    text: string,
    opts: { clientId?: string; suggestionIndex?: number } = {},
  ): Promise<StoredMessage> {
    const conv = await this.requireHolder(agentId, conversationId);
    const suggestions = conv.handoff?.suggestions ?? [];
    const used = suggestionUse(suggestions, text, opts.suggestionIndex);
    const stored = await this.deps.conversations.postMessage(conversationId, {
      from: 'agent',
      agentId,
      text,
      at: this.nowIso(),
      ...(opts.clientId ? { clientId: opts.clientId } : {}),
      // The use is kept on the message too, so reports count suggestion acceptance over any period.
      meta: { agentName: displayNameOf(this.requireAgent(agentId)), ...(used ? { suggestion: used } : {}) },
    });
    const m = this.deps.metrics;
    m?.messages.inc({ direction: 'out', from: 'agent', intent: lastTurn(conv)?.intent ?? 'none' });
    this.countSuggestionUse(suggestions, used);
    await this.stopFirstResponseClock(conversationId, 'agent');
    return stored;
  }

  private countSuggestionUse(suggestions: readonly Suggestion[], used: MessageSuggestionUse | undefined): void {
    const m = this.deps.metrics;
    if (!m || !used) return;
    if (used.use === 'ignored') {
      for (const s of suggestions) m.suggestions.inc({ template: s.templateId ?? 'none', use: 'ignored' });
      return;
    }
    m.suggestions.inc({ template: used.templateId ?? 'none', use: used.use });
  }

  /** Adds an internal note (never shown to the buyer) and shows it on every console holding it. */
  async addNote(agentId: string, conversationId: string, text: string): Promise<HistoryItem> {
    await this.requireHolder(agentId, conversationId);
    const stored = await this.deps.store.appendMessage(notesLogId(conversationId), {
      from: 'system',
      agentId,
      text,
      at: this.nowIso(),
      meta: { internal: true },
    });
    const note: HistoryItem = { from: 'note', text: stored.text, at: stored.at, agentId };
    await this.publishTo(agentId, { type: 'note', conversationId, note });
    return note;
  }

  /** Gives the conversation back to the bot: auto replies resume with the next buyer message. */
  async returnToBot(agentId: string, conversationId: string): Promise<void> {
    await this.requireHolder(agentId, conversationId);
    const ok = await this.updateConversation(conversationId, (conv) => {
      if (conv.assignedAgent !== agentId) return null;
      const next: ConversationState = { ...conv, status: 'bot' };
      delete next.assignedAgent;
      delete next.handoff;
      return next;
    });
    await this.deps.store.unassign(agentId, conversationId);
    if (!ok) return;
    await this.recordHistory(conversationId, { kind: 'returned', at: this.nowIso(), agentId });
    await this.clearClocks(conversationId);
    await this.publishTo(agentId, { type: 'released', conversationId, reason: 'returned' });
    await this.deps.conversations.setHandoffStatus(conversationId, 'returned');
    await this.dispatch();
    await Promise.all([this.publishAgents(), this.publishQueue()]);
  }

  /** Closes the conversation with a resolution tag. */
  async close(agentId: string, conversationId: string, resolution: Resolution): Promise<void> {
    await this.requireHolder(agentId, conversationId);
    const ok = await this.updateConversation(conversationId, (conv) => {
      if (conv.assignedAgent !== agentId) return null;
      const next: ConversationState = { ...conv, status: 'closed', closedResolution: resolution };
      delete next.assignedAgent;
      return next;
    });
    await this.deps.store.unassign(agentId, conversationId);
    if (!ok) return;
    await this.recordHistory(conversationId, { kind: 'closed', at: this.nowIso(), agentId, resolution });
    await this.clearClocks(conversationId);
    await this.publishTo(agentId, { type: 'released', conversationId, reason: 'closed' });
    await this.deps.conversations.setHandoffStatus(conversationId, 'closed');
    await this.dispatch();
    await Promise.all([this.publishAgents(), this.publishQueue()]);
  }

  /** Appends to the handoff history (src/handoff/history.ts); a failure is reported, never thrown. */
  private async recordHistory(conversationId: string, event: HandoffEvent): Promise<void> {
    await recordHandoffEvent(this.deps.store, conversationId, event).catch((err: unknown) => this.fail(err, `handoff history of ${conversationId}`));
  }

  // --- SLA ---------------------------------------------------------------------------------

  /** Starts an SLA clock unless one is running or breached (the earliest start counts). */
  private async startClock(kind: SlaKind, conversationId: string, startedAt: number, restart: boolean): Promise<void> {
    const { store } = this.deps;
    if (!restart) {
      // By key: this runs on every buyer turn while queued, and listing every timer grows with the queue.
      const running = (await store.getTimers(clockKeys(kind, conversationId))).some((t) => !t.key.startsWith(`${SLA_PREFIX}warn:`));
      if (running) return;
    }
    for (const t of startTimers(this.sla, kind, conversationId, startedAt)) await store.setTimer(t);
  }

  private async stopFirstResponseClock(conversationId: string, responder: 'agent' | 'bot'): Promise<void> {
    const { store } = this.deps;
    const timers = (await store.getTimers(clockKeys('first_response', conversationId))).sort((a, b) => a.dueAt - b.dueAt);
    const started = timers.map((t) => t.payload['startedAt']).find((v): v is number => typeof v === 'number');
    for (const t of timers) await store.clearTimer(t.key);
    if (started !== undefined) this.deps.metrics?.firstResponse.observe({ responder }, Math.max(0, this.nowMs() - started) / 1000);
    if (timers.length > 0) await this.publishQueue();
  }

  private async clearClocks(conversationId: string): Promise<void> {
    for (const kind of ['first_response', 'logistics_resolution'] as const) {
      for (const key of clockKeys(kind, conversationId)) await this.deps.store.clearTimer(key);
    }
  }

  /**
   * Fires every due timer once (across instances the store hands each to one caller):
   * warnings count as approaching, due timers as breaches and leave a breach marker.
   * Returns the number of timers handled.
   */
  async sweep(now = this.nowMs()): Promise<number> {
    if (this.sweeping) return 0;
    this.sweeping = true;
    try {
      const due = await this.deps.store.takeDueTimers(now, 200);
      for (const t of due) await this.fire(t, now).catch((err: unknown) => this.fail(err, `timer ${t.key}`));
      if (due.length > 0) await this.publishQueue();
      return due.length;
    } finally {
      this.sweeping = false;
    }
  }

  private async fire(t: Timer, now: number): Promise<void> {
    const away = /^presence:away:(.+)$/.exec(t.key);
    if (away?.[1] && this.deps.agents.get(away[1])) {
      await this.awayGraceOver(away[1]);
      return;
    }
    const gone = /^presence:gone:(.+)$/.exec(t.key);
    if (gone?.[1] && this.deps.agents.get(gone[1])) {
      // A console on another instance still renews the lease: the agent is still here.
      const lease = (await this.deps.store.listPresenceLeases()).find((l) => l.agentId === gone[1]);
      if (lease && lease.expiresAt > now) return;
      await this.setPresence(gone[1], 'offline');
      return;
    }
    const parsed = parseSlaKey(t.key);
    if (!parsed) {
      // Not ours: put it back untouched so its owner still gets it.
      await this.deps.store.setTimer(t);
      return;
    }
    const { kind, conversationId, role } = parsed;
    if (role === 'breached') return; // marker expired: nothing left to show
    const conv = await this.deps.store.getConversation(conversationId);
    if (!conv || conv.status === 'closed' || conv.status === 'bot') return;
    const dueAt = typeof t.payload['dueAt'] === 'number' ? t.payload['dueAt'] : t.dueAt;
    const startedAt = typeof t.payload['startedAt'] === 'number' ? t.payload['startedAt'] : now;
    if (role === 'warn') {
      this.deps.metrics?.slaApproaching.inc({ kind });
      await this.notifySla(conv, kind, 'approaching', dueAt);
      return;
    }
    this.deps.metrics?.slaBreaches.inc({ kind });
    await this.deps.store.setTimer(breachMarker(this.sla, kind, conversationId, startedAt, dueAt, now));
    await this.notifySla(conv, kind, 'breached', dueAt);
  }

  private async notifySla(conv: ConversationState, kind: SlaKind, state: 'approaching' | 'breached', dueAt: number): Promise<void> {
    await this.publishTo(conv.assignedAgent ?? '*', { type: 'sla', conversationId: conv.id, kind, state, dueAt });
  }

  /** Runs the sweeper every `intervalMs`; returns the stop function. */
  startSweeper(intervalMs = 1000): () => void {
    let ticks = 0;
    const timer = setInterval(() => {
      this.sweep().catch((err: unknown) => this.fail(err, 'sla sweep'));
      this.expireLeases().catch((err: unknown) => this.fail(err, 'presence lease expiry'));
      // Now and then route again, in case a handoff event was missed (instance restart).
      if (++ticks % 10 === 0) this.dispatch().catch((err: unknown) => this.fail(err, 'dispatch'));
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** SLA views per conversation at `now`. */
  async slaByConversation(now = this.nowMs()): Promise<Map<string, SlaView[]>> {
    return slaViews(await this.deps.store.listTimers(), this.sla, now);
  }

  // --- views -------------------------------------------------------------------------------

  /** The full conversation frame an agent gets on assignment or refresh. */
  async conversationFrame(conversationId: string): Promise<ConversationFrame | null> {
    const { store } = this.deps;
    const conv = await store.getConversation(conversationId);
    if (!conv) return null;
    const [messages, notes, sla, acts] = await Promise.all([
      store.messagesAfter(conversationId, 0, HISTORY_LIMIT),
      store.messagesAfter(notesLogId(conversationId), 0, HISTORY_LIMIT),
      this.slaByConversation(),
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
      sla: sla.get(conversationId) ?? [],
      ...(acts.length > 0 ? { acts: acts.map(actView) } : {}),
    };
    let suggestions = conv.handoff?.suggestions ?? [];
    if (suggestions.length === 0 && this.deps.suggest) {
      try {
        suggestions = this.deps.suggest(conv);
      } catch (err) {
        this.fail(err, 'suggest');
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

  /** The queue as consoles show it, in routing order. */
  async queueView(): Promise<QueueItemView[]> {
    const { store } = this.deps;
    const [queue, sla] = await Promise.all([store.listQueue(), this.slaByConversation()]);
    const convs = await Promise.all(queue.map((e) => store.getConversation(e.conversationId)));
    return queue.map((e, i) => {
      const conv = convs[i] ?? null;
      return queueItemView(e, conv, sla.get(e.conversationId) ?? [], conv ? this.deps.buyerName?.(conv.buyerId) : undefined);
    });
  }

  /** Every configured agent with presence and load. */
  async agentsView(): Promise<AgentStatusView[]> {
    const { store, agents } = this.deps;
    const [list, lapsedIds] = await Promise.all([store.listPresence(), this.lapsedAgents()]);
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
    return this.deps.store.listAssignments(agentId);
  }

  /** Figures for the console header (GET /api/stats). */
  async stats(): Promise<{
    queueLength: number;
    oldestWaitSeconds: number;
    agentsOnline: number;
    agentsAway: number;
    activeChats: number;
    slaApproaching: number;
    slaBreached: number;
    serverTime: number;
  }> {
    const { store } = this.deps;
    const now = this.nowMs();
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

  // --- plumbing ----------------------------------------------------------------------------

  /** Publishes a frame to one agent's consoles (on every instance) or to all with '*'. */
  async publishTo(to: string, frame: AgentEventFrame): Promise<void> {
    const message: AgentBusMessage = { to, frame };
    await this.deps.store.publish(AGENT_CHANNEL, message);
  }

  private queuePublish: Promise<void> | null = null;
  private queueAgain = false;

  /** Publishes the current queue to every console; bursts of changes collapse into one build. */
  async publishQueue(): Promise<void> {
    if (this.queuePublish) {
      this.queueAgain = true;
      return this.queuePublish;
    }
    this.queuePublish = (async () => {
      do {
        this.queueAgain = false;
        const queue = await this.queueView();
        await this.publishTo('*', { type: 'queue', queue, serverTime: this.nowMs() });
        if (this.queueAgain) await new Promise((r) => setTimeout(r, QUEUE_REBUILD_GAP_MS));
      } while (this.queueAgain);
    })().finally(() => {
      this.queuePublish = null;
    });
    return this.queuePublish;
  }

  async publishAgents(): Promise<void> {
    await this.publishTo('*', { type: 'agents', agents: await this.agentsView() });
  }

  private requireAgent(agentId: string): AgentDef {
    const agent = this.deps.agents.get(agentId);
    if (!agent) throw new AppError('FORBIDDEN', 'Unknown agent');
    return agent;
  }

  private async requireHolder(agentId: string, conversationId: string): Promise<ConversationState> {
    this.requireAgent(agentId);
    const conv = await this.deps.store.getConversation(conversationId);
    if (!conv) throw new AppError('NOT_FOUND', 'No such conversation');
    if (conv.status !== 'agent' || conv.assignedAgent !== agentId) {
      throw new AppError('FORBIDDEN', 'You do not hold this conversation');
    }
    return conv;
  }

  /**
   * Read-modify-write of a conversation under the bot turn's lock, so an agent action and a
   * buyer turn never overwrite each other. `change` returns null to leave it as it is.
   */
  private async updateConversation(conversationId: string, change: (conv: ConversationState) => ConversationState | null): Promise<boolean> {
    const { store } = this.deps;
    return store.withLock(`turn:${conversationId}`, this.lockMs, async () => {
      const conv = await store.getConversation(conversationId);
      if (!conv) return false;
      const next = change(conv);
      if (!next) return false;
      await store.saveConversation({ ...next, updatedAt: this.nowIso() });
      return true;
    });
  }
}

/** Agent ids whose lease expired at or before `now`. */
function lapsed(leases: readonly PresenceLease[], now: number): Set<string> {
  return new Set(leases.filter((l) => l.expiresAt <= now).map((l) => l.agentId));
}

function awayTimerKey(agentId: string): string {
  return `presence:away:${agentId}`;
}

function goneTimerKey(agentId: string): string {
  return `presence:gone:${agentId}`;
}

/** After-sale logistics (late, lost, signed-but-missing parcels) runs on the 48 h clock. */
export function isLogisticsIssue(conv: ConversationState): boolean {
  if (conv.handoff?.reason === 'overdue_delivery') return true;
  const turn = lastTurn(conv);
  return turn?.intent === 'delivery.tracking' || turn?.intent === 'delivery.signed_not_received';
}

/** What an agent's message did with the suggestions shown (stored as the message's meta.suggestion). */
export interface MessageSuggestionUse {
  use: SuggestionUse;
  /** The suggestion started from (absent when ignored). */
  index?: number;
  templateId?: string;
  /** How many suggestions the agent had. */
  offered: number;
}

/**
 * Which suggestion an agent's message used: the same text is sent as is, a message the console
 * says started from suggestion `index` is edited, anything else ignored them all. Undefined
 * when there were no suggestions.
 */
export function suggestionUse(suggestions: readonly Suggestion[], text: string, index?: number): MessageSuggestionUse | undefined {
  if (suggestions.length === 0) return undefined;
  const exact = suggestions.findIndex((s) => s.text === text.trim());
  const used = exact !== -1 ? exact : index !== undefined && suggestions[index] ? index : -1;
  if (used === -1) return { use: 'ignored', offered: suggestions.length };
  const templateId = suggestions[used]?.templateId;
  return { use: exact !== -1 ? 'sent_as_is' : 'edited', index: used, ...(templateId ? { templateId } : {}), offered: suggestions.length };
}
