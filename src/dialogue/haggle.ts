/**
 * 议价: bargaining toward a deal over a few rounds, as the shop manual describes. The bot
 * leaves room and makes each concession feel earned: shipping or a small gift before money,
 * each counter between the buyer's offer and our last price (never rising, never below the
 * floor), a firm lowest price in the last round, then a person. A buyer far below the floor
 * is shown a cheaper product instead of being haggled down.
 */
import type { Product, ShopData } from '../shop/types';
import { readAnswer } from './answers';
import { lastEntity, move, shipByFor, slot, type PolicyInput, type PolicyResult } from './policy';

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
  /**
   * The price the bot called its lowest real price, once it did: no later price in the
   * conversation goes below it.
   */
  lowest?: number;
  /** True once the bot asked the buyer's price. */
  asked?: boolean;
  /** A cheaper product suggested instead: a follow-up price near it bargains on that product. */
  suggested?: string;
  deal?: number;
  /** Pushes without progress (after the firm lowest price). */
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

/** A cheaper product to suggest, and whether the buyer's offer reaches its floor (it fits the budget). */
export interface CheaperSuggestion {
  product: Product;
  fits: boolean;
}

/**
 * A cheaper product for a buyer whose offer is far below this one's floor: the most expensive
 * in-stock product the offer can buy (its floor at or under the offer); failing that, the one
 * closest to the budget (never one that would have to be sold below its floor).
 */
export function cheaperProduct(product: Product, shop: ShopData, offer: number): CheaperSuggestion | undefined {
  const others = shop
    .products()
    .filter((p) => p.id !== product.id && p.listPrice < product.floorPrice)
    .filter((p) => p.variants.some((v) => v.stock > 0));
  const fitting = others.filter((p) => p.floorPrice <= offer).sort((a, b) => b.listPrice - a.listPrice)[0];
  if (fitting) return { product: fitting, fits: true };
  const closest = others.filter((p) => p.floorPrice <= offer * 1.25).sort((a, b) => a.floorPrice - b.floorPrice)[0];
  return closest ? { product: closest, fits: false } : undefined;
}

/** The buyer's offer in this message: a price, or "便宜50" taken off the current price. */
function buyerOffer(input: PolicyInput, current: number): { offer?: number; wantsFreeShipping: boolean } {
  const money = lastEntity(input.u, 'money');
  if (!money) return { wantsFreeShipping: false };
  const offer = money.role === 'discount' ? current - money.value : money.value;
  return offer > 0 ? { offer, wantsFreeShipping: money.freeShipping } : { wantsFreeShipping: money.freeShipping };
}

/**
 * The product the buyer turns to with this offer: the cheaper one we suggested, when the
 * offer is near it (not far below its floor, not above its price) and still far below the
 * product in focus.
 */
function followedSuggestion(input: PolicyInput, prev: HaggleSlot | undefined): Product | undefined {
  const { shop, product } = input;
  if (!product || !prev?.suggested || prev.productId !== product.id || prev.deal !== undefined) return undefined;
  const money = lastEntity(input.u, 'money');
  if (!money || money.role === 'discount') return undefined;
  const suggested = shop.product(prev.suggested);
  const ratio = shop.policy.haggle.farBelowRatio;
  if (!suggested || money.value >= product.floorPrice * ratio) return undefined;
  return money.value >= suggested.floorPrice * ratio && money.value <= suggested.listPrice ? suggested : undefined;
}

/** The haggle policy. */
export function hagglePolicy(input: PolicyInput): PolicyResult {
  const prev = slot<HaggleSlot>(input.conv, 'haggle');
  const followed = followedSuggestion(input, prev);
  if (followed) return { ...bargain({ ...input, product: followed }, undefined), productId: followed.id };
  return bargain(input, prev);
}

/** One bargaining turn on input.product, from the slot `prev` (when it is about that product). */
function bargain(input: PolicyInput, prev: HaggleSlot | undefined): PolicyResult {
  const { shop, product } = input;
  if (!product) return { moves: [move(input, 'other.fallback', 'reply')] };
  const cfg = shop.policy.haggle;
  const s: HaggleSlot = prev && prev.productId === product.id ? structuredClone(prev) : newHaggle(product, shop);
  const { offer, wantsFreeShipping } = buyerOffer(input, s.price);
  const before = s.price;
  const vars = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    price: before,
    freeShipping: s.freeShipping,
    roundsLeft: Math.max(0, cfg.rounds - s.rounds),
    shipBy: shipByFor(input.now, shop).toISOString(),
    ...(s.gift !== undefined ? { gift: s.gift } : {}),
    ...(offer !== undefined ? { offer } : {}),
    ...extra,
  });
  const done = (r: Omit<PolicyResult, 'slots'>): PolicyResult => ({ ...r, slots: { haggle: s } });
  const atLeastLowest = (price: number): number => Math.max(price, s.lowest ?? product.floorPrice);
  const closeDeal = (price: number): PolicyResult => {
    s.deal = atLeastLowest(price);
    s.price = s.deal;
    return done({ moves: [move(input, HAGGLE, 'deal', vars({ deal: s.deal }), s.deal)], pending: null });
  };
  /** The buyer pushes past a price that really is our lowest: say so firmly; keep pushing and a person takes over. */
  const pushBack = (): PolicyResult => {
    s.pushes++;
    s.lowest = s.price;
    const firm = move(input, HAGGLE, 'firm', vars({ floor: s.price }), s.price);
    if (s.pushes >= cfg.maxPushes || s.final) {
      return done({
        moves: [firm],
        handoff: { reason: 'policy_limit', priority: 'normal', note: `买家出价 ${s.offers.join('→') || '无'}，最后报价 ${s.price}` },
      });
    }
    return done({ moves: [firm], pending: pend() });
  };
  const finalPrice = (): PolicyResult => {
    s.final = true;
    s.price = atLeastLowest(product.floorPrice);
    s.lowest = s.price;
    s.counters.push(s.price);
    return done({ moves: [move(input, HAGGLE, 'final', vars({ counter: s.price, floor: s.price }), s.price)], pending: pend() });
  };
  const typedYes = offer === undefined && readAnswer(input.u) === 'yes';

  // The buyer said yes to our last price ("好的，就这个价").
  if ((input.answer === 'yes' || typedYes) && s.deal === undefined && (s.rounds > 0 || s.asked === true)) return closeDeal(s.price);
  if (s.deal !== undefined) {
    if (typedYes || input.answer === 'yes' || (offer !== undefined && offer >= s.deal)) return closeDeal(s.deal);
    // Only a price that really is our lowest is defended; otherwise the buyer reopens the bargaining.
    if (s.final || s.deal <= product.floorPrice || s.rounds >= cfg.rounds) return pushBack();
    delete s.deal;
  }
  if (s.final && (offer === undefined || offer < s.price)) return pushBack();
  if (offer === undefined) {
    if (wantsFreeShipping && !s.freeShipping) {
      s.freeShipping = true;
      return done({ moves: [move(input, HAGGLE, 'concession', vars({ counter: s.price }), s.price)], pending: pend() });
    }
    if (s.rounds === 0 && !s.asked) {
      // Ask the buyer's price before conceding anything.
      s.asked = true;
      return done({ moves: [move(input, HAGGLE, 'ask_price', vars())], pending: null });
    }
  } else {
    s.offers.push(offer);
    if (offer >= s.price) return closeDeal(s.price);
    if (offer < product.floorPrice * cfg.farBelowRatio) {
      const cheaper = cheaperProduct(product, shop, offer);
      if (cheaper) {
        s.suggested = cheaper.product.id;
        const c = cheaper.product;
        return done({
          moves: [move(input, HAGGLE, 'cheaper', vars({ cheaper: { name: c.name, price: c.listPrice, fits: cheaper.fits } }))],
          pending: null,
        });
      }
    }
  }

  // A round: a money offer, or a push without a number.
  s.rounds++;
  if (offer !== undefined && offer >= acceptThreshold(product, shop, s.rounds)) return closeDeal(Math.ceil(offer));
  if (s.rounds === 1 && (!s.freeShipping || s.gift === undefined)) {
    // The first concession is never money: free shipping, or the gift when shipping is already free.
    if (!s.freeShipping) s.freeShipping = true;
    else s.gift = cfg.gift;
    return done({ moves: [move(input, HAGGLE, 'concession', vars({ counter: s.price }), s.price)], pending: pend() });
  }
  if (s.rounds >= cfg.rounds) return finalPrice();
  const counter = counterOffer(product, shop, s.rounds, s.price, offer);
  if (counter <= product.floorPrice) return finalPrice();
  s.price = counter;
  s.counters.push(counter);
  return done({ moves: [move(input, HAGGLE, 'counter', vars({ counter }), counter)], pending: pend() });
}

function pend(): { owner: string; kind: string; choices: string[] } {
  return { owner: HAGGLE, kind: 'counter', choices: [] };
}
