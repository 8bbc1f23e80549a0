/**
 * Return / exchange / refund. The seven-day no-reason rule is counted from delivery; inside
 * it the bot explains the steps and records the request, outside it (or on a disputed order)
 * a person decides. Damaged goods: apologise, ask for photos, promise the next step. When
 * responsibility is unclear the shop leans to the buyer, so the bot never refuses outright.
 */
import type { Understanding } from '../nlu/types';
import type { Order, Product } from '../shop/types';
import { calendarDaysBetween } from '../shop/clock';
import type { ActDraft } from '../model/acts';
import type { ReturnRequest, SlotUpdate } from '../model/slots';
import { claim } from './claims';
import { TRACKING, trackingPolicy } from './delivery';
import { namedProduct, namingText } from './focus';
import { isShortColorOrSize, productColors } from './product';
import { askedSize, handedOver, lastEntity, move, orderMissing, sizeKey, unique, type Move, type PolicyInput, type PolicyResult } from './policy';

export const REFUND = 'return.refund';
export const EXCHANGE = 'return.exchange';
export const DAMAGED = 'return.damaged';

/** Words of a quality problem: the shop pays the postage both ways. */
const QUALITY = /破损|破了|坏了|损坏|质量|瑕疵|开线|脱线|掉毛|起球|褪色|掉色|味道|异味|有洞|污渍|脏了|发错|错发|少发|漏发|做工|次品/u;

/** Whether the return is for a quality problem: said now, or the flow this conversation is in. */
export function isQualityReturn(input: PolicyInput): boolean {
  if (QUALITY.test(input.u.normalized)) return true;
  // What the buyer said in the last few messages (not the classifier's guesses about them).
  return input.conv.turns.slice(-6).some((t) => QUALITY.test(t.text));
}

/** The order's (first) item as the buyer knows it: name, colour, size. */
function itemVars(order: Order): Record<string, unknown> {
  const item = order.items[0];
  return item ? { item: { name: item.name, color: item.color ?? '', size: item.size ?? '', quantity: item.quantity, price: item.price } } : {};
}

export type { ReturnRequest } from '../model/slots';

function record(input: PolicyInput, order: Order, req: Omit<ReturnRequest, 'orderNumber' | 'at'>): SlotUpdate {
  const existing = input.conv.slots.returnRequests ?? [];
  const others = existing.filter((r) => !(r.orderNumber === order.number && r.kind === req.kind));
  return { returnRequests: [...others, { orderNumber: order.number, at: input.now.toISOString(), ...req }] };
}

/** What a return of `order` is read back and recorded with: the window, the item, the amount, who pays the postage. */
function returnVarsOf(input: PolicyInput, order: Order, window: Record<string, unknown>) {
  const quality = isQualityReturn(input);
  const shopPaysShipping = quality || input.shop.policy.returnShippingPaidBy === 'shop';
  return { ...window, ...itemVars(order), amount: order.total, quality, shopPaysShipping };
}

function windowVars(input: PolicyInput, order: Order): { within: boolean; vars: Record<string, unknown> } {
  const p = input.shop.policy;
  if (!order.deliveredAt) return { within: true, vars: { shopPaysShipping: p.returnShippingPaidBy === 'shop' } };
  const days = calendarDaysBetween(new Date(order.deliveredAt), input.now, p.utcOffsetMinutes);
  return {
    within: days <= p.returnDays,
    vars: {
      deliveredAt: order.deliveredAt,
      daysSinceDelivery: days,
      daysLeft: Math.max(0, p.returnDays - days),
      shopPaysShipping: p.returnShippingPaidBy === 'shop',
    },
  };
}

function disputed(input: PolicyInput, intent: string, order: Order): PolicyResult {
  return {
    moves: [move(input, intent, 'disputed')],
    // The reply says a colleague takes it over (and, at night, when): no handoff notice after it.
    handoff: { reason: 'after_sale', priority: 'high', announced: true, note: `${order.number} 有争议：${order.dispute ?? '见订单'}` },
  };
}

/** "退货运费谁出": a question about who pays return shipping, answered from policy with or without an order. */
const SHIPPING_FEE_QUESTION = /运费|邮费|快递费/;
const WHO_PAYS = /谁|承担|负责|[出付给包]吗?[吗呢？?]|要钱|自己|收费|免费|报销|多少|怎么算|来回/;

/** Whether the buyer asks who pays the return shipping (not for a refund itself). */
export function isReturnShippingQuestion(u: Understanding): boolean {
  const t = u.normalized;
  return SHIPPING_FEE_QUESTION.test(t) && WHO_PAYS.test(t);
}

/**
 * "退货地址是哪里", "换货寄到哪": where a return is sent. Not a request to return or to change
 * the delivery address: answered (the platform shows the shop's return address once a return
 * is accepted), nothing read back or recorded.
 */
const RETURN_ADDRESS_QUESTION =
  /(?:退货|退换货?|换货|退回|寄回|退款)\S{0,4}(?:地址|寄(?:到|去|往)?(?:哪|什么地方)|发(?:到|去|往)?(?:哪|什么地方))|(?:寄|退|发)(?:回|到|去)?(?:哪里|哪儿|哪个地址|什么地址)退|退(?:回|到)(?:哪里|哪儿)/u;

export function isReturnAddressQuestion(u: Understanding): boolean {
  return RETURN_ADDRESS_QUESTION.test(u.normalized);
}

/**
 * "多久到账", "退款怎么还没到", "已经寄回去了 什么时候退款": a refund under way, not a new
 * return (which would be read back, and registered twice).
 */
const REFUND_PROGRESS =
  /到账|退款(?:进度|到哪|怎么还|还没|没到|好了|了没|了吗)|(?:什么时候|啥时候|多久|几天|多长时间)(?:能|会|才|可以)?(?:退款|退钱|退回来|到账|收到退款)|(?:已经|早就|都)(?:寄|退|发)回(?:去)?了|(?:寄|退|发)回去\S{0,3}了|钱(?:什么时候|多久|啥时候|怎么还)|退款了(?:吗|没)|申请(?:了)?退款\S{0,6}(?:不同意|没同意|没处理|还没)/u;
/** The buyer waits already, or has sent the item back: a person checks this order's refund. */
const REFUND_LATE = /还没|怎么还|没到|没收到|不同意|没处理|几天了|好几天|[都已]\S{0,3}天|(?:已经|早就|都)(?:寄|退|发)回|(?:寄|退|发)回去\S{0,3}了/u;

export function isRefundProgressQuestion(u: Understanding): boolean {
  return REFUND_PROGRESS.test(u.normalized);
}

/**
 * A refund under way: when it comes (from policy), or, when the buyer is already waiting or
 * sent the item back, a person checks this order (the bot cannot see refunds). Scripts without
 * the move: the handoff notice when a person checks, else the policy.
 */
function refundProgress(input: PolicyInput, policyAnswer: () => Move): PolicyResult {
  const { order, u } = input;
  const late = REFUND_LATE.test(u.normalized);
  const returnTracking = lastEntity(u, 'tracking')?.value;
  const requested = order ? (input.conv.slots.returnRequests ?? []).some((r) => r.orderNumber === order.number) : false;
  const vars = { late, ...(returnTracking ? { returnTracking } : {}), ...(order && requested ? { amount: order.total } : {}) };
  const progress = move(input, REFUND, 'progress', vars);
  if (!late) return { moves: [{ ...progress, fallback: policyAnswer() }], pending: null };
  const about = order ? `（${order.number}）` : '';
  const note = `买家问退款进度${about}${returnTracking ? `，寄回单号 ${returnTracking}` : ''}`;
  return handedOver(input, progress, { reason: 'after_sale', priority: 'normal', note });
}

/** "支持七天无理由吗", "包退换吗": the shop's return policy asked before buying (no order of theirs in it). */
const RETURN_POLICY_QUESTION = /(?:七天|7天)无理由|无理由退|包退|包换|(?:能|可以|支持)退换/u;
const ABOUT_AN_ORDER = /我的|订单|这单|那单|买的|收到|[A-Za-z]\d{4,}/u;
/** A refund without sending the item back, or part of the price back. */
const REFUND_ONLY = /仅退款|只退款|光退款|退款不退货|不退货.{0,4}退款|不想寄回|不寄回|退一半|部分退款|退点钱|退一部分|补偿/u;
/** Worn, washed or tags removed: whether it may still go back without a reason is a person's call. */
const WORN = /洗过|洗了|(?<!试)穿过|(?<!试)穿了(?:几|好几|一|两|三)?(?:天|次|周|回)|剪了吊牌|吊牌剪|没吊牌|拆了吊牌|吊牌(?:没了|丢了|拆了)/u;

export function isReturnPolicyQuestion(u: Understanding): boolean {
  const t = u.normalized;
  return RETURN_POLICY_QUESTION.test(t) && /吗|么|[?？]|不支持|支不支持/u.test(t) && !ABOUT_AN_ORDER.test(t);
}

export function refundPolicy(input: PolicyInput): PolicyResult {
  const { order } = input;
  const shopPaysShipping = input.shop.policy.returnShippingPaidBy === 'shop';
  if (isReturnShippingQuestion(input.u)) {
    return { moves: [move(input, REFUND, 'shipping_fee', { shopPaysShipping, quality: isQualityReturn(input) })] };
  }
  // The policy itself, asked before buying: answered, no order asked for (scripts without the move: the postage answer).
  const policyAnswer = (): Move => ({
    ...move(input, REFUND, 'policy', { shopPaysShipping }),
    fallback: move(input, REFUND, 'shipping_fee', { shopPaysShipping, quality: false }),
  });
  // A buyer just told their order is past the window ("七天无理由 怎么就不行了") is told their own case, not the general policy.
  const returning = input.conv.turns.at(-2)?.category === 'return';
  const pastWindow = returning && order !== undefined && order.deliveredAt !== undefined && !windowVars(input, order).within;
  if (isReturnPolicyQuestion(input.u) && !pastWindow && !WORN.test(input.u.normalized)) return { moves: [policyAnswer()] };
  // A refund under way: when the money comes, or a person checks (never a second return).
  if (isRefundProgressQuestion(input.u)) return refundProgress(input, policyAnswer);
  // Where to send a return: answered, nothing read back (scripts without the move: the policy).
  if (isReturnAddressQuestion(input.u)) {
    return { moves: [{ ...move(input, REFUND, 'return_address', { shopPaysShipping }), fallback: policyAnswer() }] };
  }
  if (!order) return { moves: [orderMissing(input, REFUND)] };
  if (order.status === 'disputed') return disputed(input, REFUND, order);
  // Nothing was paid: nothing to refund; the unpaid order closes by itself or can be cancelled.
  // Cash on delivery is unpaid by design: nothing to refund, the order is cancelled before it ships.
  if (order.status === 'unpaid' && order.cashOnDelivery) return { moves: [move(input, REFUND, 'cod_unshipped')] };
  if (order.status === 'unpaid') return { moves: [move(input, REFUND, 'unpaid')] };
  // Already cancelled: any payment goes back the way it came, nothing to record.
  if (order.status === 'cancelled') return { moves: [move(input, REFUND, 'cancelled')] };
  // Registered already in this conversation: said again, never read back nor recorded a second time.
  const registered = (input.conv.slots.returnRequests ?? []).find(
    (r) => r.orderNumber === order.number && (r.kind === 'refund' || r.kind === 'return'),
  );
  if (registered?.kind === 'refund' && order.status === 'paid')
    return { moves: [move(input, REFUND, 'not_shipped', itemVars(order))], pending: null };
  if (registered?.kind === 'return' && order.status !== 'paid') {
    return { moves: [move(input, REFUND, 'within', returnVarsOf(input, order, windowVars(input, order).vars))], pending: null };
  }
  if (order.status === 'paid') {
    // Read back what is refunded; recorded only once the buyer confirms.
    if (input.answer === 'yes' && input.pending?.kind === 'confirm_refund') {
      const act: ActDraft = {
        kind: 'refund',
        orderNumber: order.number,
        amount: order.total,
        ...(order.items[0] ? { productId: order.items[0].productId } : {}),
      };
      return {
        moves: [move(input, REFUND, 'not_shipped', itemVars(order))],
        slots: record(input, order, { kind: 'refund' }),
        acts: [act],
        pending: null,
      };
    }
    if (input.answer === 'no') return declined(input, order);
    return {
      moves: [move(input, REFUND, 'confirm_refund', { ...itemVars(order), amount: order.total })],
      pending: { owner: REFUND, kind: 'confirm_refund', choices: [] },
    };
  }
  if (order.status === 'shipped') {
    // A parcel past the delivery limit ("十天了还没到 退款吧"): chased, with a person on it, never "refuse it".
    const tracked = trackingPolicy({ ...input, intent: TRACKING });
    if (tracked.handoff?.reason === 'overdue_delivery') return { ...tracked, handledAs: TRACKING };
    return { moves: [move(input, REFUND, 'in_transit', windowVars(input, order).vars)] };
  }
  const { within, vars } = windowVars(input, order);
  // "仅退款", "退款不退货", "退一半": money back without the item is a person's call, never a full return read back.
  if (REFUND_ONLY.test(input.u.normalized) && input.answer === undefined) {
    const note = `买家要求仅退款/部分退款（${order.number}）：${input.u.normalized.slice(0, 40)}`;
    return handedOver(input, move(input, REFUND, 'refund_only', vars), { reason: 'policy_limit', priority: 'normal', note });
  }
  if (!within) {
    return {
      moves: [move(input, REFUND, 'outside', vars)],
      // The reply says a colleague looks into it: no handoff notice after it.
      handoff: {
        reason: 'policy_limit',
        priority: 'normal',
        announced: true,
        note: `签收 ${String(vars['daysSinceDelivery'])} 天后申请退货（${order.number}），超出无理由期`,
      },
    };
  }
  const returnVars = returnVarsOf(input, order, vars);
  const { quality, shopPaysShipping: shopPays } = returnVars;
  // Worn or washed (and no quality problem): a person decides whether it may still go back.
  if (!quality && WORN.test(input.u.normalized) && input.answer === undefined) {
    const note = `买家说商品已穿过/洗过（${order.number}），请判断能否无理由退货`;
    return handedOver(input, move(input, REFUND, 'worn', vars), { reason: 'policy_limit', priority: 'normal', note });
  }
  if (input.answer === 'yes' && input.pending?.kind === 'confirm_return') {
    const act: ActDraft = {
      kind: 'return',
      orderNumber: order.number,
      reason: quality ? 'quality' : 'no_reason',
      postagePaidBy: shopPays ? 'shop' : 'buyer',
      amount: order.total,
      ...(order.items[0] ? { productId: order.items[0].productId } : {}),
    };
    return { moves: [move(input, REFUND, 'within', returnVars)], slots: record(input, order, { kind: 'return' }), acts: [act], pending: null };
  }
  if (input.answer === 'no') return declined(input, order);
  return { moves: [move(input, REFUND, 'confirm_return', returnVars)], pending: { owner: REFUND, kind: 'confirm_return', choices: [] } };
}

/** "不对", "不是这个": the read-back is wrong, not the request withdrawn. */
const WRONG = /^(?:不对|不是|错了)/u;

/**
 * No to the refund or return read back: "先不退了" keeps the order as it is; "不对" says the
 * read-back is wrong, so the bot asks what is (which order or item, or an exchange instead).
 * Scripts without the recheck move ask for the order number.
 */
function declined(input: PolicyInput, order: Order): PolicyResult {
  if (!WRONG.test(input.u.normalized)) return { moves: [move(input, REFUND, 'kept', itemVars(order))], pending: null };
  return { moves: [{ ...move(input, REFUND, 'recheck', itemVars(order)), fallback: move(input, REFUND, 'no_order') }], pending: null };
}

/** The product of the order's (first) item: what an exchange swaps a size of. */
export function orderedProduct(order: Order | undefined, shop: PolicyInput['shop']): Product | undefined {
  const item = order?.items[0];
  return item ? shop.product(item.productId) : undefined;
}

/** Sizes of a product from small to large: letter sizes by their order, numbers by value. */
const LETTER_ORDER = ['XXS', 'XS', 'S', 'M', 'L', 'XL', 'XXL', 'XXXL'];
export function sizesInOrder(product: Product): string[] {
  const rank = (s: string): number => {
    const k = sizeKey(s);
    const letter = LETTER_ORDER.indexOf(k);
    if (letter >= 0) return letter;
    const n = Number(k);
    return Number.isFinite(n) ? 100 + n : 1000;
  };
  return unique(product.variants.map((v) => v.size)).sort((a, b) => rank(a) - rank(b));
}

/** "大一码" / "小一号" / "换大一点的": +1 or -1 size from the one ordered. */
const RELATIVE_SIZE = /([大小])(?:一|1|一个|个)?[码号]|换(?:个)?([大小])(?:一)?(?:点|些)/;
function relativeStep(u: Understanding): 1 | -1 | undefined {
  const m = u.normalized.match(RELATIVE_SIZE);
  const word = m?.[1] ?? m?.[2];
  return word === '大' ? 1 : word === '小' ? -1 : undefined;
}

/** A bare size in a short reply ("换29", "29", "要L的") matched against the product's sizes. */
export function sizeAnswer(u: Understanding, product: Product | undefined): string | undefined {
  const named = askedSize(u);
  if (named !== undefined) return named;
  const t = u.normalized.trim();
  if (!product || t.length > 10) return undefined;
  const sizes = unique(product.variants.map((v) => sizeKey(v.size)));
  const tokens = t.toUpperCase().match(/\d+|X*[SML]|均码/g) ?? [];
  return tokens.map((x) => sizeKey(x)).find((x) => sizes.includes(x));
}

/**
 * A size of the product written without 码 ("换个深蓝29的", "换成30"): the last number or
 * letter in the message that is one of its sizes, other than the one ordered when there are two
 * ("28小了换29").
 */
function productSizeIn(u: Understanding, product: Product | undefined, ordered: string | undefined): string | undefined {
  if (!product) return undefined;
  const sizes = unique(product.variants.map((v) => sizeKey(v.size)));
  const found = [...u.normalized.toUpperCase().matchAll(/(?<![0-9A-Z])(\d{2,3}|XXS|XS|X{0,3}[SML])(?![0-9A-Z])/gu)]
    .map((m) => sizeKey(m[1] ?? ''))
    .filter((k) => sizes.includes(k));
  const others = found.filter((k) => ordered === undefined || k !== sizeKey(ordered));
  return others[others.length - 1] ?? found[found.length - 1];
}

/** The size the buyer wants: named, relative to the ordered one, or (for a colour change) the same. */
function wantedSize(input: PolicyInput, product: Product | undefined, ordered: string | undefined): { size?: string; noneLeft?: boolean } {
  const confirming = input.pending?.kind === 'confirm' ? input.pending.data?.size : undefined;
  if (confirming !== undefined) return { size: confirming };
  const named = input.pending?.kind === 'size' ? sizeAnswer(input.u, product) : (askedSize(input.u) ?? productSizeIn(input.u, product, ordered));
  if (named !== undefined) return { size: named };
  const step = relativeStep(input.u);
  if (step !== undefined && product && ordered !== undefined) {
    const order = sizesInOrder(product).map(sizeKey);
    const next = order[order.indexOf(sizeKey(ordered)) + step];
    return next === undefined || order.indexOf(sizeKey(ordered)) < 0 ? { noneLeft: true } : { size: next };
  }
  if ((lastEntity(input.u, 'color') || (product && productColors(input.u.normalized, product).length > 0)) && ordered !== undefined)
    return { size: sizeKey(ordered) };
  return {};
}

/**
 * return.exchange: wrong size or colour. The bot works out the size wanted (named, one up or
 * down from the ordered one, or asks), checks it is in stock, and only then records the request.
 */
export function exchangePolicy(input: PolicyInput): PolicyResult {
  const { order, shop } = input;
  if (!order) return { moves: [orderMissing(input, EXCHANGE)] };
  if (order.status === 'disputed') return { ...disputed(input, DAMAGED, order), handledAs: DAMAGED };
  const { within, vars } = windowVars(input, order);
  if (!within) {
    return {
      moves: [move(input, EXCHANGE, 'outside', vars)],
      // The reply says a colleague looks into it: no handoff notice after it.
      handoff: {
        reason: 'policy_limit',
        priority: 'normal',
        announced: true,
        note: `签收 ${String(vars['daysSinceDelivery'])} 天后申请换货（${order.number}），超出换货期`,
      },
    };
  }
  const item = order.items[0];
  const product = orderedProduct(order, shop);
  if (input.answer === 'no' && input.pending?.kind === 'confirm') {
    // Not that one: ask again which size, from the ordered item's sizes in stock.
    const sizes = product ? sizesInOrder(product).filter((sz) => product.variants.some((v) => v.size === sz && v.stock > 0)) : [];
    return {
      moves: [
        move(input, EXCHANGE, 'ask_size', {
          ...vars,
          ...(item?.size !== undefined ? { orderedSize: item.size } : {}),
          availableSizes: sizes.join('/'),
          noNextSize: false,
        }),
      ],
      pending: { owner: EXCHANGE, kind: 'size', choices: [] },
    };
  }
  // The colour wanted: being confirmed, named now (as the catalogue names it), else the ordered one.
  const confirmingColor = input.pending?.kind === 'confirm' ? input.pending.data?.color : undefined;
  const namedColors = product ? productColors(input.u.normalized, product, lastEntity(input.u, 'color')?.value) : [];
  const color =
    confirmingColor !== undefined
      ? confirmingColor
      : ((namedColors.length === 1 ? namedColors[0] : undefined) ?? lastEntity(input.u, 'color')?.value ?? item?.color);
  const inStockSizes = (c: string | undefined): string[] =>
    product
      ? sizesInOrder(product).filter((s) => product.variants.some((v) => v.size === s && v.stock > 0 && (c === undefined || v.color === c)))
      : [];
  const { size, noneLeft } = wantedSize(input, product, item?.size);
  const exVars: Record<string, unknown> = { ...vars };
  if (item?.size !== undefined) exVars['orderedSize'] = item.size;
  if (color !== undefined) exVars['color'] = color;
  if (size === undefined) {
    // No size named and none implied: ask, and read a bare size ("换29") as the answer.
    const ask = move(input, EXCHANGE, 'ask_size', { ...exVars, availableSizes: inStockSizes(color).join('/'), noNextSize: noneLeft === true });
    return { moves: [ask], pending: { owner: EXCHANGE, kind: 'size', choices: [] } };
  }
  exVars['size'] = size;
  // A size the product does not come in ("换L" for waist-sized jeans): never "暂时没货", ask which of its sizes.
  if (product && !product.variants.some((v) => sizeKey(v.size) === size)) {
    const ask = move(input, EXCHANGE, 'ask_size', { ...exVars, size: undefined, availableSizes: inStockSizes(color).join('/'), noNextSize: false });
    return { moves: [ask], pending: { owner: EXCHANGE, kind: 'size', choices: [] } };
  }
  const candidates = (product?.variants ?? []).filter((v) => v.stock > 0 && sizeKey(v.size) === size && (color === undefined || v.color === color));
  if (candidates.length === 0) {
    // What there is instead: the wanted size in other colours, the wanted colour in other sizes.
    const colorsInSize = [...new Set((product?.variants ?? []).filter((v) => v.stock > 0 && sizeKey(v.size) === size).map((v) => v.color))];
    const out = move(input, EXCHANGE, 'out_of_stock', {
      ...exVars,
      inStock: false,
      availableSizes: inStockSizes(color).join('/'),
      availableColors: colorsInSize.join('/'),
    });
    return { moves: [out], pending: { owner: EXCHANGE, kind: 'size', choices: [] } };
  }
  const req: Omit<ReturnRequest, 'orderNumber' | 'at'> = { kind: 'exchange', size };
  if (color !== undefined) req.color = color;
  const quality = isQualityReturn(input);
  const confirmVars = { ...exVars, ...itemVars(order), inStock: true, quality, shopPaysShipping: quality || vars['shopPaysShipping'] === true };
  if (input.answer === 'yes' && input.pending?.kind === 'confirm') {
    const act: ActDraft = {
      kind: 'exchange',
      orderNumber: order.number,
      productId: item?.productId ?? product?.id ?? '',
      size,
      ...(item?.size !== undefined ? { fromSize: item.size } : {}),
      ...(item?.color !== undefined ? { fromColor: item.color } : {}),
      ...(color !== undefined ? { color } : {}),
    };
    return { moves: [move(input, EXCHANGE, 'offer', confirmVars)], slots: record(input, order, req), acts: [act], pending: null };
  }
  return {
    moves: [move(input, EXCHANGE, 'confirm', confirmVars)],
    pending: { owner: EXCHANGE, kind: 'confirm', choices: [], data: { size, ...(color !== undefined ? { color } : {}) } },
  };
}

/** return.damaged: broken, defective or wrong item. */
export function damagedPolicy(input: PolicyInput): PolicyResult {
  const { order } = input;
  if (!order) return { moves: [orderMissing(input, DAMAGED)] };
  if (order.status === 'disputed') return disputed(input, DAMAGED, order);
  const { vars } = windowVars(input, order);
  // A quality complaint gets empathy and a person (photos are checked by the after-sale team), never a pitch.
  return {
    moves: [move(input, DAMAGED, 'apologise', { ...vars, ...itemVars(order) })],
    handoff: { reason: 'after_sale', priority: 'normal', note: `质量问题（${order.number}）：${input.u.normalized.slice(0, 40)}` },
  };
}

/** A complaint about the goods themselves: empathy and a person, never a pitch. */
const COMPLAINT_CUE =
  /味道|异味|臭|掉毛|掉色|褪色|起球|开线|脱线|破洞|有洞|线头|质量(?:太|好|真|也太)?差|做工(?:太|好|真)?差|劣质|假货|过敏|发霉|污渍|色差/u;

/** "会不会起球啊", "容易掉色吗": asking about the goods before having them, not a complaint. */
const QUALITY_QUESTION = /[?？]|吗|么|会不会|会不|容不容易|容易|是不是|有没有|怎么样|咋样/u;

/** Routing claims of the after-sale flows (see stages/route.ts for their order). */
export const claims = {
  /** A bare size ("换29", "L") answers the exchange's size question. */
  exchangeSize: claim('exchange.size', ({ pending, u, order, shop }) =>
    pending?.owner === EXCHANGE && pending.kind === 'size' && sizeAnswer(u, orderedProduct(order, shop)) !== undefined
      ? { intent: EXCHANGE, pending }
      : undefined,
  ),
  /** A complaint about the goods (smell, shedding, holes), not a question: the damaged-goods flow. */
  complaint: claim('damaged.complaint', ({ u }) =>
    COMPLAINT_CUE.test(u.normalized) && !QUALITY_QUESTION.test(u.normalized) && u.category !== 'bad_review' ? { intent: DAMAGED } : undefined,
  ),
  /** "退货地址是哪里", "换货寄到哪个地址": where a return goes (never an address change or a return read-back). */
  returnAddress: claim('refund.returnAddress', ({ u }) => (isReturnAddressQuestion(u) ? { intent: REFUND } : undefined)),
  /**
   * "不是裤子 是围巾" during a return or exchange: the same request for the item named (the
   * record stage has moved the order in focus to the buyer's order with it).
   */
  otherItem: claim('return.otherItem', ({ u, shop, lastHandled }) =>
    (lastHandled === REFUND || lastHandled === EXCHANGE || lastHandled === DAMAGED) &&
    /不是/u.test(u.normalized) &&
    namedProduct(shop, namingText(u.normalized)) !== undefined
      ? { intent: lastHandled }
      : undefined,
  ),
  /** "多久到账", "退款怎么还没到": a refund under way, whatever the classifier read. */
  progress: claim('refund.progress', ({ u }) => (isRefundProgressQuestion(u) ? { intent: REFUND } : undefined)),
  /** "来回邮费怎么算": who pays the return postage, while returning or naming the return. */
  shippingQuestion: claim('refund.shippingQuestion', ({ u, lastHandled }) =>
    isReturnShippingQuestion(u) && (lastHandled?.startsWith('return.') || /来回|退回|寄回|退货|换货/u.test(u.normalized))
      ? { intent: REFUND }
      : undefined,
  ),
  /** A short colour or size follow-up while exchanging ("那换个白的呢"): the exchange. */
  followUp: claim('exchange.followUp', ({ u, product, lastHandled }) =>
    lastHandled === EXCHANGE && isShortColorOrSize(u, product) ? { intent: EXCHANGE } : undefined,
  ),
};
