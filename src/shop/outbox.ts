/**
 * Acts go back to the shop. The engine records what the buyer confirmed (a deal price, an
 * address change, an exchange request …) as records in `conv.acts`; after each saved turn
 * `enqueueNewActs` puts the new ones in the store's durable outbox, and `ActDelivery` sends
 * them through the shop adapter: at once, then retried with exponential backoff while the
 * shop is down, each under its own id so the shop can answer a resend idempotently. A
 * restart loses nothing (the outbox is in the store); every state change is published on the
 * conversation's channel so the agent console shows sent / accepted / refused.
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

export interface ActDeliveryOptions {
  store: Store;
  adapter: Pick<ShopAdapter, 'sendAct'>;
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
}

/** Sends outbox acts to the shop and retries them; start() polls, stop() waits for the round in progress. */
export class ActDelivery {
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly options: ActDeliveryOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Queues the acts a turn recorded (new ids only) and starts sending them. */
  async enqueueFromTurn(before: ConversationState, after: ConversationState): Promise<number> {
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

  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => this.kick(), this.options.pollMs ?? 1000);
    this.timer.unref();
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.round;
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

  /** Sends every due act once; returns how many got an answer (accepted or refused). */
  async deliverDue(): Promise<number> {
    const due = await this.options.store.dueOutboxActs(this.now(), 50);
    let answered = 0;
    for (const act of due) {
      if (this.stopped) break;
      if (await this.deliverOne(act.id)) answered += 1;
    }
    return answered;
  }

  private async deliverOne(id: string): Promise<boolean> {
    const { store } = this.options;
    const changed = await store.withLock(`act:${id}`, this.options.lockMs ?? 15_000, async () => {
      const act = await store.getOutboxAct(id);
      // Another instance answered it, or retried it, meanwhile.
      if (!act || act.state !== 'sent' || act.nextAttemptAt > this.now()) return null;
      let outcome: ActOutcome | { status: 'failed'; error: string };
      try {
        outcome = await this.options.adapter.sendAct(toShopAct(act));
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
    if (!changed) return false;
    // Only a state change is news to the agent; a failed retry keeps 'sent' with a new error.
    await this.publishActs(changed.conversationId);
    return changed.state !== 'sent';
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
