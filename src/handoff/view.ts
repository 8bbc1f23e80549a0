/**
 * What an agent sees of a conversation: plain JSON built from the stored state, the message
 * log, internal notes and the shop's order. The console escapes every string it shows; this
 * module only chooses what to send.
 */
import type { ConversationState, Priority, Suggestion } from '../dialogue/types';
import type { Entity } from '../nlu/types';
import type { ShopData } from '../shop/types';
import type { QueueEntry, StoredMessage } from '../store/types';
import type { SlaView } from './sla';

/** The order card: items, price, address, tracking. */
export interface OrderCard {
  number: string;
  status: string;
  total: number;
  items: { name: string; size?: string; color?: string; quantity: number; price: number }[];
  address: { recipient: string; phone: string; full: string };
  tracking?: { carrier: string; number: string; shippedAt: string; events: { at: string; description: string }[] };
  createdAt: string;
  dispute?: string;
}

/** One line of history as the console shows it (buyer-visible messages and internal notes). */
export interface HistoryItem {
  seq?: number;
  from: StoredMessage['from'] | 'note';
  text: string;
  at: string;
  agentId?: string;
}

export interface ConversationView {
  id: string;
  buyerId: string;
  buyerName?: string;
  status: ConversationState['status'];
  assignedAgent?: string;
  priority?: Priority;
  reason?: string;
  summary?: string;
  handoffAt?: string;
  createdAt: string;
  updatedAt: string;
  history: HistoryItem[];
  facts: Entity[];
  order?: OrderCard;
  sla: SlaView[];
}

/** Server → agent frame for an assigned or refreshed conversation (issue 5 wire words). */
export interface ConversationFrame {
  type: 'conversation';
  conversation: ConversationView;
  intent: string | null;
  category: string | null;
  confidence: number | null;
  entities: Entity[];
  suggestions: Suggestion[];
}

/** One row of the queue as every console shows it. */
export interface QueueItemView {
  conversationId: string;
  buyerId: string;
  buyerName?: string;
  priority: Priority;
  reason?: string;
  summary?: string;
  enqueuedAt: string;
  lastText?: string;
  intent?: string;
  sla: SlaView[];
}

/** Masks the middle of a phone number: agents need to recognise it, not copy it around. */
export function maskPhone(phone: string): string {
  return phone.replace(/(\d{3})\d{4}(\d{4})/, '$1****$2');
}

/** Builds the order card of the conversation's order in focus (or the buyer's latest order). */
export function orderCardFor(shop: ShopData, conv: ConversationState): OrderCard | undefined {
  const order = (conv.orderId ? shop.order(conv.orderId) : undefined) ?? shop.ordersByBuyer(conv.buyerId)[0];
  if (!order) return undefined;
  const a = order.address;
  const card: OrderCard = {
    number: order.number,
    status: order.status,
    total: order.total,
    items: order.items.map((i) => ({
      name: i.name,
      quantity: i.quantity,
      price: i.price,
      ...(i.size ? { size: i.size } : {}),
      ...(i.color ? { color: i.color } : {}),
    })),
    address: { recipient: a.recipient, phone: maskPhone(a.phone), full: `${a.province}${a.city}${a.district}${a.detail}` },
    createdAt: order.createdAt,
  };
  if (order.dispute) card.dispute = order.dispute;
  if (order.shipment) {
    const s = order.shipment;
    const events = shop.trackingEvents(order.number);
    card.tracking = {
      carrier: shop.courierName(s.carrier),
      number: s.trackingNumber,
      shippedAt: s.shippedAt,
      events: (events.length > 0 ? events : s.events).slice(-5),
    };
  }
  return card;
}

/** Merges the buyer-visible log with internal notes in time order. */
export function mergeHistory(messages: readonly StoredMessage[], notes: readonly StoredMessage[]): HistoryItem[] {
  const items: HistoryItem[] = [
    ...messages.map((m) => ({ seq: m.seq, from: m.from, text: m.text, at: m.at, ...(m.agentId ? { agentId: m.agentId } : {}) })),
    ...notes.map((n) => ({ from: 'note' as const, text: n.text, at: n.at, ...(n.agentId ? { agentId: n.agentId } : {}) })),
  ];
  // Stable sort keeps seq order for equal timestamps.
  return items.sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : 0));
}

/** The last understood turn, or null before any. */
export function lastTurn(conv: ConversationState): ConversationState['turns'][number] | undefined {
  return conv.turns[conv.turns.length - 1];
}

export function queueItemView(entry: QueueEntry, conv: ConversationState | null, sla: SlaView[], buyerName?: string): QueueItemView {
  const turn = conv ? lastTurn(conv) : undefined;
  return {
    conversationId: entry.conversationId,
    buyerId: conv?.buyerId ?? '',
    ...(buyerName ? { buyerName } : {}),
    priority: entry.priority,
    ...(entry.reason ? { reason: entry.reason } : {}),
    ...(conv?.handoff?.summary ? { summary: conv.handoff.summary } : {}),
    enqueuedAt: entry.enqueuedAt,
    ...(turn ? { lastText: turn.text, intent: turn.intent } : {}),
    sla,
  };
}
