/**
 * Product questions answered from shop data: sizes and colours offered, stock of the size or
 * colour asked about (with what is in stock when it is not), and the description.
 */
import type { Product } from '../shop/types';
import { askedSize, lastEntity, move, sizeKey, unique, type PolicyInput, type PolicyResult } from './policy';

export const SIZE_COLOR = 'product.size_color';
export const STOCK = 'product.stock';
export const INFO = 'product.info';

function stockAnswer(input: PolicyInput, intent: string, product: Product): PolicyResult {
  const size = askedSize(input.u);
  const color = lastEntity(input.u, 'color')?.value;
  const inStock = product.variants.filter((v) => v.stock > 0);
  const vars: Record<string, unknown> = {
    availableSizes: unique(inStock.map((v) => v.size)).join('/'),
    availableColors: unique(inStock.map((v) => v.color)).join('/'),
  };
  if (size === undefined && color === undefined) return { moves: [move(input, intent, 'options', vars)] };
  if (size !== undefined) vars['size'] = size;
  if (color !== undefined) vars['color'] = color;
  const matching = product.variants.filter((v) => (size === undefined || sizeKey(v.size) === size) && (color === undefined || v.color === color));
  const stock = matching.reduce((n, v) => n + v.stock, 0);
  vars['stock'] = stock;
  if (stock > 0) return { moves: [move(input, intent, 'in_stock', vars)] };
  // Out of stock: offer what is there in the other dimension.
  const others = inStock.filter((v) => (size !== undefined && color !== undefined ? v.color === color || sizeKey(v.size) === size : true));
  vars['availableSizes'] = unique((color !== undefined ? others.filter((v) => v.color === color) : inStock).map((v) => v.size)).join('/');
  vars['availableColors'] = unique((size !== undefined ? others.filter((v) => sizeKey(v.size) === size) : inStock).map((v) => v.color)).join('/');
  return { moves: [move(input, intent, 'out_of_stock', vars)] };
}

/** product.size_color and product.stock. */
export function stockPolicy(input: PolicyInput): PolicyResult {
  if (!input.product) return { moves: [move(input, 'other.fallback', 'reply')] };
  return stockAnswer(input, input.intent === STOCK ? STOCK : SIZE_COLOR, input.product);
}

/** product.info: material, fit, care. */
export function infoPolicy(input: PolicyInput): PolicyResult {
  if (!input.product) return { moves: [move(input, 'other.fallback', 'reply')] };
  return { moves: [move(input, INFO, 'describe')] };
}
