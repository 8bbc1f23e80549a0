/**
 * Acts: the things a conversation changes for the shop (a deal at a price, a new delivery
 * address, an exchange, a return or refund, cash on delivery, a remark on the order). A flow
 * never claims one in words until the buyer has seen it read back in full and confirmed it;
 * the engine's acts stage then stamps it (id, time) and appends it to `conv.acts`, which is
 * append-only. Each record is self-contained plain JSON, so it can be shown to an agent,
 * counted, printed by the chat CLI and sent to the shop's order system as it is.
 */
import type { Address } from '../shop/types';
import type { ConversationState } from './conversation';

/** Every kind of act, in the order an agent reads them. */
export const ACT_KINDS = ['deal', 'address_change', 'exchange', 'return', 'refund', 'cod', 'remark'] as const;
export type ActKind = (typeof ACT_KINDS)[number];

interface ActBase {
  /** Unique and stable: `<conversation id>#<n>` (n counts the conversation's acts from 1). */
  id: string;
  kind: ActKind;
  /** When the buyer confirmed it (epoch ms). */
  at: number;
  conversationId: string;
  buyerId: string;
  orderNumber?: string;
  productId?: string;
}

/** The buyer accepted a price (before ordering): the order is to be repriced to it. */
export interface DealAct extends ActBase {
  kind: 'deal';
  productId: string;
  productName: string;
  /** Agreed unit price (yuan). */
  price: number;
  listPrice: number;
  quantity: number;
  freeShipping: boolean;
  gift?: string;
}

/** The delivery address (and/or recipient, phone) of an unshipped order changes. */
export interface AddressChangeAct extends ActBase {
  kind: 'address_change';
  orderNumber: string;
  /** The full new address, every field. */
  address: Address;
  /** What the order shipped to before. */
  previous: Address;
}

/** Swap the ordered item for another size and/or colour. */
export interface ExchangeAct extends ActBase {
  kind: 'exchange';
  orderNumber: string;
  productId: string;
  fromSize?: string;
  fromColor?: string;
  size: string;
  color?: string;
}

/** Why the buyer sends it back: decides who pays the return postage. */
export type ReturnReason = 'no_reason' | 'quality';

/** Send a delivered item back for a refund. */
export interface ReturnAct extends ActBase {
  kind: 'return';
  orderNumber: string;
  reason: ReturnReason;
  /** Who pays the postage back: the shop for a quality problem, else shop policy. */
  postagePaidBy: 'shop' | 'buyer';
  amount: number;
}

/** Refund of a paid order that has not shipped (cancel before shipping). */
export interface RefundAct extends ActBase {
  kind: 'refund';
  orderNumber: string;
  amount: number;
}

/** Pay on delivery, at the price with the surcharge. */
export interface CodAct extends ActBase {
  kind: 'cod';
  price: number;
  codPrice: number;
}

/** A note the warehouse must follow (gift: no receipt in the parcel …). */
export interface RemarkAct extends ActBase {
  kind: 'remark';
  orderNumber: string;
  text: string;
}

export type Act = DealAct | AddressChangeAct | ExchangeAct | ReturnAct | RefundAct | CodAct | RemarkAct;

type Stamped = 'id' | 'at' | 'conversationId' | 'buyerId';
/** An act as a flow proposes it: the engine stamps the rest when the buyer has confirmed it. */
export type ActDraft = Act extends infer A ? (A extends Act ? Omit<A, Stamped> : never) : never;

/** The conversation's recorded acts (stored states from before acts existed have none). */
export function actsOf(conv: ConversationState): readonly Act[] {
  return Array.isArray(conv.acts) ? conv.acts : [];
}

/** Stamps confirmed drafts and returns the conversation's new act list (the old list is not changed). */
export function appendActs(conv: ConversationState, drafts: readonly ActDraft[], now: Date): { all: Act[]; added: Act[] } {
  const before = actsOf(conv);
  const added = drafts.map(
    (d, i) => ({ ...d, id: `${conv.id}#${before.length + i + 1}`, at: now.getTime(), conversationId: conv.id, buyerId: conv.buyerId }) as Act,
  );
  return { all: [...before, ...added], added };
}

/** The latest recorded act of a kind (for one order when given). */
export function latestAct<K extends ActKind>(conv: ConversationState, kind: K, orderNumber?: string): Extract<Act, { kind: K }> | undefined {
  const acts = actsOf(conv);
  for (let i = acts.length - 1; i >= 0; i--) {
    const a = acts[i];
    if (a && a.kind === kind && (orderNumber === undefined || a.orderNumber === orderNumber)) return a as Extract<Act, { kind: K }>;
  }
  return undefined;
}

/** Acts of one order, plus deals (made before ordering, they apply to the order in focus). */
export function actsForOrder(conv: ConversationState, orderNumber: string): Act[] {
  return actsOf(conv).filter((a) => a.orderNumber === orderNumber || (a.kind === 'deal' && a.orderNumber === undefined));
}

/** One-line description of an act for agents (Chinese, as the console shows it). */
export function describeAct(a: Act): string {
  switch (a.kind) {
    case 'deal':
      return `成交 ${a.productName} ¥${a.price}${a.quantity > 1 ? ` ×${a.quantity}` : ''}${a.freeShipping ? ' 包邮' : ''}${a.gift ? ` 送${a.gift}` : ''}`;
    case 'address_change':
      return `改地址 ${a.address.recipient} ${a.address.province}${a.address.city === a.address.province ? '' : a.address.city}${a.address.district}${a.address.detail}`;
    case 'exchange':
      return `换货 ${a.fromColor ?? ''}${a.fromSize ?? ''} → ${a.color ?? ''}${a.size}`;
    case 'return':
      return `退货退款 ¥${a.amount}（${a.reason === 'quality' ? '质量问题' : '七天无理由'}，运费${a.postagePaidBy === 'shop' ? '店铺' : '买家'}承担）`;
    case 'refund':
      return `未发货退款 ¥${a.amount}`;
    case 'cod':
      return `货到付款 ¥${a.codPrice}`;
    case 'remark':
      return `备注：${a.text}`;
  }
}
