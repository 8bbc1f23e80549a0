/**
 * 议价: bargaining toward a deal over a few rounds, as the shop manual describes. The bot
 * leaves room and makes each concession feel earned: shipping or a small gift before money,
 * each counter between the buyer's offer and our last price (never rising, never below the
 * floor), a firm lowest price in the last round, then a person. A buyer far below the floor
 * is shown a cheaper product instead of being haggled down.
 */
import type { Product, ShopData } from '../shop/types';
import { lastEntity, move, slot, type PolicyInput, type PolicyResult } from './policy';

export const HAGGLE = 'haggle.bargain';

/** Bargaining memory for one product (slots.haggle). Plain JSON. */
export interface HaggleSlot {
  productId: string;
  /** Current asking price: the list price, then each counter. */
  price: number;
  /** Rounds with a money offer or push handled so far. */
  rounds: number;
  offers: number[];
  counters: number[];
  freeShipping: boolean;
  gift?: string;
  /** True once the firm lowest price was quoted. */
  final: boolean;
  deal?: number;
  /** Pushes without progress (no number, or below the final price). */
  pushes: number;
}

/** A fresh bargaining slot for `product`. */
export function newHaggle(product: Product, shop: ShopData): HaggleSlot {
  return {
    productId: product.id,
    price: product.listPrice,
    rounds: 0,
    offers: [],
    counters: [],
    freeShipping: product.listPrice >= shop.policy.freeShippingFrom,
    final: false,
    pushes: 0,
  };
}

/** The price the policy accepts in round `round` (1-based): floor + a shrinking share of the margin. */
export function acceptThreshold(product: Product, shop: ShopData, round: number): number {
  const margins = shop.policy.haggle.acceptMargins;
  const share = margins[Math.min(round, margins.length) - 1] ?? 0;
  return product.floorPrice + (product.listPrice - product.floorPrice) * share;
}

/**
 * The counter in round `round`: from max(offer, floor) toward the last price by the round's
 * share, rounded up to whole yuan, never above the last price and never below the floor.
 */
export function counterOffer(product: Product, shop: ShopData, round: number, lastPrice: number, offer: number | undefined): number {
  const shares = shop.policy.haggle.counterShares;
  const share = shares[Math.min(round, shares.length) - 1] ?? 0;
  const base = Math.max(offer ?? product.floorPrice, product.floorPrice);
  const raw = Math.ceil(base + (lastPrice - base) * share);
  return Math.max(product.floorPrice, Math.min(raw, lastPrice));
}

/** The most expensive other product the buyer's offer could nearly pay for (never one sold below its floor). */
export function cheaperProduct(product: Product, shop: ShopData, offer: number): Product | undefined {
  return shop
    .products()
    .filter((p) => p.id !== product.id && p.listPrice < product.floorPrice && p.floorPrice <= offer * 1.25)
    .filter((p) => p.variants.some((v) => v.stock > 0))
    .sort((a, b) => b.listPrice - a.listPrice)[0];
}

/** The buyer's offer in this message: a price, or "便宜50" taken off the current price. */
function buyerOffer(input: PolicyInput, current: number): { offer?: number; wantsFreeShipping: boolean } {
  const money = lastEntity(input.u, 'money');
  if (!money) return { wantsFreeShipping: false };
  const offer = money.role === 'discount' ? current - money.value : money.value;
  return offer > 0 ? { offer, wantsFreeShipping: money.freeShipping } : { wantsFreeShipping: money.freeShipping };
}

/** The haggle policy. */
export function hagglePolicy(input: PolicyInput): PolicyResult {
  const { shop, product } = input;
  if (!product) return { moves: [move(input, 'other.fallback', 'reply')] };
  const cfg = shop.policy.haggle;
  const prev = slot<HaggleSlot>(input.conv, 'haggle');
  const s: HaggleSlot = prev && prev.productId === product.id ? structuredClone(prev) : newHaggle(product, shop);
  const { offer, wantsFreeShipping } = buyerOffer(input, s.price);
  const before = s.price;
  const vars = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    price: before,
    freeShipping: s.freeShipping,
    roundsLeft: Math.max(0, cfg.rounds - s.rounds),
    ...(s.gift !== undefined ? { gift: s.gift } : {}),
    ...(offer !== undefined ? { offer } : {}),
    ...extra,
  });
  const done = (r: Omit<PolicyResult, 'slots'>): PolicyResult => ({ ...r, slots: { haggle: s } });
  const closeDeal = (price: number): PolicyResult => {
    s.deal = price;
    s.price = price;
    return done({ moves: [move(input, HAGGLE, 'deal', vars({ deal: price }), price)], pending: null });
  };
  const pushBack = (): PolicyResult => {
    s.pushes++;
    const firm = move(input, HAGGLE, 'firm', vars({ floor: s.price }), s.price);
    if (s.pushes >= cfg.maxPushes || s.final) {
      return done({
        moves: [firm],
        handoff: { reason: 'policy_limit', priority: 'normal', note: `买家出价 ${s.offers.join('→') || '无'}，最后报价 ${s.price}` },
      });
    }
    return done({ moves: [firm], pending: { owner: HAGGLE, kind: 'counter', choices: [] } });
  };

  // The buyer said yes to our last price.
  if (input.answer === 'yes' && s.rounds > 0 && s.deal === undefined) return closeDeal(s.price);
  if (s.deal !== undefined) {
    if (offer !== undefined && offer >= s.deal) return closeDeal(s.deal);
    return pushBack();
  }
  if (offer === undefined) {
    if (wantsFreeShipping && !s.freeShipping) {
      s.freeShipping = true;
      return done({ moves: [move(input, HAGGLE, 'concession', vars({ counter: s.price }), s.price)], pending: pend() });
    }
    if (s.rounds === 0 && s.pushes === 0) {
      s.pushes++;
      return done({ moves: [move(input, HAGGLE, 'ask_price', vars())], pending: null });
    }
    return pushBack();
  }

  s.rounds++;
  s.offers.push(offer);
  if (offer >= s.price) return closeDeal(s.price);
  if (s.final) {
    s.rounds--; // rounds are over; this is pushing
    return pushBack();
  }
  if (offer >= acceptThreshold(product, shop, s.rounds)) return closeDeal(Math.ceil(offer));
  if (offer < product.floorPrice * cfg.farBelowRatio) {
    const cheaper = cheaperProduct(product, shop, offer);
    if (cheaper) {
      return done({
        moves: [move(input, HAGGLE, 'cheaper', vars({ cheaper: { name: cheaper.name, price: cheaper.listPrice } }))],
        pending: null,
      });
    }
  }
  if (s.rounds === 1 && (!s.freeShipping || s.gift === undefined)) {
    // The first concession is never money.
    if (!s.freeShipping) s.freeShipping = true;
    else s.gift = cfg.gift;
    return done({ moves: [move(input, HAGGLE, 'concession', vars({ counter: s.price }), s.price)], pending: pend() });
  }
  if (s.rounds >= cfg.rounds) {
    s.final = true;
    s.price = product.floorPrice;
    s.counters.push(s.price);
    return done({ moves: [move(input, HAGGLE, 'final', vars({ counter: s.price, floor: s.price }), s.price)], pending: pend() });
  }
  const counter = counterOffer(product, shop, s.rounds, s.price, offer);
  s.price = counter;
  s.counters.push(counter);
  return done({ moves: [move(input, HAGGLE, 'counter', vars({ counter }), counter)], pending: pend() });
}

function pend(): { owner: string; kind: string; choices: string[] } {
  return { owner: HAGGLE, kind: 'counter', choices: [] };
}
