/**
 * Which order a turn is about. An order number the buyer types moves the focus to that order
 * only when it is theirs; a number that is someone else's (or unknown to the shop) must never
 * show that order's data, so the turn is answered with no order and the number is kept as
 * `unknownOrder` for a polite "not on your account, please check the number" reply.
 */
import type { Entity, OrderEntity, Understanding } from '../nlu/types';
import type { Buyer, Order, Product, ShopData } from '../shop/types';
import type { ConversationState } from '../model/conversation';
import { sizeKey, type PolicyInput } from './policy';
import { claim } from './claims';
import { FALLBACK } from './clarify';

/**
 * Shop order numbers with a letter prefix ("E1004"). The NLU reads long digit runs (platform
 * order numbers) as order entities; short prefixed numbers like the shop's own are read here.
 * One letter then 4–12 digits, standing alone: tracking numbers (SF…, E?…CN) and sizes do not match.
 */
const PREFIXED_ORDER_RE = /(?<![A-Za-z0-9])[A-Za-z]\d{4,12}(?![A-Za-z0-9])/g;

/** The understanding's entities plus prefixed order numbers the NLU did not read as anything else. */
export function withTypedOrderNumbers(u: Understanding): Entity[] {
  const found: OrderEntity[] = [];
  for (const m of u.normalized.matchAll(PREFIXED_ORDER_RE)) {
    const start = m.index ?? 0;
    const span = { start, end: start + m[0].length };
    if (u.entities.some((e) => e.span.start < span.end && span.start < e.span.end)) continue;
    found.push({ kind: 'order', text: m[0], span, value: m[0].toUpperCase() });
  }
  if (found.length === 0) return u.entities;
  return [...u.entities, ...found].sort((a, b) => a.span.start - b.span.start);
}

export type TypedOrder = { kind: 'own'; order: Order } | { kind: 'unknown'; number: string };

/** The last order number typed in this message, resolved against the buyer's account. */
export function typedOrder(u: Understanding, shop: ShopData, buyerId: string): TypedOrder | undefined {
  const entity = [...u.entities].reverse().find((e): e is OrderEntity => e.kind === 'order');
  if (!entity) return undefined;
  const found = shop.order(entity.value);
  if (found && found.buyerId === buyerId) return { kind: 'own', order: found };
  // A long number without a cue may be the buyer's own tracking number: that order, not a stranger's.
  const tracked = shop.ordersByBuyer(buyerId).find((o) => o.shipment?.trackingNumber === entity.value);
  if (tracked) return { kind: 'own', order: tracked };
  return { kind: 'unknown', number: entity.value };
}

/** Flows a bare order number can continue; anything else starts with where the order is. */
const ORDER_FLOW_PREFIXES = ['delivery.', 'return.', 'address.', 'payment.pay'];

/** The flow a bare order number ("E1004") answers: the order question handled last, else tracking. */
export function orderFlowAfter(lastHandled: string | undefined): string {
  return lastHandled !== undefined && ORDER_FLOW_PREFIXES.some((p) => lastHandled.startsWith(p)) ? lastHandled : 'delivery.tracking';
}

/** Routing claims of the order in focus (see stages/route.ts for their order). */
export const claims = {
  /** A bare order number ("E1004") the classifier cannot place: it continues the order question asked last. */
  bareNumber: claim('order.bareNumber', ({ conv, u, shop, lastHandled, clarifyBelow }) =>
    typedOrder(u, shop, conv.buyerId) && (u.intent === FALLBACK || u.confidence < clarifyBelow) ? { intent: orderFlowAfter(lastHandled) } : undefined,
  ),
};

/** What a conversation is about: the buyer, the product in focus (else the featured one), the order in focus. */
export interface Focus {
  buyer?: Buyer;
  product?: Product;
  order?: Order;
}

export function focusOf(shop: ShopData, conv: ConversationState): Focus {
  const out: Focus = {};
  const buyer = shop.buyer(conv.buyerId);
  if (buyer) out.buyer = buyer;
  const product = (conv.productId ? shop.product(conv.productId) : undefined) ?? shop.featuredProduct();
  if (product) out.product = product;
  const order = conv.orderId ? shop.order(conv.orderId) : undefined;
  if (order) out.order = order;
  return out;
}

/**
 * The input a flow policy gets for `intent`. An order number typed this turn that is not this
 * buyer's means no order at all (never its data), and the number is kept as `unknownOrder`.
 */
export function policyInputFor(shop: ShopData, conv: ConversationState, u: Understanding, intent: string, now: Date): PolicyInput {
  const input: PolicyInput = { conv, u, intent, shop, now, ...focusOf(shop, conv) };
  const typed = typedOrder(u, shop, conv.buyerId);
  if (typed?.kind === 'unknown') {
    delete input.order;
    input.unknownOrder = typed.number;
  }
  return input;
}

/**
 * The names that identify each product in what a buyer writes: the endings of its name of two
 * to four characters ("大衣", "羊毛大衣" for 双面羊毛大衣: a Chinese product name ends in what
 * the thing is) that no other product's name contains. Built in one pass over the names and
 * kept per catalogue (the same array, else the same ids and names).
 */
const KEY_MIN = 2;
const KEY_MAX = 4;
const keysByArray = new WeakMap<readonly Product[], Map<string, string>>();
let keysByNames: CatalogueKeys | undefined;

interface CatalogueKeys {
  ids: string[];
  names: string[];
  keys: Map<string, string>;
}

function keysOf(products: readonly Product[]): Map<string, string> {
  const known = keysByArray.get(products);
  if (known) return known;
  // A snapshot per turn brings a new array of the same products: compare ids and names, no copy.
  const last = keysByNames;
  const entry =
    last !== undefined && last.names.length === products.length && products.every((p, i) => last.names[i] === p.name && last.ids[i] === p.id)
      ? last
      : buildKeys(products);
  keysByNames = entry;
  keysByArray.set(products, entry.keys);
  return entry.keys;
}

function buildKeys(products: readonly Product[]): CatalogueKeys {
  const names = products.map((p) => p.name.toLowerCase());
  // Every short piece of every name → the one product containing it, or null for several.
  const owner = new Map<string, string | null>();
  products.forEach((p, i) => {
    const name = names[i] as string;
    for (let len = KEY_MIN; len <= KEY_MAX; len++) {
      for (let at = 0; at + len <= name.length; at++) {
        const piece = name.slice(at, at + len);
        const o = owner.get(piece);
        owner.set(piece, o === undefined || o === p.id ? p.id : null);
      }
    }
  });
  const keys = new Map<string, string>();
  products.forEach((p, i) => {
    const name = names[i] as string;
    for (let len = KEY_MIN; len <= Math.min(KEY_MAX, name.length); len++) {
      const ending = name.slice(name.length - len);
      if (owner.get(ending) === p.id) keys.set(ending, p.id);
    }
  });
  return { ids: products.map((p) => p.id), names: products.map((p) => p.name), keys };
}

/**
 * What a message names, without what it says it is not: "不是裤子 是围巾" names the scarf.
 */
export function namingText(normalized: string): string {
  // Only the "不是X" part goes: what comes before it still names ("大衣不是说包邮吗").
  return normalized.replace(/不是[^，,。.!！?？\s是]{1,8}(?=[，,。\s]*(?:是|要|说的是|我说的是)?\S)/u, '');
}

/**
 * The buyer's order that holds `product` ("围巾想退" from a buyer whose newest order is
 * jeans): among their orders with it, the one that fits what the message says best (a size or
 * colour of its item, a delivered order for an after-sale request), the newest of equals; the
 * order already in focus when it is among the best. Undefined when no order holds it.
 */
export function orderOfProduct(shop: ShopData, buyerId: string, product: Product, u: Understanding, current: string | undefined): Order | undefined {
  const orders = shop.ordersByBuyer(buyerId).filter((o) => o.items.some((i) => i.productId === product.id));
  if (orders.length < 2) return orders[0];
  const sizes = u.entities.filter((e) => e.kind === 'size').map((e) => sizeKey(e.value));
  const colors = u.entities.filter((e) => e.kind === 'color').map((e) => e.value);
  const afterSale = u.category === 'return';
  const score = (o: Order): number => {
    const item = o.items.find((i) => i.productId === product.id);
    let s = 0;
    if (item?.size !== undefined && sizes.includes(sizeKey(item.size))) s += 2;
    if (item?.color !== undefined && colors.includes(item.color)) s += 1;
    if (afterSale && (o.status === 'delivered' || o.status === 'disputed')) s += 1;
    return s;
  };
  const best = Math.max(...orders.map(score));
  const top = orders.filter((o) => score(o) === best);
  return top.find((o) => o.number === current) ?? top[0];
}

/**
 * The shop's product a message names, when it names exactly one ("那卫衣呢", "围巾多少钱");
 * undefined when it names none, or several ("大衣配什么围巾").
 */
export function namedProduct(shop: ShopData, text: string): Product | undefined {
  const products = shop.products();
  if (products.length < 2) return undefined;
  const keys = keysOf(products);
  const t = text.toLowerCase();
  const ids = new Set<string>();
  for (let len = KEY_MIN; len <= KEY_MAX; len++) {
    for (let at = 0; at + len <= t.length; at++) {
      const id = keys.get(t.slice(at, at + len));
      if (id !== undefined) ids.add(id);
    }
  }
  return ids.size === 1 ? shop.product([...ids][0] as string) : undefined;
}
