/**
 * Product questions answered from shop data: sizes and colours offered, stock of the size or
 * colour asked about (with what is in stock when it is not), the description, and size advice
 * from the product's size chart once the buyer has given height and weight.
 */
import type { Product } from '../shop/types';
import { chartIndex, readBody, recommendSize, type Body } from './body';
import { askedSize, lastEntity, move, shipByFor, sizeKey, slot, unique, type Move, type PolicyInput, type PolicyResult } from './policy';

export const SIZE_COLOR = 'product.size_color';
export const STOCK = 'product.stock';
export const INFO = 'product.info';

/** "穿M可以吗", "M码合适吗", "L会不会大": asking whether a size fits, not whether it is in stock. */
const FIT_RE = /穿|合适|合身|可以吗|行吗|行不行|够吗|够不够|会不会|偏大|偏小|大不大|小不小|紧不紧|肥不肥|大了|小了|紧吗|宽松吗/;
const STOCK_RE = /有货|有没有|还有|库存|现货|没货|缺货|卖完/;
/** "穿什么码", "选多大的", "帮我推荐尺码": asking which size to take. */
const WHICH_SIZE_RE = /推荐(?:一下)?(?:尺码|码|号|尺寸|大小)|(?:穿|选|拿|买|要)(?:多大|几号|几码|什么码|什么号|什么尺码|哪个码|哪个号|哪个尺码|哪码)|多大(?:码|号|的)?合适|适合(?:什么码|什么尺码|哪个码|多大)|什么码合适|哪个码合适/;

function inStockVars(product: Product): Record<string, unknown> {
  const inStock = product.variants.filter((v) => v.stock > 0);
  return {
    availableSizes: unique(inStock.map((v) => v.size)).join('/'),
    availableColors: unique(inStock.map((v) => v.color)).join('/'),
  };
}

function stockAnswer(input: PolicyInput, intent: string, product: Product): Move {
  const size = askedSize(input.u);
  const color = lastEntity(input.u, 'color')?.value;
  const inStock = product.variants.filter((v) => v.stock > 0);
  const vars: Record<string, unknown> = inStockVars(product);
  if (size === undefined && color === undefined) return move(input, intent, 'options', vars);
  if (size !== undefined) vars['size'] = size;
  if (color !== undefined) vars['color'] = color;
  const matching = product.variants.filter((v) => (size === undefined || sizeKey(v.size) === size) && (color === undefined || v.color === color));
  const stock = matching.reduce((n, v) => n + v.stock, 0);
  vars['stock'] = stock;
  if (stock > 0) return move(input, intent, 'in_stock', { ...vars, shipBy: shipByFor(input.now, input.shop).toISOString() });
  // Out of stock: offer what is there in the other dimension.
  const others = inStock.filter((v) => (size !== undefined && color !== undefined ? v.color === color || sizeKey(v.size) === size : true));
  vars['availableSizes'] = unique((color !== undefined ? others.filter((v) => v.color === color) : inStock).map((v) => v.size)).join('/');
  vars['availableColors'] = unique((size !== undefined ? others.filter((v) => sizeKey(v.size) === size) : inStock).map((v) => v.color)).join('/');
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
  const told = readBody(input.u.normalized);
  const toldNow = told.heightCm !== undefined || told.weightKg !== undefined;
  const body: Body = { ...(slot<Body>(input.conv, 'body') ?? {}), ...told };
  const advice = sizeAdvice(input, product, body, toldNow);
  const result: PolicyResult = { moves: [advice ?? stockAnswer(input, input.intent === STOCK ? STOCK : SIZE_COLOR, product)] };
  if (toldNow) result.slots = { body };
  return result;
}

/** product.info: material, fit, care. */
export function infoPolicy(input: PolicyInput): PolicyResult {
  if (!input.product) return { moves: [move(input, 'other.fallback', 'reply')] };
  return { moves: [move(input, INFO, 'describe')] };
}
