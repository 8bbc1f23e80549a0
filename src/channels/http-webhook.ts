/**
 * The webhook channel's inbound route (docs/channels.md):
 *
 *   POST /api/channels/webhook
 *     X-Dianxiaoer-Timestamp, X-Dianxiaoer-Signature (./webhook.ts)
 *     { "buyerId": "B002", "messageId": "m-1", "text": "我的快递到哪了", "productId"?: "P100" }
 *     or, for a photo, "image": { "base64": "…" } instead of "text"
 *   → 202 { conversationId, seq, duplicate }; the bot's answer follows on the callback.
 *   GET /api/channels/webhook/files/:id?expires=&sig=   an image of a webhook conversation, by
 *     the signed link a callback carries (./webhook.ts, signedFilePath).
 *
 * 401 for a missing, wrong, stale or replayed signature (checked before the body is parsed);
 * 400 for bad JSON or fields; the shared rules' refusals with their codes (413 TEXT_TOO_LONG,
 * 429 RATE_LIMITED, 503 SHUTTING_DOWN). The buyer id is the shop's: the connector maps its
 * platform's users to the shop's buyers, and the signed request vouches for it.
 */
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { z } from 'zod';
import { DiskFileStore, isFileId, type FileStore } from '../files/file-store';
import { sniffImageType } from '../files/image-type';
import type { AppContext, Concern } from '../app';
import { AppError } from '../errors';
import { sendError, sendJson } from '../transport/router';
import {
  DEFAULT_TOLERANCE_MS,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyFileLink,
  verifyWebhook,
  WEBHOOK_CHANNEL,
  type WebhookChannel,
} from './webhook';

export const WEBHOOK_PATH = '/api/channels/webhook';

/** Text bodies are small JSON (text is capped by MAX_TEXT_LENGTH long before this); an image adds its base64. */
const TEXT_BODY_LIMIT = 64 * 1024;

/** How long an image's messageId is remembered, so a re-signed retry does not post the photo twice. */
const IMAGE_DEDUPE_MS = 24 * 3600_000;
const DUPLICATE = new Error('image messageId seen before');

const inboundMessage = z
  .object({
    buyerId: z
      .string()
      .min(1)
      .max(80)
      .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces'),
    /** The platform's message id: sending it again never stores the message twice. */
    messageId: z.string().min(1).max(100),
    text: z.string().max(100_000).optional(),
    /** A photo (jpeg, png, webp or gif, checked by content), base64, up to MAX_UPLOAD_BYTES decoded. */
    image: z.object({ base64: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64') }).optional(),
    productId: z.string().min(1).max(80).optional(),
  })
  .refine((b) => (b.text === undefined) !== (b.image === undefined), { message: 'send either "text" or "image"', path: ['text'] });

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
  /** Where images go (default: DiskFileStore under DATA_DIR/files, as for the widget). */
  fileStore?: FileStore;
}

/** Registers the push channel with the app and its inbound route. */
export function webhookConcern(options: WebhookConcernOptions): Concern {
  return (ctx: AppContext) => {
    const tolerance = options.toleranceMs ?? DEFAULT_TOLERANCE_MS;
    const log = ctx.deps.logger.child({ component: 'webhook' });
    const { config, store } = ctx.deps;
    const files = options.fileStore ?? new DiskFileStore(join(config.dataDir, 'files'));
    const bodyLimit = Math.ceil(config.maxUploadBytes / 3) * 4 + TEXT_BODY_LIMIT;
    ctx.channels.add(options.channel);

    ctx.router.get(`${WEBHOOK_PATH}/files/:id`, async ({ res, params, url }) => {
      const id = params['id'] ?? '';
      const linked = verifyFileLink(
        options.secret,
        id,
        url.searchParams.get('expires') ?? '',
        url.searchParams.get('sig') ?? '',
        ctx.deps.clock().getTime(),
      );
      if (!linked) throw new AppError('UNAUTHORIZED', 'The file link is not signed by this server or has expired');
      const found = isFileId(id) ? await files.get(id) : null;
      const conv = found ? await store.getConversation(found.file.conversationId) : null;
      if (!found || conv?.channel !== WEBHOOK_CHANNEL) throw new AppError('NOT_FOUND', 'No such file');
      res.writeHead(200, {
        'content-type': found.file.contentType,
        'content-length': found.data.length,
        'cache-control': 'private, max-age=3600',
        'x-content-type-options': 'nosniff',
      });
      res.end(found.data);
    });

    ctx.router.post(WEBHOOK_PATH, async ({ req, res, ip }) => {
      const raw = await readRaw(req, bodyLimit);
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
      // Remembered durably (store.firstSeen): a restart within the tolerance does not open the door to a replay.
      const first = await ctx.deps.store.firstSeen(`webhook:sig:${verified.signature}`, 2 * tolerance);
      if (!first) {
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
      if (body.image !== undefined) {
        await receiveImage(body.buyerId, body.messageId, body.image.base64, body.productId);
        return;
      }
      // Refusals that need no conversation come first (nothing is opened for an empty message).
      const checked = ctx.inbox.checkText(body.text ?? '');
      if (!checked.ok) {
        sendError(res, checked.code, checked.message);
        return;
      }
      const session = await openFor(body.buyerId, body.productId);
      const received = await ctx.inbox.receiveText(
        { conversationId: session.conversationId, buyerId: session.buyerId, signed: true },
        body.messageId,
        checked.text,
      );
      if (!received.ok) {
        sendError(res, received.code, received.message);
        return;
      }
      sendJson(res, 202, { conversationId: session.conversationId, seq: received.stored.seq, duplicate: received.duplicate });

      async function receiveImage(buyerId: string, messageId: string, base64: string, productId?: string): Promise<void> {
        const data = Buffer.from(base64, 'base64');
        if (data.length > config.maxUploadBytes) throw new AppError('FILE_TOO_LARGE', `Images up to ${config.maxUploadBytes} bytes`);
        const contentType = sniffImageType(data);
        if (!contentType) throw new AppError('BAD_FILE_TYPE');
        const session = await openFor(buyerId, productId);
        const sender = { conversationId: session.conversationId, buyerId: session.buyerId, signed: true };
        let duplicate = false;
        const received = await ctx.inbox
          .receivePhoto(sender, async () => {
            // Checked only once the rules let the photo in, so a refused one can be sent again.
            const first = await store.firstSeen(`webhook:image:${session.buyerId}:${messageId}`, IMAGE_DEDUPE_MS);
            if (!first) throw DUPLICATE;
            const saved = await files.put(data, {
              contentType,
              conversationId: session.conversationId,
              uploadedBy: 'buyer',
              at: ctx.deps.clock().toISOString(),
            });
            return { id: saved.id, contentType: saved.contentType, size: saved.size };
          })
          .catch((err: unknown) => {
            if (err !== DUPLICATE) throw err;
            duplicate = true;
            return null;
          });
        if (duplicate || !received) {
          sendJson(res, 202, { conversationId: session.conversationId, duplicate: true });
          return;
        }
        if (!received.ok) {
          sendError(res, received.code, received.message);
          return;
        }
        sendJson(res, 202, { conversationId: session.conversationId, seq: received.stored.seq, duplicate: false });
      }
    });

    /** The buyer's session on this channel (opened, or resumed). */
    async function openFor(buyerId: string, productId?: string): Promise<{ conversationId: string; buyerId: string }> {
      const { session } = await ctx.conversations.openSession({
        channel: WEBHOOK_CHANNEL,
        channelBuyerId: buyerId,
        ...(productId ? { productId } : {}),
      });
      return session;
    }
  };
}
