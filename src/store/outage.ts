/**
 * Keeps buyers answered while Redis is unreachable. `withOutageFallback(redisStore)` wraps the
 * Redis store of one server process:
 *
 *  - Writes are issued to Redis at once. The Redis client keeps every command it could not
 *    send in its in-order offline queue and sends it when Redis returns (see ../redis), so a
 *    write that does not complete quickly, or is issued while Redis is known to be down, is
 *    *buffered*: the caller gets its answer (and the buyer an ack) while the command waits in
 *    that queue. Before that answer, the writes that carry what buyers were told (message
 *    appends, conversation states, buyer sessions, handoff queue entries) are appended to the
 *    instance's spill file and fdatasync'd (./spill.ts); a process that dies during the outage
 *    leaves them there, and the next start replays them into Redis idempotently
 *    (./spill-replay.ts). "Acknowledged" therefore means "stored in Redis, or on this
 *    machine's disk and in this process's queue to Redis". When the spill file cannot be
 *    written, such a write is not acknowledged early: it waits for Redis.
 *    Conversations and buyers being recovered from a spill file wait for that replay (at most
 *    readTimeoutMs, then STORE_UNAVAILABLE) so new writes land after the recovered ones.
 *  - This process keeps a local copy of what it has read or written recently: conversation
 *    state, buyer sessions and complete message logs (bounded, least recently used first).
 *    While Redis is down, reads come from that copy instead of waiting; message appends get
 *    the next sequence number from the local log, and the real one Redis assigns when the
 *    buffered append lands is checked against it (any difference is logged and the local log
 *    dropped, so the next read takes Redis's).
 *  - The bus delivers this process's own events to its local subscribers directly (they no
 *    longer make a round trip through Redis), so the bot's replies reach sockets on this
 *    instance during an outage; other instances get the buffered events when Redis returns.
 *  - Locks fall back to a process-local lock and the rate limiter to a local counter; what
 *    can't be answered locally (the agent queue, claims, script versions) waits for Redis.
 *
 * `health()` says 'degraded' with the reason while Redis is unreachable or buffered writes
 * are still unconfirmed; the logger says when that starts and ends.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ConversationState } from '../model/conversation';
import { AppError } from '../errors';
import { LocalLocks, stderrLogger, type AuditEntry, type StoreLogger } from './shared';
import { SpillFile, type SpillRecord } from './spill';
import { replaySpill } from './spill-replay';
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
} from './types';
import type { OutboxAct } from './types';

export interface OutageFallbackOptions {
  logger?: StoreLogger;
  /** An operation slower than this while Redis looks healthy counts as stuck: fall back. Default 1500 ms. */
  fallbackAfterMs?: number;
  /** A read with nothing in the local copy waits at most this long, then fails STORE_UNAVAILABLE. Default 10 s. */
  readTimeoutMs?: number;
  /** Conversations (and buyer sessions) kept in the local copy. Default 5000. */
  maxCachedConversations?: number;
  /** Acknowledged-but-unconfirmed writes allowed; beyond that, writes wait for Redis. Default 100 000. */
  maxBufferedWrites?: number;
  /**
   * Where writes acknowledged before Redis confirmed them are made durable: the spill file
   * `<dir>/spill-<instanceId>.jsonl` (./spill.ts). Without it they are held in memory only,
   * and a process that dies during an outage loses them.
   */
  spill?: { dir: string; instanceId: string };
}

const TIMEOUT = Symbol('timeout');
type Raced<T> = { value: T } | typeof TIMEOUT;

function raceTimeout<T>(p: Promise<T>, ms: number): Promise<Raced<T>> {
  if (ms <= 0) {
    // Still let an already-settled promise win.
    return Promise.race([p.then((value): Raced<T> => ({ value })), Promise.resolve().then((): Raced<T> => TIMEOUT)]);
  }
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.then((value): Raced<T> => ({ value })),
    new Promise<Raced<T>>((resolve) => {
      timer = setTimeout(() => resolve(TIMEOUT), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

const noop = (): void => {};

/** Redis itself refused the command (an error reply): replaying it would be refused again. */
function refusedByRedis(err: unknown): boolean {
  return err instanceof Error && err.name === 'ReplyError';
}

/** The conversation or buyer a spilled write belongs to (what waits for its replay). */
function recoveryKey(record: SpillRecord): string {
  switch (record.kind) {
    case 'message':
      return `conv:${record.conversationId}`;
    case 'conversation':
      return `conv:${record.state.id}`;
    case 'enqueue':
      return `conv:${record.entry.conversationId}`;
    case 'session':
      return `buyer:${record.session.buyerId}`;
  }
}

/** Bus envelope: lets a process skip its own events coming back from Redis (delivered locally already). */
interface Envelope {
  __origin: string;
  m: unknown;
}

function isEnvelope(v: unknown): v is Envelope {
  return typeof v === 'object' && v !== null && typeof (v as Envelope).__origin === 'string' && 'm' in v;
}

/** What this process knows about one conversation. */
interface Local {
  state?: ConversationState;
  /** Every message from seq 1, when known; undefined when this process has not seen them all. */
  log?: StoredMessage[];
}

/** Wraps a (Redis) store so buyers keep getting answers while it is unreachable. */
export function withOutageFallback(inner: Store, options: OutageFallbackOptions = {}): Store {
  return new OutageTolerantStore(inner, options);
}

class OutageTolerantStore implements Store {
  readonly kind: Store['kind'];
  readonly capabilities: Store['capabilities'];
  private readonly logger: StoreLogger;
  private readonly fallbackAfterMs: number;
  private readonly readTimeoutMs: number;
  private readonly maxCached: number;
  private readonly maxBuffered: number;
  private readonly origin = randomBytes(8).toString('hex');

  private readonly local = new Map<string, Local>();
  private readonly sessions = new Map<string, BuyerSession>();
  /** Writes acknowledged to callers and not yet confirmed by Redis. */
  private readonly buffered = new Set<Promise<unknown>>();
  private bufferedTotal = 0;
  /** Set when an operation got stuck although the client still looked connected. */
  private suspect: string | null = null;
  private inOutage = false;
  private settleTimer: NodeJS.Timeout | null = null;
  private readonly handlers = new Map<string, { set: Set<(m: unknown) => void>; inner: Promise<() => Promise<void>> }>();
  /** Serialises holders of one key inside this process (cheap, and all there is during an outage). */
  private readonly localLocks = new LocalLocks();
  private readonly counters = new Map<string, { until: number; count: number }>();
  /** Replay-guard keys this instance accepted (firstSeen), until when. */
  private readonly seenLocally = new Map<string, number>();

  /** 'memory': no spill configured; 'file': spilling to `spill`; 'unavailable': configured but not writable. */
  private readonly spillMode: 'memory' | 'file' | 'unavailable';
  private readonly spill: SpillFile | null = null;
  private readonly spillProblem: string | null = null;
  /** Issue order of writes: orders a spill file's entries. */
  private issued = 0;
  /** Replay of an earlier process's spill file, while it runs. */
  private recovery: Promise<void> | null = null;
  private readonly recoveringKeys = new Set<string>();
  private recoveringCount = 0;

  constructor(
    private readonly inner: Store,
    options: OutageFallbackOptions,
  ) {
    this.kind = inner.kind;
    this.capabilities = inner.capabilities;
    this.logger = options.logger ?? stderrLogger;
    this.fallbackAfterMs = options.fallbackAfterMs ?? 1500;
    this.readTimeoutMs = options.readTimeoutMs ?? 10_000;
    this.maxCached = options.maxCachedConversations ?? 5000;
    this.maxBuffered = options.maxBufferedWrites ?? 100_000;
    if (!options.spill) {
      this.spillMode = 'memory';
      return;
    }
    try {
      this.spill = SpillFile.open({ ...options.spill, logger: this.logger });
      this.spillMode = 'file';
    } catch (err) {
      if (err instanceof AppError) throw err; // another live process has this INSTANCE_ID: refuse to start
      this.spillMode = 'unavailable';
      this.spillProblem = `spill file unavailable (${(err as Error).message})`;
      this.logger.warn(
        { dir: options.spill.dir, err: (err as Error).message },
        'spill file unavailable: while redis is unreachable, writes wait for redis instead of being acknowledged early',
      );
      return;
    }
    this.startRecovery(this.spill);
  }

  // --- recovery of an earlier process's spill file -------------------------------------

  private startRecovery(spill: SpillFile): void {
    const files = spill.recoveredFiles.map(String);
    if (files.length === 0) return;
    const { entries, torn, damaged } = spill.readRecovered();
    if (entries.length === 0) {
      spill.discardRecovered();
      this.logger.info({ files, torn, damaged }, 'spill file from an earlier run had nothing unconfirmed');
      return;
    }
    for (const e of entries) this.recoveringKeys.add(recoveryKey(e.record));
    this.recoveringCount = entries.length;
    this.logger.warn(
      { files, entries: entries.length, torn, damaged },
      'spill file holds writes acknowledged during a redis outage before the last stop; replaying them once redis is reachable',
    );
    this.recovery = (async () => {
      await this.inner.ready();
      const summary = await replaySpill(this.inner, entries, this.logger);
      if (summary.failed > 0) {
        this.logger.warn(
          { files, failed: summary.failed },
          'some spilled writes could not be replayed; the spill file is kept and replayed again at the next start',
        );
      } else {
        spill.discardRecovered();
      }
      this.logger.info({ files, ...summary }, 'spill recovered: writes acknowledged before the last stop are in redis');
    })()
      .catch((err: unknown) => {
        this.logger.warn(
          { files, err: err instanceof Error ? err.message : String(err) },
          'spill replay failed; the spill file is kept and replayed again at the next start',
        );
      })
      .finally(() => {
        this.recovery = null;
        this.recoveringKeys.clear();
        this.recoveringCount = 0;
      });
  }

  /** A conversation or buyer with writes being recovered waits for them (at most readTimeoutMs). */
  private async afterRecovery(key: string): Promise<void> {
    const recovery = this.recovery;
    if (!recovery || !this.recoveringKeys.has(key)) return;
    if ((await raceTimeout(recovery, this.readTimeoutMs)) === TIMEOUT) {
      throw new AppError('STORE_UNAVAILABLE', 'writes of this conversation are being recovered from the spill file and redis is not reachable yet');
    }
  }

  /** Makes a write durable before it is acknowledged early. False: it must wait for Redis instead. */
  private async spillBeforeAck(n: number, record: SpillRecord | undefined): Promise<boolean> {
    if (!record || this.spillMode === 'memory') return true;
    if (!this.spill) return false;
    return this.spill.append(n, record);
  }

  // --- outage bookkeeping --------------------------------------------------------------

  private degraded(): boolean {
    return this.suspect !== null || this.inner.health().status !== 'ok';
  }

  private enterOutage(why: string): void {
    if (this.inOutage) return;
    this.inOutage = true;
    this.logger.warn(
      { reason: why },
      'store degraded: answering buyers from the local copy; acknowledged writes are buffered until redis confirms them',
    );
  }

  private markSuspect(why: string): void {
    this.suspect ??= why;
    this.enterOutage(why);
  }

  /**
   * Remembers a write that was acknowledged before Redis confirmed it; `n` is its spill entry,
   * marked done once Redis confirmed it (or refused it: a replay would be refused too).
   */
  private buffer(p: Promise<unknown>, what: string, n?: number): void {
    this.enterOutage(this.inner.health().reason ?? this.suspect ?? 'redis slow');
    this.buffered.add(p);
    this.bufferedTotal += 1;
    p.then(
      () => {
        if (n !== undefined) this.spill?.done(n);
      },
      (err: unknown) => {
        // A command Redis refused ends here, or one dropped by close() (a lost connection is
        // retried forever); the dropped one stays in the spill file for the next start.
        if (n !== undefined && refusedByRedis(err)) this.spill?.done(n);
        this.logger.warn(
          { op: what, err: err instanceof Error ? err.message : String(err) },
          'buffered write failed in redis after it was acknowledged',
        );
      },
    ).finally(() => {
      this.buffered.delete(p);
      this.settleOutage();
    });
  }

  /** Ends the outage once nothing is buffered any more and every Redis connection is ready. */
  private settleOutage(): void {
    if (this.buffered.size > 0) return;
    if (this.inner.health().status !== 'ok') {
      // The last write can be confirmed before the bus connection is back (each reconnects on
      // its own schedule), and nothing may come along later to notice: look again shortly.
      if ((this.inOutage || this.suspect !== null) && !this.settleTimer) {
        this.settleTimer = setTimeout(() => {
          this.settleTimer = null;
          this.settleOutage();
        }, 100);
        this.settleTimer.unref();
      }
      return;
    }
    this.suspect = null;
    if (this.inOutage) {
      this.inOutage = false;
      this.logger.info({ confirmed: this.bufferedTotal }, 'store recovered: every buffered write is confirmed by redis');
      this.bufferedTotal = 0;
    }
  }

  /**
   * Issues a write. Resolves with its result once Redis confirmed it; or, when Redis is down
   * or slow, resolves `buffered` while the command waits in the client's ordered queue.
   */
  private async write<T>(op: Promise<T>, what: string, record?: SpillRecord): Promise<Raced<T>> {
    const n = ++this.issued; // `op` was issued just before this call: this is its place in line
    if (this.buffered.size >= this.maxBuffered) return { value: await op }; // back-pressure, honestly
    const raced = await raceTimeout(op, this.degraded() ? 0 : this.fallbackAfterMs);
    if (raced !== TIMEOUT) return raced;
    if (!this.degraded()) this.markSuspect(`a ${what} took longer than ${this.fallbackAfterMs} ms`);
    if (!(await this.spillBeforeAck(n, record))) return { value: await op };
    this.buffer(op, what, record ? n : undefined);
    return TIMEOUT;
  }

  private async writeVoid(op: Promise<void>, what: string, record?: SpillRecord): Promise<void> {
    await this.write(op, what, record);
  }

  /** Reads from Redis; from the local copy when Redis is down or stuck; fails after readTimeoutMs with nothing local. */
  private async read<T>(op: () => Promise<T>, fromLocal: () => T | undefined, learn: (v: T) => void, what: string): Promise<T> {
    if (this.degraded()) {
      const l = fromLocal();
      if (l !== undefined) return l;
    }
    const p = op();
    const first = await raceTimeout(p, this.degraded() ? 0 : this.fallbackAfterMs);
    if (first !== TIMEOUT) {
      learn(first.value);
      return first.value;
    }
    if (!this.degraded()) this.markSuspect(`a ${what} took longer than ${this.fallbackAfterMs} ms`);
    const l = fromLocal();
    if (l !== undefined) {
      p.then(learn, noop);
      return l;
    }
    const second = await raceTimeout(p, this.readTimeoutMs);
    if (second !== TIMEOUT) {
      learn(second.value);
      return second.value;
    }
    p.catch(noop);
    throw new AppError('STORE_UNAVAILABLE', `redis unreachable and no local copy for this ${what}`);
  }

  private entry(conversationId: string, create: boolean): Local | undefined {
    const e = this.local.get(conversationId);
    if (e) {
      // Least recently used goes first: move to the end.
      this.local.delete(conversationId);
      this.local.set(conversationId, e);
      return e;
    }
    if (!create) return undefined;
    const fresh: Local = {};
    this.local.set(conversationId, fresh);
    while (this.local.size > this.maxCached) {
      const oldest = this.local.keys().next().value;
      if (oldest === undefined) break;
      this.local.delete(oldest);
    }
    return fresh;
  }

  // --- conversations -------------------------------------------------------------------

  async getConversation(id: string): Promise<ConversationState | null> {
    if (this.recovery) await this.afterRecovery(`conv:${id}`);
    return this.read(
      () => this.inner.getConversation(id),
      () => this.entry(id, false)?.state,
      (conv) => {
        if (conv) this.entry(id, true)!.state = conv;
      },
      'conversation read',
    );
  }

  async saveConversation(conv: ConversationState): Promise<void> {
    if (this.recovery) await this.afterRecovery(`conv:${conv.id}`);
    const known = this.local.has(conv.id);
    const e = this.entry(conv.id, true)!;
    // Saved here before ever being read here, with no turns: this process just opened it, so
    // its log is empty. That lets a conversation opened during an outage number its messages.
    if (!known && conv.turns.length === 0) e.log = [];
    e.state = conv;
    await this.writeVoid(this.inner.saveConversation(conv), 'conversation save', { kind: 'conversation', state: conv });
  }

  /**
   * Step by step (the state, then each message) rather than Redis's one script: each step
   * then has its own spill record and local copy while Redis is away, as with separate calls.
   */
  async commitTurn(turn: TurnCommit): Promise<StoredMessage[]> {
    await this.saveConversation(turn.conversation);
    const stored: StoredMessage[] = [];
    for (const m of turn.messages) stored.push(await this.appendMessage(turn.conversation.id, m));
    return stored;
  }

  /** The Redis store's sweep (it waits for Redis: nothing here is urgent). */
  async sweepIdle(policy: IdlePolicy): Promise<{ removed: number; closed: number }> {
    return (await this.inner.sweepIdle?.(policy)) ?? { removed: 0, closed: 0 };
  }

  /** Waits for Redis (retention can wait); the local copies of what was removed go too. */
  async removeConversations(ids: readonly string[], options?: { closedBefore?: string }): Promise<string[]> {
    const removed = await this.inner.removeConversations(ids, options);
    for (const id of removed) this.local.delete(id);
    for (const [buyerId, s] of this.sessions) if (removed.includes(s.conversationId)) this.sessions.delete(buyerId);
    return removed;
  }

  listConversations(filter?: { status?: ConversationState['status'] }): Promise<ConversationState[]> {
    return this.inner.listConversations(filter);
  }

  async getBuyerSession(buyerId: string): Promise<BuyerSession | null> {
    if (this.recovery) await this.afterRecovery(`buyer:${buyerId}`);
    return this.read(
      () => this.inner.getBuyerSession(buyerId),
      () => this.sessions.get(buyerId),
      (s) => {
        if (s) this.rememberSession(s);
      },
      'buyer session read',
    );
  }

  async saveBuyerSession(session: BuyerSession): Promise<void> {
    if (this.recovery) await this.afterRecovery(`buyer:${session.buyerId}`);
    this.rememberSession(session);
    await this.writeVoid(this.inner.saveBuyerSession(session), 'buyer session save', { kind: 'session', session });
  }

  private rememberSession(s: BuyerSession): void {
    this.sessions.delete(s.buyerId);
    this.sessions.set(s.buyerId, s);
    while (this.sessions.size > this.maxCached) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
  }

  // --- message log ---------------------------------------------------------------------

  async appendMessage(conversationId: string, msg: NewMessage, options: AppendOptions = {}): Promise<StoredMessage> {
    if (this.recovery) await this.afterRecovery(`conv:${conversationId}`);
    const e = this.entry(conversationId, false);
    if (this.degraded() && e?.log && msg.clientId !== undefined) {
      const seen = e.log.find((m) => m.clientId === msg.clientId);
      if (seen) return seen;
    }
    // A message without a client id gets an op id, so a replay from the spill file is stored once.
    const opId =
      msg.clientId === undefined && (options.opId !== undefined || this.spillMode !== 'memory') ? (options.opId ?? randomUUID()) : undefined;
    const op = this.inner.appendMessage(conversationId, msg, opId !== undefined ? { opId } : undefined);
    const n = ++this.issued;
    if (!this.degraded() || !e?.log) {
      const raced = await raceTimeout(op, this.degraded() ? 0 : this.fallbackAfterMs);
      if (raced !== TIMEOUT) {
        this.learnAppended(conversationId, raced.value);
        return raced.value;
      }
      if (!this.degraded()) this.markSuspect(`a message append took longer than ${this.fallbackAfterMs} ms`);
    }
    const log = this.entry(conversationId, false)?.log;
    if (!log) {
      // No complete local log to number the message from: it can only be acknowledged by Redis.
      const late = await raceTimeout(op, this.readTimeoutMs);
      if (late !== TIMEOUT) {
        this.learnAppended(conversationId, late.value);
        return late.value;
      }
      op.catch(noop); // still queued; a resend with the same clientId will not store it twice
      throw new AppError('STORE_UNAVAILABLE', 'redis unreachable and this conversation is not known locally');
    }
    const last = log[log.length - 1];
    const provisional: StoredMessage = { ...msg, conversationId, seq: (last?.seq ?? 0) + 1 };
    log.push(provisional);
    const checked = op.then((real) => {
      if (real.seq !== provisional.seq || real.text !== provisional.text) {
        this.logger.warn(
          { conversationId, provisionalSeq: provisional.seq, seq: real.seq },
          'a message buffered during the outage got another seq in redis (another instance wrote meanwhile); local copy dropped',
        );
        const cur = this.local.get(conversationId);
        if (cur) delete cur.log;
      }
      return real;
    });
    const record: SpillRecord = { kind: 'message', conversationId, message: msg, seq: provisional.seq, ...(opId !== undefined ? { opId } : {}) };
    // Not durable here: answer only once Redis has it.
    if (!(await this.spillBeforeAck(n, record))) return checked;
    this.buffer(checked, 'message append', n);
    return provisional;
  }

  private learnAppended(conversationId: string, stored: StoredMessage): void {
    const e = this.entry(conversationId, false);
    if (!e?.log) return;
    const lastSeq = e.log[e.log.length - 1]?.seq ?? 0;
    if (stored.seq === lastSeq + 1) e.log.push(stored);
    else if (stored.seq > lastSeq + 1) {
      // Another instance appended meanwhile: fetch what we missed so the copy stays complete.
      delete e.log;
      void this.inner.messagesAfter(conversationId, 0).then((rows) => this.learnLog(conversationId, 0, undefined, rows), noop);
    }
  }

  private learnLog(conversationId: string, afterSeq: number, limit: number | undefined, rows: StoredMessage[]): void {
    const reachedEnd = limit === undefined || rows.length < limit;
    if (afterSeq === 0) {
      if (rows.length > 0 && rows[0]?.seq !== 1) return;
      if (!reachedEnd) return;
      this.entry(conversationId, true)!.log = [...rows];
      return;
    }
    const e = this.entry(conversationId, false);
    if (!e?.log || (e.log[e.log.length - 1]?.seq ?? 0) !== afterSeq) return;
    if (rows.length > 0 && rows[0]?.seq !== afterSeq + 1) return;
    e.log.push(...rows);
  }

  async messagesAfter(conversationId: string, afterSeq: number, limit?: number): Promise<StoredMessage[]> {
    if (this.recovery) await this.afterRecovery(`conv:${conversationId}`);
    return this.read(
      () => this.inner.messagesAfter(conversationId, afterSeq, limit),
      () => {
        const log = this.entry(conversationId, false)?.log;
        if (!log) return undefined;
        const after = log.filter((m) => m.seq > afterSeq);
        return limit === undefined ? after : after.slice(0, Math.max(0, limit));
      },
      (rows) => this.learnLog(conversationId, afterSeq, limit, rows),
      'message log read',
    );
  }

  async lastSeq(conversationId: string): Promise<number> {
    if (this.recovery) await this.afterRecovery(`conv:${conversationId}`);
    return this.read(
      () => this.inner.lastSeq(conversationId),
      () => {
        const log = this.entry(conversationId, false)?.log;
        // Only a complete local log knows the last seq; a partial one would under-count.
        return log ? (log[log.length - 1]?.seq ?? 0) : undefined;
      },
      noop, // a bare number cannot fill in the local copy of the log
      'message log read',
    );
  }

  // --- handoff queue, agents, timers: writes buffered, answers that need Redis wait ----

  async enqueue(entry: QueueEntry): Promise<void> {
    if (this.recovery) await this.afterRecovery(`conv:${entry.conversationId}`);
    return this.writeVoid(this.inner.enqueue(entry), 'enqueue', { kind: 'enqueue', entry });
  }
  removeFromQueue(conversationId: string): Promise<boolean> {
    return this.inner.removeFromQueue(conversationId);
  }
  listQueue(): Promise<QueueEntry[]> {
    return this.inner.listQueue();
  }
  queueHead(): Promise<QueueEntry | null> {
    return this.inner.queueHead();
  }
  queuePosition(conversationId: string): Promise<number | null> {
    return this.inner.queuePosition(conversationId);
  }
  getQueueEntry(conversationId: string): Promise<QueueEntry | null> {
    return this.inner.getQueueEntry(conversationId);
  }
  claimNext(agentId: string, maxLoad: number, conversationId?: string, options?: TakeOptions): Promise<QueueEntry | null> {
    return this.inner.claimNext(agentId, maxLoad, conversationId, options);
  }
  setPresence(p: AgentPresence): Promise<void> {
    return this.writeVoid(this.inner.setPresence(p), 'presence');
  }
  getPresence(agentId: string): Promise<AgentPresence | null> {
    return this.inner.getPresence(agentId);
  }
  listPresence(): Promise<AgentPresence[]> {
    return this.inner.listPresence();
  }
  listAssignments(agentId: string): Promise<string[]> {
    return this.inner.listAssignments(agentId);
  }
  assign(agentId: string, conversationId: string): Promise<void> {
    return this.writeVoid(this.inner.assign(agentId, conversationId), 'assign');
  }
  unassign(agentId: string, conversationId: string): Promise<void> {
    return this.writeVoid(this.inner.unassign(agentId, conversationId), 'unassign');
  }
  // A renewal waits for Redis: its answer (whether the lease had been lost) matters to the caller.
  renewPresenceLease(agentId: string, expiresAt: number): Promise<boolean> {
    return this.inner.renewPresenceLease(agentId, expiresAt);
  }
  listPresenceLeases(): Promise<PresenceLease[]> {
    return this.inner.listPresenceLeases();
  }
  takeExpiredLeases(now: number, limit?: number, options?: TakeOptions): Promise<PresenceLease[]> {
    return this.inner.takeExpiredLeases(now, limit, options);
  }
  setTimer(timer: Timer): Promise<void> {
    return this.writeVoid(this.inner.setTimer(timer), 'timer');
  }
  clearTimer(key: string): Promise<void> {
    return this.writeVoid(this.inner.clearTimer(key), 'timer clear');
  }
  takeDueTimers(now: number, limit?: number, options?: TakeOptions): Promise<Timer[]> {
    return this.inner.takeDueTimers(now, limit, options);
  }
  listTimers(): Promise<Timer[]> {
    return this.inner.listTimers();
  }
  getTimers(keys: readonly string[]): Promise<Timer[]> {
    return this.inner.getTimers(keys);
  }

  // --- scripts ---------------------------------------------------------------------------

  saveScriptVersion(v: Omit<ScriptVersion, 'version'>): Promise<ScriptVersion> {
    return this.inner.saveScriptVersion(v);
  }
  getScriptVersion(version: number): Promise<ScriptVersion | null> {
    return this.inner.getScriptVersion(version);
  }
  listScriptVersions(): Promise<ScriptVersion[]> {
    return this.inner.listScriptVersions();
  }
  setActiveScriptVersion(version: number): Promise<void> {
    return this.inner.setActiveScriptVersion(version);
  }
  getActiveScriptVersion(): Promise<number | null> {
    return this.inner.getActiveScriptVersion();
  }
  appendAudit(entry: AuditEntry): Promise<void> {
    return this.writeVoid(this.inner.appendAudit(entry), 'audit');
  }
  listAudit(limit?: number): Promise<AuditEntry[]> {
    return this.inner.listAudit(limit);
  }
  // Drafts wait for Redis like script versions: a manager's edit must not be buffered and lost.
  saveDraft(path: string, draft: ScriptDraft): Promise<void> {
    return this.inner.saveDraft(path, draft);
  }
  getDrafts(): Promise<Record<string, ScriptDraft>> {
    return this.inner.getDrafts();
  }
  deleteDraft(path?: string): Promise<void> {
    return this.inner.deleteDraft(path);
  }

  // --- rate limiter ----------------------------------------------------------------------

  async hit(key: string, windowMs: number, limit: number): Promise<{ allowed: boolean; count: number }> {
    if (!this.degraded()) {
      const p = this.inner.hit(key, windowMs, limit);
      const raced = await raceTimeout(p, this.fallbackAfterMs);
      if (raced !== TIMEOUT) return raced.value;
      p.catch(noop);
      this.markSuspect(`a rate-limit hit took longer than ${this.fallbackAfterMs} ms`);
    }
    // Per-process window while Redis is away: each instance limits on its own.
    const now = Date.now();
    let c = this.counters.get(key);
    if (!c || c.until <= now) {
      c = { until: now + windowMs, count: 0 };
      this.counters.set(key, c);
      if (this.counters.size > 10_000) for (const [k, v] of this.counters) if (v.until <= now) this.counters.delete(k);
    }
    c.count += 1;
    return { allowed: c.count <= limit, count: c.count };
  }

  /**
   * Redis when it answers in time. While it is away, a per-process memory of keys: a replay
   * within this instance is still refused; one sent to another instance meanwhile is not
   * (nothing better exists without Redis), and the key is not written to Redis later.
   */
  async firstSeen(key: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    const local = this.seenLocally.get(key);
    if (local !== undefined && local > now) return false;
    if (!this.degraded()) {
      const p = this.inner.firstSeen(key, ttlMs);
      const raced = await raceTimeout(p, this.fallbackAfterMs).catch((): Raced<boolean> => TIMEOUT);
      if (raced !== TIMEOUT) {
        if (raced.value) this.rememberLocally(key, now + ttlMs);
        return raced.value;
      }
      p.catch(noop);
      this.markSuspect(`a replay-guard check failed or took longer than ${this.fallbackAfterMs} ms`);
    }
    this.rememberLocally(key, now + ttlMs);
    return true;
  }

  private rememberLocally(key: string, until: number): void {
    this.seenLocally.set(key, until);
    if (this.seenLocally.size >= this.sweepSeenAt) {
      const now = Date.now();
      for (const [k, u] of this.seenLocally) if (u <= now) this.seenLocally.delete(k);
      this.sweepSeenAt = Math.max(10_000, 2 * this.seenLocally.size);
    }
  }

  /** Size of the local replay-guard keys at which expired ones are swept (doubles with what stays live). */
  private sweepSeenAt = 10_000;

  // --- bus -------------------------------------------------------------------------------

  async publish(channel: string, message: unknown): Promise<void> {
    // Our own subscribers first and directly: they do not depend on Redis.
    const local = this.handlers.get(channel);
    if (local) {
      for (const h of [...local.set]) {
        try {
          h(message);
        } catch (err) {
          this.logger.warn({ channel, err: err instanceof Error ? err.message : String(err) }, 'bus subscriber threw');
        }
      }
    }
    const envelope: Envelope = { __origin: this.origin, m: message };
    await this.writeVoid(this.inner.publish(channel, envelope), 'publish');
  }

  async subscribe(channel: string, handler: (message: unknown) => void): Promise<() => Promise<void>> {
    let h = this.handlers.get(channel);
    const wrapped = (m: unknown): void => handler(m);
    if (!h) {
      const set = new Set<(m: unknown) => void>();
      const innerSub = this.inner.subscribe(channel, (payload) => {
        let message = payload;
        if (isEnvelope(payload)) {
          if (payload.__origin === this.origin) return; // delivered locally when published
          message = payload.m;
        }
        for (const fn of [...set]) fn(message);
      });
      h = { set, inner: innerSub };
      this.handlers.set(channel, h);
    }
    h.set.add(wrapped);
    // Redis may be away: the subscription is queued and made when it returns; local events flow now.
    const raced = await raceTimeout(h.inner, this.degraded() ? 0 : this.fallbackAfterMs);
    if (raced === TIMEOUT) h.inner.catch(noop);
    const current = h;
    return async () => {
      current.set.delete(wrapped);
      if (current.set.size === 0 && this.handlers.get(channel) === current) {
        this.handlers.delete(channel);
        void current.inner.then((unsubscribe) => unsubscribe()).catch(noop);
      }
    };
  }

  // --- locks -----------------------------------------------------------------------------

  withLock<T>(key: string, ttlMs: number, fn: () => Promise<T>): Promise<T> {
    return this.localLocks.run(key, async () => {
      if (this.degraded()) return fn();
      let abandoned = false;
      let started = false;
      let resolve!: (v: T) => void;
      let reject!: (e: unknown) => void;
      const outcome = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      // Run fn at most once: under the Redis lease, or locally if Redis went away first.
      const guarded = async (): Promise<void> => {
        if (abandoned) return;
        started = true;
        try {
          resolve(await fn());
        } catch (err) {
          reject(err);
        }
      };
      this.inner.withLock(key, ttlMs, guarded).catch((err: unknown) => {
        if (!abandoned) reject(err);
      });
      // The caller gets fn's result as soon as fn is done (the lease release may still be queued).
      const settled = outcome.then(
        () => 'settled' as const,
        () => 'settled' as const,
      );
      for (;;) {
        const r = await Promise.race([settled, new Promise<'tick'>((t) => setTimeout(() => t('tick'), 100))]);
        if (r === 'settled' || started) return outcome;
        if (this.degraded()) {
          // Redis is away and the lease was never granted: the local lock is all there is.
          abandoned = true;
          return fn();
        }
      }
    });
  }

  // --- acts outbox: straight to Redis (the outbox retries; nothing to buffer locally) -------

  addOutboxAct(act: OutboxAct): Promise<boolean> {
    return this.inner.addOutboxAct(act);
  }

  updateOutboxAct(act: OutboxAct): Promise<void> {
    return this.inner.updateOutboxAct(act);
  }

  getOutboxAct(id: string): Promise<OutboxAct | null> {
    return this.inner.getOutboxAct(id);
  }

  dueOutboxActs(now: number, limit?: number): Promise<OutboxAct[]> {
    return this.inner.dueOutboxActs(now, limit);
  }

  listOutboxActs(conversationId: string): Promise<OutboxAct[]> {
    return this.inner.listOutboxActs(conversationId);
  }

  // --- lifecycle -------------------------------------------------------------------------

  /** Resolves once Redis is connected and an earlier process's spill file is replayed. */
  async ready(): Promise<void> {
    await this.inner.ready();
    await this.recovery;
  }

  health(): { status: 'ok' | 'degraded'; reason?: string } {
    const h = this.inner.health();
    const n = this.buffered.size;
    const spill =
      this.spillMode === 'unavailable'
        ? `; ${this.spillProblem ?? 'spill file unavailable'}: writes wait for redis`
        : this.spill?.failureReason
          ? `; ${this.spill.failureReason}: writes wait for redis`
          : this.spill && this.spill.unconfirmedCount > 0
            ? ` (${this.spill.unconfirmedCount} in the spill file)`
            : '';
    if (h.status !== 'ok') {
      return {
        status: 'degraded',
        reason: `${h.reason ?? 'store unreachable'}; buyers are answered from the local copy, ${n} acknowledged writes buffered${spill}`,
      };
    }
    if (n > 0 || this.suspect) {
      return { status: 'degraded', reason: `${this.suspect ?? 'redis recovering'}; ${n} acknowledged writes not yet confirmed by redis${spill}` };
    }
    if (this.recovery) {
      return { status: 'degraded', reason: `replaying ${this.recoveringCount} writes from the spill file of an earlier run` };
    }
    return { status: 'ok' };
  }

  async close(): Promise<void> {
    if (this.buffered.size > 0) {
      this.logger.warn(
        { buffered: this.buffered.size },
        this.spill
          ? 'closing with buffered writes; they are sent if redis is reachable, and kept in the spill file for the next start otherwise'
          : 'closing with buffered writes; they are sent if redis is reachable, lost otherwise',
      );
    }
    if (this.settleTimer) clearTimeout(this.settleTimer);
    await this.inner.close();
    // Closing settles every buffered write: confirmed (its spill entry is done) or dropped (its entry stays).
    await raceTimeout(Promise.allSettled([...this.buffered]), 2000);
    await this.spill?.close();
  }
}
