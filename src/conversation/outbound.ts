/**
 * What a buyer may see of the conversation, whatever the channel: a stored message becomes an
 * outbound message (bot replies with their quick replies, agent messages with the agent's
 * name, images as a file reference) and agents' internal notes become nothing. Server-side
 * meta (nonce, intent, template id, offer …) never leaves.
 */
import type { StoredMessage } from '../store/types';
import type { PhotoRef } from './conversation-service';
import type { HandoffUpdate } from './events';

/** One message as a channel delivers it to the buyer. */
export interface OutboundMessage {
  conversationId: string;
  seq: number;
  /** 'buyer' only for the buyer's own messages (another tab, history replay). */
  from: 'bot' | 'agent' | 'system' | 'buyer';
  text: string;
  at: string;
  /** The channel's own id of a buyer message (the widget's client id, the webhook's messageId). */
  clientId?: string;
  quickReplies?: string[];
  /** Display name of the agent, for agent messages. */
  agentName?: string;
  /** An image message (text is then "[图片]"). */
  file?: PhotoRef;
}

/** What a channel delivers: a message, or a change of the handoff state. */
export type OutboundEvent = { kind: 'message'; message: OutboundMessage } | { kind: 'handoff'; conversationId: string; handoff: HandoffUpdate };

/** True for an agent's internal note: it lives in the same log but is never shown to the buyer. */
export function isInternalNote(m: StoredMessage): boolean {
  return m.meta?.['internal'] === true;
}

/** The stored message as the buyer may see it; null for an internal note. */
export function toOutbound(m: StoredMessage): OutboundMessage | null {
  if (isInternalNote(m)) return null;
  const quick = m.meta?.['quickReplies'];
  const quickReplies = Array.isArray(quick) ? quick.filter((q): q is string => typeof q === 'string') : [];
  const agentName = typeof m.meta?.['agentName'] === 'string' ? m.meta['agentName'] : m.agentId;
  const file = photoRefOf(m);
  return {
    conversationId: m.conversationId,
    seq: m.seq,
    from: m.from,
    text: m.text,
    at: m.at,
    ...(m.from === 'buyer' && m.clientId ? { clientId: m.clientId } : {}),
    ...(quickReplies.length > 0 ? { quickReplies } : {}),
    ...(m.from === 'agent' && agentName ? { agentName } : {}),
    ...(file ? { file } : {}),
  };
}

function photoRefOf(m: StoredMessage): PhotoRef | undefined {
  const f = m.meta?.['file'];
  if (typeof f !== 'object' || f === null) return undefined;
  const { id, contentType, size } = f as Record<string, unknown>;
  if (typeof id !== 'string' || typeof contentType !== 'string' || typeof size !== 'number') return undefined;
  return { id, contentType, size };
}
