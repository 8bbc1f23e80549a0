/**
 * Order numbers, tracking numbers (with the carrier guessed from the number's shape or a
 * courier named next to it) and courier names.
 */
import type { CourierEntity, OrderEntity, TrackingEntity } from '../types';

/** Chinese (and English) courier names → carrier id. Longest names first so 京东快递 beats 京东. */
const COURIERS: ReadonlyArray<readonly [string, string]> = [
  ['京东快递', 'jd'],
  ['京东物流', 'jd'],
  ['顺丰', 'sf'],
  ['圆通', 'yto'],
  ['中通', 'zto'],
  ['韵达', 'yunda'],
  ['申通', 'sto'],
  ['百世', 'best'],
  ['汇通', 'best'],
  ['极兔', 'jt'],
  ['德邦', 'deppon'],
  ['邮政', 'ems'],
  ['EMS', 'ems'],
  ['ems', 'ems'],
  ['天天快递', 'tt'],
  ['宅急送', 'zjs'],
];
// EMS glued to digits is a tracking number, not a courier mention.
const COURIER_RE = new RegExp(`(?:${COURIERS.map(([name]) => name).join('|')})(?![A-Z]{0,1}\\d)`, 'g');
const COURIER_IDS = new Map(COURIERS);

/** Carrier from the shape of a tracking number, or undefined. */
export function carrierFromNumber(value: string): string | undefined {
  const v = value.toUpperCase();
  if (/^SF\d{10,15}$/.test(v)) return 'sf';
  if (/^YT\d{10,15}$/.test(v)) return 'yto';
  if (/^JD[A-Z]?\d{10,15}$/.test(v)) return 'jd';
  if (/^E[A-Z]\d{9}CN$/.test(v)) return 'ems';
  if (/^(?:75|73|78)\d{10,13}$/.test(v)) return 'zto';
  if (/^(?:77|88|268)\d{10,13}$/.test(v)) return 'sto';
  if (/^(?:31|43|46|10)\d{11}$/.test(v)) return 'yunda';
  return undefined;
}

const CODE_RE = /(?<![A-Za-z0-9])(?:SF|sf|YT|yt|JD[A-Za-z]?|jd|E[A-Z])?\d{8,20}(?:CN)?(?![A-Za-z0-9])/g;
const ORDER_CUE_RE = /(?:订单|单号|订单号|order)[^\d]{0,4}$/i;
const TRACKING_CUE_RE = /(?:快递单号|运单号|物流单号|快递号|运单|物流号|单号)[^\d]{0,4}$/;
const PHONE_RE = /^1[3-9]\d{9}$/;

/** Courier names mentioned in the text. */
export function extractCouriers(text: string): CourierEntity[] {
  return [...text.matchAll(COURIER_RE)].map((m) => ({
    kind: 'courier' as const,
    text: m[0],
    span: { start: m.index ?? 0, end: (m.index ?? 0) + m[0].length },
    value: COURIER_IDS.get(m[0]) ?? m[0],
  }));
}

/** Long codes: tracking numbers when their shape, a courier or 运单号 says so, order numbers otherwise. */
export function extractCodes(text: string): Array<OrderEntity | TrackingEntity> {
  const out: Array<OrderEntity | TrackingEntity> = [];
  const couriers = extractCouriers(text);
  for (const m of text.matchAll(CODE_RE)) {
    const value = m[0];
    const start = m.index ?? 0;
    const span = { start, end: start + value.length };
    if (PHONE_RE.test(value)) continue; // phones are their own entity
    const before = text.slice(Math.max(0, start - 8), start);
    const shapeCarrier = carrierFromNumber(value);
    const hasLetters = /[A-Za-z]/.test(value);
    const orderCue = ORDER_CUE_RE.test(before) && !TRACKING_CUE_RE.test(before.replace(/订单号?[^\d]{0,4}$/, ''));
    const trackingCue = TRACKING_CUE_RE.test(before) && !/订单号?[^\d]{0,4}$/.test(before);
    // A courier named just before the number makes it that courier's tracking number.
    const near = couriers.find((c) => c.span.end <= start && start - c.span.end <= 8);
    if (!orderCue && ((shapeCarrier !== undefined && (hasLetters || trackingCue || near)) || trackingCue || near || hasLetters)) {
      const carrier = near?.value ?? shapeCarrier;
      out.push({ kind: 'tracking', text: value, span, value: value.toUpperCase(), ...(carrier ? { carrier } : {}) });
    } else if (!hasLetters) {
      out.push({ kind: 'order', text: value, span, value });
    }
  }
  return out;
}
