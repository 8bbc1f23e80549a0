/**
 * Events that cross instances on the store's Bus. Everything that happens in a conversation
 * (a stored message, a handoff state change, typing, an understood turn) is published on the
 * conversation's channel; sockets subscribe to the channels of the conversations they show,
 * on whichever instance they are connected to. New handoffs are also published on the
 * 'handoff' channel for the routing service (agent console, issue 5).
 *
 * Bus payloads are JSON that may come from another process, so they are checked on receipt.
 */
import { z } from 'zod';
import type { Priority, Suggestion, HandoffReason } from '../model/conversation';
import type { Entity } from '../nlu/types';
import type { StoredMessage } from '../store/types';
import type { ActView } from '../shop/outbox';

/** Channel carrying every event of one conversation. */
export function conversationChannel(conversationId: string): string {
  return `conv:${conversationId}`;
}

/** Channel carrying the handoff queue's news for the routing service: a conversation entered the queue, or its buyer withdrew. */
export const HANDOFF_CHANNEL = 'handoff';

/** The handoff states a buyer sees (the widget's banner, a webhook's `handoff` event). */
export const HANDOFF_STATUSES = ['queued', 'assigned', 'returned', 'closed'] as const;
export type HandoffStatus = (typeof HANDOFF_STATUSES)[number];

/**
 * The handoff as the buyer's side sees it: one shape for the conversation event below, the
 * widget's `handoff` frame (src/transport/protocol.ts) and the webhook channel's callback.
 */
export interface HandoffUpdate {
  status: HandoffStatus;
  /** The agent's display name once assigned. */
  agentName?: string;
}

export type ConversationEvent =
  /** A message was stored (any sender). Delivery is by seq, so receivers can fill gaps from the store. */
  | { kind: 'message'; conversationId: string; message: StoredMessage }
  /** The conversation's handoff state changed; buyers see 'queued' | 'assigned' | 'returned' | 'closed'. */
  | ({ kind: 'handoff'; conversationId: string; agentId?: string } & HandoffUpdate)
  | { kind: 'typing'; conversationId: string; from: 'buyer' | 'bot' | 'agent' }
  /**
   * The engine understood a buyer message (always published, also while an agent holds the
   * conversation, so the console can refresh intent, facts and suggestions).
   */
  | {
      kind: 'turn';
      conversationId: string;
      seq: number;
      intent: string;
      category: string;
      confidence: number;
      entities: Entity[];
      suggestions: Suggestion[];
      status: string;
    }
  /** The acts sent to the shop for this conversation, after one changed state (src/shop/outbox.ts). */
  | { kind: 'acts'; conversationId: string; acts: ActView[] };

/**
 * Published on HANDOFF_CHANNEL when a conversation enters the queue (or its priority rises).
 * Only the publishing instance (instanceId) acts on it: src/handoff/wiring.ts.
 */
export interface HandoffQueuedEvent {
  kind: 'queued';
  conversationId: string;
  priority: Priority;
  reason: HandoffReason;
  summary: string;
  at: string;
  instanceId: string;
}

/** Published on HANDOFF_CHANNEL when a queued buyer takes the request for a person back. */
export interface HandoffWithdrawnEvent {
  kind: 'withdrawn';
  conversationId: string;
  instanceId: string;
}

export type HandoffChannelEvent = HandoffQueuedEvent | HandoffWithdrawnEvent;

const storedMessage = z
  .object({
    conversationId: z.string(),
    seq: z.number().int().min(1),
    from: z.enum(['buyer', 'bot', 'agent', 'system']),
    text: z.string(),
    at: z.string(),
    clientId: z.string().optional(),
    agentId: z.string().optional(),
    meta: z.record(z.string(), z.unknown()).optional(),
  })
  .loose();

const conversationEvent = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('message'), conversationId: z.string(), message: storedMessage }).loose(),
  z
    .object({
      kind: z.literal('handoff'),
      conversationId: z.string(),
      status: z.enum(HANDOFF_STATUSES),
      agentId: z.string().optional(),
      agentName: z.string().optional(),
    })
    .loose(),
  z.object({ kind: z.literal('typing'), conversationId: z.string(), from: z.enum(['buyer', 'bot', 'agent']) }).loose(),
  z.object({ kind: z.literal('turn'), conversationId: z.string(), seq: z.number() }).loose(),
  z
    .object({
      kind: z.literal('acts'),
      conversationId: z.string(),
      acts: z.array(z.object({ id: z.string(), kind: z.string(), state: z.string() }).loose()),
    })
    .loose(),
]);

/** Checks a payload received from the Bus; null when it is not a conversation event. */
export function parseConversationEvent(payload: unknown): ConversationEvent | null {
  const parsed = conversationEvent.safeParse(payload);
  return parsed.success ? (parsed.data as ConversationEvent) : null;
}

const handoffChannelEvent = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('queued'),
      conversationId: z.string(),
      priority: z.enum(['normal', 'high', 'urgent']),
      reason: z.string(),
      summary: z.string(),
      at: z.string(),
      instanceId: z.string(),
    })
    .loose(),
  z.object({ kind: z.literal('withdrawn'), conversationId: z.string(), instanceId: z.string() }).loose(),
]);

/** Checks a payload received on HANDOFF_CHANNEL; null when it is not a handoff queue event. */
export function parseHandoffChannelEvent(payload: unknown): HandoffChannelEvent | null {
  const parsed = handoffChannelEvent.safeParse(payload);
  return parsed.success ? (parsed.data as HandoffChannelEvent) : null;
}
