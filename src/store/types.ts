/**
 * The one storage interface for everything that must outlive a process. Two
 * implementations: memory (default, journals to DATA_DIR) and Redis. Both pass the same
 * contract suite in test/store/.
 */
import type { ConversationState, Priority } from '../model/conversation';

export type MessageFrom = 'buyer' | 'bot' | 'agent' | 'system';

export interface NewMessage {
  from: MessageFrom;
  text: string;
  /** Client-supplied id of a buyer/agent message; appending the same clientId twice is a no-op. */
  clientId?: string;
  /** Agent id for agent messages. */
  agentId?: string;
  at: string; // ISO time
  /** Free-form extras (intent, quickReplies, templateId, internal note flag …). */
  meta?: Record<string, unknown>;
}

export interface StoredMessage extends NewMessage {
  conversationId: string;
  /** 1-based, strictly increasing per conversation, no gaps. */
  seq: number;
}

export interface BuyerSession {
  buyerId: string;
  resumeToken: string;
  conversationId: string;
}

export interface QueueEntry {
  conversationId: string;
  priority: Priority;
  enqueuedAt: string; // ISO
  reason?: string;
  /** Highest priority this entry may have (src/handoff/admission.ts). */
  cap?: Priority;
  /** Set when admission saw a flood from one address or repeats from one buyer. */
  suspect?: 'flood' | 'repeat';
  /** What the suspect entries have in common (`ip:<address>` or `buyer:<id>`), for grouping. */
  group?: string;
}

export type PresenceStatus = 'online' | 'away' | 'offline';

export interface AgentPresence {
  agentId: string;
  status: PresenceStatus;
  since: string;
}

/**
 * Proof that some instance still holds a socket of this agent's console: that instance
 * renews it while the socket is open. An agent whose lease expired counts as offline, so a
 * killed instance cannot leave its agents "online" for ever.
 */
export interface PresenceLease {
  agentId: string;
  expiresAt: number; // epoch ms
}

/**
 * Per-call options of the operations that take something away (claimNext, takeDueTimers,
 * takeExpiredLeases). A client library may resend a command whose reply was lost with the
 * connection; what a call took is remembered under its call id for a while (Redis: 10
 * minutes), so the resent call returns it instead of taking more, which nobody would receive.
 * A call that took nothing is not remembered: running it again loses nothing.
 */
export interface TakeOptions {
  /** Unique per logical call. Default: a fresh id, so each call is deduplicated on its own. */
  callId?: string;
}

export interface Timer {
  /** Unique key, e.g. "first-response:<conversationId>". */
  key: string;
  dueAt: number; // epoch ms
  payload: Record<string, unknown>;
}

export interface ScriptVersion {
  version: number;
  author: string;
  at: string;
  message?: string;
  /** Full content of every script file: path relative to project (intents/x.yaml) → text. */
  files: Record<string, string>;
}

/** One unpublished edit in the shared script draft. */
export interface ScriptDraft {
  /** The draft text of the file; null marks the file as deleted in the draft. */
  text: string | null;
  author: string;
  at: string; // ISO
}

/** What one bot turn writes (see ConversationStore.commitTurn). */
export interface TurnCommit {
  /** The conversation's new state. */
  conversation: ConversationState;
  /** The turn's messages (the bot's replies), stored in this order after the ones before. */
  messages: NewMessage[];
}

/**
 * Values read from a store are never shared with it in a way that changes it: Redis returns
 * fresh copies; the embedded store returns its stored conversations and messages deep-frozen
 * (src/model/frozen.ts), so changing one in place throws. Build a new value instead (spreads),
 * as the engine does. A value given to the embedded store is frozen in place when it is kept.
 */
export interface ConversationStore {
  getConversation(id: string): Promise<ConversationState | null>;
  saveConversation(conv: ConversationState): Promise<void>;
  /**
   * Stores a turn's new state and its messages as one write: like saveConversation followed
   * by appendMessage for each message, but committed together (the embedded store: one
   * journal line, so a crash keeps the whole turn or none of it; Redis: one script on the
   * conversation's slot beside the handoff script). Returns the stored messages in order.
   */
  commitTurn(turn: TurnCommit): Promise<StoredMessage[]>;
  listConversations(filter?: { status?: ConversationState['status'] }): Promise<ConversationState[]>;
  /**
   * Removes closed conversations for good (retention, src/store/retention.ts, after they were
   * archived): the state, the message log, the buyer session that points at it, what is left
   * of it in the queue and assignments, and its acts in the outbox. A conversation that is
   * not closed (any more), or whose last activity (updatedAt) is later than `closedBefore`,
   * is left alone. Returns the ids removed.
   */
  removeConversations(ids: readonly string[], options?: { closedBefore?: string }): Promise<string[]>;
  getBuyerSession(buyerId: string): Promise<BuyerSession | null>;
  saveBuyerSession(session: BuyerSession): Promise<void>;
}

/** Per-call options of appendMessage. */
export interface AppendOptions {
  /**
   * Idempotency key of a message without clientId: appending again with the same opId returns
   * the message stored the first time, so a write can be replayed after a crash
   * (src/store/spill.ts). The Redis store honours it; the embedded store never replays a
   * write and ignores it.
   */
  opId?: string;
  /**
   * Called with the stored message (or the earlier one, for a repeated clientId or opId) as
   * soon as it has its seq and this process's reads see it, which may be before it is durable:
   * the embedded store calls it before the journal's fsync, so a bot turn can start while the
   * message is being written, and the turn's own write goes to disk in the same fsync. The
   * returned promise still resolves only once the message is durable. A store may not call it;
   * callers then act on the resolved message.
   */
  onStored?: (stored: StoredMessage) => void;
}

export interface MessageLog {
  /** Appends atomically, assigning the next seq. Returns the stored message (the earlier one if clientId or opId repeats). */
  appendMessage(conversationId: string, msg: NewMessage, options?: AppendOptions): Promise<StoredMessage>;
  /** Messages with seq > afterSeq, oldest first. */
  messagesAfter(conversationId: string, afterSeq: number, limit?: number): Promise<StoredMessage[]>;
  /**
   * The highest seq stored for the conversation (0 when it has no messages): the next append
   * gets this plus one. Constant cost, unlike paging through messagesAfter.
   */
  lastSeq(conversationId: string): Promise<number>;
}

export interface HandoffQueueStore {
  /** Adds or re-prioritises. */
  enqueue(entry: QueueEntry): Promise<void>;
  removeFromQueue(conversationId: string): Promise<boolean>;
  /** Ordered: urgent before high before normal, then oldest first. */
  listQueue(): Promise<QueueEntry[]>;
  /** One conversation's entry, or null when it is not in the queue (without reading the whole queue). */
  getQueueEntry(conversationId: string): Promise<QueueEntry | null>;
  /** The first entry in listQueue's order (the next to be routed), or null when the queue is empty; no copy of the queue. */
  queueHead(): Promise<QueueEntry | null>;
  /** How many entries are ahead of this conversation's in listQueue's order (0: next), or null when it is not queued; no copy of the queue. */
  queuePosition(conversationId: string): Promise<number | null>;
  /**
   * Atomically takes the head of the queue (or the given conversation) for an agent whose
   * current load is below maxLoad, and records the assignment. Exactly one caller wins.
   */
  claimNext(agentId: string, maxLoad: number, conversationId?: string, options?: TakeOptions): Promise<QueueEntry | null>;
}

export interface AgentStore {
  setPresence(p: AgentPresence): Promise<void>;
  getPresence(agentId: string): Promise<AgentPresence | null>;
  listPresence(): Promise<AgentPresence[]>;
  /** Conversation ids currently held by an agent. */
  listAssignments(agentId: string): Promise<string[]>;
  assign(agentId: string, conversationId: string): Promise<void>;
  unassign(agentId: string, conversationId: string): Promise<void>;
  /**
   * Extends the agent's presence lease to `expiresAt` (epoch ms); never shortens it (several
   * instances may hold consoles of one agent). Returns false when the agent had no lease, i.e.
   * this is a first lease or one taken by takeExpiredLeases since.
   */
  renewPresenceLease(agentId: string, expiresAt: number): Promise<boolean>;
  /** Every lease, expired or not (expired ones stay until takeExpiredLeases takes them). */
  listPresenceLeases(): Promise<PresenceLease[]>;
  /**
   * Atomically removes the leases that expired at or before `now` and marks those agents
   * offline (since `now`) unless they already are. Each expired lease is returned to exactly
   * one caller, across instances: that caller hands the agent's chats over.
   */
  takeExpiredLeases(now: number, limit?: number, options?: TakeOptions): Promise<PresenceLease[]>;
}

export interface TimerStore {
  setTimer(timer: Timer): Promise<void>;
  clearTimer(key: string): Promise<void>;
  /** Removes and returns timers due at or before `now` (each returned to one caller only). */
  takeDueTimers(now: number, limit?: number, options?: TakeOptions): Promise<Timer[]>;
  listTimers(): Promise<Timer[]>;
  /**
   * The timers with these keys that exist (in key order of `keys`, missing ones left out).
   * Cheap where listTimers is not: the cost is per key asked, not per timer stored.
   */
  getTimers(keys: readonly string[]): Promise<Timer[]>;
}

export interface ScriptStore {
  /** Assigns the next version number. */
  saveScriptVersion(v: Omit<ScriptVersion, 'version'>): Promise<ScriptVersion>;
  getScriptVersion(version: number): Promise<ScriptVersion | null>;
  /** Newest first, without file contents' guarantee of order. */
  listScriptVersions(): Promise<ScriptVersion[]>;
  setActiveScriptVersion(version: number): Promise<void>;
  getActiveScriptVersion(): Promise<number | null>;
  appendAudit(entry: { at: string; who: string; action: string; detail?: string }): Promise<void>;
  listAudit(limit?: number): Promise<{ at: string; who: string; action: string; detail?: string }[]>;
  /**
   * The managers' shared draft: one entry per edited file path, kept in the store so every
   * instance sees it and a restart does not lose it. Saving a path replaces its entry.
   */
  saveDraft(path: string, draft: ScriptDraft): Promise<void>;
  /** Every draft entry by path. */
  getDrafts(): Promise<Record<string, ScriptDraft>>;
  /** Drops the entry of one path, or every entry when `path` is undefined. */
  deleteDraft(path?: string): Promise<void>;
}

export interface RateLimiter {
  /** Counts one hit in a fixed window; `allowed` is false once count exceeds limit. */
  hit(key: string, windowMs: number, limit: number): Promise<{ allowed: boolean; count: number }>;
  /**
   * True the first time `key` is seen within `ttlMs`, false while it is remembered. Unlike
   * `hit`, remembered durably (the embedded store's journal, Redis) and resolved once it is:
   * a restart does not forget what it accepted. For replay guards (a signed webhook request,
   * an image's message id), not for per-message rate limits.
   */
  firstSeen(key: string, ttlMs: number): Promise<boolean>;
}

export interface Bus {
  publish(channel: string, message: unknown): Promise<void>;
  /** Returns an unsubscribe function. Messages published by this process are delivered too. */
  subscribe(channel: string, handler: (message: unknown) => void): Promise<() => Promise<void>>;
}

export interface Locks {
  /** Runs fn while holding a short lease on key; other holders wait (across processes for Redis). */
  withLock<T>(key: string, ttlMs: number, fn: () => Promise<T>): Promise<T>;
}

export interface IdlePolicy {
  anonSessionTtlMs: number;
  idleConversationMs: number;
}

/** What a store can do, declared by each implementation, so callers ask about a property rather than a backend's name. */
export interface StoreCapabilities {
  /** Several instances may run on it and see the same data (Redis); otherwise it belongs to one process. */
  sharedAcrossInstances: boolean;
  /** What it acknowledged survives a restart (the journal under DATA_DIR, Redis). */
  durable: boolean;
  /** Its data lives in another process that can be unreachable for a while: the outage fallback (store/outage.ts) applies. */
  remote: boolean;
}

export interface Store
  extends ConversationStore, MessageLog, HandoffQueueStore, AgentStore, TimerStore, ScriptStore, RateLimiter, Bus, Locks, ActOutboxStore {
  /** The backend's name, for logs and /healthz; decisions use `capabilities`. */
  readonly kind: 'memory' | 'redis';
  readonly capabilities: StoreCapabilities;
  /**
   * Session life cycle (issue 15): removes anonymous sessions whose buyer never wrote and that
   * are older than `anonSessionTtlMs` (with their conversation and log), and closes bot
   * conversations idle for `idleConversationMs`. Both stores have it (Redis since retention
   * came: nothing expires there by itself); optional for stores that do not.
   */
  sweepIdle?(policy: IdlePolicy): Promise<{ removed: number; closed: number }>;
  /** 'ok', or 'degraded' with a reason when the backend is unreachable and writes are buffered. */
  health(): { status: 'ok' | 'degraded'; reason?: string };
  /** Resolves once the backend is connected (memory: at once). Operations issued earlier are queued, not lost. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Where an act stands with the shop (src/shop/outbox.ts): 'sent' while it is in the outbox
 * (being delivered, or retried with backoff while the shop is down), then the shop's answer.
 */
export type OutboxActState = 'sent' | 'accepted' | 'refused';

/** One act on its way to the shop's system, with its delivery state. Plain JSON. */
export interface OutboxAct {
  /** The act's own id: the outbox key and the shop's idempotency key. */
  id: string;
  kind: string;
  conversationId: string;
  buyerId: string;
  orderNumber?: string;
  /** ISO time the act was recorded. */
  at: string;
  payload: Record<string, unknown>;
  state: OutboxActState;
  /** Delivery attempts so far. */
  attempts: number;
  /** Epoch ms of the next attempt while 'sent'. */
  nextAttemptAt: number;
  /** Why the last attempt failed (transport error) while still 'sent'. */
  lastError?: string;
  /** The shop's reason, when 'refused'. */
  reason?: string;
  /** ISO time of the last state change. */
  updatedAt: string;
}

/** The durable outbox of acts for the shop: survives restarts (journal / Redis). */
export interface ActOutboxStore {
  /** Adds an act; returns false and changes nothing when its id is already there. */
  addOutboxAct(act: OutboxAct): Promise<boolean>;
  /** Replaces an existing act's entry (same id); unknown ids are ignored. */
  updateOutboxAct(act: OutboxAct): Promise<void>;
  getOutboxAct(id: string): Promise<OutboxAct | null>;
  /** Acts still 'sent' whose next attempt is due at or before `now`, earliest first. */
  dueOutboxActs(now: number, limit?: number): Promise<OutboxAct[]>;
  /** Every act of one conversation, in the order they were added. */
  listOutboxActs(conversationId: string): Promise<OutboxAct[]>;
}
