/**
 * 议价: bargaining toward a deal over a few rounds, as the shop manual describes. The bot
 * leaves room and makes each concession feel earned: shipping or a small gift before money,
 * each counter between the buyer's offer and our last price (never rising, never below the
 * floor), a firm lowest price in the last round, then a person. A buyer far below the floor
 * is shown a cheaper product instead of being haggled down.
 */
import type { Order, Product, ShopData } from '../shop/types';
import { parseNumeral } from '../nlu/entities';
import type { Understanding } from '../nlu/types';
import { bareOffer, isAcceptance, priceOnly, readAnswer } from './answers';
import { claim, type ClaimInput } from './claims';
import type { ActDraft } from '../model/acts';
import type { HaggleSlot } from '../model/slots';
import { handedOver, lastEntity, move, shipByFor, type PolicyInput, type PolicyResult } from './policy';

export const HAGGLE = 'haggle.bargain';

export type { HaggleSlot } from '../model/slots';

/** Buyer walking away: "太贵了 不要了", "我再对比一下别家", "算了不买了". */
const WALK_AWAY =
  /太贵|贵了|不要了|不买了|不想要了|算了|再看看|再考虑|考虑一下|考虑下|考虑考虑|再想想|想一想|对比一下|比较一下|比一比|货比三家|别家|别的店|其他家|其他店|隔壁家/u;
/** Walking away proper (not just "贵"): leaving, or thinking it over. */
const LEAVING =
  /不要了|不买了|不想要了|算了|再看看|再考虑|考虑一下|考虑下|考虑考虑|再想想|想一想|对比一下|比较一下|比一比|货比三家|别家|别的店|其他家|其他店|隔壁家/u;
/** Putting it off to ask someone or come back later: no concession, the door left open. */
const POSTPONE = /问问|商量|再逛|逛逛|再说吧|晚点再|回头再|明天再|等发工资|发工资再/u;
/** A coupon or promotion question: answered as what it is, never a price move. */
const COUPON = /券|满减|优惠码|红包|积分|会员价|活动价|津贴|返现/u;
/** "包邮吗" / "包不包邮": a question about shipping, not a number. */
const ASKS_FREE_SHIPPING = /包邮|免运费|运费/u;
/** The gift turned down: "袜子不要了", "不用送了", "赠品不要". */
const GIFT_REFUSED = /(?:袜子|赠品|礼物|送的)\S{0,3}(?:不要|不用|不需要)|不用送|不要送|别送/u;
/** A bulk order: this many pieces or more, or wholesale words. */
const BULK_QUANTITY = 10;
const BULK = /批发|团购|批量|采购|工装|集采|公司要买|单位要买/u;
/** A number asked about rather than offered: "468包邮吗", "这个468是到手价吗", "原价468现在多少". */
const PRICE_ASKED = /[吗么?？]|多少|是不是|到手价|真的/u;
/** A question about the price ("多少钱", "怎么卖"), and words that push it down ("便宜", "最低"). */
const PRICE_QUESTION = /多少钱|多少|怎么卖|什么价|几钱|价格|价钱/u;
const PUSH = /便宜|优惠|少点|少一点|少些|打折|折扣|打个折|最低|让|降|砍|实惠|划算|送|抹/u;
/** Terms beyond a unit price: "三件一百五" (a quantity), "顺丰" (a courier). */
const QUANTITY_RE = /([0-9]+|[一二两三四五六七八九十]+)\s*(?:件|条|个|套|双|份)/u;

/** Whether the buyer is walking away from the price. */
export function isWalkAway(text: string): boolean {
  return WALK_AWAY.test(text) && !/[0-9]{2,}|[一二三四五六七八九]百/u.test(text);
}

/** The quantity the buyer names with their price ("三件一百五" → 3), 1 when none. */
export function quantityOf(text: string): number {
  const m = QUANTITY_RE.exec(text);
  if (!m?.[1]) return 1;
  const n = /^[0-9]+$/.test(m[1]) ? Number(m[1]) : (parseNumeral(m[1]) ?? 1);
  return Number.isInteger(n) && n > 0 && n <= 99 ? n : 1;
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

/**
 * The buyer's offer in this message: a unit price ("三件一百五" is 50 a piece), or "便宜50"
 * taken off the current price; with the terms that come with it (quantity, a courier).
 * `remembered` is the quantity named earlier in the bargaining.
 */
function buyerOffer(
  input: PolicyInput,
  current: number,
  remembered = 1,
): { offer?: number; wantsFreeShipping: boolean; quantity: number; courier?: string } {
  const money = lastEntity(input.u, 'money');
  const named = quantityOf(input.u.normalized);
  // "两件多少钱" … "200": an amount above the unit price, after a quantity was named, is
  // the total for that quantity (read back as such, never closed on as a unit price).
  const quantity = named === 1 && remembered > 1 && money && money.role !== 'discount' && money.value > current ? remembered : named;
  const courier = lastEntity(input.u, 'courier')?.value;
  const terms = { quantity, ...(courier !== undefined ? { courier } : {}) };
  const asksShipping = ASKS_FREE_SHIPPING.test(input.u.normalized);
  if (!money) return { wantsFreeShipping: asksShipping, ...terms };
  // "便宜点400": an amount as large as half the price is the price wanted, not the amount off.
  const off = money.role === 'discount' && money.value < current / 2;
  const offer = off ? current - money.value : Math.ceil(money.value / quantity);
  return offer > 0
    ? { offer, wantsFreeShipping: money.freeShipping || asksShipping, ...terms }
    : { wantsFreeShipping: money.freeShipping || asksShipping, ...terms };
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

/**
 * The buyer's order a deal reprices: the order in focus, when it holds the product bargained
 * for and has not shipped (unpaid, or paid and waiting). The deal act then carries its number,
 * so the agent's order card and the shop's order system apply the price to that order.
 */
export function dealOrder(order: Order | undefined, product: Product): Order | undefined {
  if (!order || (order.status !== 'unpaid' && order.status !== 'paid')) return undefined;
  return order.items.some((item) => item.productId === product.id) ? order : undefined;
}

/** The haggle policy. */
export function hagglePolicy(input: PolicyInput): PolicyResult {
  const prev = input.conv.slots.haggle;
  const followed = followedSuggestion(input, prev);
  if (followed) return { ...bargain({ ...input, product: followed }, undefined), productId: followed.id };
  return bargain(input, prev);
}

/**
 * The bargain under way, on the product it is about: a yes or a walk-away answers that
 * bargain even when another product was named since ("那再送条围巾呗" … "算了不要了" is about
 * the coat, never a new offer on the scarf).
 */
function bargainUnderWay(input: PolicyInput): PolicyResult {
  const slot = input.conv.slots.haggle;
  const product = slot ? input.shop.product(slot.productId) : undefined;
  return hagglePolicy(product ? { ...input, product } : input);
}

/** One bargaining turn on input.product, from the slot `prev` (when it is about that product). */
function bargain(input: PolicyInput, prev: HaggleSlot | undefined): PolicyResult {
  const { shop, product } = input;
  if (!product) return { moves: [move(input, 'other.fallback', 'reply')] };
  const cfg = shop.policy.haggle;
  // A plain copy (not structuredClone): the slot stays plain JSON of this realm, as the state is.
  const s: HaggleSlot =
    prev && prev.productId === product.id ? { ...prev, offers: [...prev.offers], counters: [...prev.counters] } : newHaggle(product, shop);
  const { offer, wantsFreeShipping, quantity, courier } = buyerOffer(input, s.price, s.quantity);
  // "袜子不要了 换成便宜10块": the gift is off the table (and off any deal read back).
  if (s.gift !== undefined && GIFT_REFUSED.test(input.u.normalized)) delete s.gift;
  // Twenty coats for a company, 批发价: an order of that size is priced by a person.
  if (quantity >= BULK_QUANTITY || BULK.test(input.u.normalized)) {
    const note = `批量/团购询价：${input.u.normalized.slice(0, 40)}`;
    return {
      ...handedOver(input, move(input, HAGGLE, 'bulk', { quantity }), { reason: 'policy_limit', priority: 'normal', note }),
      slots: { haggle: s },
    };
  }
  /** Terms the shop did not offer: never closed on, read back as a counter first. */
  const otherTerms = quantity > 1 || (courier !== undefined && courier !== shop.policy.defaultCourier);
  const before = s.price;
  const vars = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    price: before,
    freeShipping: s.freeShipping,
    roundsLeft: Math.max(0, cfg.rounds - s.rounds),
    shipBy: shipByFor(input.now, shop).toISOString(),
    ...(s.gift !== undefined ? { gift: s.gift } : {}),
    ...(offer !== undefined ? { offer } : {}),
    // A deal at the list price (a gift or free shipping was the concession): nothing to reprice.
    ...(s.deal !== undefined && s.deal >= product.listPrice ? { atListPrice: true } : {}),
    ...extra,
  });
  const done = (r: Omit<PolicyResult, 'slots'>): PolicyResult => ({ ...r, slots: { haggle: s } });
  const atLeastLowest = (price: number): number => Math.max(price, s.lowest ?? product.floorPrice);
  const closeDeal = (price: number, qty = s.quantity ?? 1): PolicyResult => {
    const first = s.deal === undefined;
    s.deal = atLeastLowest(price);
    s.price = s.deal;
    const order = dealOrder(input.order, product);
    const act: ActDraft = {
      kind: 'deal',
      ...(order ? { orderNumber: order.number } : {}),
      productId: product.id,
      productName: product.name,
      price: s.deal,
      listPrice: product.listPrice,
      quantity: qty,
      freeShipping: s.freeShipping,
      ...(s.gift !== undefined ? { gift: s.gift } : {}),
    };
    return {
      ...done({
        moves: [
          move(
            input,
            HAGGLE,
            'deal',
            vars({
              deal: s.deal,
              ...(qty > 1 ? { quantity: qty } : {}),
              // An order already placed is repriced: never "拍下" again.
              ...(order ? { dealOrder: order.number, dealOrderPaid: order.status === 'paid' } : {}),
            }),
            s.deal,
          ),
        ],
        pending: null,
      }),
      ...(first ? { acts: [act] } : {}),
    };
  };
  /** After a deal the agreed price holds: no lower, whatever the buyer says next. */
  const holdDeal = (deal: number): PolicyResult => {
    s.pushes++;
    const hold = move(input, HAGGLE, 'deal_holds', vars({ deal }), deal);
    if (s.pushes > cfg.maxPushes) {
      return done({ moves: [hold], handoff: { reason: 'policy_limit', priority: 'normal', note: `已成交 ${deal}，买家仍要求再降` } });
    }
    return done({ moves: [hold], pending: null });
  };
  /** The buyer walks away: one retention line (a last small concession, or a cheaper product), then a polite goodbye. */
  const retain = (): PolicyResult => {
    if (s.retained || s.deal !== undefined) return done({ moves: [move(input, HAGGLE, 'goodbye', vars())], pending: null });
    s.retained = true;
    if (!s.final && s.price > product.floorPrice) {
      const step = Math.max(1, Math.ceil((s.price - product.floorPrice) * 0.3));
      const counter = Math.max(product.floorPrice, s.price - step);
      s.price = counter;
      s.counters.push(counter);
      if (counter <= product.floorPrice) {
        s.final = true;
        s.lowest = counter;
      }
      return done({ moves: [move(input, HAGGLE, 'retain', vars({ counter }), counter)], pending: pend() });
    }
    const cheaper = cheaperProduct(product, shop, Math.floor(product.floorPrice * 0.7));
    if (cheaper) {
      s.suggested = cheaper.product.id;
      return done({
        moves: [
          move(
            input,
            HAGGLE,
            'retain_cheaper',
            vars({ cheaper: { name: cheaper.product.name, price: cheaper.product.listPrice, fits: cheaper.fits } }),
          ),
        ],
        pending: null,
      });
    }
    return done({ moves: [move(input, HAGGLE, 'goodbye', vars())], pending: null });
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
  const typedYes = offer === undefined && (readAnswer(input.u) === 'yes' || isAcceptance(input.u));
  const text = input.u.normalized;

  // A coupon question is answered as what it is: no price moves, no deal.
  if (offer === undefined && COUPON.test(text) && !typedYes) {
    return done({ moves: [move(input, HAGGLE, 'coupon', vars(s.deal !== undefined ? { deal: s.deal } : {}))], pending: null });
  }
  // A price is on the table once the bot offered one (a counter, a concession, the price for
  // their terms); after "您心里价位是多少" a "嗯" or "好吧" accepts nothing.
  const pendingNow = input.pending ?? input.conv.slots.pending;
  const onTable = s.rounds > 0 || s.counters.length > 0 || pendingNow?.owner === HAGGLE;
  // The buyer said yes to our last price ("好的，就这个价", "那就按你说的吧").
  if ((input.answer === 'yes' || typedYes) && s.deal === undefined && onTable) return closeDeal(s.price);
  if ((input.answer === 'yes' || typedYes) && s.deal === undefined && s.asked === true) {
    return done({ moves: [move(input, HAGGLE, 'ask_offer', vars())], pending: null });
  }
  // "468包邮吗", "这个468是到手价吗": a question about the price on the table, not an offer to close on.
  if (offer !== undefined && offer >= s.price && s.deal === undefined && PRICE_ASKED.test(text)) {
    return done({ moves: [move(input, 'payment.pay', 'list_price', { price: s.price })], pending: pend() });
  }
  if (s.deal !== undefined) {
    if (typedYes || input.answer === 'yes' || (offer !== undefined && offer >= s.deal && !otherTerms)) return closeDeal(s.deal);
    if (offer === undefined && isWalkAway(text)) return retain();
    return holdDeal(s.deal);
  }
  // "太贵了吧" before anything was said about the price opens the bargain: the buyer's price is asked first.
  const opening = s.rounds === 0 && !s.asked && s.counters.length === 0 && !LEAVING.test(text);
  if (offer === undefined && POSTPONE.test(text)) return done({ moves: [move(input, HAGGLE, 'goodbye', vars())], pending: null });
  if (offer === undefined && isWalkAway(text) && !opening) return retain();
  if (s.final && (offer === undefined || offer < s.price)) return pushBack();
  if (offer === undefined) {
    // "两件多少钱" / "买三件能便宜吗": the quantity holds for the rest of the bargaining (the
    // deal is read back for that many), and a plain price question gets the total.
    if (quantity > 1) {
      s.quantity = quantity;
      if (PRICE_QUESTION.test(text) && !PUSH.test(text) && !wantsFreeShipping) {
        s.asked = true;
        if (s.price * quantity >= shop.policy.freeShippingFrom) s.freeShipping = true;
        const totals = { counter: s.price, quantity, total: s.price * quantity, defaultCourier: shop.courierName(shop.policy.defaultCourier) };
        return done({ moves: [move(input, HAGGLE, 'terms', vars(totals), s.price)], pending: pend() });
      }
    }
    if (wantsFreeShipping && s.freeShipping && s.rounds === 0 && !s.asked) {
      // "包邮吗" on a product that ships free anyway: a fact, not a concession.
      s.asked = true;
      return done({ moves: [move(input, HAGGLE, 'free_shipping', vars())], pending: null });
    }
    if (wantsFreeShipping && !s.freeShipping) {
      s.freeShipping = true;
      s.numberless = (s.numberless ?? 0) + 1;
      return done({ moves: [move(input, HAGGLE, 'concession', vars({ counter: s.price }), s.price)], pending: pend() });
    }
    if (s.rounds === 0 && !s.asked) {
      // Ask the buyer's price before conceding anything.
      s.asked = true;
      return done({ moves: [move(input, HAGGLE, 'ask_price', vars())], pending: null });
    }
    if ((s.numberless ?? 0) >= 1) {
      // A push without a number moves the price once at most; then the buyer names theirs.
      s.pushes++;
      const ask = move(input, HAGGLE, 'ask_offer', vars());
      if (s.pushes >= cfg.maxPushes) {
        // A person takes it: the handoff notice alone, not "give me your price" and "a colleague comes" at once.
        return done({ moves: [], handoff: { reason: 'policy_limit', priority: 'normal', note: `买家多次要求便宜但不出价，当前报价 ${s.price}` } });
      }
      return done({ moves: [ask], pending: null });
    }
    s.numberless = (s.numberless ?? 0) + 1;
  } else {
    s.offers.push(offer);
    // A number restarts the count: the next push without one may move the price once more.
    s.numberless = 0;
    s.pushes = s.final ? s.pushes : 0;
    if (otherTerms) {
      // Their own terms (a quantity, a courier): read back our price for them, never a deal yet.
      const counter =
        offer >= s.price
          ? s.price
          : Math.max(counterOffer(product, shop, Math.max(2, s.rounds + 1), s.price, offer), atLeastLowest(product.floorPrice));
      if (offer < s.price) s.rounds++;
      s.price = Math.min(s.price, counter);
      s.counters.push(s.price);
      if (quantity > 1) s.quantity = quantity;
      if (s.price * quantity >= shop.policy.freeShippingFrom) s.freeShipping = true;
      const courierName = courier !== undefined && courier !== shop.policy.defaultCourier ? shop.courierName(courier) : undefined;
      const termsVars = {
        counter: s.price,
        quantity,
        total: s.price * quantity,
        defaultCourier: shop.courierName(shop.policy.defaultCourier),
        ...(courierName ? { courier: courierName } : {}),
      };
      return done({ moves: [move(input, HAGGLE, 'terms', vars(termsVars), s.price)], pending: pend() });
    }
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

/**
 * Walking away over the price before any bargaining: "太贵了 不要了", "我去别家看看". "太贵了吧"
 * alone opens a bargain (the buyer is asked their price), it does not leave.
 */
const PRICE_WALK_AWAY = /别家|别的店|其他家|对比|比较|货比三家|贵.*(?:不要了|不买了|算了|再看看|再考虑|再想想)/u;

const hasMoneyOrOrder = (u: Understanding): boolean => u.entities.some((e) => e.kind === 'money' || e.kind === 'order');

/** On a product page, a message that is only a plausible price for it ("400", "450吧"). */
function pagePrice({ conv, shop, u }: ClaimInput) {
  const onPage = conv.productId !== undefined ? shop.product(conv.productId) : undefined;
  return onPage ? priceOnly(u, onPage.listPrice) : undefined;
}

/** A bargain is under way: a haggle slot without a deal. */
const bargaining = ({ conv }: ClaimInput): boolean => conv.slots.haggle !== undefined && conv.slots.haggle.deal === undefined;

/** Routing claims of bargaining (see stages/route.ts for their order). */
export const claims = {
  /** While bargaining, acceptance of our last price in the buyer's words ("那就按你说的吧", "行 我去拍"). */
  accept: claim('haggle.accept', ({ conv, u }) =>
    conv.slots.haggle !== undefined && !hasMoneyOrOrder(u) && isAcceptance(u)
      ? { intent: HAGGLE, answer: 'yes', policy: bargainUnderWay }
      : undefined,
  ),
  /** While bargaining, walking away ("太贵了 不要了"): one retention line. Not a return. */
  walkAway: claim('haggle.walkAway', ({ conv, u }) =>
    conv.slots.haggle !== undefined &&
    !hasMoneyOrOrder(u) &&
    (isWalkAway(u.normalized) || POSTPONE.test(u.normalized)) &&
    !/退|换货|退款/u.test(u.normalized)
      ? { intent: HAGGLE, policy: bargainUnderWay }
      : undefined,
  ),
  /** Walking away over the price before any bargaining ("太贵了 不要了", "我再对比一下别家吧"). */
  walkAwayUnstarted: claim('haggle.walkAwayUnstarted', ({ conv, u }) =>
    conv.slots.haggle === undefined && isWalkAway(u.normalized) && PRICE_WALK_AWAY.test(u.normalized) && !/退|换货|退款|快递|物流/u.test(u.normalized)
      ? { intent: HAGGLE }
      : undefined,
  ),
  /** A bare number while bargaining ("300"), or a bare plausible price on a product page ("450吧"): an offer. */
  bareOffer: claim('haggle.bareOffer', (input) => {
    if (input.u.entities.some((e) => e.kind === 'money')) return undefined;
    const offer = bargaining(input) ? bareOffer(input.u) : pagePrice(input);
    return offer ? { intent: HAGGLE, entities: [offer] } : undefined;
  }),
  /** A price in a bargaining message, on a product page, or in a vague message while bargaining. */
  money: claim('haggle.money', (input) => {
    const { u } = input;
    if (!u.entities.some((e) => e.kind === 'money')) return undefined;
    const vague = bargaining(input) && ['other', 'greeting', 'product'].includes(u.category);
    return u.category === 'haggle' || pagePrice(input) !== undefined || vague ? { intent: HAGGLE } : undefined;
  }),
};
