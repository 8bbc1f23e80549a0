/**
 * The webhook channel's inbound route (docs/channels.md):
 *
 *   POST /api/channels/webhook
 *     X-Dianxiaoer-Timestamp, X-Dianxiaoer-Signature (./webhook.ts)
 *     { "buyerId": "B002", "messageId": "m-1", "text": "我的快递到哪了", "productId"?: "P100" }
 *   → 202 { conversationId, seq, duplicate }; the bot's answer follows on the callback.
 *
 * 401 for a missing, wrong, stale or replayed signature (checked before the body is parsed);
 * 400 for bad JSON or fields; the shared rules' refusals with their codes (413 TEXT_TOO_LONG,
 * 429 RATE_LIMITED, 503 SHUTTING_DOWN). The buyer id is the shop's: the connector maps its
 * platform's users to the shop's buyers, and the signed request vouches for it.
 */
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import type { AppContext, Concern } from '../app';
import { AppError } from '../errors';
import { sendError, sendJson } from '../transport/router';
import { DEFAULT_TOLERANCE_MS, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhook, WEBHOOK_CHANNEL, type WebhookChannel } from './webhook';

export const WEBHOOK_PATH = '/api/channels/webhook';

/** Inbound bodies are small JSON: text is capped by MAX_TEXT_LENGTH long before this. */
const BODY_LIMIT = 64 * 1024;

const inboundMessage = z.object({
  buyerId: z
    .string()
    .min(1)
    .max(80)
    .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces'),
  /** The platform's message id: sending it again never stores the message twice. */
  messageId: z.string().min(1).max(100),
  text: z.string().max(100_000),
  productId: z.string().min(1).max(80).optional(),
});

export type InboundWebhookMessage = z.infer<typeof inboundMessage>;

async function readRaw(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new AppError('FRAME_TOO_LARGE', `Body is larger than ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new AppError('FRAME_TOO_LARGE', `Body is larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
}

export interface WebhookConcernOptions {
  channel: WebhookChannel;
  secret: string;
  toleranceMs?: number;
}

/** Registers the push channel with the app and its inbound route. */
export function webhookConcern(options: WebhookConcernOptions): Concern {
  return (ctx: AppContext) => {
    const tolerance = options.toleranceMs ?? DEFAULT_TOLERANCE_MS;
    const log = ctx.deps.logger.child({ component: 'webhook' });
    ctx.channels.add(options.channel);

    ctx.router.post(WEBHOOK_PATH, async ({ req, res, ip }) => {
      const raw = await readRaw(req, BODY_LIMIT);
      const verified = verifyWebhook(
        options.secret,
        { signature: header(req, SIGNATURE_HEADER), timestamp: header(req, TIMESTAMP_HEADER) },
        raw,
        ctx.deps.clock().getTime(),
        tolerance,
      );
      if (!verified.ok) {
        log.warn({ ip, reason: verified.reason }, 'webhook request refused');
        sendError(res, 'UNAUTHORIZED', `Webhook ${verified.reason}`);
        return;
      }
      // A signature is good for one request: the same one again within its validity is a replay.
      const seen = await ctx.deps.store.hit(`webhook:sig:${verified.signature}`, 2 * tolerance, 1);
      if (!seen.allowed) {
        log.warn({ ip }, 'webhook request replayed; refused');
        sendError(res, 'UNAUTHORIZED', 'Webhook request was already received (replay); sign each request with a fresh timestamp');
        return;
      }
      let json: unknown;
      try {
        json = JSON.parse(raw.toString('utf8'));
      } catch {
        sendError(res, 'BAD_JSON', 'Body is not valid JSON');
        return;
      }
      const parsed = inboundMessage.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        sendError(res, 'BAD_FRAME', issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid body');
        return;
      }
      const body = parsed.data;
      // Refusals that need no conversation come first (nothing is opened for an empty message).
      const checked = ctx.inbox.checkText(body.text);
      if (!checked.ok) {
        sendError(res, checked.code, checked.message);
        return;
      }
      const { session } = await ctx.conversations.openSession({
        channel: WEBHOOK_CHANNEL,
        channelBuyerId: body.buyerId,
        ...(body.productId ? { productId: body.productId } : {}),
      });
      const received = await ctx.inbox.receiveText(
        { conversationId: session.conversationId, buyerId: session.buyerId, signed: true },
        body.messageId,
        body.text,
      );
      if (!received.ok) {
        sendError(res, received.code, received.message);
        return;
      }
      sendJson(res, 202, { conversationId: session.conversationId, seq: received.stored.seq, duplicate: received.duplicate });
    });
  };
}
