/**
 * Product questions answered from shop data: sizes and colours offered, stock of the size or
 * colour asked about (with what is in stock when it is not), the description, and size advice
 * from the product's size chart once the buyer has given height and weight.
 */
import type { Product } from '../shop/types';
import { bareMeasure, chartIndex, namesBody, readBody, recommendSize, type Body } from './body';
import type { Understanding } from '../nlu/types';
import type { SlotUpdate } from '../model/slots';
import { hasShipped } from './address';
import { claim } from './claims';
import { namedProduct } from './focus';
import { PAY, pricePolicy } from './payment';
import { askedSize, lastEntity, move, shipByFor, sizeKey, unique, type Move, type PolicyInput, type PolicyResult } from './policy';
import { quantityOf } from './haggle';

export const SIZE_COLOR = 'product.size_color';
export const STOCK = 'product.stock';
export const INFO = 'product.info';

/** "穿M可以吗", "M码合适吗", "L会不会大": asking whether a size fits, not whether it is in stock. */
const FIT_RE = /穿|合适|合身|可以吗|行吗|行不行|够吗|够不够|会不会|偏大|偏小|大不大|小不小|紧不紧|肥不肥|大了|小了|紧吗|宽松吗/;
const STOCK_RE = /有货|有没有|还有|库存|现货|没货|缺货|卖完/;
/** "穿什么码", "选多大的", "帮我推荐尺码": asking which size to take. */
const WHICH_SIZE_RE =
  /推荐(?:一下)?(?:尺码|码|号|尺寸|大小)|(?:穿|选|拿|买|要)(?:多大|几号|几码|什么码|什么号|什么尺码|哪个码|哪个号|哪个尺码|哪码)|多大(?:码|号|的)?合适|适合(?:什么码|什么尺码|哪个码|多大)|什么码合适|哪个码合适/;

function inStockVars(product: Product): Record<string, unknown> {
  const inStock = product.variants.filter((v) => v.stock > 0);
  return {
    availableSizes: unique(inStock.map((v) => v.size)).join('/'),
    availableColors: unique(inStock.map((v) => v.color)).join('/'),
  };
}

/** A colour word without 色/的: "白色" → "白", "浅蓝" → "浅蓝". */
const colorCore = (c: string): string => c.replace(/色$/u, '');

/**
 * The product's colours the buyer means: the colour entity or a bare colour word ("白的",
 * "要黑"), matched against the catalogue's names: "蓝色" means 浅蓝 and 深蓝, "白的" 白色.
 * Empty when no colour of this product is named.
 */
export function productColors(text: string, product: Product, entity?: string): string[] {
  const colors = unique(product.variants.map((v) => v.color));
  const asked = entity !== undefined ? colorCore(entity) : undefined;
  if (asked !== undefined) {
    const exact = colors.filter((c) => colorCore(c) === asked);
    if (exact.length > 0) return exact;
    const near = colors.filter((c) => colorCore(c).includes(asked) || asked.includes(colorCore(c)));
    if (near.length > 0) return near;
  }
  // No entity (or no match): a catalogue colour named in the text, whole or by its last character + 的/色/款.
  const whole = colors.filter((c) => text.includes(colorCore(c)));
  if (whole.length > 0) return whole;
  return colors.filter((c) => new RegExp(`${colorCore(c).slice(-1)}(?:的|色|款)`, 'u').test(text));
}

/** The size wanted: named now, else the one the buyer named or was recommended before (slots.wantedSize). */
function sizeInFocus(input: PolicyInput): { size?: string; now: boolean } {
  const now = askedSize(input.u);
  if (now !== undefined) return { size: now, now: true };
  const before = input.conv.slots.wantedSize;
  return before !== undefined && input.product?.variants.some((v) => sizeKey(v.size) === before) ? { size: before, now: false } : { now: false };
}

/** At most this many pieces left: said as "只剩N件". */
const LOW_STOCK = 5;

function stockAnswer(input: PolicyInput, intent: string, product: Product): Move {
  const named = productColors(input.u.normalized, product, lastEntity(input.u, 'color')?.value);
  // A size alone after a colour question ("那换个L的呢") keeps the colour asked about before.
  const before = input.conv.slots.wantedColors ?? [];
  const keepColor = named.length === 0 && lastEntity(input.u, 'color') === undefined && askedSize(input.u) !== undefined;
  const colors = keepColor ? before.filter((c) => product.variants.some((v) => v.color === c)) : named;
  const colorNamed = colors.length > 0 || lastEntity(input.u, 'color') !== undefined;
  const focus = sizeInFocus(input);
  // A size named before counts when the buyer now asks about a colour ("那换个白的呢").
  const size = focus.now || colorNamed ? focus.size : undefined;
  const inStock = product.variants.filter((v) => v.stock > 0);
  const vars: Record<string, unknown> = inStockVars(product);
  if (size === undefined && !colorNamed) return move(input, intent, 'options', vars);
  const color = colors.length > 0 ? colors.join('/') : lastEntity(input.u, 'color')?.value;
  if (size !== undefined) vars['size'] = size;
  if (color !== undefined) vars['color'] = color;
  const ofColor = (v: Product['variants'][number]): boolean => !colorNamed || colors.includes(v.color);
  const matching = product.variants.filter((v) => (size === undefined || sizeKey(v.size) === size) && ofColor(v));
  const stock = matching.reduce((n, v) => n + v.stock, 0);
  vars['stock'] = stock;
  // Never "库存充足" for the last few pieces, nor "放心拍" for more than there are.
  if (stock > 0 && stock <= LOW_STOCK) vars['lowStock'] = true;
  const wanted = quantityOf(input.u.normalized);
  if (wanted > 1) vars['wantedQuantity'] = wanted;
  if (stock > 0 && wanted > stock) vars['notEnough'] = true;
  const sizesOfProduct = unique(product.variants.map((v) => v.size));
  if (stock > 0) {
    if (size === undefined && sizesOfProduct.length > 1) {
      // The colour without a size: say which sizes of it are in stock, never just "有货".
      const have = unique(matching.filter((v) => v.stock > 0).map((v) => v.size));
      const missing = sizesOfProduct.filter((sz) => !have.includes(sz));
      return move(input, intent, 'color_sizes', {
        ...vars,
        colorSizes: have.join('/'),
        ...(missing.length > 0 ? { missingSizes: missing.join('/') } : {}),
      });
    }
    return move(input, intent, 'in_stock', { ...vars, shipBy: shipByFor(input.now, input.shop).toISOString() });
  }
  // Out of stock: offer what is there in the other dimension (never the colour or size just said to be out).
  const sizesOfColor = unique(inStock.filter((v) => ofColor(v)).map((v) => v.size));
  const colorsOfSize = unique(inStock.filter((v) => size === undefined || sizeKey(v.size) === size).map((v) => v.color)).filter(
    (c) => !colors.includes(c) || size !== undefined,
  );
  vars['availableSizes'] = (colorNamed ? sizesOfColor : unique(inStock.map((v) => v.size))).join('/');
  vars['availableColors'] = colorsOfSize.filter((c) => !(colorNamed && size === undefined && colors.includes(c))).join('/');
  return move(input, intent, 'out_of_stock', vars);
}

/** Template variables describing the buyer's build (weight in 斤, as buyers say it). */
function bodyVars(body: Body): Record<string, unknown> {
  const vars: Record<string, unknown> = {};
  if (body.heightCm !== undefined) vars['heightCm'] = body.heightCm;
  if (body.weightKg !== undefined) vars['weightJin'] = Math.round(body.weightKg * 2);
  return vars;
}

/**
 * Size advice, or undefined when the message is not about which size to wear: a recommendation
 * when the buyer gives height/weight or asks which size, fit advice for a size they name, and
 * a request for height and weight when the bot does not know them yet.
 */
function sizeAdvice(input: PolicyInput, product: Product, body: Body, toldNow: boolean): Move | undefined {
  const text = input.u.normalized;
  const size = askedSize(input.u);
  const asksFit = size !== undefined && FIT_RE.test(text) && !STOCK_RE.test(text);
  const asksWhich = size === undefined && WHICH_SIZE_RE.test(text);
  if (!toldNow && !asksFit && !asksWhich) return undefined;
  const chart = product.sizeChart;
  if (!chart || chart.length === 0) {
    return move(input, SIZE_COLOR, 'no_chart', { ...inStockVars(product), oneSize: unique(product.variants.map((v) => v.size)).length === 1 });
  }
  const recommended = recommendSize(chart, body);
  if (recommended === undefined) return move(input, SIZE_COLOR, 'ask_body', size !== undefined && asksFit ? { size } : {});
  const stock = product.variants.filter((v) => sizeKey(v.size) === sizeKey(recommended)).reduce((n, v) => n + v.stock, 0);
  const vars: Record<string, unknown> = {
    ...inStockVars(product),
    ...bodyVars(body),
    recommendedSize: recommended,
    stock,
    shipBy: shipByFor(input.now, input.shop).toISOString(),
  };
  const asked = size !== undefined && (asksFit || toldNow) ? chartIndex(chart, size) : -1;
  if (size === undefined || asked < 0) return move(input, SIZE_COLOR, 'recommend', vars);
  const best = chartIndex(chart, recommended);
  vars['size'] = size;
  return move(input, SIZE_COLOR, asked === best ? 'fit_ok' : asked < best ? 'fit_small' : 'fit_large', vars);
}

/** product.size_color and product.stock. */
export function stockPolicy(input: PolicyInput): PolicyResult {
  const { product } = input;
  if (!product) return { moves: [move(input, 'other.fallback', 'reply')] };
  const known = input.conv.slots.body ?? {};
  const read = readBody(input.u.normalized);
  // A lone number right after size advice is the measure still missing ("身高168" … "100").
  const told = read.heightCm !== undefined || read.weightKg !== undefined ? read : bareMeasure(input.u.normalized, known);
  const toldNow = told.heightCm !== undefined || told.weightKg !== undefined;
  const body: Body = { ...known, ...told };
  const advice = sizeAdvice(input, product, body, toldNow);
  const result: PolicyResult = { moves: [advice ?? stockAnswer(input, input.intent === STOCK ? STOCK : SIZE_COLOR, product)] };
  const slots: SlotUpdate = {};
  if (toldNow) slots.body = body;
  // The size in focus for follow-ups ("那换个白的呢"): named now, or the one just recommended.
  const named = askedSize(input.u);
  const recommended = advice?.vars?.['recommendedSize'];
  if (named !== undefined) slots.wantedSize = named;
  const colorsNow = productColors(input.u.normalized, product, lastEntity(input.u, 'color')?.value);
  if (colorsNow.length > 0) slots.wantedColors = colorsNow;
  else if (typeof recommended === 'string') slots.wantedSize = sizeKey(recommended);
  if (Object.keys(slots).length > 0) result.slots = slots;
  return result;
}

/** product.info: material, fit, care. */
export function infoPolicy(input: PolicyInput): PolicyResult {
  if (!input.product) return { moves: [move(input, 'other.fallback', 'reply')] };
  return { moves: [move(input, INFO, 'describe')] };
}

/**
 * A short colour or size follow-up ("那换个白的呢", "L的有吗"): a few characters naming a size
 * or a colour of `product`, without an order number, a price or an address.
 */
export function isShortColorOrSize(u: Understanding, product: Product | undefined): boolean {
  const text = u.normalized;
  const short = text.length <= 14 && !u.entities.some((e) => e.kind === 'order' || e.kind === 'money' || e.kind === 'address');
  const colorOrSize =
    u.entities.some((e) => e.kind === 'size' || e.kind === 'color') || (product !== undefined && productColors(text, product).length > 0);
  return short && colorOrSize;
}

const EXCHANGE_INTENT = 'return.exchange';

/** "那卫衣呢", "围巾呢", "那T恤怎么样": the same question about another product (named, short). */
const ABOUT_ANOTHER = /^(?:那|那么|还有)?(.{1,10}?)(?:呢|怎么样|咋样|如何)[?？]*$/u;

/** Routing claims of the product questions (see stages/route.ts for their order). */
export const claims = {
  /**
   * A height or weight ("110斤", "158 45kg"), or a lone number right after size advice
   * ("身高168" … "100"): size advice, never a price or an offer.
   */
  body: claim('product.body', ({ u, lastHandled }) => {
    const t = u.normalized.trim();
    if (t.length > 16 || /[元块¥]|便宜|优惠|包邮|价/u.test(t)) return undefined;
    if (namesBody(t)) return { intent: SIZE_COLOR };
    const bare = lastHandled === SIZE_COLOR ? bareMeasure(t, {}) : {};
    return bare.heightCm !== undefined || bare.weightKg !== undefined ? { intent: SIZE_COLOR } : undefined;
  }),
  /**
   * "那卫衣呢" right after a product or price question: the same question about the product it
   * names (the record stage has put it in focus). A price question, or a bargain, gets its price.
   */
  anotherProduct: claim('product.another', ({ u, shop, lastHandled }) => {
    const m = ABOUT_ANOTHER.exec(u.normalized.trim());
    if (!m || !lastHandled || namedProduct(shop, m[1] as string) === undefined) return undefined;
    if (lastHandled.startsWith('product.')) return { intent: lastHandled };
    if (lastHandled === PAY || lastHandled.startsWith('haggle.')) return { intent: PAY, policy: pricePolicy };
    return undefined;
  }),
  /**
   * A short colour or size follow-up while talking about the product, or asking whether it is
   * there ("白的有吗"), or one the classifier took for an exchange when nothing has reached the
   * buyer to exchange: a stock question.
   */
  followUp: claim('stock.followUp', ({ u, product, order, lastHandled }) => {
    if (!isShortColorOrSize(u, product)) return undefined;
    const received = order !== undefined && hasShipped(order);
    if (lastHandled?.startsWith('product.') || (u.intent === EXCHANGE_INTENT && !received && !lastHandled?.startsWith('return.')))
      return { intent: STOCK };
    return /有吗|有没有|有货|还有/u.test(u.normalized) ? { intent: STOCK } : undefined;
  }),
};
