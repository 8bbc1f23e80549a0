/**
 * A channel is one way buyers reach the shop: the storefront widget over a WebSocket, a signed
 * HTTP webhook that a platform connector calls (src/channels/webhook.ts), and whatever comes
 * next. Every channel does the same two things and nothing more:
 *
 *  - inbound: identify the buyer (`openSession`, with the channel's name so the conversation
 *    remembers where it came from) and hand text or a photo to the BuyerInbox, which applies
 *    the rules every channel shares (./inbound.ts) before the conversation service stores it;
 *  - outbound: deliver what the buyer may see (./outbound.ts: bot and agent messages, handoff
 *    status; never internal notes).
 *
 * Outbound comes in two kinds. A *live* channel (the widget socket) is connected while the
 * buyer is there: it listens to the conversation's events on the Bus and replays the message
 * log on reconnect, so it needs no routing. A *push* channel (the webhook) has nobody
 * connected: the conversation service hands it every outbound event of the conversations it
 * opened (ChannelRouter below), and the channel must keep each one durably until delivered.
 */
import type { StoredMessage } from '../store/types';
import type { HandoffUpdate } from './events';
import { toOutbound, type OutboundEvent } from './outbound';

/** The widget's name; conversations without a channel mark are the widget's. */
export const WIDGET_CHANNEL = 'widget';

/** Channel names: lower-case letters, digits and dashes (they prefix session ids). */
export const CHANNEL_NAME = /^[a-z][a-z0-9-]{0,31}$/;

/** Whom an outbound event is for: the conversation and its buyer (the shop's or the channel's buyer id). */
export interface Recipient {
  conversationId: string;
  buyerId: string;
}

export interface Channel {
  /** Stored on the conversations the channel opens (`conv.channel`); unique per server. */
  readonly name: string;
  /**
   * Delivers one outbound event to the buyer. A push channel resolves once the event is
   * durably queued (a crash after that loses nothing); a live channel once it is written.
   */
  deliver(event: OutboundEvent, to: Recipient): Promise<void> | void;
}

/** What the router needs to find a conversation's channel. */
export interface ConversationLookup {
  getConversation(id: string): Promise<{ channel?: string; buyerId: string } | null>;
}

/** How many conversations' channel names the router remembers (a conversation's channel never changes). */
const CHANNEL_CACHE_SIZE = 10_000;

/**
 * Hands every outbound event of a push channel's conversations to that channel. Called by the
 * conversation service after a message is stored or the handoff state changes; with no push
 * channel registered it does nothing (not even a read).
 */
export class ChannelRouter {
  private readonly channels = new Map<string, Channel>();
  private readonly channelOf = new Map<string, { name: string; to: Recipient }>();

  constructor(private readonly conversations: ConversationLookup) {}

  /** Registers a push channel. Throws on a bad or repeated name. */
  add(channel: Channel): void {
    if (!CHANNEL_NAME.test(channel.name) || channel.name === WIDGET_CHANNEL) throw new Error(`bad push channel name "${channel.name}"`);
    if (this.channels.has(channel.name)) throw new Error(`channel "${channel.name}" is registered twice`);
    this.channels.set(channel.name, channel);
  }

  get size(): number {
    return this.channels.size;
  }

  /** A stored message: delivered to the conversation's push channel unless the buyer wrote it or it is an internal note. */
  async message(stored: StoredMessage): Promise<void> {
    if (this.channels.size === 0 || stored.from === 'buyer') return;
    const found = await this.find(stored.conversationId);
    const message = found ? toOutbound(stored) : null;
    if (found && message) await found.channel.deliver({ kind: 'message', message }, found.to);
  }

  /** A handoff state change. */
  async handoff(conversationId: string, handoff: HandoffUpdate): Promise<void> {
    if (this.channels.size === 0) return;
    const found = await this.find(conversationId);
    if (found) await found.channel.deliver({ kind: 'handoff', conversationId, handoff }, found.to);
  }

  private async find(conversationId: string): Promise<{ channel: Channel; to: Recipient } | undefined> {
    let entry = this.channelOf.get(conversationId);
    if (entry === undefined) {
      const conv = await this.conversations.getConversation(conversationId);
      if (!conv) return undefined;
      entry = { name: conv.channel ?? WIDGET_CHANNEL, to: { conversationId, buyerId: conv.buyerId } };
      if (this.channelOf.size >= CHANNEL_CACHE_SIZE) this.channelOf.delete(this.channelOf.keys().next().value as string);
      this.channelOf.set(conversationId, entry);
    }
    const channel = this.channels.get(entry.name);
    return channel ? { channel, to: entry.to } : undefined;
  }
}
