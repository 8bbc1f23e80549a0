/**
 * Routing: who holds which queued conversation. Dispatch assigns the head of the queue to the
 * least-loaded online agent with a free slot; an agent may pick a conversation themselves;
 * a holder may transfer it to a colleague or back to the queue; an agent who leaves hands
 * every chat over.
 *
 * No global lock: the store's claim (claimNext) is atomic, takes a conversation out of the
 * queue exactly once and never beyond the agent's capacity, so several instances may
 * dispatch at the same time. Moves between agents (transfer, handover) are checked after
 * the fact: a move that took the target past capacity (another instance assigned meanwhile)
 * is undone. Each claim and move also holds the conversation's turn lock, so a buyer turn
 * never writes back the state it read before.
 */
import type { ConversationState, Priority } from '../model/conversation';
import { AppError } from '../errors';
import type { Metrics } from '../metrics';
import type { QueueEntry } from '../store/types';
import { displayNameOf, type AgentDef } from './agents';
import type { ConversationPort, HandoffCore } from './core';
import { queuePriority } from './priority';
import type { AgentPublisher } from './publish';
import type { AgentRoster } from './roster';
import type { HandoffViews } from './views';

export interface RoutingDeps {
  conversations: ConversationPort;
  metrics?: Metrics;
}

/** Claims that found nothing to take (taken by another instance meanwhile) before a dispatch round stops. */
const MAX_MISSES = 3;

export class Routing {
  constructor(
    private readonly core: HandoffCore,
    private readonly roster: AgentRoster,
    private readonly views: HandoffViews,
    private readonly publisher: AgentPublisher,
    private readonly deps: RoutingDeps,
  ) {}

  /**
   * Assigns queued conversations, head first, each to the least-loaded online agent with a
   * free slot, until the queue is empty or nobody has room. `exclude` skips one agent for
   * this round. Returns how many were assigned.
   */
  async dispatch(exclude?: string): Promise<number> {
    const { store } = this.core;
    const assigned: { agent: AgentDef; entry: QueueEntry }[] = [];
    for (let misses = 0; misses < MAX_MISSES;) {
      // Who has room first: with nobody free (the usual case while a queue builds) the queue is not read.
      const agent = await this.roster.pickAgent(exclude);
      if (!agent) break;
      const head = await store.queueHead();
      if (!head) break;
      const entry = await this.claim(agent, head.conversationId);
      // Gone meanwhile (withdrawn, claimed elsewhere) or the agent filled up elsewhere: look again.
      if (!entry) {
        misses++;
        continue;
      }
      if (await this.acceptClaim(agent, entry)) assigned.push({ agent, entry });
    }
    for (const { agent, entry } of assigned) await this.announceAssignment(agent, entry.conversationId);
    for (const { entry } of assigned) await this.publisher.queueRemoved(entry.conversationId);
    if (assigned.length > 0) await this.publisher.publishAgents();
    return assigned.length;
  }

  /** An agent takes one conversation from the queue (respecting their capacity). */
  async pick(agentId: string, conversationId: string): Promise<void> {
    const agent = this.core.requireAgent(agentId);
    const { store } = this.core;
    if ((await store.getPresence(agentId))?.status === 'away')
      throw new AppError('CONFLICT', 'You are away (离开): come back online to take chats from the queue');
    const full = async (): Promise<AppError | null> => {
      const load = (await store.listAssignments(agentId)).length;
      return load >= agent.maxChats ? new AppError('CONFLICT', `You already hold ${load} of ${agent.maxChats} conversations`) : null;
    };
    const before = await full();
    if (before) throw before;
    const entry = await this.claim(agent, conversationId);
    if (!entry) {
      // The claim is atomic on both counts: say which one failed.
      const after = await full();
      if (after) throw after;
      throw new AppError('NOT_FOUND', 'That conversation is no longer in the queue');
    }
    if (!(await this.acceptClaim(agent, entry))) throw new AppError('CONFLICT', 'That conversation is no longer waiting');
    await this.announceAssignment(agent, conversationId);
    await this.publisher.queueRemoved(conversationId);
    await this.publisher.publishAgents();
  }

  /**
   * Hands a conversation to another online agent with room, or back to the queue when
   * `toAgentId` is omitted. The new holder gets the full history.
   */
  async transfer(agentId: string, conversationId: string, toAgentId?: string): Promise<void> {
    await this.core.requireHolder(agentId, conversationId);
    if (toAgentId === undefined) {
      await this.requeue(agentId, conversationId, 'transfer');
      // The agent who just let go is skipped on purpose: give colleagues the first chance.
      await this.dispatch(agentId);
      await this.publisher.publishAgents();
      return;
    }
    if (toAgentId === agentId) throw new AppError('CONFLICT', 'You already hold this conversation');
    const target = this.core.agents.get(toAgentId);
    if (!target) throw new AppError('NOT_FOUND', `No agent ${toAgentId}`);
    if (!(await this.roster.isOnline(toAgentId))) throw new AppError('CONFLICT', `${displayNameOf(target)} is not online`);
    const noRoom = new AppError('CONFLICT', `${displayNameOf(target)} has no free slot`);
    if ((await this.core.store.listAssignments(toAgentId)).length >= target.maxChats) throw noRoom;
    const moved = await this.moveTo(agentId, target, conversationId);
    if (moved === 'full') throw noRoom;
    if (moved === 'moved') await this.finishMove(agentId, target, conversationId, 'transfer');
  }

  /** Hands every conversation the agent holds to a colleague with room, or back to the queue. */
  async handOver(agentId: string): Promise<void> {
    for (const conversationId of await this.core.store.listAssignments(agentId)) {
      const target = await this.roster.pickAgent(agentId);
      if (target && (await this.moveTo(agentId, target, conversationId)) === 'moved') {
        await this.finishMove(agentId, target, conversationId, 'handover');
      } else {
        await this.requeue(agentId, conversationId, 'handover');
      }
    }
  }

  /** Puts a held conversation back in the queue keeping its original place in time. */
  async requeue(agentId: string, conversationId: string, reason: 'transfer' | 'handover'): Promise<void> {
    const { store } = this.core;
    let entry: QueueEntry | undefined;
    const ok = await this.core.updateConversation(conversationId, (conv) => {
      if (conv.status !== 'agent' || conv.assignedAgent !== agentId) return null;
      const priority: Priority = conv.handoff ? queuePriority(conv.handoff, conv) : 'normal';
      entry = {
        conversationId,
        priority,
        enqueuedAt: conv.handoff?.at ?? this.core.nowIso(),
        ...(conv.handoff ? { reason: conv.handoff.reason } : {}),
      };
      const next: ConversationState = { ...conv, status: 'queued' };
      delete next.assignedAgent;
      return next;
    });
    await store.unassign(agentId, conversationId);
    if (!ok || !entry) return;
    await store.enqueue(entry);
    await this.publisher.publishTo(agentId, { type: 'released', conversationId, reason });
    await this.deps.conversations.setHandoffStatus(conversationId, 'queued');
    await this.publisher.queueChanged(conversationId, 'added', entry);
  }

  /**
   * Claims one queued conversation for the agent. The store moves it to the agent in the same
   * step (the handoff invariant) and only below the agent's capacity; the turn lock keeps a
   * buyer turn from writing back the state it read before the claim.
   */
  private claim(agent: AgentDef, conversationId: string): Promise<QueueEntry | null> {
    return this.core.withConversationLock(conversationId, () => this.core.store.claimNext(agent.id, agent.maxChats, conversationId));
  }

  /** Completes a claim on the conversation (stamps it); drops claims of conversations that moved on. */
  private async acceptClaim(agent: AgentDef, entry: QueueEntry): Promise<boolean> {
    const ok = await this.core.updateConversation(entry.conversationId, (conv) => {
      if (conv.status === 'agent' && conv.assignedAgent === agent.id) return { ...conv };
      // Data from before the store moved claimed conversations itself.
      return conv.status === 'queued' ? { ...conv, status: 'agent', assignedAgent: agent.id } : null;
    });
    if (!ok) {
      await this.core.store.unassign(agent.id, entry.conversationId);
      return false;
    }
    const waited = (this.core.nowMs() - Date.parse(entry.enqueuedAt)) / 1000;
    if (Number.isFinite(waited)) this.deps.metrics?.queueWait.observe(Math.max(0, waited));
    return true;
  }

  private async announceAssignment(agent: AgentDef, conversationId: string): Promise<void> {
    await this.deps.conversations.setHandoffStatus(conversationId, 'assigned', { id: agent.id, name: displayNameOf(agent) });
    const frame = await this.views.conversationFrame(conversationId);
    if (frame) await this.publisher.publishTo(agent.id, frame);
  }

  /**
   * Moves a held conversation from one agent to another. Capacity is checked after the move
   * (a claim elsewhere may have filled the target meanwhile): over it, the move is undone,
   * and should the source have filled up meanwhile too, the conversation goes back to the
   * queue at its place in time rather than past anyone's capacity.
   */
  private async moveTo(fromId: string, target: AgentDef, conversationId: string): Promise<'moved' | 'full' | 'gone'> {
    const { store } = this.core;
    const held = (conv: ConversationState, by: string): boolean => conv.status === 'agent' && conv.assignedAgent === by;
    const ok = await this.core.updateConversation(conversationId, (conv) => (held(conv, fromId) ? { ...conv, assignedAgent: target.id } : null));
    if (!ok) return 'gone';
    await store.unassign(fromId, conversationId);
    await store.assign(target.id, conversationId);
    if ((await store.listAssignments(target.id)).length <= target.maxChats) return 'moved';
    const back = await this.core.updateConversation(conversationId, (conv) => (held(conv, target.id) ? { ...conv, assignedAgent: fromId } : null));
    if (!back) return 'gone';
    await store.assign(fromId, conversationId);
    await store.unassign(target.id, conversationId);
    const source = this.core.agents.get(fromId);
    if (source && (await store.listAssignments(fromId)).length > source.maxChats) await this.requeue(fromId, conversationId, 'transfer');
    return 'full';
  }

  private async finishMove(fromId: string, target: AgentDef, conversationId: string, reason: 'transfer' | 'handover'): Promise<void> {
    await this.publisher.publishTo(fromId, { type: 'released', conversationId, reason });
    await this.announceAssignment(target, conversationId);
    await this.publisher.publishAgents();
  }
}
