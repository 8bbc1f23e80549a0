/**
 * Images in the chat over HTTP (docs/protocol.md, "Images"):
 *
 *   POST /api/files                 body: the image bytes (jpeg, png, webp or gif by content)
 *     buyer:  X-Buyer-Id + X-Resume-Token (the socket's welcome) → their own conversation
 *     agent:  Authorization: Bearer <agent token>, ?conversationId= a conversation they hold
 *     → 201 { file: { id, contentType, size, url }, seq }; the message reaches everyone on the Bus.
 *   GET  /api/files/:id             the same credentials; the conversation's buyer or an agent,
 *                                   403 for anyone else.
 *
 * Credentials travel in headers, never in the URL, so pages fetch images with fetch() and show
 * them from a blob: URL.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import type { AgentAccount } from '../config';
import type { AppContext, Concern } from '../app';
import { AppError } from '../errors';
import { sendError, sendJson } from '../transport/router';
import { DiskFileStore, isFileId, type FileStore, type StoredFile } from './file-store';
import { sniffImageType } from './image-type';

type Viewer = { kind: 'buyer'; buyerId: string; conversationId: string } | { kind: 'agent'; agent: AgentAccount };

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Reads the body up to `limit` bytes; FILE_TOO_LARGE beyond (the rest is not read). */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new AppError('FILE_TOO_LARGE', `Images up to ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new AppError('FILE_TOO_LARGE', `Images up to ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export interface FilesConcernOptions {
  /** Default: DiskFileStore under DATA_DIR/files. */
  fileStore?: FileStore;
}

/** The URL a client fetches a file from. */
export function fileUrl(id: string): string {
  return `/api/files/${id}`;
}

/** Registers the upload and download routes. */
export function filesConcern(options: FilesConcernOptions = {}): Concern {
  return (ctx: AppContext) => {
    const { config, store } = ctx.deps;
    const files = options.fileStore ?? new DiskFileStore(join(config.dataDir, 'files'));

    async function viewer(req: IncomingMessage): Promise<Viewer> {
      const auth = header(req, 'authorization');
      if (auth !== undefined) {
        const agent = config.agents.find((a) => sameSecret(auth, `Bearer ${a.token}`));
        if (!agent) throw new AppError('UNAUTHORIZED');
        return { kind: 'agent', agent };
      }
      const buyerId = header(req, 'x-buyer-id');
      const token = header(req, 'x-resume-token');
      if (buyerId === undefined || token === undefined)
        throw new AppError('UNAUTHORIZED', 'X-Buyer-Id and X-Resume-Token, or an agent token, are required');
      const session = await store.getBuyerSession(buyerId);
      if (!session || !sameSecret(session.resumeToken, token)) throw new AppError('UNAUTHORIZED');
      return { kind: 'buyer', buyerId, conversationId: session.conversationId };
    }

    ctx.router.post('/api/files', async ({ req, res, url }) => {
      if (ctx.isShuttingDown()) throw new AppError('SHUTTING_DOWN');
      const who = await viewer(req);
      let conversationId: string;
      if (who.kind === 'buyer') {
        conversationId = who.conversationId;
        const limit = config.limits;
        const hit = await store.hit(`upload:${who.buyerId}`, limit.rateLimitWindowMs, limit.rateLimitMessages);
        if (!hit.allowed) throw new AppError('RATE_LIMITED');
      } else {
        conversationId = url.searchParams.get('conversationId') ?? '';
        const conv = conversationId ? await store.getConversation(conversationId) : null;
        if (!conv) throw new AppError('NOT_FOUND', 'No such conversation');
        if (conv.assignedAgent !== who.agent.id) throw new AppError('FORBIDDEN', 'You can send images only in conversations you hold');
      }
      const conv = await store.getConversation(conversationId);
      if (!conv || conv.status === 'closed') throw new AppError('CONFLICT', 'The conversation is closed');
      const data = await readBody(req, config.maxUploadBytes);
      const contentType = sniffImageType(data);
      if (!contentType) throw new AppError('BAD_FILE_TYPE');
      const stored = await files.put(data, {
        contentType,
        conversationId,
        uploadedBy: who.kind === 'buyer' ? 'buyer' : `agent:${who.agent.id}`,
        at: ctx.deps.clock().toISOString(),
      });
      const ref = { id: stored.id, contentType: stored.contentType, size: stored.size };
      const message = await ctx.conversations.postPhoto(
        conversationId,
        who.kind === 'buyer' ? { from: 'buyer', file: ref } : { from: 'agent', file: ref, agentId: who.agent.id, agentName: who.agent.id },
      );
      sendJson(res, 201, { file: { ...ref, url: fileUrl(stored.id) }, seq: message.seq });
    });

    ctx.router.get('/api/files/:id', async ({ req, res, params }) => {
      const who = await viewer(req);
      const id = params['id'] ?? '';
      const found = isFileId(id) ? await files.get(id) : null;
      if (!found) {
        sendError(res, 'NOT_FOUND', 'No such file');
        return;
      }
      if (!mayFetch(who, found.file)) {
        sendError(res, 'FORBIDDEN', 'This file belongs to another conversation');
        return;
      }
      res.writeHead(200, {
        'content-type': found.file.contentType,
        'content-length': found.data.length,
        'cache-control': 'private, no-store',
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'",
        'content-disposition': 'inline',
      });
      res.end(found.data);
    });
  };
}

/** The conversation's buyer, or any agent of the shop. */
function mayFetch(who: Viewer, file: StoredFile): boolean {
  return who.kind === 'agent' || who.conversationId === file.conversationId;
}
