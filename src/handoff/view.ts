/**
 * What an agent sees of a conversation: plain JSON built from the stored state, the message
 * log, internal notes and the shop's order. The console escapes every string it shows; this
 * module only chooses what to send.
 */
import type { ConversationState, Priority, Suggestion } from '../model/conversation';
import type { Entity } from '../nlu/types';
// Phones are masked as in replies: agents need to recognise a number, not copy it around.
import { formatPlace, maskPhone } from '../replies/helpers';
import { maskPhonesInText } from '../replies/mask-phones';
import type { Address, ShopData } from '../shop/types';
import { actsForOrder, describeAct, type Act } from '../model/acts';
import type { ReturnRequest } from '../model/slots';
import type { QueueEntry, StoredMessage } from '../store/types';
import type { SlaView } from './sla';
import type { ActView } from '../shop/outbox';
import { fileFrameOf, type FileFrame } from '../files/frame';

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
  /** What the bot noted on this order during the conversation, for a person to carry into the order system. */
  remarks?: OrderRemark[];
}

/** A confirmed address change, cash on delivery or after-sale request the bot recorded (from the conversation's slots). */
export interface OrderRemark {
  kind: 'address_change' | 'cod' | ReturnRequest['kind'] | Act['kind'];
  at: string;
  /** The confirmed act's id and one-line description (remarks built from conv.acts). */
  actId?: string;
  text?: string;
  address?: { recipient: string; phone: string; full: string };
  /** Cash on delivery: the price with the surcharge the buyer agreed to. */
  codPrice?: number;
  size?: string;
  color?: string;
}

/** One line of history as the console shows it (buyer-visible messages and internal notes). */
export interface HistoryItem {
  seq?: number;
  from: StoredMessage['from'] | 'note';
  text: string;
  at: string;
  agentId?: string;
  /** An image message: fetch `url` with the agent token (src/files/http-files.ts). */
  file?: FileFrame;
}

export interface ConversationView {
  id: string;
  buyerId: string;
  buyerName?: string;
  /** A phone number or WeChat id the buyer left for a callback while waiting (src/handoff/waiting.ts). */
  callback?: { phone?: string; wechat?: string; at: string };
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
  /** Acts sent to the shop with their state (src/shop/outbox.ts); absent when there are none. */
  acts?: ActView[];
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
  /** A possible attack: many handoffs from one address ('flood') or one buyer ('repeat'), grouped by `group`. */
  suspect?: 'flood' | 'repeat';
  group?: string;
}

/** Builds the order card of the conversation's order in focus (or the buyer's latest order). */
export function orderCardFor(shop: ShopData, conv: ConversationState): OrderCard | undefined {
  const order = (conv.orderId ? shop.order(conv.orderId) : undefined) ?? shop.ordersByBuyer(conv.buyerId)[0];
  if (!order) return undefined;
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
    address: addressView(order.address),
    createdAt: order.createdAt,
  };
  if (order.dispute) card.dispute = order.dispute;
  const remarks = orderRemarks(conv, order.number);
  if (remarks.length > 0) card.remarks = remarks;
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

function addressView(a: Address): OrderCard['address'] {
  return { recipient: a.recipient, phone: maskPhone(a.phone), full: formatPlace(a) };
}

/** The conversation's recorded changes and requests for one order, oldest first. */
export function orderRemarks(conv: ConversationState, orderNumber: string): OrderRemark[] {
  const acts = actsForOrder(conv, orderNumber);
  if (acts.length > 0) return acts.map((a) => actRemark(a));
  const remarks: OrderRemark[] = [];
  const change = conv.slots.addressChange;
  if (change && change.orderNumber === orderNumber) remarks.push({ kind: 'address_change', at: change.at, address: addressView(change.address) });
  const cod = conv.slots.cod;
  if (cod && cod.orderNumber === orderNumber) remarks.push({ kind: 'cod', at: cod.at, codPrice: cod.codPrice });
  for (const r of conv.slots.returnRequests ?? []) {
    if (r.orderNumber !== orderNumber) continue;
    remarks.push({ kind: r.kind, at: r.at, ...(r.size ? { size: r.size } : {}), ...(r.color ? { color: r.color } : {}) });
  }
  return remarks.sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : 0));
}

/** A confirmed act as an order-card remark (phones masked as everywhere on the card). */
function actRemark(a: Act): OrderRemark {
  const r: OrderRemark = { kind: a.kind, at: new Date(a.at).toISOString(), actId: a.id, text: describeAct(a) };
  if (a.kind === 'address_change') r.address = addressView(a.address);
  if (a.kind === 'cod') r.codPrice = a.codPrice;
  if (a.kind === 'exchange') Object.assign(r, { size: a.size }, a.color ? { color: a.color } : {});
  return r;
}

/** Merges the buyer-visible log with internal notes in time order. */
export function mergeHistory(messages: readonly StoredMessage[], notes: readonly StoredMessage[]): HistoryItem[] {
  const items: HistoryItem[] = [
    ...messages.map((m) => ({ seq: m.seq, from: m.from, text: m.text, at: m.at, ...(m.agentId ? { agentId: m.agentId } : {}), ...fileFrameOf(m) })),
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
    ...(conv?.handoff?.summary ? { summary: maskPhonesInText(conv.handoff.summary) } : {}),
    enqueuedAt: entry.enqueuedAt,
    // The preview is on every console, held or not, so mobile numbers are masked here (as in
    // the handoff summary). The conversation history (mergeHistory) keeps what the buyer wrote:
    // the agent who holds the conversation may need to call that number.
    ...(turn ? { lastText: maskPhonesInText(turn.text), intent: turn.intent } : {}),
    sla,
    ...(entry.suspect ? { suspect: entry.suspect, ...(entry.group ? { group: entry.group } : {}) } : {}),
  };
}
