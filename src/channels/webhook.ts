/**
 * The signed HTTP webhook channel (docs/channels.md): a push channel for buyers who write on
 * another platform, reached through a connector that the shop runs.
 *
 *  - Signing, both ways: `X-Dianxiaoer-Timestamp: <unix seconds>` and
 *    `X-Dianxiaoer-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" with WEBHOOK_SECRET>`.
 *    The timestamp is inside the signature, so an old request cannot be replayed with a new one.
 *  - Outbound: every bot or agent message and every handoff change of a webhook conversation
 *    is put in the store's durable outbox (src/shop/outbox.ts) under the stream
 *    `webhook:<conversationId>`, then POSTed to WEBHOOK_CALLBACK_URL in order, retried with
 *    backoff while the callback is down, each under its own delivery id so a resend can be
 *    recognised. A crash between storing a message and queueing it is repaired by `reconcile`.
 *
 * The inbound route is in ./http-webhook.ts.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Channel, Recipient } from '../conversation/channel';
import type { HandoffUpdate } from '../conversation/events';
import { toOutbound, type OutboundEvent, type OutboundMessage } from '../conversation/outbound';
import type { PhotoRef } from '../conversation/conversation-service';
import type { ConversationState } from '../model/conversation';
import type { OutboxAct, Store, StoredMessage } from '../store/types';
import type { DeliveryOutcome, OutboxRoute } from '../shop/outbox';

export const WEBHOOK_CHANNEL = 'webhook';
export const SIGNATURE_HEADER = 'x-dianxiaoer-signature';
export const TIMESTAMP_HEADER = 'x-dianxiaoer-timestamp';
export const DELIVERY_HEADER = 'x-dianxiaoer-delivery';

/** Outbox kinds of this channel: `channel.webhook.message`, `channel.webhook.handoff`. */
export const WEBHOOK_KIND_PREFIX = 'channel.webhook.';

/** How far a request's timestamp may be from our clock (either way). */
export const DEFAULT_TOLERANCE_MS = 5 * 60_000;

/** `sha256=<hex>` of `<timestamp>.<body>`. */
export function signWebhook(secret: string, timestamp: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

/** How long a file link in a callback stays valid. */
export const FILE_LINK_TTL_S = 24 * 3600;

/** The path a connector GETs an image from (relative to the engine's base URL), signed and expiring. */
export function signedFilePath(secret: string, fileId: string, expiresS: number): string {
  const sig = createHmac('sha256', secret).update(`file.${fileId}.${expiresS}`).digest('hex');
  return `/api/channels/webhook/files/${encodeURIComponent(fileId)}?expires=${expiresS}&sig=${sig}`;
}

/** True when `sig` is our signature of this file id and expiry, and the link has not expired. */
export function verifyFileLink(secret: string, fileId: string, expires: string, sig: string, nowMs: number): boolean {
  if (!/^\d{1,12}$/.test(expires) || Number(expires) * 1000 < nowMs) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`file.${fileId}.${expires}`).digest('hex'));
  const given = Buffer.from(sig);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export type Verification = { ok: true; signature: string } | { ok: false; reason: string };

/**
 * Checks a request's signature and timestamp (timing-safe). The caller still has to refuse a
 * signature it has seen before (a replay within the tolerance).
 */
export function verifyWebhook(
  secret: string,
  headers: { signature?: string | undefined; timestamp?: string | undefined },
  body: Buffer,
  nowMs: number,
  toleranceMs = DEFAULT_TOLERANCE_MS,
): Verification {
  const { signature, timestamp } = headers;
  if (!signature || !timestamp) return { ok: false, reason: 'X-Dianxiaoer-Signature and X-Dianxiaoer-Timestamp are required' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'X-Dianxiaoer-Timestamp must be unix seconds' };
  if (Math.abs(nowMs - Number(timestamp) * 1000) > toleranceMs) {
    return { ok: false, reason: `X-Dianxiaoer-Timestamp is more than ${Math.round(toleranceMs / 1000)} s from the server's clock` };
  }
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature does not match' };
  return { ok: true, signature };
}

export interface WebhookLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface WebhookChannelOptions {
  store: Store;
  secret: string;
  callbackUrl: string;
  logger: WebhookLogger;
  /** Per callback request (default 5000 ms). */
  timeoutMs?: number;
  now?: () => number;
}

/** A message as the callback gets it: an image's `file.path` is a signed link, added when it is sent. */
export type CallbackMessage = Omit<OutboundMessage, 'conversationId' | 'file'> & { file?: PhotoRef & { path?: string } };

/** The body POSTed to the callback (docs/channels.md, "Outbound"). */
export type CallbackBody =
  | { type: 'message'; deliveryId: string; conversationId: string; buyerId: string; message: CallbackMessage }
  | { type: 'handoff'; deliveryId: string; conversationId: string; buyerId: string; handoff: HandoffUpdate };

/** The outbox stream of a conversation's deliveries (never a conversation id, so act lists never show them). */
export function streamOf(conversationId: string): string {
  return `${WEBHOOK_CHANNEL}:${conversationId}`;
}

export class WebhookChannel implements Channel {
  readonly name = WEBHOOK_CHANNEL;
  private readonly now: () => number;
  /** Conversations with outbound events lately (id → epoch ms), re-checked by the periodic reconciliation. */
  private readonly touched = new Map<string, number>();

  constructor(private readonly options: WebhookChannelOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Queues the event durably; the outbox route below delivers it. */
  async deliver(event: OutboundEvent, to: Recipient): Promise<void> {
    this.touched.set(to.conversationId, this.now());
    if (event.kind === 'message') {
      await this.options.store.addOutboxAct(this.messageEntry(event.message.seq, event.message, to));
      return;
    }
    const id = `${streamOf(to.conversationId)}:h:${this.now().toString(36)}:${Math.random().toString(36).slice(2, 8)}`;
    const body: CallbackBody = { type: 'handoff', deliveryId: id, ...to, handoff: event.handoff };
    await this.options.store.addOutboxAct(this.entry(id, 'handoff', to, new Date(this.now()).toISOString(), body));
  }

  private messageEntry(seq: number, message: OutboundMessage, to: Recipient): OutboxAct {
    // One id per stored message: queueing it again (reconcile, a retried hook) changes nothing.
    const id = `${streamOf(to.conversationId)}:${seq}`;
    const { conversationId: _c, ...rest } = message;
    const body: CallbackBody = { type: 'message', deliveryId: id, ...to, message: rest };
    return this.entry(id, 'message', to, message.at, body);
  }

  private entry(id: string, kind: 'message' | 'handoff', to: Recipient, at: string, body: CallbackBody): OutboxAct {
    const now = this.now();
    return {
      id,
      kind: `${WEBHOOK_KIND_PREFIX}${kind}`,
      conversationId: streamOf(to.conversationId),
      buyerId: to.buyerId,
      at,
      payload: body as unknown as Record<string, unknown>,
      state: 'sent',
      attempts: 0,
      nextAttemptAt: now,
      updatedAt: new Date(now).toISOString(),
    };
  }

  /** The outbox route that POSTs this channel's entries to the callback. */
  route(): OutboxRoute {
    return {
      kindPrefix: WEBHOOK_KIND_PREFIX,
      send: (entry) => this.post(entry),
      ready: (entry) => this.isNextInStream(entry),
      reconcile: (sinceMs, full) => this.reconcile(sinceMs, full),
    };
  }

  /** Deliveries of one conversation go out in the order queued: an entry waits for every earlier one. */
  private async isNextInStream(entry: OutboxAct): Promise<boolean> {
    for (const other of await this.options.store.listOutboxActs(entry.conversationId)) {
      if (other.id === entry.id) return true;
      if (other.state === 'sent') return false;
    }
    return true;
  }

  /** 2xx: accepted. 400, 404, 410, 422: refused for good (logged). Anything else, or no answer: retried. */
  private async post(entry: OutboxAct): Promise<DeliveryOutcome> {
    const body = JSON.stringify(this.withFileLink(entry.payload as unknown as CallbackBody));
    const timestamp = String(Math.floor(this.now() / 1000));
    let res: Response;
    try {
      res = await fetch(this.options.callbackUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: signWebhook(this.options.secret, timestamp, body),
          [DELIVERY_HEADER]: entry.id,
        },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
      });
    } catch (err) {
      return { status: 'failed', error: `callback unreachable: ${err instanceof Error ? err.message : String(err)}` };
    }
    const text = await res.text().catch(() => '');
    if (res.ok) return { status: 'accepted' };
    if ([400, 404, 410, 422].includes(res.status)) {
      this.options.logger.warn({ deliveryId: entry.id, status: res.status }, 'webhook callback refused a delivery; not retried');
      return { status: 'refused', reason: `HTTP ${res.status}: ${text.slice(0, 200)}` };
    }
    return { status: 'failed', error: `callback answered HTTP ${res.status}` };
  }

  /** An image message gets its signed link when it is sent (so a delivery retried for hours still carries a fresh one). */
  private withFileLink(body: CallbackBody): CallbackBody {
    if (body.type !== 'message' || !body.message.file) return body;
    const expires = Math.floor(this.now() / 1000) + FILE_LINK_TTL_S;
    const file = { ...body.message.file, path: signedFilePath(this.options.secret, body.message.file.id, expires) };
    return { ...body, message: { ...body.message, file } };
  }

  /**
   * Queues the outbound messages of webhook conversations that have no outbox entry (the
   * process stopped, or the store failed, between storing a message and queueing it).
   * `full` (start-up): every webhook conversation updated since `sinceMs` or with an agent;
   * otherwise the ones this process delivered to since then. Idempotent: entries are keyed by
   * conversation and seq. Returns how many were added.
   */
  async reconcile(sinceMs: number, full: boolean): Promise<number> {
    const { store } = this.options;
    let conversations: ConversationState[];
    if (full) {
      conversations = (await store.listConversations()).filter(
        (c) => c.channel === WEBHOOK_CHANNEL && (c.status === 'queued' || c.status === 'agent' || Date.parse(c.updatedAt) >= sinceMs),
      );
    } else {
      const ids = [...this.touched].filter(([, at]) => at >= sinceMs).map(([id]) => id);
      for (const [id, at] of this.touched) if (at < sinceMs) this.touched.delete(id);
      conversations = (await Promise.all(ids.map((id) => store.getConversation(id)))).filter((c): c is ConversationState => c !== null);
    }
    let added = 0;
    for (const conv of conversations) {
      const to = { conversationId: conv.id, buyerId: conv.buyerId };
      const log: StoredMessage[] = await store.messagesAfter(conv.id, 0);
      for (const m of log) {
        const message = m.from === 'buyer' ? null : toOutbound(m);
        if (message && (await store.addOutboxAct(this.messageEntry(m.seq, message, to)))) added += 1;
      }
    }
    if (added > 0) this.options.logger.info({ added }, 'queued webhook deliveries missed before a restart');
    return added;
  }
}
