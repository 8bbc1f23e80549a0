/**
 * What a flow policy is: a pure function from the understood turn (plus conversation, shop
 * and clock) to the moves the bot makes, slot updates, and whether to hand off. Policies
 * name template moves and supply variables; they never contain reply sentences.
 */
import type { AddressEntity, Entity, Understanding } from '../nlu/types';
import type { Address, Buyer, Order, Product, ShopData } from '../shop/types';
import { instantAt, wallTime } from '../shop/clock';
import type { ActDraft } from '../model/acts';
import type { ConversationState, HandoffReason, Priority } from '../model/conversation';
import type { AddressChangeRecord, PendingQuestion, SlotUpdate } from '../model/slots';

export type { AddressChangeRecord, PendingQuestion } from '../model/slots';

/** One reply the bot makes: a template move and the variables it needs. */
export interface Move {
  /** Template file intent ('system' for the engine's own moves). */
  intent: string;
  move: string;
  vars?: Record<string, unknown>;
  /** A bargaining reply that names a price (yuan). */
  offer?: number;
  /** Quick replies offered before the template's own (e.g. clarify choices, taken from template labels). */
  quickReplies?: string[];
  /**
   * Said instead when the shop's scripts lack this move: an optional move added after their
   * scripts were written (src/replies/variables.ts OPTIONAL_MOVES) answers as before it existed.
   */
  fallback?: Move;
}

export interface HandoffRequest {
  reason: HandoffReason;
  priority: Priority;
  /** Facts for the agent's summary, e.g. "delivered 12 days ago". */
  note?: string;
  /** The policy's own move already told the buyer a person is coming. */
  announced?: boolean;
}

export interface PolicyResult {
  moves: Move[];
  /** Slot values to set (whole values per key; undefined deletes). */
  slots?: SlotUpdate;
  /** Question the next message may answer; null clears it. */
  pending?: PendingQuestion | null;
  handoff?: HandoffRequest;
  /** Intent this turn was really handled as (a policy may pass a turn to another flow). */
  handledAs?: string;
  /** The product the conversation turns to (the buyer took up a product the bot suggested). */
  productId?: string;
  /**
   * Acts the buyer confirmed this turn (read back in full before): the engine stamps them and
   * appends them to conv.acts. A move that claims an act (成交, 已改好, 已登记) comes with one.
   */
  acts?: ActDraft[];
}

export type Answer = 'yes' | 'no';

export interface PolicyInput {
  conv: ConversationState;
  u: Understanding;
  /** The intent being handled (may differ from u.intent after routing). */
  intent: string;
  shop: ShopData;
  now: Date;
  buyer?: Buyer;
  product?: Product;
  order?: Order;
  /**
   * An order number the buyer typed this turn that is not on their account (or unknown to the
   * shop). `order` is then unset for the turn: that order's data must never be shown.
   */
  unknownOrder?: string;
  /** The buyer's answer to the pending question this policy asked. */
  answer?: Answer;
  pending?: PendingQuestion;
}

export type Policy = (input: PolicyInput) => PolicyResult;

/** The latest entity of a kind in this message. */
export function lastEntity<K extends Entity['kind']>(u: Understanding, kind: K): Extract<Entity, { kind: K }> | undefined {
  const found = u.entities.filter((e): e is Extract<Entity, { kind: K }> => e.kind === kind);
  return found[found.length - 1];
}

/** The `shop.*` template variables from the shop's policy. */
export function shopVars(p: ShopData['policy']): Record<string, unknown> {
  return {
    name: p.shopName,
    cutoff: p.shipCutoff,
    returnDays: p.returnDays,
    afterSaleHours: p.afterSaleHours,
    codFee: p.codFee,
    freeShippingFrom: p.freeShippingFrom,
    shippingFee: p.shippingFee,
  };
}

/** The `product.*` template variables of one product. */
export function productVars(product: Product): Record<string, unknown> {
  return {
    name: product.name,
    price: product.listPrice,
    sizes: unique(product.variants.map((v) => v.size)).join('/'),
    colors: unique(product.variants.map((v) => v.color)).join('/'),
    description: product.description,
  };
}

/**
 * The address the order will ship to: the one on file, or the change the buyer confirmed in
 * this conversation (noted on the order remark, not yet in the order system).
 */
export function effectiveAddress(conv: ConversationState, order: Order): Address {
  const change: AddressChangeRecord | undefined = conv.slots.addressChange;
  return change && change.orderNumber === order.number ? change.address : order.address;
}

/** Variables every template may use (see src/replies/variables.ts). */
export function commonVars(input: PolicyInput): Record<string, unknown> {
  const { shop, buyer, product, order, now } = input;
  const vars: Record<string, unknown> = {
    shop: shopVars(shop.policy),
    buyer: { name: buyer?.name ?? '', returning: buyer?.returning ?? false },
    now: now.toISOString(),
  };
  if (product) vars['product'] = productVars(product);
  if (input.unknownOrder !== undefined) vars['askedOrder'] = input.unknownOrder;
  if (order) {
    vars['order'] = { number: order.number, total: order.total, items: order.items, address: effectiveAddress(input.conv, order) };
  }
  return vars;
}

/**
 * The reply when a flow needs an order and has none: `not_found` when the buyer typed a
 * number that is not theirs (politely, without any of that order's data), else `no_order`
 * (please send the order number).
 */
export function orderMissing(input: PolicyInput, intent: string, vars: Record<string, unknown> = {}): Move {
  return move(input, intent, input.unknownOrder !== undefined ? 'not_found' : 'no_order', vars);
}

/** "29码", "m", "XL号" → "29", "M", "XL": sizes as the catalogue writes them. */
export function sizeKey(size: string): string {
  return size
    .trim()
    .replace(/[码號号]$/u, '')
    .toUpperCase();
}

/** The size the buyer named in this message, as the catalogue writes it. */
export function askedSize(u: Understanding): string | undefined {
  const v = lastEntity(u, 'size')?.value;
  return v === undefined ? undefined : sizeKey(v);
}

/** An address entity complete enough to ship to (the place and a street), not just the word 地址. */
export function isUsableAddress(e: AddressEntity): boolean {
  const place = Boolean(e.province || e.city || e.district);
  const detail = (e.detail ?? '').trim();
  return (place && detail.length >= 2) || /\d/.test(detail);
}

export function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

/** A move with the common variables merged under its own. */
export function move(input: PolicyInput, intent: string, name: string, vars: Record<string, unknown> = {}, offer?: number): Move {
  const m: Move = { intent, move: name, vars: { ...commonVars(input), ...vars } };
  if (offer !== undefined) m.offer = offer;
  return m;
}

/**
 * A reply that itself says a person takes it over, with that handoff (announced: the engine's
 * notice is not said after it). Scripts without the move say the engine's handoff notice.
 */
export function handedOver(input: PolicyInput, reply: Move, handoff: Omit<HandoffRequest, 'announced'>): PolicyResult {
  return { moves: [{ ...reply, fallback: move(input, 'system', 'handoff') }], handoff: { ...handoff, announced: true }, pending: null };
}

/**
 * When an order paid at `paidAt` ships: by the cut-off of the same day if paid before it,
 * else by the next cut-off; either way on the first day the warehouse ships (policy
 * `shipDays`, `noShipDates`; the demo shop ships every day).
 */
export function shipByFor(paidAt: Date, shop: ShopData): Date {
  const { utcOffsetMinutes: off, shipCutoff } = shop.policy;
  const paidDay = wallTime(paidAt, off).dayNumber;
  let day = paidAt.getTime() <= instantAt(paidDay, shipCutoff, off).getTime() ? paidDay : paidDay + 1;
  // A policy that ships on no day at all is refused when the shop loads; the bound is a guard.
  for (let i = 0; i < 366 && !isShipDay(day, shop.policy); i++) day += 1;
  return instantAt(day, shipCutoff, off);
}

/** Whether the warehouse ships on shop calendar day `dayNumber`. */
export function isShipDay(dayNumber: number, policy: ShopData['policy']): boolean {
  const isoWeekday = ((dayNumber + 3) % 7) + 1; // day 0, 1970-01-01, was a Thursday (4)
  if (policy.shipDays && !policy.shipDays.includes(isoWeekday)) return false;
  if (policy.noShipDates && policy.noShipDates.length > 0) {
    const d = new Date(dayNumber * 86_400_000).toISOString().slice(0, 10);
    if (policy.noShipDates.includes(d)) return false;
  }
  return true;
}

/** Whole hours between two instants. */
export function hoursBetween(earlier: Date, later: Date): number {
  return (later.getTime() - earlier.getTime()) / 3_600_000;
}
