/**
 * What every piece of the handoff stage shares: the store, the agent registry, the clock and
 * the per-conversation lock. All shared state lives in the Store (queue, assignments,
 * presence, timers, conversations), so several instances can run the handoff against one
 * Store; conversation state is written under the same per-conversation lock the bot turn
 * uses ('turn:<id>'), so an agent action and a buyer turn never overwrite each other.
 */
import { recordHandoffEvent, type HandoffEvent } from './history';
import type { ConversationState, HandoffInfo } from '../model/conversation';
import { AppError } from '../errors';
import type { NewMessage, Store, StoredMessage } from '../store/types';
import type { AgentDef, AgentRegistry } from './agents';

/** The part of the server's conversation service the handoff side uses (src/conversation/conversation-service.ts). */
export interface ConversationPort {
  postMessage(conversationId: string, message: NewMessage): Promise<StoredMessage>;
  setHandoffStatus(
    conversationId: string,
    status: 'queued' | 'assigned' | 'returned' | 'closed',
    agent?: { id: string; name?: string },
  ): Promise<void>;
}

/** Info about a buyer turn, given by the engine wrapper (`withTurnHooks` in ./wiring). */
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

export interface HandoffCoreDeps {
  store: Store;
  agents: AgentRegistry;
  clock?: () => Date;
  /** Lease of the per-conversation lock (same key as the bot turn). Default 15 s. */
  lockMs?: number;
  onError?: (err: unknown, context: string) => void;
}

/** Notes live in their own log so they can never reach the buyer's widget or replay. */
export function notesLogId(conversationId: string): string {
  return `note:${conversationId}`;
}

/** The store, registry, clock and conversation lock, as every handoff piece uses them. */
export class HandoffCore {
  readonly store: Store;
  readonly agents: AgentRegistry;
  readonly clock: () => Date;
  readonly lockMs: number;
  private readonly onError: ((err: unknown, context: string) => void) | undefined;
  /** Work started by events, turns and timers that nobody awaits (see `track`). */
  private readonly running = new Set<Promise<unknown>>();

  constructor(deps: HandoffCoreDeps) {
    this.store = deps.store;
    this.agents = deps.agents;
    this.clock = deps.clock ?? (() => new Date());
    this.lockMs = deps.lockMs ?? 15_000;
    this.onError = deps.onError;
  }

  nowMs(): number {
    return this.clock().getTime();
  }

  nowIso(): string {
    return this.clock().toISOString();
  }

  /**
   * Keeps count of work that runs on its own (a queued event's routing, a buyer turn's clock,
   * a sweep), so shutdown can wait for it before the store closes (`settled`). Returns `work`.
   */
  track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    const done = (): void => void this.running.delete(work);
    work.then(done, done);
    return work;
  }

  /** Resolves once all tracked work started so far, and any it started, has finished. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Reports an error of background work (sweeps, renewals) with where it happened. */
  fail(err: unknown, context: string): void {
    this.onError?.(err, context);
  }

  /** Appends to the conversation's handoff history (src/handoff/history.ts); a failure is reported, never thrown. */
  async recordHistory(conversationId: string, event: HandoffEvent): Promise<void> {
    await recordHandoffEvent(this.store, conversationId, event).catch((err: unknown) => this.fail(err, `handoff history of ${conversationId}`));
  }

  requireAgent(agentId: string): AgentDef {
    const agent = this.agents.get(agentId);
    if (!agent) throw new AppError('FORBIDDEN', 'Unknown agent');
    return agent;
  }

  /** The conversation, if `agentId` is a known agent holding it; throws otherwise. */
  async requireHolder(agentId: string, conversationId: string): Promise<ConversationState> {
    this.requireAgent(agentId);
    const conv = await this.store.getConversation(conversationId);
    if (!conv) throw new AppError('NOT_FOUND', 'No such conversation');
    if (conv.status !== 'agent' || conv.assignedAgent !== agentId) {
      throw new AppError('FORBIDDEN', 'You do not hold this conversation');
    }
    return conv;
  }

  /** Runs `fn` under the conversation's turn lock (the one the bot turn takes). */
  withConversationLock<T>(conversationId: string, fn: () => Promise<T>): Promise<T> {
    return this.store.withLock(`turn:${conversationId}`, this.lockMs, fn);
  }

  /**
   * Read-modify-write of a conversation under the bot turn's lock. `change` returns null to
   * leave it as it is. Returns whether it was written.
   */
  async updateConversation(conversationId: string, change: (conv: ConversationState) => ConversationState | null): Promise<boolean> {
    return this.withConversationLock(conversationId, async () => {
      const conv = await this.store.getConversation(conversationId);
      if (!conv) return false;
      const next = change(conv);
      if (!next) return false;
      await this.store.saveConversation({ ...next, updatedAt: this.nowIso() });
      return true;
    });
  }
}
