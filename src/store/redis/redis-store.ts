/**
 * The Redis store, for several server processes sharing state (REDIS_URL), or a Redis Cluster
 * (REDIS_CLUSTER_NODES). Key layout and hash tags: ./keys.ts. Atomic operations: ./scripts.ts.
 *
 * Faults: the client retries the connection forever (backoff up to `maxReconnectDelayMs`) and
 * keeps every command issued meanwhile in its offline queue (maxRetriesPerRequest: null), so a
 * write issued while Redis is unreachable waits and is carried out when Redis returns; its
 * promise resolves only then, which is when the caller may acknowledge it. Commands in flight
 * when the connection dropped are resent on reconnect; message appends carry an op id so a
 * resent append is not stored twice, and the operations that take something away (claimNext,
 * takeDueTimers, takeExpiredLeases) carry a call id so a resent one returns what the first
 * run took instead of taking more (which would be lost: nobody receives the first reply). Meanwhile `health()` says 'degraded' with the reason and
 * how many operations are waiting, and the logger says so once per outage.
 */
import { randomUUID } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { AppError } from '../../errors';
import type { ConversationState } from '../../model/conversation';
import { checkHandoffFields, defaultQueueEntry } from '../handoff-state';
import { PRIORITY_RANK, stderrLogger, type AuditEntry, type StoreLogger } from '../shared';
import type {
  AgentPresence,
  AppendOptions,
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
import { keyLayout, type KeyLayout } from './keys';
import * as S from './scripts';
import { RedisOutbox } from './outbox';
import type { OutboxAct } from '../types';

export interface RedisStoreOptions {
  /** Default redis://127.0.0.1:6379. Ignored when clusterNodes is given. */
  url?: string;
  /** host:port of one or more cluster nodes; connects with ioredis's Cluster client. */
  clusterNodes?: string[];
  /** Redis Sentinel: ioredis asks the sentinels for the master `name` and follows failovers. Ignored when clusterNodes is given. */
  sentinel?: { sentinels: { host: string; port: number }[]; name: string; password?: string; sentinelPassword?: string };
  /** Prefix of every key and channel, e.g. "kefu" or one per test run. Default "kefu". */
  prefix?: string;
  logger?: StoreLogger;
  /** Upper bound of the reconnect backoff. Default 2000 ms. */
  maxReconnectDelayMs?: number;
}

type Client = Redis | Cluster;

/** Creates the Redis store. Connecting happens in the background; see `ready()`. */
export function createRedisStore(options: RedisStoreOptions = {}): Store {
  return new RedisStore(options);
}

const STATUSES: ConversationState['status'][] = ['bot', 'queued', 'agent', 'closed'];

/**
 * How long Redis remembers what a take call took (CLAIM_NEXT). Long enough for the client to
 * reconnect and resend after a dropped connection or a short Redis restart.
 */
const CALL_MEMORY_MS = 10 * 60_000;

function parse<T>(json: string): T {
  return JSON.parse(json) as T;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function queueScore(entry: QueueEntry): number {
  // Priority first, then enqueue time: 1e13 ms is about 300 years, so ranks never overlap.
  return PRIORITY_RANK[entry.priority] * 1e13 + Date.parse(entry.enqueuedAt);
}

function connect(options: RedisStoreOptions): Client {
  const maxDelay = options.maxReconnectDelayMs ?? 2000;
  const retryStrategy = (times: number): number => Math.min(50 * 2 ** Math.min(times, 10), maxDelay);
  const common = {
    // Never fail a command because Redis is away: keep it queued until it returns.
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    autoResendUnfulfilledCommands: true,
    autoResubscribe: true,
  };
  if (options.clusterNodes && options.clusterNodes.length > 0) {
    const nodes = options.clusterNodes.map((hp) => {
      const i = hp.lastIndexOf(':');
      return { host: i === -1 ? hp : hp.slice(0, i), port: i === -1 ? 6379 : Number(hp.slice(i + 1)) };
    });
    return new Cluster(nodes, {
      clusterRetryStrategy: retryStrategy,
      enableOfflineQueue: true,
      enableAutoPipelining: true,
      redisOptions: { maxRetriesPerRequest: null, autoResendUnfulfilledCommands: true, autoResubscribe: true },
    });
  }
  if (options.sentinel) {
    const { sentinels, name, password, sentinelPassword } = options.sentinel;
    return new Redis({
      ...common,
      sentinels,
      name,
      ...(password !== undefined ? { password } : {}),
      ...(sentinelPassword !== undefined ? { sentinelPassword } : {}),
      // Reconnecting after a failover asks the sentinels again for the current master; a
      // write that reached a demoted master (READONLY) reconnects and is resent there.
      sentinelRetryStrategy: retryStrategy,
      reconnectOnError: (err: Error) => (err.message.startsWith('READONLY') ? 2 : false),
      retryStrategy,
      enableAutoPipelining: true,
    });
  }
  return new Redis(options.url ?? 'redis://127.0.0.1:6379', { ...common, retryStrategy, enableAutoPipelining: true });
}

/** [member, score, member, score, …] → leases. */
function leasesFrom(rows: string[]): PresenceLease[] {
  const out: PresenceLease[] = [];
  for (let i = 0; i + 1 < rows.length; i += 2) out.push({ agentId: rows[i] as string, expiresAt: Number(rows[i + 1]) });
  return out;
}

class RedisStore implements Store {
  readonly kind = 'redis' as const;
  readonly capabilities = { sharedAcrossInstances: true, durable: true, remote: true } as const;
  private readonly k: KeyLayout;
  private readonly client: Client;
  private subscriber: Client | null = null;
  private readonly logger: StoreLogger;
  private readonly handlers = new Map<string, Set<(message: unknown) => void>>();
  private lastError: string | null = null;
  private outage = false;
  private waiting = 0;
  private closed = false;
  private outboxOps: RedisOutbox | undefined;
  /** Set once known: whether the bus is sharded (see shardedBus). */
  private sharded: Promise<boolean> | undefined;

  constructor(options: RedisStoreOptions) {
    this.k = keyLayout(options.prefix ?? 'kefu');
    this.logger = options.logger ?? stderrLogger;
    this.client = connect(options);
    this.watch(this.client, 'commands');
  }

  private watch(client: Client, role: string): void {
    const down = (why: string): void => {
      this.lastError = why;
      if (this.outage || this.closed) return;
      this.outage = true;
      this.logger.warn({ role, err: why }, 'redis unreachable; writes are queued and retried');
    };
    client.on('error', (err: Error) => down(err.message));
    // A clean server shutdown closes the socket without an error event.
    client.on('close', () => down(this.lastError ?? 'connection closed'));
    client.on('ready', () => {
      if (this.outage) this.logger.info({ role, waiting: this.waiting }, 'redis reachable again; flushing queued writes');
      this.outage = false;
      this.lastError = null;
    });
  }

  /** Counts operations waiting on Redis, for health(). */
  private async track<T>(op: Promise<T>): Promise<T> {
    this.waiting += 1;
    try {
      return await op;
    } finally {
      this.waiting -= 1;
    }
  }

  private async run(s: S.LuaScript, keys: string[], args: (string | number)[]): Promise<unknown> {
    return this.track(
      (async () => {
        try {
          return await this.client.evalsha(s.sha, keys.length, ...keys, ...args);
        } catch (err) {
          // After a Redis restart (or on a new cluster node) the script cache is empty.
          if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
          return this.client.eval(s.lua, keys.length, ...keys, ...args);
        }
      })(),
    );
  }

  // --- conversations -------------------------------------------------------------------

  async getConversation(id: string): Promise<ConversationState | null> {
    const [json, status, holder] = await Promise.all([
      this.track(this.client.get(this.k.convState(id))),
      this.track(this.client.hget(this.k.handoffStatus, id)),
      this.track(this.client.hget(this.k.holder, id)),
    ]);
    if (json === null) return null;
    const conv = parse<ConversationState>(json);
    // The status kept beside the queue wins: a claim or an unassign changes it there, atomically
    // with the queue, before the state is written again.
    if (status !== null && STATUSES.includes(status as ConversationState['status'])) {
      conv.status = status as ConversationState['status'];
      if (conv.status === 'agent' && holder !== null) conv.assignedAgent = holder;
      else if (conv.status !== 'agent') delete conv.assignedAgent;
    }
    return conv;
  }

  async saveConversation(conv: ConversationState): Promise<void> {
    checkHandoffFields(conv);
    // Second command, in the queue's slot: the queue and assignments follow the status
    // atomically, and the status is recorded there (listConversations reads it). Both are
    // issued at once, so a queue command issued after this save (an enqueue, even one
    // waiting in the offline queue through an outage) runs after it.
    const entry = defaultQueueEntry(conv);
    await Promise.all([
      this.track(this.client.set(this.k.convState(conv.id), JSON.stringify(conv))),
      this.run(
        S.SET_HANDOFF_STATE,
        [this.k.queue, this.k.queueEntries, this.k.handoffStatus, this.k.holder, this.k.assignedPrefix],
        [conv.id, conv.status, conv.status === 'agent' ? (conv.assignedAgent ?? '') : '', JSON.stringify(entry), queueScore(entry)],
      ),
    ]);
  }

  async commitTurn(turn: TurnCommit): Promise<StoredMessage[]> {
    const conv = turn.conversation;
    checkHandoffFields(conv);
    const entry = defaultQueueEntry(conv);
    const args: string[] = [JSON.stringify(conv)];
    for (const m of turn.messages) args.push(`o:${randomUUID()}`, JSON.stringify({ conversationId: conv.id, ...m }));
    // Issued together like saveConversation's two commands: the conversation's slot, then the queue's.
    const [stored] = await Promise.all([
      this.run(S.COMMIT_TURN, [this.k.convState(conv.id), this.k.convLog(conv.id), this.k.convDedupe(conv.id)], args),
      this.run(
        S.SET_HANDOFF_STATE,
        [this.k.queue, this.k.queueEntries, this.k.handoffStatus, this.k.holder, this.k.assignedPrefix],
        [conv.id, conv.status, conv.status === 'agent' ? (conv.assignedAgent ?? '') : '', JSON.stringify(entry), queueScore(entry)],
      ),
    ]);
    return (Array.isArray(stored) ? stored : []).map((r) => parse<StoredMessage>(String(r)));
  }

  async listConversations(filter?: { status?: ConversationState['status'] }): Promise<ConversationState[]> {
    // Every save records the conversation's status beside the queue (SET_HANDOFF_STATE), so
    // that hash lists them all. Conversations saved only by older code are in the old status
    // index ({convs}), which is read here but no longer written on every turn.
    const [handoff, legacy] = await Promise.all([
      this.track(this.client.hgetall(this.k.handoffStatus)),
      this.track(this.client.hkeys(this.k.statusIndex)),
    ]);
    const wanted = filter?.status;
    const ids = [
      ...Object.entries(handoff)
        .filter(([, st]) => !wanted || st === wanted)
        .map(([id]) => id),
      ...legacy.filter((id) => !Object.hasOwn(handoff, id)),
    ];
    const states = await Promise.all(ids.map((id) => this.getConversation(id)));
    return states.filter((c): c is ConversationState => c !== null && (!wanted || c.status === wanted));
  }

  async removeConversations(ids: readonly string[], options: { closedBefore?: string } = {}): Promise<string[]> {
    const cutoff = options.closedBefore === undefined ? Infinity : Date.parse(options.closedBefore);
    const removed: string[] = [];
    for (const id of ids) {
      // Read just before removing: a buyer who came back meanwhile reopened it (not closed any more).
      const conv = await this.getConversation(id);
      if (!conv || conv.status !== 'closed' || !(Date.parse(conv.updatedAt) <= cutoff)) continue;
      await this.forget(conv);
      removed.push(id);
    }
    return removed;
  }

  /** Removes a conversation's keys, its buyer's session (when it points here) and what the handoff slot knows of it. */
  private async forget(conv: ConversationState): Promise<void> {
    const id = conv.id;
    // The data first: a crash part-way leaves at most a status field naming a conversation
    // that reads as gone (listConversations skips it), never a state nothing lists.
    await this.track(this.client.del(this.k.convState(id), this.k.convLog(id), this.k.convDedupe(id)));
    await this.track(this.outbox.removeConversation(id));
    // The buyer's session, when it still points here (a signed buyer's lives under shop:<id>).
    for (const buyerId of [conv.buyerId, `shop:${conv.buyerId}`]) {
      const session = await this.getBuyerSession(buyerId);
      if (session?.conversationId === id) await this.track(this.client.del(this.k.buyerSession(buyerId)));
    }
    await this.run(S.FORGET_HANDOFF, [this.k.queue, this.k.queueEntries, this.k.handoffStatus, this.k.holder, this.k.assignedPrefix], [id]);
    await this.track(this.client.hdel(this.k.statusIndex, id));
  }

  /**
   * Session life cycle on Redis (as the embedded store's): an anonymous buyer's conversation
   * that never got a buyer message and is older than the session TTL goes with its session;
   * a bot conversation quiet for idleConversationMs is closed. Each is re-read under its turn
   * lock, so a buyer writing at that moment is never swept away or closed under their turn.
   */
  async sweepIdle(policy: IdlePolicy): Promise<{ removed: number; closed: number }> {
    const now = Date.now();
    let removed = 0;
    let closed = 0;
    for (const listed of await this.listConversations({ status: 'bot' })) {
      const age = now - Date.parse(listed.createdAt);
      const quiet = now - Date.parse(listed.updatedAt);
      // Cheap tests first: a buyer who wrote has a turn; nothing younger than both limits qualifies.
      const maybeSilent = listed.turns.length === 0 && age >= policy.anonSessionTtlMs;
      if (!maybeSilent && quiet < policy.idleConversationMs) continue;
      const done = await this.withLock(`turn:${listed.id}`, 15_000, async (): Promise<'removed' | 'closed' | null> => {
        const conv = await this.getConversation(listed.id);
        if (!conv || conv.status !== 'bot') return null;
        const messages = await this.messagesAfter(conv.id, 0);
        const buyerWrote = messages.some((m) => m.from === 'buyer');
        const session = await this.getBuyerSession(conv.buyerId);
        const anonymous = session?.conversationId === conv.id && !session.buyerId.startsWith('shop:');
        if (anonymous && !buyerWrote && now - Date.parse(conv.createdAt) >= policy.anonSessionTtlMs) {
          await this.forget(conv);
          return 'removed';
        }
        const last = messages[messages.length - 1]?.at ?? conv.updatedAt;
        if (now - Date.parse(last) < policy.idleConversationMs) return null;
        await this.saveConversation({ ...conv, status: 'closed', closedResolution: 'idle', updatedAt: new Date(now).toISOString() });
        return 'closed';
      });
      if (done === 'removed') removed += 1;
      if (done === 'closed') closed += 1;
    }
    return { removed, closed };
  }

  async getBuyerSession(buyerId: string): Promise<BuyerSession | null> {
    const json = await this.track(this.client.get(this.k.buyerSession(buyerId)));
    return json === null ? null : parse<BuyerSession>(json);
  }

  async saveBuyerSession(session: BuyerSession): Promise<void> {
    await this.track(this.client.set(this.k.buyerSession(session.buyerId), JSON.stringify(session)));
  }

  // --- message log ---------------------------------------------------------------------

  async appendMessage(conversationId: string, msg: NewMessage, options: AppendOptions = {}): Promise<StoredMessage> {
    const dedupe = msg.clientId !== undefined ? `c:${msg.clientId}` : `o:${options.opId ?? randomUUID()}`;
    const json = JSON.stringify({ conversationId, ...msg });
    const stored = await this.run(S.APPEND_MESSAGE, [this.k.convLog(conversationId), this.k.convDedupe(conversationId)], [dedupe, json]);
    return parse<StoredMessage>(String(stored));
  }

  async messagesAfter(conversationId: string, afterSeq: number, limit?: number): Promise<StoredMessage[]> {
    const from = Math.max(0, Math.floor(afterSeq));
    if (limit !== undefined && limit <= 0) return [];
    const to = limit === undefined ? -1 : from + limit - 1;
    const rows = await this.track(this.client.lrange(this.k.convLog(conversationId), from, to));
    return rows.map((r) => parse<StoredMessage>(r));
  }

  async lastSeq(conversationId: string): Promise<number> {
    // appendMessage numbers a message LLEN + 1 and only ever RPUSHes, so LLEN is the last seq.
    return await this.track(this.client.llen(this.k.convLog(conversationId)));
  }

  // --- handoff queue -------------------------------------------------------------------

  async enqueue(entry: QueueEntry): Promise<void> {
    await this.run(
      S.ENQUEUE,
      [this.k.queue, this.k.queueEntries, this.k.handoffStatus],
      [entry.conversationId, queueScore(entry), JSON.stringify(entry)],
    );
  }

  async removeFromQueue(conversationId: string): Promise<boolean> {
    const removed = (await this.run(S.DEQUEUE, [this.k.queue, this.k.queueEntries, this.k.handoffStatus], [conversationId])) === 1;
    if (!removed) return false;
    // The status already says 'bot' (atomically with the queue); the state drops its handoff.
    const conv = await this.getConversation(conversationId);
    if (conv && conv.status === 'bot' && conv.handoff) {
      const next: ConversationState = { ...conv };
      delete next.handoff;
      await this.saveConversation(next);
    }
    return true;
  }

  async listQueue(): Promise<QueueEntry[]> {
    const ids = await this.track(this.client.zrange(this.k.queue, '0', '-1'));
    if (ids.length === 0) return [];
    const rows = await this.track(this.client.hmget(this.k.queueEntries, ...ids));
    return rows.filter((r): r is string => r !== null).map((r) => parse<QueueEntry>(r));
  }

  async queueHead(): Promise<QueueEntry | null> {
    // The sorted set's first member is listQueue's first. One claimed or withdrawn between the
    // two reads has no entry any more: read the head again (a few times, then say none).
    for (let attempt = 0; attempt < 3; attempt++) {
      const [id] = await this.track(this.client.zrange(this.k.queue, '0', '0'));
      if (id === undefined) return null;
      const row = await this.track(this.client.hget(this.k.queueEntries, id));
      if (row !== null) return parse<QueueEntry>(row);
    }
    return null;
  }

  async queuePosition(conversationId: string): Promise<number | null> {
    // The sorted set's order is listQueue's (the score ranks priority, then time; ties by id).
    return this.track(this.client.zrank(this.k.queue, conversationId));
  }

  async getQueueEntry(conversationId: string): Promise<QueueEntry | null> {
    // In the queue is in the sorted set; the hash holds the entry (as listQueue reads them).
    const [score, row] = await Promise.all([
      this.track(this.client.zscore(this.k.queue, conversationId)),
      this.track(this.client.hget(this.k.queueEntries, conversationId)),
    ]);
    return score === null || row === null ? null : parse<QueueEntry>(row);
  }

  async claimNext(agentId: string, maxLoad: number, conversationId?: string, options: TakeOptions = {}): Promise<QueueEntry | null> {
    const call = options.callId ?? randomUUID();
    const entry = await this.run(
      S.CLAIM_NEXT,
      [this.k.queue, this.k.queueEntries, this.k.assigned(agentId), this.k.claimCall(call), this.k.handoffStatus, this.k.holder],
      [maxLoad, conversationId ?? '', CALL_MEMORY_MS, agentId],
    );
    return typeof entry === 'string' ? parse<QueueEntry>(entry) : null;
  }

  // --- agents --------------------------------------------------------------------------

  async setPresence(p: AgentPresence): Promise<void> {
    await this.track(this.client.hset(this.k.presence, p.agentId, JSON.stringify(p)));
  }

  async getPresence(agentId: string): Promise<AgentPresence | null> {
    const json = await this.track(this.client.hget(this.k.presence, agentId));
    return json === null ? null : parse<AgentPresence>(json);
  }

  async listPresence(): Promise<AgentPresence[]> {
    const all = await this.track(this.client.hvals(this.k.presence));
    return all.map((r) => parse<AgentPresence>(r));
  }

  async listAssignments(agentId: string): Promise<string[]> {
    return (await this.track(this.client.smembers(this.k.assigned(agentId)))).sort();
  }

  private holderKeys(): string[] {
    return [this.k.assignedPrefix, this.k.handoffStatus, this.k.holder, this.k.queue, this.k.queueEntries];
  }

  async assign(agentId: string, conversationId: string): Promise<void> {
    await this.run(S.ASSIGN, this.holderKeys(), [agentId, conversationId]);
  }

  async unassign(agentId: string, conversationId: string): Promise<void> {
    // The entry it gets if it must wait in the queue again (read first: another slot).
    const conv = await this.getConversation(conversationId);
    const entry = conv ? defaultQueueEntry(conv) : { conversationId, priority: 'normal' as const, enqueuedAt: new Date().toISOString() };
    await this.run(S.UNASSIGN, this.holderKeys(), [agentId, conversationId, JSON.stringify(entry), queueScore(entry)]);
  }

  async renewPresenceLease(agentId: string, expiresAt: number): Promise<boolean> {
    return (await this.run(S.RENEW_LEASE, [this.k.leases], [agentId, expiresAt])) === 1;
  }

  async listPresenceLeases(): Promise<PresenceLease[]> {
    return leasesFrom(await this.track(this.client.zrange(this.k.leases, '0', '-1', 'WITHSCORES')));
  }

  async takeExpiredLeases(now: number, limit = 100, options: TakeOptions = {}): Promise<PresenceLease[]> {
    const rows = await this.run(
      S.TAKE_EXPIRED_LEASES,
      [this.k.leases, this.k.presence, this.k.leaseCall(options.callId ?? randomUUID())],
      [now, limit, new Date(now).toISOString(), CALL_MEMORY_MS],
    );
    return leasesFrom(Array.isArray(rows) ? rows.map(String) : []);
  }

  // --- timers --------------------------------------------------------------------------

  async setTimer(timer: Timer): Promise<void> {
    await this.run(S.INDEXED_PUT, [this.k.timersDue, this.k.timersData], [timer.key, timer.dueAt, JSON.stringify(timer)]);
  }

  async clearTimer(key: string): Promise<void> {
    await this.run(S.INDEXED_REMOVE, [this.k.timersDue, this.k.timersData], [key]);
  }

  async takeDueTimers(now: number, limit = 100, options: TakeOptions = {}): Promise<Timer[]> {
    const call = options.callId ?? randomUUID();
    const rows = await this.run(S.TAKE_DUE_TIMERS, [this.k.timersDue, this.k.timersData, this.k.timersCall(call)], [now, limit, CALL_MEMORY_MS]);
    return (Array.isArray(rows) ? rows : []).map((r) => parse<Timer>(String(r)));
  }

  async getTimers(keys: readonly string[]): Promise<Timer[]> {
    if (keys.length === 0) return [];
    const rows = await this.track(this.client.hmget(this.k.timersData, ...keys));
    return rows.flatMap((r) => (r === null ? [] : [parse<Timer>(r)]));
  }

  async listTimers(): Promise<Timer[]> {
    const all = await this.track(this.client.hvals(this.k.timersData));
    return all.map((r) => parse<Timer>(r)).sort((a, b) => a.dueAt - b.dueAt);
  }

  // --- scripts -------------------------------------------------------------------------

  async saveScriptVersion(v: Omit<ScriptVersion, 'version'>): Promise<ScriptVersion> {
    const stored = await this.run(S.SAVE_SCRIPT_VERSION, [this.k.scriptSeq, this.k.scriptVersions], [JSON.stringify(v)]);
    return parse<ScriptVersion>(String(stored));
  }

  async getScriptVersion(version: number): Promise<ScriptVersion | null> {
    const json = await this.track(this.client.hget(this.k.scriptVersions, String(version)));
    return json === null ? null : parse<ScriptVersion>(json);
  }

  async listScriptVersions(): Promise<ScriptVersion[]> {
    const all = await this.track(this.client.hvals(this.k.scriptVersions));
    return all.map((r) => parse<ScriptVersion>(r)).sort((a, b) => b.version - a.version);
  }

  async setActiveScriptVersion(version: number): Promise<void> {
    const ok = await this.run(S.SET_ACTIVE, [this.k.scriptVersions, this.k.scriptActive], [version]);
    if (ok !== 1) throw new AppError('NOT_FOUND', `No script version ${version}`);
  }

  async getActiveScriptVersion(): Promise<number | null> {
    const v = await this.track(this.client.get(this.k.scriptActive));
    return v === null ? null : Number(v);
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    await this.track(this.client.lpush(this.k.audit, JSON.stringify(entry)));
  }

  async listAudit(limit = 100): Promise<AuditEntry[]> {
    const rows = await this.track(this.client.lrange(this.k.audit, 0, limit - 1));
    return rows.map((r) => parse<AuditEntry>(r));
  }

  async saveDraft(path: string, draft: ScriptDraft): Promise<void> {
    await this.track(this.client.hset(this.k.drafts, path, JSON.stringify(draft)));
  }

  async getDrafts(): Promise<Record<string, ScriptDraft>> {
    const all = await this.track(this.client.hgetall(this.k.drafts));
    const out: Record<string, ScriptDraft> = {};
    for (const [path, json] of Object.entries(all)) out[path] = parse<ScriptDraft>(json);
    return out;
  }

  async deleteDraft(path?: string): Promise<void> {
    if (path === undefined) await this.track(this.client.del(this.k.drafts));
    else await this.track(this.client.hdel(this.k.drafts, path));
  }

  // --- rate limiter --------------------------------------------------------------------

  async hit(key: string, windowMs: number, limit: number): Promise<{ allowed: boolean; count: number }> {
    const count = Number(await this.run(S.RATE_HIT, [this.k.rate(key)], [windowMs]));
    return { allowed: count <= limit, count };
  }

  async firstSeen(key: string, ttlMs: number): Promise<boolean> {
    return (await this.track(this.client.set(this.k.seen(key), '1', 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX'))) === 'OK';
  }

  // --- bus -----------------------------------------------------------------------------
  //
  // Single Redis and Sentinel: PUBLISH / SUBSCRIBE. Redis 7 Cluster: sharded pub/sub
  // (SPUBLISH / SSUBSCRIBE), whose messages go to the one shard owning the channel's slot
  // instead of being broadcast to every node; a conversation's channel carries its hash tag
  // ({conv:<id>}), so it lives on the node that holds that conversation's keys.

  /** Whether the bus uses sharded pub/sub: a Cluster whose nodes run Redis 7 or later. */
  private shardedBus(): Promise<boolean> {
    const client = this.client;
    if (!(client instanceof Cluster)) return Promise.resolve(false);
    this.sharded ??= this.ready()
      .then(() => client.info('server'))
      .then((info) => Number(/redis_version:(\d+)/.exec(info)?.[1] ?? 0) >= 7)
      .catch(() => false);
    return this.sharded;
  }

  async publish(channel: string, message: unknown): Promise<void> {
    const text = JSON.stringify(message);
    const sharded = await this.shardedBus();
    if (sharded) await this.track((this.client as Cluster).spublish(this.k.shardChannel(channel), text));
    else await this.track(this.client.publish(this.k.channel(channel), text));
  }

  private subscriberClient(sharded: boolean): Client {
    if (this.subscriber) return this.subscriber;
    // A connection in subscribe mode can run no other commands, so the bus has its own.
    const sub: Client = this.client instanceof Cluster ? this.client.duplicate(undefined, { shardedSubscribers: sharded }) : this.client.duplicate();
    this.watch(sub, 'subscriber');
    const deliver = (channel: string, text: string): void => {
      const handlers = this.handlers.get(channel);
      if (!handlers) return;
      let message: unknown;
      try {
        message = JSON.parse(text);
      } catch {
        return; // not ours
      }
      for (const h of [...handlers]) {
        try {
          h(message);
        } catch (err) {
          this.logger.warn({ channel, err: (err as Error).message }, 'bus subscriber threw');
        }
      }
    };
    sub.on(sharded ? 'smessage' : 'message', deliver);
    this.subscriber = sub;
    return sub;
  }

  async subscribe(channel: string, handler: (message: unknown) => void): Promise<() => Promise<void>> {
    const sharded = await this.shardedBus();
    const wire = sharded ? this.k.shardChannel(channel) : this.k.channel(channel);
    const sub = this.subscriberClient(sharded);
    let set = this.handlers.get(wire);
    const wrapped = (m: unknown): void => handler(m);
    if (!set) {
      set = new Set();
      this.handlers.set(wire, set);
      set.add(wrapped);
      await this.track(sharded ? (sub as Cluster).ssubscribe(wire) : sub.subscribe(wire));
    } else {
      set.add(wrapped);
    }
    const handlers = set;
    return async () => {
      handlers.delete(wrapped);
      if (handlers.size === 0 && this.handlers.get(wire) === handlers) {
        this.handlers.delete(wire);
        if (!this.closed) await this.track(sharded ? (sub as Cluster).sunsubscribe(wire) : sub.unsubscribe(wire));
      }
    };
  }

  // --- locks ---------------------------------------------------------------------------

  async withLock<T>(key: string, ttlMs: number, fn: () => Promise<T>): Promise<T> {
    const lockKey = this.k.lock(key);
    const token = randomUUID();
    const deadline = Date.now() + Math.max(30_000, ttlMs * 3);
    for (;;) {
      const ok = await this.track(this.client.set(lockKey, token, 'PX', ttlMs, 'NX'));
      if (ok === 'OK') break;
      if (Date.now() > deadline) throw new AppError('CONFLICT', `Timed out waiting for lock ${key}`);
      await sleep(5 + Math.random() * 20);
    }
    // Keep the lease while fn runs longer than ttl; a crashed holder's lease still expires.
    const renew = setInterval(
      () => {
        this.run(S.RENEW_LOCK, [lockKey], [token, ttlMs]).catch(() => {});
      },
      Math.max(10, Math.floor(ttlMs / 2)),
    );
    try {
      return await fn();
    } finally {
      clearInterval(renew);
      await this.run(S.RELEASE_LOCK, [lockKey], [token]);
    }
  }

  // --- acts outbox (./outbox.ts) ---------------------------------------------------------

  addOutboxAct(act: OutboxAct): Promise<boolean> {
    return this.track(this.outbox.add(act));
  }

  updateOutboxAct(act: OutboxAct): Promise<void> {
    return this.track(this.outbox.update(act));
  }

  getOutboxAct(id: string): Promise<OutboxAct | null> {
    return this.track(this.outbox.get(id));
  }

  dueOutboxActs(now: number, limit?: number): Promise<OutboxAct[]> {
    return this.track(this.outbox.due(now, limit));
  }

  listOutboxActs(conversationId: string): Promise<OutboxAct[]> {
    return this.track(this.outbox.list(conversationId));
  }

  private get outbox(): RedisOutbox {
    this.outboxOps ??= new RedisOutbox(this.client, this.k.prefix);
    return this.outboxOps;
  }

  // --- lifecycle -----------------------------------------------------------------------

  /** Resolves once the connection is ready (operations issued earlier are queued, not lost). */
  async ready(): Promise<void> {
    if (this.client.status === 'ready') return;
    await new Promise<void>((resolve) => this.client.once('ready', () => resolve()));
  }

  health(): { status: 'ok' | 'degraded'; reason?: string } {
    const states = [this.client.status, ...(this.subscriber ? [this.subscriber.status] : [])];
    if (states.every((s) => s === 'ready')) return { status: 'ok' };
    const why = this.lastError ?? `connection ${states.join('/')}`;
    return { status: 'degraded', reason: `redis unreachable (${why}); ${this.waiting} operations waiting` };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.handlers.clear();
    const clients = [this.client, ...(this.subscriber ? [this.subscriber] : [])];
    if (this.waiting > 0 && this.client.status !== 'ready') {
      this.logger.warn({ waiting: this.waiting }, 'closing while redis is unreachable; queued operations are dropped');
    }
    await Promise.all(
      clients.map(async (c) => {
        // QUIT is queued behind pending commands, so a ready connection flushes them first;
        // a connection that is down would wait for Redis forever.
        if (c.status !== 'ready') return c.disconnect();
        try {
          await c.quit();
        } catch {
          c.disconnect();
        }
      }),
    );
  }
}
