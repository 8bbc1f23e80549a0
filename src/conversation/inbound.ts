/**
 * The rules every channel applies to what a buyer sends, before the conversation service
 * stores it: text is trimmed and must not be empty or longer than MAX_TEXT_LENGTH characters;
 * nothing new is taken while the server drains for shutdown; each buyer (and each address of
 * anonymous buyers) has a message budget per window. A channel only turns its wire format
 * into these calls and the refusals back into its own errors.
 */
import { ERRORS, type ErrorCode } from '../errors';
import type { RateLimiter, StoredMessage } from '../store/types';
import type { ConversationService, PhotoRef } from './conversation-service';

/** The limits the rules read (a slice of config.limits). */
export interface InboundLimits {
  maxTextLength: number;
  rateLimitMessages: number;
  rateLimitWindowMs: number;
  /** Budget per address of anonymous buyers (RATE_LIMIT_MESSAGES_PER_IP). */
  messagesPerIp: number;
}

export interface InboundDeps {
  conversations: Pick<ConversationService, 'receiveBuyerMessage' | 'postPhoto'>;
  rate: RateLimiter;
  limits: InboundLimits;
  /** True once shutdown began: new messages are refused with SHUTTING_DOWN. */
  isShuttingDown: () => boolean;
}

/** Why a message was not taken: a stable code and a message for the sender. */
export interface Refusal {
  ok: false;
  code: ErrorCode;
  message: string;
  /** Far over the rate limit (FLOOD_FACTOR times): a connection-based channel may drop the sender. */
  flood?: boolean;
}

export type Received = { ok: true; stored: StoredMessage; duplicate: boolean } | Refusal;

/** Who sent a message: the buyer's session id, where from, and whether the buyer is vouched for (signed). */
export interface Sender {
  conversationId: string;
  buyerId: string;
  /** Client address, for the per-address budget of anonymous buyers and handoff admission. */
  ip?: string;
  /** A buyer the shop vouches for (signed widget identity, signed webhook): no per-address budget. */
  signed: boolean;
}

/** Past this many times the rate limit in one window, a refusal is marked `flood`. */
export const FLOOD_FACTOR = 3;

function refuse(code: ErrorCode, message: string = ERRORS[code].message, flood?: boolean): Refusal {
  return { ok: false, code, message, ...(flood ? { flood } : {}) };
}

export class BuyerInbox {
  constructor(private readonly deps: InboundDeps) {}

  get limits(): InboundLimits {
    return this.deps.limits;
  }

  /** Trim, empty, length and shutdown: what can be refused before the buyer is even identified. */
  checkText(raw: string): { ok: true; text: string } | Refusal {
    const text = raw.trim();
    if (text.length === 0) return refuse('EMPTY_TEXT');
    const max = this.deps.limits.maxTextLength;
    if ([...text].length > max) return refuse('TEXT_TOO_LONG', `Message text is longer than ${max} characters`);
    if (this.deps.isShuttingDown()) return refuse('SHUTTING_DOWN');
    return { ok: true, text };
  }

  /**
   * Applies every rule and stores the text (idempotent per clientId: a resend returns the
   * stored message with `duplicate`). The bot's reply follows on the Bus.
   */
  async receiveText(sender: Sender, clientId: string, raw: string): Promise<Received> {
    const checked = this.checkText(raw);
    if (!checked.ok) return checked;
    const budget = await this.spend(sender);
    if (budget) return budget;
    const { stored, duplicate } = await this.deps.conversations.receiveBuyerMessage(sender.conversationId, clientId, checked.text, {
      ...(sender.ip !== undefined ? { ip: sender.ip } : {}),
      signed: sender.signed,
    });
    return { ok: true, stored, duplicate };
  }

  /**
   * Shutdown and the message budget, then `save` writes the image to the file store (only
   * once the budget allows it, so a flood writes nothing) and the image message is stored.
   */
  async receivePhoto(sender: Sender, save: () => Promise<PhotoRef>): Promise<Received> {
    if (this.deps.isShuttingDown()) return refuse('SHUTTING_DOWN');
    const budget = await this.spend(sender);
    if (budget) return budget;
    const stored = await this.deps.conversations.postPhoto(sender.conversationId, { from: 'buyer', file: await save() });
    return { ok: true, stored, duplicate: false };
  }

  /**
   * Counts one message against the buyer's budget, and for anonymous buyers also their
   * address's (so reconnecting as a new anonymous buyer gains nothing). A refusal when over.
   */
  private async spend(sender: Sender): Promise<Refusal | null> {
    const { rateLimitMessages: limit, rateLimitWindowMs: windowMs, messagesPerIp } = this.deps.limits;
    const own = await this.deps.rate.hit(`rate:buyer:${sender.buyerId}`, windowMs, limit);
    if (!own.allowed) return refuse('RATE_LIMITED', undefined, own.count > limit * FLOOD_FACTOR);
    if (sender.signed || sender.ip === undefined) return null;
    const perIp = await this.deps.rate.hit(`rate:ip:${sender.ip}`, windowMs, messagesPerIp);
    return perIp.allowed ? null : refuse('RATE_LIMITED', undefined, perIp.count > messagesPerIp * FLOOD_FACTOR);
  }
}
