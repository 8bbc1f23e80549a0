/**
 * Delivery: before shipping, when it ships (the cut-off rule); after, the latest tracking
 * event and the courier. A parcel overdue beyond the policy, or signed for but not received,
 * goes to a person with priority: after-sale logistics must be resolved within 48 hours.
 */
import type { CourierEntity, Understanding } from '../nlu/types';
import type { Order } from '../shop/types';
import { calendarDaysBetween } from '../shop/clock';
import { claim } from './claims';
import { namedProduct } from './focus';
import { hoursBetween, move, orderMissing, shipByFor, type Move, type PolicyInput, type PolicyResult } from './policy';

export const SHIP_TIME = 'delivery.ship_time';
export const TRACKING = 'delivery.tracking';
export const SIGNED_NOT_RECEIVED = 'delivery.signed_not_received';

/** Hours past the promised ship time before a late shipment goes to a person. */
const LATE_SHIPPING_HANDOFF_HOURS = 24;

function shippedVars(input: PolicyInput, order: Order): Record<string, unknown> {
  const s = order.shipment;
  if (!s) return {};
  const events = input.shop.trackingEvents(order.number);
  const latest = events[events.length - 1];
  const vars: Record<string, unknown> = {
    carrier: input.shop.courierName(s.carrier),
    trackingNumber: s.trackingNumber,
    shippedAt: s.shippedAt,
    daysInTransit: calendarDaysBetween(new Date(s.shippedAt), input.now, input.shop.policy.utcOffsetMinutes),
  };
  if (latest) vars['event'] = { at: latest.at, description: latest.description };
  if (order.deliveredAt) vars['deliveredAt'] = order.deliveredAt;
  return vars;
}

/** delivery.ship_time: when will it ship. */
export function shipTimePolicy(input: PolicyInput): PolicyResult {
  const { order, now, shop } = input;
  if (!order) return { moves: [orderMissing(input, SHIP_TIME, { shipBy: shipByFor(now, shop).toISOString() })] };
  if (order.status === 'cancelled') {
    return { moves: [move(input, SHIP_TIME, 'no_order', { shipBy: shipByFor(now, shop).toISOString() })] };
  }
  if (order.status === 'unpaid' && order.cashOnDelivery) {
    // Cash on delivery ships unpaid, counted from when it was ordered.
    const promised = shipByFor(new Date(order.createdAt), shop);
    return { moves: [move(input, SHIP_TIME, 'will_ship', { shipBy: (promised > now ? promised : shipByFor(now, shop)).toISOString() })] };
  }
  if (order.status === 'unpaid') {
    return { moves: [move(input, SHIP_TIME, 'unpaid', { shipBy: shipByFor(now, shop).toISOString() })] };
  }
  if (order.status !== 'paid') return { ...trackingPolicy({ ...input, intent: TRACKING }), handledAs: TRACKING };
  const promised = shipByFor(new Date(order.paidAt ?? order.createdAt), shop);
  if (now.getTime() <= promised.getTime()) {
    return { moves: [move(input, SHIP_TIME, 'will_ship', { shipBy: promised.toISOString() })] };
  }
  const result: PolicyResult = { moves: [move(input, SHIP_TIME, 'late', { shipBy: shipByFor(now, shop).toISOString() })] };
  const late = hoursBetween(promised, now);
  if (late > LATE_SHIPPING_HANDOFF_HOURS) {
    result.handoff = { reason: 'overdue_delivery', priority: 'high', note: `${order.number} 超过承诺发货时间 ${Math.floor(late)} 小时未发货` };
  }
  return result;
}

/** delivery.tracking: where is my parcel. */
export function trackingPolicy(input: PolicyInput): PolicyResult {
  const { order, now, shop } = input;
  if (!order || order.status === 'unpaid' || order.status === 'paid' || order.status === 'cancelled') {
    return { ...shipTimePolicy({ ...input, intent: SHIP_TIME }), handledAs: SHIP_TIME };
  }
  if (order.status === 'disputed') return { ...signedNotReceivedPolicy({ ...input, intent: SIGNED_NOT_RECEIVED }), handledAs: SIGNED_NOT_RECEIVED };
  const vars = shippedVars(input, order);
  if (order.status === 'delivered') return { moves: [move(input, TRACKING, 'delivered', vars)] };
  const shippedAt = new Date(order.shipment?.shippedAt ?? order.createdAt);
  const days = hoursBetween(shippedAt, now) / 24;
  if (days > shop.policy.overdueDays) {
    // The agent's note counts days as the buyer's reply does (calendar days, shop time), so both read the same number.
    const told = typeof vars['daysInTransit'] === 'number' ? vars['daysInTransit'] : Math.floor(days);
    return {
      moves: [move(input, TRACKING, 'overdue', vars)],
      handoff: {
        reason: 'overdue_delivery',
        priority: 'high',
        note: `${order.number} 已发货 ${told} 天未送达（超时标准 ${shop.policy.overdueDays} 天），${shop.policy.afterSaleHours} 小时内解决`,
      },
    };
  }
  if (!('event' in vars)) return { moves: [move(input, TRACKING, 'no_events', vars)] };
  return { moves: [move(input, TRACKING, 'latest', vars)] };
}

/** "问过门卫了", "快递柜也没有", "家里人都说没收到": what the apology would ask them to check. */
const ALREADY_CHECKED =
  /问过|问了|找过|找了|看过|看了|查过|查了|翻了|没找到|找不到|没找着|都没有|也没有|都说没|没人代收|没有代收|不在快递柜|快递柜.{0,4}没|门卫.{0,4}没|邻居.{0,4}没/u;

/** delivery.signed_not_received: apologise, ask what happened, and get a person on it now. */
export function signedNotReceivedPolicy(input: PolicyInput): PolicyResult {
  const { order, shop } = input;
  if (order && (order.status === 'shipped' || order.status === 'paid' || order.status === 'unpaid')) {
    // Not signed for yet: what the buyer needs is where it is.
    return { ...trackingPolicy({ ...input, intent: TRACKING }), handledAs: TRACKING };
  }
  const vars = order ? shippedVars(input, order) : {};
  // The buyer already looked (or this is their second message about it): never ask them to look again.
  const again = input.conv.turns.slice(0, -1).some((t) => t.intent === SIGNED_NOT_RECEIVED);
  const name = again || ALREADY_CHECKED.test(input.u.normalized) ? 'checked' : 'apologise';
  return {
    moves: [move(input, SIGNED_NOT_RECEIVED, name, vars)],
    handoff: {
      reason: 'after_sale',
      priority: 'high',
      note: `显示签收但买家未收到${order ? `（${order.number}）` : ''}${input.unknownOrder !== undefined ? `（买家报的订单号 ${input.unknownOrder} 不在其账户下）` : ''}，${shop.policy.afterSaleHours} 小时内解决`,
    },
  };
}

/** "发货了记得把单号发我": the tracking number reaches the buyer through the order page once it ships. */
export function notifyPolicy(input: PolicyInput): PolicyResult {
  const { order } = input;
  if (order && order.shipment && (order.status === 'shipped' || order.status === 'delivered')) {
    return { ...trackingPolicy({ ...input, intent: TRACKING }), handledAs: TRACKING };
  }
  return { moves: [move(input, SHIP_TIME, 'notify', { shipBy: shipByFor(input.now, input.shop).toISOString() })], handledAs: SHIP_TIME };
}

/** "发货了记得把单号发我": asks to be told the tracking number once it ships. */
const NOTIFY = /(?:发货|发了|寄出|发出).{0,6}(?:记得|告诉|通知|发我|说一声|跟我说)|(?:单号|快递单|物流单).{0,4}(?:发我|告诉我|发给我)/u;

/**
 * "发什么快递", "能发顺丰吗": the courier. A parcel on its way: its courier and number; else
 * the shop's courier, and that another one the buyer names costs the difference. Scripts
 * without the move answer with the ship time, as before it existed.
 */
export function courierPolicy(input: PolicyInput): PolicyResult {
  const { order, shop } = input;
  const before = shipTimePolicy(input).moves[0];
  const withFallback = (m: Move): Move => (before ? { ...m, fallback: before } : m);
  const s = order?.shipment;
  if (order && s && order.status !== 'paid' && order.status !== 'unpaid') {
    return { moves: [withFallback(move(input, SHIP_TIME, 'courier', { carrier: shop.courierName(s.carrier), trackingNumber: s.trackingNumber }))] };
  }
  const asked = wantedCourier(input.u);
  const other = asked === undefined ? {} : asked === shop.policy.defaultCourier ? { askedDefault: true } : { courier: shop.courierName(asked) };
  return { moves: [withFallback(move(input, SHIP_TIME, 'courier', { defaultCourier: shop.courierName(shop.policy.defaultCourier), ...other }))] };
}

/** "两个订单能合并发货吗", "一起发": only the warehouse can say; a person takes it (the engine's handoff notice). */
const MERGE = /合并(?:发货|发|寄|打包)|(?:一起|一块)(?:发|寄|打包)/u;

function mergePolicy(input: PolicyInput): PolicyResult {
  const orders = input.order ? `（当前订单 ${input.order.number}）` : '';
  return { moves: [], handoff: { reason: 'policy_limit', priority: 'normal', note: `买家问能否合并发货${orders}` } };
}

/**
 * The courier the buyer wants: "能发EMS吗 我们这顺丰中通都不到" names three and wants EMS.
 * Couriers said not to reach them are left out; of the rest, the one after a word of sending
 * ("发", "走", "用", "换成"), else the first.
 */
function wantedCourier(u: Understanding): string | undefined {
  const t = u.normalized;
  const named = u.entities.filter((e): e is CourierEntity => e.kind === 'courier');
  const reachable = named.filter((e) => !/^[^，,。.!！?？\s]{0,8}?(?:都?(?:不到|到不了|送不到|不送|不行|太慢)|不要)/u.test(t.slice(e.span.end)));
  const sent = reachable.find((e) => /(?:发|走|用|寄|换成|改成|换|指定)$/u.test(t.slice(Math.max(0, e.span.start - 2), e.span.start)));
  return (sent ?? reachable[0])?.value;
}

/** Which courier: "发什么快递", "哪家快递", "快递是哪家"; with a courier named, "能发顺丰吗". */
const COURIER_QUESTION = /(?:发|走|用|是)的?(?:什么|哪个|哪家|啥)(?:快递|物流)|(?:什么|哪家|哪个|啥)快递|快递(?:是|用)(?:哪家|什么|啥)|指定快递/u;
const COURIER_ASK = /(?:能|可以|能不能|可不可以|会|要)(?:发|走|用|指定)/u;

/** "什么时候到货", "几天能到": when something arrives. For a product that means a restock, for an order on its way its delivery. */
const ARRIVAL = /(?:什么时候|啥时候|几时|多久|几天|哪天)(?:能|会|可以|才)?(?:到货|送到|到)/u;

/** Routing claims of the delivery flows (see stages/route.ts for their order). */
export const claims = {
  /** "订单能合并发货吗": a person answers (only the warehouse can say). */
  merge: claim('delivery.merge', ({ u }) => (MERGE.test(u.normalized) ? { intent: SHIP_TIME, policy: mergePolicy } : undefined)),
  /** "发什么快递", "能发顺丰吗" (not a tracking number, not a bargain's terms): the courier. */
  courier: claim('delivery.courier', ({ u }) => {
    if (u.entities.some((e) => e.kind === 'tracking' || e.kind === 'money')) return undefined;
    const named = u.entities.some((e) => e.kind === 'courier');
    return COURIER_QUESTION.test(u.normalized) || (named && COURIER_ASK.test(u.normalized))
      ? { intent: SHIP_TIME, policy: courierPolicy }
      : undefined;
  }),
  /**
   * "请问什么时候到货" from a buyer whose order is paid or on its way, naming no product, size or
   * colour: their parcel (tracking; a paid order is answered with its ship time), not a restock.
   */
  arrival: claim('delivery.arrival', ({ u, order, shop }) =>
    order !== undefined &&
    (order.status === 'paid' || order.status === 'shipped') &&
    ARRIVAL.test(u.normalized) &&
    !u.entities.some((e) => e.kind === 'size' || e.kind === 'color') &&
    namedProduct(shop, u.normalized) === undefined &&
    !/这款|这件|这个|补货|有货/u.test(u.normalized)
      ? { intent: TRACKING }
      : undefined,
  ),
  /** "发货了记得把单号发我" (without a number of its own): how the tracking number reaches the buyer. */
  notify: claim('shipTime.notify', ({ u }) =>
    NOTIFY.test(u.normalized) && !u.entities.some((e) => e.kind === 'order' || e.kind === 'tracking')
      ? { intent: SHIP_TIME, policy: notifyPolicy }
      : undefined,
  ),
};
