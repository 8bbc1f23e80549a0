/**
 * Return / exchange / refund. The seven-day no-reason rule is counted from delivery; inside
 * it the bot explains the steps and records the request, outside it (or on a disputed order)
 * a person decides. Damaged goods: apologise, ask for photos, promise the next step. When
 * responsibility is unclear the shop leans to the buyer, so the bot never refuses outright.
 */
import type { Order } from '../shop/types';
import { calendarDaysBetween } from '../shop/clock';
import { askedSize, lastEntity, move, sizeKey, slot, type PolicyInput, type PolicyResult } from './policy';

export const REFUND = 'return.refund';
export const EXCHANGE = 'return.exchange';
export const DAMAGED = 'return.damaged';

/** A request recorded on the conversation (slots.returnRequests) for the after-sale team. */
export interface ReturnRequest {
  orderNumber: string;
  kind: 'refund' | 'return' | 'exchange' | 'damaged';
  at: string;
  size?: string;
  color?: string;
}

function record(input: PolicyInput, order: Order, req: Omit<ReturnRequest, 'orderNumber' | 'at'>): Record<string, unknown> {
  const existing = slot<ReturnRequest[]>(input.conv, 'returnRequests') ?? [];
  const others = existing.filter((r) => !(r.orderNumber === order.number && r.kind === req.kind));
  return { returnRequests: [...others, { orderNumber: order.number, at: input.now.toISOString(), ...req }] };
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
    handoff: { reason: 'after_sale', priority: 'high', note: `${order.number} 有争议：${order.dispute ?? '见订单'}` },
  };
}

/** return.refund: refund, no-reason return, cancel. */
export function refundPolicy(input: PolicyInput): PolicyResult {
  const { order } = input;
  if (!order) return { moves: [move(input, REFUND, 'no_order')] };
  if (order.status === 'disputed') return disputed(input, REFUND, order);
  if (order.status === 'unpaid' || order.status === 'paid' || order.status === 'cancelled') {
    return { moves: [move(input, REFUND, 'not_shipped')], slots: record(input, order, { kind: 'refund' }) };
  }
  if (order.status === 'shipped') return { moves: [move(input, REFUND, 'in_transit', windowVars(input, order).vars)] };
  const { within, vars } = windowVars(input, order);
  if (!within) {
    return {
      moves: [move(input, REFUND, 'outside', vars)],
      handoff: { reason: 'policy_limit', priority: 'normal', note: `签收 ${String(vars['daysSinceDelivery'])} 天后申请退货（${order.number}），超出无理由期` },
    };
  }
  return { moves: [move(input, REFUND, 'within', vars)], slots: record(input, order, { kind: 'return' }) };
}

/** return.exchange: wrong size or colour → offer an exchange when the wanted one is in stock. */
export function exchangePolicy(input: PolicyInput): PolicyResult {
  const { order, shop } = input;
  if (!order) return { moves: [move(input, EXCHANGE, 'no_order')] };
  if (order.status === 'disputed') return { ...disputed(input, DAMAGED, order), handledAs: DAMAGED };
  const { within, vars } = windowVars(input, order);
  if (!within) {
    return {
      moves: [move(input, EXCHANGE, 'outside', vars)],
      handoff: { reason: 'policy_limit', priority: 'normal', note: `签收 ${String(vars['daysSinceDelivery'])} 天后申请换货（${order.number}），超出换货期` },
    };
  }
  const item = order.items[0];
  const product = item ? shop.product(item.productId) : undefined;
  const size = askedSize(input.u);
  const color = lastEntity(input.u, 'color')?.value ?? item?.color;
  const candidates = (product?.variants ?? []).filter(
    (v) => v.stock > 0 && (size === undefined || sizeKey(v.size) === size) && (color === undefined || v.color === color),
  );
  const exVars: Record<string, unknown> = { ...vars, inStock: candidates.length > 0 };
  if (size !== undefined) exVars['size'] = size;
  if (color !== undefined) exVars['color'] = color;
  const req: Omit<ReturnRequest, 'orderNumber' | 'at'> = { kind: 'exchange' };
  if (size !== undefined) req.size = size;
  if (color !== undefined) req.color = color;
  if (size !== undefined && candidates.length === 0) {
    const available = [...new Set((product?.variants ?? []).filter((v) => v.stock > 0 && (color === undefined || v.color === color)).map((v) => v.size))];
    return { moves: [move(input, EXCHANGE, 'out_of_stock', { ...exVars, availableSizes: available.join('/') })] };
  }
  return { moves: [move(input, EXCHANGE, 'offer', exVars)], slots: record(input, order, req) };
}

/** return.damaged: broken, defective or wrong item. */
export function damagedPolicy(input: PolicyInput): PolicyResult {
  const { order } = input;
  if (!order) return { moves: [move(input, DAMAGED, 'no_order')] };
  if (order.status === 'disputed') return disputed(input, DAMAGED, order);
  const { vars } = windowVars(input, order);
  return { moves: [move(input, DAMAGED, 'apologise', vars)], slots: record(input, order, { kind: 'damaged' }) };
}
