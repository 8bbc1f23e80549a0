/**
 * Acts go back to the shop. The engine records what the buyer confirmed (a deal price, an
 * address change, an exchange request …) as records in `conv.acts`; after each saved turn
 * `enqueueNewActs` puts the new ones in the store's durable outbox, and `ActDelivery` sends
 * them through the shop adapter: at once, then retried with exponential backoff while the
 * shop is down, each under its own id so the shop can answer a resend idempotently. A
 * restart loses nothing (the outbox is in the store); every state change is published on the
 * conversation's channel so the agent console shows sent / accepted / refused.
 *
 * The same outbox carries other durable deliveries (a push channel's messages to its callback,
 * src/channels/webhook.ts): an `OutboxRoute` claims the entries whose kind starts with its
 * prefix, so one poller, one lease per entry and one backoff serve every destination.
 */
import { z } from 'zod';
import type { ConversationState } from '../model/conversation';
import type { OutboxAct, Store } from '../store/types';
import type { ActOutcome, ShopAct, ShopAdapter } from './adapter';

/** What the outbox needs of an act record; the kind's own values are kept as the payload. */
const actRecord = z
  .object({
    id: z.string().min(1).max(200),
    kind: z.string().min(1).max(100),
    // The engine stamps epoch ms (src/model/acts.ts); the wire and the outbox carry ISO time.
    at: z.union([
      z.string().min(1),
      z
        .number()
        .int()
        .nonnegative()
        .transform((ms) => new Date(ms).toISOString()),
    ]),
    orderNumber: z.string().min(1).max(100).optional(),
  })
  .loose();

export type ActRecord = z.infer<typeof actRecord>;

/** Fields of an act record that are its envelope, not the kind's values. */
const ENVELOPE = new Set(['id', 'kind', 'at', 'orderNumber', 'conversationId', 'buyerId']);

/** The act records of a conversation (`conv.acts`, optional and unknown-shaped until the engine defines it); invalid entries are skipped. */
export function actRecordsOf(conv: ConversationState): { valid: ActRecord[]; invalid: number } {
  const raw: unknown = (conv as unknown as Record<string, unknown>)['acts'];
  if (!Array.isArray(raw)) return { valid: [], invalid: 0 };
  const valid: ActRecord[] = [];
  let invalid = 0;
  for (const item of raw) {
    const parsed = actRecord.safeParse(item);
    if (parsed.success) valid.push(parsed.data);
    else invalid += 1;
  }
  return { valid, invalid };
}

/** The act records present after a turn and not before it (by id). */
export function newActs(before: ConversationState, after: ConversationState): ActRecord[] {
  const seen = new Set(actRecordsOf(before).valid.map((a) => a.id));
  return actRecordsOf(after).valid.filter((a) => !seen.has(a.id));
}

/** The outbox entry for one act record of a conversation. */
export function outboxEntryFor(record: ActRecord, conv: ConversationState, now: number): OutboxAct {
  const payload: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (!ENVELOPE.has(key)) payload[key] = value;
  return {
    id: record.id,
    kind: record.kind,
    conversationId: conv.id,
    buyerId: conv.buyerId,
    ...(record.orderNumber !== undefined ? { orderNumber: record.orderNumber } : {}),
    at: record.at,
    payload,
    state: 'sent',
    attempts: 0,
    nextAttemptAt: now,
    updatedAt: new Date(now).toISOString(),
  };
}

/** What an agent sees of an act. */
export interface ActView {
  id: string;
  kind: string;
  orderNumber?: string;
  at: string;
  payload: Record<string, unknown>;
  state: OutboxAct['state'];
  attempts: number;
  reason?: string;
  lastError?: string;
}

export function actView(a: OutboxAct): ActView {
  return {
    id: a.id,
    kind: a.kind,
    ...(a.orderNumber !== undefined ? { orderNumber: a.orderNumber } : {}),
    at: a.at,
    payload: a.payload,
    state: a.state,
    attempts: a.attempts,
    ...(a.reason !== undefined ? { reason: a.reason } : {}),
    ...(a.lastError !== undefined ? { lastError: a.lastError } : {}),
  };
}

export interface ActDeliveryLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** What one delivery attempt gave: the destination's answer, or a failure to retry with backoff. */
export type DeliveryOutcome = ActOutcome | { status: 'failed'; error: string };

/** A destination for outbox entries that are not acts for the shop. */
export interface OutboxRoute {
  /** Entries whose kind starts with this prefix are this route's, e.g. 'channel.webhook.'. */
  kindPrefix: string;
  send(entry: OutboxAct): Promise<DeliveryOutcome>;
  /**
   * False while the entry must wait (an earlier entry of its stream is still undelivered, so
   * order is kept); it is looked at again next round without counting an attempt.
   */
  ready?(entry: OutboxAct): Promise<boolean>;
  /**
   * Queues what should be in the outbox and is not (see ActDelivery.reconcile): at start-up
   * with `full` (conversations updated since `sinceMs`), then periodically for the
   * conversations this process touched recently. Returns how many entries it added.
   */
  reconcile?(sinceMs: number, full: boolean): Promise<number>;
}

export interface ActDeliveryOptions {
  store: Store;
  adapter: Pick<ShopAdapter, 'sendAct'>;
  /**
   * Other destinations served from the same outbox. After a failed send a route gets no more
   * attempts in that round (a callback that is down is asked once per round, not once per entry).
   */
  routes?: OutboxRoute[];
  logger: ActDeliveryLogger;
  /** Publishes the conversation's acts after a change (the agent console shows them). */
  publish?: (conversationId: string, acts: ActView[]) => Promise<void>;
  now?: () => number;
  /** How often due retries are looked for (default 1000 ms). */
  pollMs?: number;
  /** First retry delay; doubles per attempt up to maxDelayMs (defaults 1 s and 5 min). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Lease on one act while it is being sent, so two instances do not send it at once. */
  lockMs?: number;
  /** How often the cheap reconciliation runs (default 60 s; 0: only at start). */
  reconcileEveryMs?: number;
  /** How far back the start-up reconciliation looks at updated conversations (default 7 days). */
  reconcileStartWindowMs?: number;
}

/** Sends outbox acts to the shop and retries them; start() polls, stop() waits for the round in progress. */
export class ActDelivery {
  private timer: NodeJS.Timeout | null = null;
  private reconcileTimer: NodeJS.Timeout | null = null;
  /** Conversations whose turns queued acts here lately (id → epoch ms): what the periodic reconciliation re-checks. */
  private readonly touched = new Map<string, number>();
  private round: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly options: ActDeliveryOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Queues the acts a turn recorded (new ids only) and starts sending them. */
  async enqueueFromTurn(before: ConversationState, after: ConversationState): Promise<number> {
    if (newActs(before, after).length > 0) this.touched.set(after.id, this.now());
    const { invalid } = actRecordsOf(after);
    if (invalid > 0) this.options.logger.warn({ conversationId: after.id, invalid }, 'act records without id/kind/at skipped');
    let added = 0;
    for (const record of newActs(before, after)) {
      if (await this.options.store.addOutboxAct(outboxEntryFor(record, after, this.now()))) added += 1;
    }
    if (added > 0) {
      await this.publishActs(after.id);
      if (this.timer) this.kick(); // started: send now rather than at the next poll
    }
    return added;
  }

  /**
   * Starts polling. First the start-up reconciliation (conversations updated in the last
   * reconcileStartWindowMs), then the periodic one for recently touched conversations.
   */
  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => this.kick(), this.options.pollMs ?? 1000);
    this.timer.unref();
    const startWindow = this.options.reconcileStartWindowMs ?? 7 * 86_400_000;
    void this.reconcile(this.now() - startWindow, true).finally(() => this.kick());
    const every = this.options.reconcileEveryMs ?? 60_000;
    if (every > 0) {
      this.reconcileTimer = setInterval(() => void this.reconcile(this.now() - 2 * every, false), every);
      this.reconcileTimer.unref();
    }
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.reconcileTimer) clearInterval(this.reconcileTimer);
    this.timer = null;
    this.reconcileTimer = null;
    await this.round;
  }

  /**
   * Closes the crash window between saving a turn (its acts are in conv.acts) and queueing
   * them: every act of the conversations looked at that has no outbox entry gets one (adding
   * is idempotent by act id, so entries already there, delivered or not, are left alone).
   * `full`: every conversation updated since `sinceMs` (start-up); otherwise only those this
   * process queued acts for since then (cheap: no listing). Routes reconcile their own
   * entries the same way. Never throws; returns how many entries were added.
   */
  async reconcile(sinceMs: number, full: boolean): Promise<number> {
    let added = 0;
    try {
      added += await this.reconcileActs(sinceMs, full);
    } catch (err) {
      this.options.logger.error({ err }, 'act reconciliation failed');
    }
    for (const route of this.options.routes ?? []) {
      try {
        added += (await route.reconcile?.(sinceMs, full)) ?? 0;
      } catch (err) {
        this.options.logger.error({ err, route: route.kindPrefix }, 'outbox reconciliation failed');
      }
    }
    if (added > 0 && this.timer) this.kick(); // started: send now rather than at the next poll
    return added;
  }

  private async reconcileActs(sinceMs: number, full: boolean): Promise<number> {
    const { store } = this.options;
    let conversations: ConversationState[];
    if (full) {
      conversations = (await store.listConversations()).filter(
        (c) => Date.parse(c.updatedAt) >= sinceMs && Array.isArray(c.acts) && c.acts.length > 0,
      );
    } else {
      const ids = [...this.touched].filter(([, at]) => at >= sinceMs).map(([id]) => id);
      for (const [id, at] of this.touched) if (at < sinceMs) this.touched.delete(id);
      conversations = (await Promise.all(ids.map((id) => store.getConversation(id)))).filter((c): c is ConversationState => c !== null);
    }
    let added = 0;
    for (const conv of conversations) {
      const fresh: string[] = [];
      for (const record of actRecordsOf(conv).valid) {
        if (await store.addOutboxAct(outboxEntryFor(record, conv, this.now()))) fresh.push(record.id);
      }
      if (fresh.length === 0) continue;
      added += fresh.length;
      this.options.logger.warn({ conversationId: conv.id, acts: fresh }, 'acts found without an outbox entry (stopped before queueing); queued now');
      await this.publishActs(conv.id);
    }
    return added;
  }

  /** Runs a delivery round now (or right after the one in progress). */
  kick(): void {
    if (this.stopped) return;
    if (this.round) {
      this.again = true;
      return;
    }
    this.round = this.deliverDue()
      .then(() => undefined)
      .catch((err: unknown) => this.options.logger.error({ err }, 'act delivery round failed'))
      .finally(() => {
        this.round = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Sends every due entry once; returns how many got an answer (accepted or refused). */
  async deliverDue(): Promise<number> {
    const due = await this.options.store.dueOutboxActs(this.now(), 50);
    const failedRoutes = new Set<OutboxRoute>();
    let answered = 0;
    for (const act of due) {
      if (this.stopped) break;
      const route = this.routeOf(act);
      if (route) {
        if (failedRoutes.has(route) || (route.ready && !(await route.ready(act)))) continue;
        const result = await this.deliverOne(act.id, (entry) => route.send(entry));
        if (result === 'failed') failedRoutes.add(route);
        if (result === 'answered') answered += 1;
        continue;
      }
      if ((await this.deliverOne(act.id, (entry) => this.options.adapter.sendAct(toShopAct(entry)))) === 'answered') answered += 1;
    }
    return answered;
  }

  private routeOf(entry: OutboxAct): OutboxRoute | undefined {
    return this.options.routes?.find((r) => entry.kind.startsWith(r.kindPrefix));
  }

  /** One attempt under the entry's lease: 'answered' (accepted or refused), 'failed' (retried later) or 'skipped'. */
  private async deliverOne(id: string, send: (entry: OutboxAct) => Promise<DeliveryOutcome>): Promise<'answered' | 'failed' | 'skipped'> {
    const { store } = this.options;
    const changed = await store.withLock(`act:${id}`, this.options.lockMs ?? 15_000, async () => {
      const act = await store.getOutboxAct(id);
      // Another instance answered it, or retried it, meanwhile.
      if (!act || act.state !== 'sent' || act.nextAttemptAt > this.now()) return null;
      let outcome: DeliveryOutcome;
      try {
        outcome = await send(act);
      } catch (err) {
        outcome = { status: 'failed', error: err instanceof Error ? err.message : String(err) };
      }
      const attempts = act.attempts + 1;
      const updatedAt = new Date(this.now()).toISOString();
      let next: OutboxAct;
      if (outcome.status === 'failed') {
        const delay = Math.min(this.options.maxDelayMs ?? 300_000, (this.options.baseDelayMs ?? 1000) * 2 ** (attempts - 1));
        next = { ...act, attempts, nextAttemptAt: this.now() + delay, lastError: outcome.error.slice(0, 300), updatedAt };
        this.options.logger.warn({ actId: id, attempts, retryInMs: delay, err: outcome.error }, 'act not delivered; will retry');
      } else {
        const { lastError: _dropped, ...rest } = act;
        next = {
          ...rest,
          attempts,
          state: outcome.status,
          updatedAt,
          ...(outcome.status === 'refused' ? { reason: outcome.reason.slice(0, 300) } : {}),
        };
        this.options.logger.info({ actId: id, kind: act.kind, state: outcome.status, attempts }, 'act answered by the shop');
      }
      await store.updateOutboxAct(next);
      return next;
    });
    if (!changed) return 'skipped';
    // Only a state change is news to the agent; a failed retry keeps 'sent' with a new error.
    if (!this.routeOf(changed)) await this.publishActs(changed.conversationId);
    return changed.state === 'sent' ? 'failed' : 'answered';
  }

  private async publishActs(conversationId: string): Promise<void> {
    if (!this.options.publish) return;
    try {
      const acts = await this.options.store.listOutboxActs(conversationId);
      await this.options.publish(conversationId, acts.map(actView));
    } catch (err) {
      this.options.logger.warn({ err, conversationId }, 'could not publish act states');
    }
  }
}

function toShopAct(a: OutboxAct): ShopAct {
  return {
    id: a.id,
    kind: a.kind,
    conversationId: a.conversationId,
    buyerId: a.buyerId,
    ...(a.orderNumber !== undefined ? { orderNumber: a.orderNumber } : {}),
    at: a.at,
    payload: a.payload,
  };
}
