/**
 * The buyer wire protocol: JSON text frames, each an object with a `type`. Client frames
 * are untrusted and validated here with zod; server frames are typed so the compiler keeps
 * them in line with docs/protocol.md. This module only turns text into typed frames and
 * back; it knows nothing about intents or stores.
 */
import { z } from 'zod';
import type { ErrorCode } from '../errors';
import type { HandoffUpdate } from '../conversation/events';

/** Client → server frames. Unknown extra fields are ignored so old servers accept newer widgets. */
export const helloFrame = z.object({
  type: z.literal('hello'),
  buyerId: z.string().min(1).max(80).optional(),
  resumeToken: z.string().min(1).max(200).optional(),
  lastSeq: z.number().int().min(0).optional(),
  /** Shop the widget is embedded in (data-shop); informational in the single-shop demo. */
  shopId: z.string().min(1).max(80).optional(),
  /** Product page the buyer is on, so "有货吗" has a subject. */
  productId: z.string().min(1).max(80).optional(),
  /**
   * The shop's logged-in buyer (widget data-buyer) and the shop's hex HMAC-SHA256 of that id
   * with SHOP_SECRET (data-buyer-sig). Verified by the server; see shop-identity.ts.
   */
  shopBuyerId: z.string().min(1).max(80).optional(),
  shopBuyerSig: z.string().min(1).max(200).optional(),
});

export const messageFrame = z.object({
  type: z.literal('message'),
  /** Client-chosen id; resending the same id after a reconnect never stores the message twice. */
  id: z.string().min(1).max(100),
  text: z.string(),
});

export const typingFrame = z.object({ type: z.literal('typing') });

export type HelloFrame = z.infer<typeof helloFrame>;
export type MessageFrame = z.infer<typeof messageFrame>;
export type TypingFrame = z.infer<typeof typingFrame>;
export type ClientFrame = HelloFrame | MessageFrame | TypingFrame;

const clientSchemas = { hello: helloFrame, message: messageFrame, typing: typingFrame } as const;

/** Server → client frames. */
export interface WelcomeFrame {
  type: 'welcome';
  buyerId: string;
  resumeToken: string;
  conversationId: string;
  /** 'bot' | 'queued' | 'agent' | 'closed', so a reloaded widget shows the right banner. */
  status: string;
  /** True when the hello resumed an existing conversation. */
  resumed: boolean;
  /** Highest seq in the conversation when the welcome was sent. */
  lastSeq: number;
  limits: { maxTextLength: number };
}
export interface AckFrame {
  type: 'ack';
  id: string;
  seq: number;
}
export interface OutMessageFrame {
  type: 'message';
  /** 'buyer' appears only when replaying history or echoing another tab of the same buyer. */
  from: 'bot' | 'agent' | 'system' | 'buyer';
  text: string;
  seq: number;
  at: string;
  /** Client id of a replayed buyer message. */
  id?: string;
  quickReplies?: string[];
  /** Display name of the agent for agent messages. */
  agentName?: string;
  /** An image message (text is then "[图片]"): fetch `file.url` with the buyer's credentials. */
  file?: { id: string; contentType: string; size: number; url: string };
}
/** The handoff as the buyer sees it: one shape for every channel (src/conversation/events.ts). */
export interface HandoffFrame extends HandoffUpdate {
  type: 'handoff';
}
export interface ServerTypingFrame {
  type: 'typing';
  from: 'bot' | 'agent';
}
export interface ErrorFrame {
  type: 'error';
  code: ErrorCode;
  message: string;
  /** Client id of the message the error is about, when there is one. */
  id?: string;
}
export type ServerFrame = WelcomeFrame | AckFrame | OutMessageFrame | HandoffFrame | ServerTypingFrame | ErrorFrame;

export type ParseResult = { ok: true; frame: ClientFrame } | { ok: false; code: ErrorCode; detail: string };

/**
 * Parses one text frame. Never throws: malformed JSON → BAD_JSON, a non-object or missing
 * type → BAD_FRAME, an unknown type → UNKNOWN_TYPE, wrong fields → BAD_FRAME.
 */
export function parseClientFrame(text: string): ParseResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, code: 'BAD_JSON', detail: 'not JSON' };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, code: 'BAD_FRAME', detail: 'frame must be a JSON object' };
  }
  const type = (data as { type?: unknown }).type;
  if (typeof type !== 'string') return { ok: false, code: 'BAD_FRAME', detail: 'frame needs a string "type"' };
  if (!Object.prototype.hasOwnProperty.call(clientSchemas, type)) {
    return { ok: false, code: 'UNKNOWN_TYPE', detail: `unknown type "${type.slice(0, 40)}"` };
  }
  const schema = clientSchemas[type as keyof typeof clientSchemas];
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, code: 'BAD_FRAME', detail: issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid' };
  }
  return { ok: true, frame: parsed.data };
}

/** Serialises a server frame. */
export function encodeFrame(frame: ServerFrame): string {
  return JSON.stringify(frame);
}
