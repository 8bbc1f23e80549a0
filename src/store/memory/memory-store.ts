/**
 * The embedded store (the default): all state in process memory, every durable mutation
 * journaled to DATA_DIR when a data directory is given (see ./journal.ts for the fsync
 * policy). Mutations apply to memory synchronously, so the check-and-set operations
 * (claimNext, takeDueTimers, seq assignment) are atomic within the one process that owns the
 * directory; the returned promise resolves once the journal write is durable.
 *
 * Bus and Locks are in-process only; several processes need the Redis store.
 */
import { AppError } from '../../errors';
import type { ConversationState } from '../../model/conversation';
import { checkHandoffFields, defaultQueueEntry } from '../handoff-state';
import { compareQueueEntries, LocalLocks, sortQueue, stderrLogger, type AuditEntry, type StoreLogger } from '../shared';
import type {
  AgentPresence,
  BuyerSession,
  IdlePolicy,
  NewMessage,
  PresenceLease,
  QueueEntry,
  ScriptDraft,
  ScriptVersion,
  Store,
  StoredMessage,
  TakeOptions,
  Timer,
  TurnCommit,
} from '../types';
import type { AppendOptions, OutboxAct, StoreCapabilities } from '../types';
import { diffConversation } from './conversation-patch';
import { frozen, frozenPlain } from '../../model/frozen';
import { Journal, type FsyncPolicy, type JournalBatch } from './journal';
import { applyOp, emptyState, logOf, type JournalOp, type MemoryState } from './state';

export type { FsyncPolicy, JournalBatch } from './journal';

export interface MemoryStoreOptions {
  /** Journal directory. Omitted: pure memory, nothing survives the process (tests). */
  dataDir?: string;
  /** See ./journal.ts. Default 'always' (group commit). */
  fsync?: FsyncPolicy;
  /** For fsync 'interval'. Default 1000. */
  fsyncIntervalMs?: number;
  /** Compact the journal once it is larger than this (and twice its last compacted size). Default 64 MiB. */
  compactBytes?: number;
  logger?: StoreLogger;
  /** Reports each journal batch (its write + fsync time), e.g. to the metrics. */
  onJournalBatch?: (batch: JournalBatch) => void;
  /** Clock for the rate limiter windows. Default Date.now. */
  now?: () => number;
}

/** Creates the embedded store; with `dataDir` it reloads the journal synchronously first. */
export function createMemoryStore(options: MemoryStoreOptions = {}): Store {
  return new MemoryStore(options);
}

/** How long a call id's result is remembered (see TakeOptions); the Redis store uses the same. */
const CALL_MEMORY_MS = 60_000;

/**
 * JSON round trip: callers never share objects with the store (as with Redis). Conversations
 * and messages, read and written on every turn, are kept frozen instead (src/model/frozen.ts).
 */
function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

class MemoryStore implements Store {
  readonly kind = 'memory' as const;
  readonly capabilities: StoreCapabilities;
  private readonly state: MemoryState = emptyState();
  private readonly journal: Journal | null;
  private readonly now: () => number;
  private readonly logger: StoreLogger;
  private readonly rate = new Map<string, { count: number; resetAt: number }>();
  private readonly channels = new Map<string, Set<(message: unknown) => void>>();
  private readonly locks = new LocalLocks();
  /** Results of recent take calls by call id (not journaled: nothing resends across a restart). */
  private readonly calls = new Map<string, { until: number; result: Promise<string> }>();
  private closed = false;

  constructor(options: MemoryStoreOptions) {
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? stderrLogger;
    this.capabilities = { sharedAcrossInstances: false, durable: options.dataDir !== undefined, remote: false };
    this.journal =
      options.dataDir === undefined
        ? null
        : new Journal(
            {
              dir: options.dataDir,
              fsync: options.fsync ?? 'always',
              fsyncIntervalMs: options.fsyncIntervalMs ?? 1000,
              compactBytes: options.compactBytes ?? 64 * 1024 * 1024,
              logger: this.logger,
              ...(options.onJournalBatch ? { onBatch: options.onJournalBatch } : {}),
            },
            this.state,
          );
  }

  /** Applies ops to memory now and resolves when they are journaled. */
  private commit(...ops: JournalOp[]): Promise<void> {
    if (this.closed) return Promise.reject(new AppError('STORE_UNAVAILABLE', 'Store is closed'));
    for (const op of ops) applyOp(this.state, op);
    const journal = this.journal;
    if (!journal) return Promise.resolve();
    if (ops.length === 1) return journal.write(ops[0] as JournalOp);
    return Promise.all(ops.map((op) => journal.write(op))).then(() => undefined);
  }

  // --- conversations -------------------------------------------------------------------

  /** The stored conversation itself, frozen (src/model/frozen.ts): reading costs no copy. */
  async getConversation(id: string): Promise<ConversationState | null> {
    const conv = this.state.conversations.get(id);
    return conv ? frozen(conv) : null;
  }

  saveConversation(conv: ConversationState): Promise<void> {
    if (this.closed) return Promise.reject(new AppError('STORE_UNAVAILABLE', 'Store is closed'));
    try {
      checkHandoffFields(conv);
    } catch (err) {
      return Promise.reject(err);
    }
    const v = frozenPlain(conv);
    // The queue and the assignments follow the status in the same synchronous step.
    const follow = this.handoffOps(v);
    const r = (this.state.revs.get(v.id) ?? 0) + 1;
    applyOp(this.state, { t: 'conv', v, r });
    for (const op of follow) applyOp(this.state, op);
    if (!this.journal) return Promise.resolve();
    const journal = this.journal;
    const written = [journal.write({ t: 'conv', v, r }), ...follow.map((op) => journal.write(op))];
    return Promise.all(written).then(() => undefined);
  }

  /**
   * One journal line per turn: the state as a patch on the stored one (what changed, not
   * every past turn record again), the replies and the queue ops, applied to memory in one
   * synchronous step and made durable by one (group-committed) fdatasync. The new state is
   * kept frozen as given (copied only when it is not plain JSON), so the parts it shares with
   * the stored one cost nothing to keep or to compare.
   */
  commitTurn(turn: TurnCommit): Promise<StoredMessage[]> {
    if (this.closed) return Promise.reject(new AppError('STORE_UNAVAILABLE', 'Store is closed'));
    try {
      checkHandoffFields(turn.conversation);
    } catch (err) {
      return Promise.reject(err);
    }
    const v = frozenPlain(turn.conversation);
    const id = v.id;
    const prev = this.state.conversations.get(id);
    const base = this.state.revs.get(id) ?? 0;
    const follow = this.handoffOps(v);
    const log = logOf(this.state, id);
    const msgs: StoredMessage[] = turn.messages.map((m, i) => frozenPlain({ ...m, conversationId: id, seq: log.messages.length + 1 + i }));
    const op: JournalOp = {
      t: 'turn',
      id,
      base,
      ...(prev ? { p: diffConversation(prev, v) } : { v }),
      msgs,
      ...(follow.length > 0 ? { ops: follow } : {}),
    };
    // Memory takes `v` itself (the patch applied to prev gives the same value, as replay does).
    this.state.conversations.set(id, v);
    this.state.revs.set(id, base + 1);
    for (const m of msgs) applyOp(this.state, { t: 'msg', v: m });
    for (const f of follow) applyOp(this.state, f);
    if (!this.journal) return Promise.resolve(msgs);
    return this.journal.write(op).then(() => msgs);
  }

  /**
   * The queue and assignment ops that make the store match `conv`'s status (the handoff
   * invariant, see ../handoff-state.ts): an entry while queued and only then, an assignment to
   * `assignedAgent` while with an agent and no other.
   */
  private handoffOps(conv: ConversationState): JournalOp[] {
    const ops: JournalOp[] = [];
    const inQueue = this.state.queue.has(conv.id);
    if (conv.status === 'queued' && !inQueue) ops.push({ t: 'enqueue', v: defaultQueueEntry(conv) });
    if (conv.status !== 'queued' && inQueue) ops.push({ t: 'dequeue', id: conv.id });
    const holder = conv.status === 'agent' ? conv.assignedAgent : undefined;
    for (const [agent, convs] of this.state.assignments) {
      if (convs.has(conv.id) && agent !== holder) ops.push({ t: 'unassign', agent, conv: conv.id });
    }
    if (holder !== undefined && !this.state.assignments.get(holder)?.has(conv.id)) ops.push({ t: 'assign', agent: holder, conv: conv.id });
    return ops;
  }

  /** Stores a changed conversation with the queue and assignment ops its status needs, in one step. */
  private commitConversation(conv: ConversationState): Promise<void> {
    const v = frozenPlain(conv);
    return this.commit({ t: 'conv', v }, ...this.handoffOps(v));
  }

  async listConversations(filter?: { status?: ConversationState['status'] }): Promise<ConversationState[]> {
    const all = [...this.state.conversations.values()];
    return (filter?.status ? all.filter((c) => c.status === filter.status) : all).map(frozen);
  }

  async removeConversations(ids: readonly string[], options: { closedBefore?: string } = {}): Promise<string[]> {
    const cutoff = options.closedBefore === undefined ? Infinity : Date.parse(options.closedBefore);
    const wanted = new Set(
      ids.filter((id) => {
        const conv = this.state.conversations.get(id);
        return conv?.status === 'closed' && Date.parse(conv.updatedAt) <= cutoff;
      }),
    );
    if (wanted.size === 0) return [];
    // One pass over the sessions for the whole batch; each conversation's acts come from the outbox index.
    const buyers = new Map<string, string>();
    for (const s of this.state.sessions.values()) if (wanted.has(s.conversationId)) buyers.set(s.conversationId, s.buyerId);
    const ops = [...wanted].map((conv): JournalOp => {
      const buyer = buyers.get(conv);
      const ids = [...(this.state.outboxByConv.get(conv) ?? [])];
      return { t: 'forget', conv, ...(buyer !== undefined ? { buyer } : {}), ...(ids.length > 0 ? { acts: ids } : {}) };
    });
    // Many gone at once: rewrite the journal without them now rather than once it doubled.
    if (wanted.size >= 100) this.journal?.requestCompaction();
    await this.commit(...ops);
    return [...wanted];
  }

  async getBuyerSession(buyerId: string): Promise<BuyerSession | null> {
    const s = this.state.sessions.get(buyerId);
    return s ? copy(s) : null;
  }

  saveBuyerSession(session: BuyerSession): Promise<void> {
    return this.commit({ t: 'session', v: copy(session) });
  }

  // --- message log ---------------------------------------------------------------------

  async appendMessage(conversationId: string, msg: NewMessage, options: AppendOptions = {}): Promise<StoredMessage> {
    if (this.closed) throw new AppError('STORE_UNAVAILABLE', 'Store is closed');
    const log = logOf(this.state, conversationId);
    if (msg.clientId !== undefined) {
      const seq = log.byClientId.get(msg.clientId);
      const earlier = seq === undefined ? undefined : log.messages[seq - 1];
      if (earlier) {
        // The earlier append may still be on its way to disk; the retry must not be
        // acknowledged before the original is durable.
        options.onStored?.(frozen(earlier));
        if (this.journal) await this.journal.write({ t: 'msg', v: earlier });
        return frozen(earlier);
      }
    }
    const stored: StoredMessage = frozenPlain({ ...msg, conversationId, seq: log.messages.length + 1 });
    // Applied to memory synchronously; durable when the promise resolves.
    const durable = this.commit({ t: 'msg', v: stored });
    options.onStored?.(stored);
    await durable;
    return stored;
  }

  async messagesAfter(conversationId: string, afterSeq: number, limit?: number): Promise<StoredMessage[]> {
    const messages = this.state.logs.get(conversationId)?.messages ?? [];
    const from = Math.max(0, Math.floor(afterSeq));
    const to = limit === undefined ? messages.length : Math.min(messages.length, from + Math.max(0, limit));
    return messages.slice(from, to).map(frozen);
  }

  async lastSeq(conversationId: string): Promise<number> {
    // Seqs are gap-free from 1, so the count is the last one.
    return this.state.logs.get(conversationId)?.messages.length ?? 0;
  }

  // --- handoff queue -------------------------------------------------------------------

  async enqueue(entry: QueueEntry): Promise<void> {
    // Only a queued conversation has a place in the queue (a bare id without a conversation may).
    const conv = this.state.conversations.get(entry.conversationId);
    if (conv && conv.status !== 'queued') return;
    await this.commit({ t: 'enqueue', v: copy(entry) });
  }

  async removeFromQueue(conversationId: string): Promise<boolean> {
    if (!this.state.queue.has(conversationId)) return false;
    const conv = this.state.conversations.get(conversationId);
    if (conv?.status === 'queued') {
      // Out of the queue, the conversation is back with the bot.
      const next: ConversationState = { ...copy(conv), status: 'bot' };
      delete next.handoff;
      await this.commitConversation(next);
      return true;
    }
    await this.commit({ t: 'dequeue', id: conversationId });
    return true;
  }

  async listQueue(): Promise<QueueEntry[]> {
    return copy(sortQueue(this.state.queue.values()));
  }

  async getQueueEntry(conversationId: string): Promise<QueueEntry | null> {
    const entry = this.state.queue.get(conversationId);
    return entry ? copy(entry) : null;
  }

  async queueHead(): Promise<QueueEntry | null> {
    const head = this.headEntry();
    return head ? copy(head) : null;
  }

  /** The first entry in listQueue's order, in one pass: no copy and no sort of the whole queue. */
  private headEntry(): QueueEntry | undefined {
    let head: QueueEntry | undefined;
    for (const entry of this.state.queue.values()) if (!head || compareQueueEntries(entry, head) < 0) head = entry;
    return head;
  }

  async queuePosition(conversationId: string): Promise<number | null> {
    const entry = this.state.queue.get(conversationId);
    if (!entry) return null;
    // One pass counting who sorts before it: no copy and no sort of the whole queue.
    let ahead = 0;
    for (const other of this.state.queue.values()) if (compareQueueEntries(other, entry) < 0) ahead += 1;
    return ahead;
  }

  claimNext(agentId: string, maxLoad: number, conversationId?: string, options: TakeOptions = {}): Promise<QueueEntry | null> {
    return this.once(options.callId, () => this.claim(agentId, maxLoad, conversationId));
  }

  private async claim(agentId: string, maxLoad: number, conversationId?: string): Promise<QueueEntry | null> {
    // Everything up to commit() runs synchronously: no other claim can interleave.
    const load = this.state.assignments.get(agentId)?.size ?? 0;
    if (load >= maxLoad) return null;
    let entry: QueueEntry | undefined;
    if (conversationId !== undefined) entry = this.state.queue.get(conversationId);
    else entry = this.headEntry();
    if (!entry) return null;
    const taken = copy(entry);
    const conv = this.state.conversations.get(taken.conversationId);
    if (conv) {
      // The conversation goes to the agent in the same step that takes its entry.
      await this.commitConversation({ ...conv, status: 'agent', assignedAgent: agentId });
      return taken;
    }
    await this.commit({ t: 'dequeue', id: taken.conversationId }, { t: 'assign', agent: agentId, conv: taken.conversationId });
    return taken;
  }

  // --- agents --------------------------------------------------------------------------

  setPresence(p: AgentPresence): Promise<void> {
    return this.commit({ t: 'presence', v: copy(p) });
  }

  async getPresence(agentId: string): Promise<AgentPresence | null> {
    const p = this.state.presence.get(agentId);
    return p ? copy(p) : null;
  }

  async listPresence(): Promise<AgentPresence[]> {
    return copy([...this.state.presence.values()]);
  }

  async listAssignments(agentId: string): Promise<string[]> {
    return [...(this.state.assignments.get(agentId) ?? [])].sort();
  }

  assign(agentId: string, conversationId: string): Promise<void> {
    const conv = this.state.conversations.get(conversationId);
    // Holding a conversation is being its agent: the status follows.
    if (conv) return this.commitConversation({ ...conv, status: 'agent', assignedAgent: agentId });
    return this.commit({ t: 'assign', agent: agentId, conv: conversationId });
  }

  unassign(agentId: string, conversationId: string): Promise<void> {
    const conv = this.state.conversations.get(conversationId);
    if (conv?.status === 'agent' && conv.assignedAgent === agentId) {
      // Nobody holds it any more: it waits in the queue rather than with nobody.
      const next: ConversationState = { ...copy(conv), status: 'queued' };
      delete next.assignedAgent;
      return this.commitConversation(next);
    }
    return this.commit({ t: 'unassign', agent: agentId, conv: conversationId });
  }

  async renewPresenceLease(agentId: string, expiresAt: number): Promise<boolean> {
    const current = this.state.leases.get(agentId);
    if (current === undefined || current < expiresAt) await this.commit({ t: 'lease', agent: agentId, until: expiresAt });
    return current !== undefined;
  }

  async listPresenceLeases(): Promise<PresenceLease[]> {
    return [...this.state.leases].map(([agentId, expiresAt]) => ({ agentId, expiresAt }));
  }

  takeExpiredLeases(now: number, limit = 100, options: TakeOptions = {}): Promise<PresenceLease[]> {
    return this.once(options.callId, () => this.takeExpired(now, limit));
  }

  private async takeExpired(now: number, limit: number): Promise<PresenceLease[]> {
    // Synchronous up to commit(), like claimNext: two callers never take the same lease.
    const expired = [...this.state.leases]
      .filter(([, until]) => until <= now)
      .sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, limit)
      .map(([agentId, expiresAt]) => ({ agentId, expiresAt }));
    if (expired.length === 0) return [];
    const since = new Date(now).toISOString();
    const ops = expired.flatMap(({ agentId }): JournalOp[] => {
      const p = this.state.presence.get(agentId);
      const offline: JournalOp[] = p && p.status !== 'offline' ? [{ t: 'presence', v: { agentId, status: 'offline', since } }] : [];
      return [{ t: 'unlease', agent: agentId }, ...offline];
    });
    await this.commit(...ops);
    return expired;
  }

  // --- timers --------------------------------------------------------------------------

  setTimer(timer: Timer): Promise<void> {
    return this.commit({ t: 'timer', v: copy(timer) });
  }

  async clearTimer(key: string): Promise<void> {
    if (!this.state.timers.has(key)) return;
    await this.commit({ t: 'untimer', key });
  }

  takeDueTimers(now: number, limit = 100, options: TakeOptions = {}): Promise<Timer[]> {
    return this.once(options.callId, () => this.takeDue(now, limit));
  }

  private async takeDue(now: number, limit: number): Promise<Timer[]> {
    const due = [...this.state.timers.values()]
      .filter((t) => t.dueAt <= now)
      .sort((a, b) => a.dueAt - b.dueAt || (a.key < b.key ? -1 : 1))
      .slice(0, limit);
    if (due.length === 0) return [];
    await this.commit(...due.map((t): JournalOp => ({ t: 'untimer', key: t.key })));
    return copy(due);
  }

  async getTimers(keys: readonly string[]): Promise<Timer[]> {
    return copy(keys.flatMap((k) => this.state.timers.get(k) ?? []));
  }

  async listTimers(): Promise<Timer[]> {
    return copy([...this.state.timers.values()].sort((a, b) => a.dueAt - b.dueAt));
  }

  /**
   * Runs a take operation once per call id: a repeated id within CALL_MEMORY_MS gets the
   * first call's result (see TakeOptions). Without an id every call runs.
   */
  private once<T>(callId: string | undefined, run: () => Promise<T>): Promise<T> {
    if (callId === undefined) return run();
    const now = this.now();
    const seen = this.calls.get(callId);
    if (seen && seen.until > now) return seen.result.then((text) => JSON.parse(text) as T);
    if (this.calls.size >= 1000) for (const [id, c] of this.calls) if (c.until <= now) this.calls.delete(id);
    const result = run();
    // Kept as text, so what the first caller does with its result never shows in a repeat.
    const text = result.then((r) => JSON.stringify(r));
    this.calls.set(callId, { until: now + CALL_MEMORY_MS, result: text });
    // A call that took nothing, or failed, is forgotten (as in Redis): repeating it runs it again.
    text.then(
      (t) => {
        if (t === 'null' || t === '[]') this.calls.delete(callId);
      },
      () => this.calls.delete(callId),
    );
    return result;
  }

  // --- scripts -------------------------------------------------------------------------

  async saveScriptVersion(v: Omit<ScriptVersion, 'version'>): Promise<ScriptVersion> {
    const version: ScriptVersion = { ...copy(v), version: this.state.scripts.size + 1 };
    await this.commit({ t: 'script', v: version });
    return copy(version);
  }

  async getScriptVersion(version: number): Promise<ScriptVersion | null> {
    const v = this.state.scripts.get(version);
    return v ? copy(v) : null;
  }

  async listScriptVersions(): Promise<ScriptVersion[]> {
    return copy([...this.state.scripts.values()].sort((a, b) => b.version - a.version));
  }

  async setActiveScriptVersion(version: number): Promise<void> {
    if (!this.state.scripts.has(version)) throw new AppError('NOT_FOUND', `No script version ${version}`);
    await this.commit({ t: 'active', version });
  }

  async getActiveScriptVersion(): Promise<number | null> {
    return this.state.activeScript;
  }

  appendAudit(entry: AuditEntry): Promise<void> {
    return this.commit({ t: 'audit', n: this.state.audit.length, v: copy(entry) });
  }

  async listAudit(limit = 100): Promise<AuditEntry[]> {
    return copy(this.state.audit.slice(-limit).reverse());
  }

  saveDraft(path: string, draft: ScriptDraft): Promise<void> {
    return this.commit({ t: 'draft', path, v: copy(draft) });
  }

  async getDrafts(): Promise<Record<string, ScriptDraft>> {
    return copy(Object.fromEntries(this.state.drafts));
  }

  deleteDraft(path?: string): Promise<void> {
    return this.commit(path === undefined ? { t: 'undraft' } : { t: 'undraft', path });
  }

  // --- rate limiter (not journaled: windows are short) ----------------------------------

  async hit(key: string, windowMs: number, limit: number): Promise<{ allowed: boolean; count: number }> {
    const now = this.now();
    let w = this.rate.get(key);
    if (!w || now >= w.resetAt) {
      w = { count: 0, resetAt: now + windowMs };
      this.rate.set(key, w);
      if (this.rate.size > 10_000) this.sweepRate(now);
    }
    w.count += 1;
    return { allowed: w.count <= limit, count: w.count };
  }

  async firstSeen(key: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    const until = this.state.seen.get(key);
    if (until !== undefined && until > now) return false;
    if (this.state.seen.size >= this.sweepSeenAt) this.sweepSeen(now);
    // Marked in memory at once (a second caller in the meantime is refused), durable before true.
    await this.commit({ t: 'seen', key, until: now + ttlMs });
    return true;
  }

  /** Forgets expired replay-guard keys (the next compaction leaves them out); next time at twice what is left. */
  private sweepSeen(now: number): void {
    for (const [k, until] of this.state.seen) if (until <= now) this.state.seen.delete(k);
    this.sweepSeenAt = Math.max(10_000, 2 * this.state.seen.size);
  }

  /** Size of the replay-guard keys at which expired ones are swept (doubles with what stays live). */
  private sweepSeenAt = 10_000;

  private sweepRate(now: number): void {
    for (const [k, w] of this.rate) if (now >= w.resetAt) this.rate.delete(k);
  }

  // --- bus (in-process) ----------------------------------------------------------------

  async publish(channel: string, message: unknown): Promise<void> {
    const handlers = this.channels.get(channel);
    if (!handlers || handlers.size === 0) return;
    // Delivered asynchronously like Redis pub/sub, as the plain JSON value a Redis subscriber
    // would parse, but frozen (src/model/frozen.ts) rather than serialised and parsed once per
    // subscriber: every subscriber gets the same value and none can change it.
    const value = frozenPlain(message);
    setImmediate(() => {
      for (const h of [...handlers]) {
        try {
          h(value);
        } catch (err) {
          // A failing subscriber must not stop delivery to the others.
          this.logger.warn({ channel, err: (err as Error).message }, 'a bus subscriber failed');
        }
      }
    });
  }

  async subscribe(channel: string, handler: (message: unknown) => void): Promise<() => Promise<void>> {
    let handlers = this.channels.get(channel);
    if (!handlers) {
      handlers = new Set();
      this.channels.set(channel, handlers);
    }
    // Wrap so subscribing the same function twice gives two independent subscriptions.
    const wrapped = (m: unknown): void => handler(m);
    handlers.add(wrapped);
    return async () => {
      handlers.delete(wrapped);
      if (handlers.size === 0) this.channels.delete(channel);
    };
  }

  // --- acts outbox (src/shop/outbox.ts) -------------------------------------------------

  async addOutboxAct(act: OutboxAct): Promise<boolean> {
    if (this.state.outbox.has(act.id)) return false;
    await this.commit({ t: 'act', v: copy(act) });
    return true;
  }

  async updateOutboxAct(act: OutboxAct): Promise<void> {
    if (!this.state.outbox.has(act.id)) return;
    await this.commit({ t: 'act', v: copy(act) });
  }

  async getOutboxAct(id: string): Promise<OutboxAct | null> {
    const act = this.state.outbox.get(id);
    return act ? copy(act) : null;
  }

  async dueOutboxActs(now: number, limit = 100): Promise<OutboxAct[]> {
    const due: OutboxAct[] = [];
    for (const id of this.state.outboxSent) {
      const act = this.state.outbox.get(id);
      if (act && act.nextAttemptAt <= now) due.push(act);
    }
    return copy(due.sort((a, b) => a.nextAttemptAt - b.nextAttemptAt).slice(0, limit));
  }

  async listOutboxActs(conversationId: string): Promise<OutboxAct[]> {
    const ids = this.state.outboxByConv.get(conversationId) ?? [];
    return copy([...ids].flatMap((id) => this.state.outbox.get(id) ?? []));
  }

  // --- locks (in-process) --------------------------------------------------------------

  withLock<T>(key: string, _ttlMs: number, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(key, fn);
  }

  // --- session life cycle (issue 15) ---------------------------------------------------

  async sweepIdle(policy: IdlePolicy): Promise<{ removed: number; closed: number }> {
    const now = this.now();
    const ops: JournalOp[] = [];
    const dropped = new Set<string>();
    for (const session of this.state.sessions.values()) {
      if (session.buyerId.startsWith('shop:')) continue; // signed buyers' sessions are the shop's
      const conv = this.state.conversations.get(session.conversationId);
      if (!conv || conv.status !== 'bot') continue;
      const messages = this.state.logs.get(conv.id)?.messages ?? [];
      const buyerWrote = messages.some((m) => m.from === 'buyer');
      if (!buyerWrote && now - Date.parse(conv.createdAt) >= policy.anonSessionTtlMs) {
        ops.push({ t: 'drop', buyer: session.buyerId, conv: conv.id });
        dropped.add(conv.id);
      }
    }
    let closed = 0;
    for (const conv of this.state.conversations.values()) {
      if (conv.status !== 'bot' || dropped.has(conv.id)) continue;
      const messages = this.state.logs.get(conv.id)?.messages;
      const last = messages?.[messages.length - 1]?.at ?? conv.updatedAt;
      if (now - Date.parse(last) < policy.idleConversationMs) continue;
      ops.push({ t: 'conv', v: { ...copy(conv), status: 'closed', closedResolution: 'idle', updatedAt: new Date(now).toISOString() } });
      closed += 1;
    }
    if (ops.length > 0) await this.commit(...ops);
    return { removed: dropped.size, closed };
  }

  // --- lifecycle -----------------------------------------------------------------------

  health(): { status: 'ok' | 'degraded'; reason?: string } {
    const failure = this.journal?.failureReason ?? null;
    return failure ? { status: 'degraded', reason: failure } : { status: 'ok' };
  }

  async ready(): Promise<void> {}

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.channels.clear();
    await this.journal?.close();
  }
}
