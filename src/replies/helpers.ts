/**
 * Formatting helpers templates call: money, shop-local dates and relative days, masked
 * phones, one-line addresses and order summaries. They read the clock from the render's
 * @data (now, utcOffsetMinutes) so output is deterministic under an injected clock.
 */
import { wallTime } from '../shop/clock';

/** What every render passes as Handlebars @data. */
export interface RenderData {
  now: Date;
  utcOffsetMinutes: number;
}

interface HelperOptions {
  data?: { root?: unknown } & Partial<RenderData>;
}

function dataOf(options: unknown): RenderData {
  const data = (options as HelperOptions | undefined)?.data;
  return { now: data?.now ?? new Date(), utcOffsetMinutes: data?.utcOffsetMinutes ?? 480 };
}

/** ¥380.00; non-numbers render as an empty string rather than "¥NaN". */
export function formatMoney(value: unknown): string {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n)) return '';
  return `¥${n.toFixed(2)}`;
}

/** 138****5678 (keeps the first three and last four digits). */
export function maskPhone(value: unknown): string {
  const s = String(value ?? '').replace(/\s+/g, '');
  if (s.length < 7) return s.replace(/./g, '*');
  return `${s.slice(0, 3)}****${s.slice(-4)}`;
}

function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return value;
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** 今天 / 明天 / 后天 / 昨天 / 3月12日, by shop calendar day. */
export function formatDay(value: unknown, now: Date, offset: number): string {
  const d = toDate(value);
  if (!d) return '';
  const w = wallTime(d, offset);
  const diff = w.dayNumber - wallTime(now, offset).dayNumber;
  const names: Record<number, string> = { [-1]: '昨天', 0: '今天', 1: '明天', 2: '后天' };
  return names[diff] ?? `${w.month}月${w.day}日`;
}

/** 16:00 on the shop clock. */
export function formatTime(value: unknown, offset: number): string {
  const d = toDate(value);
  if (!d) return '';
  const w = wallTime(d, offset);
  return `${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}`;
}

/** 3月12日 on the shop clock. */
export function formatDate(value: unknown, offset: number): string {
  const d = toDate(value);
  if (!d) return '';
  const w = wallTime(d, offset);
  return `${w.month}月${w.day}日`;
}

interface AddressLike {
  recipient?: unknown;
  phone?: unknown;
  province?: unknown;
  city?: unknown;
  district?: unknown;
  detail?: unknown;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** 浙江省杭州市西湖区文三路 90 号; 上海市浦东新区… (a municipality's city is not repeated). */
export function formatPlace(a: AddressLike): string {
  const province = str(a.province);
  const city = str(a.city) === province ? '' : str(a.city);
  return `${province}${city}${str(a.district)}${str(a.detail)}`;
}

/** 王小明，138****5678，浙江省杭州市西湖区文三路 90 号 (the city is not repeated for municipalities). */
export function formatAddress(value: unknown): string {
  if (!value || typeof value !== 'object') return '';
  const a = value as AddressLike;
  return [str(a.recipient), a.phone ? maskPhone(a.phone) : '', formatPlace(a)].filter((s) => s !== '').join('，');
}

interface OrderLike {
  number?: unknown;
  total?: unknown;
  items?: { name?: unknown; size?: unknown; color?: unknown; quantity?: unknown }[];
}

/** 订单 E1001：加绒连帽卫衣（黑色/L）×1，共 ¥179.00 */
export function formatOrderSummary(value: unknown): string {
  if (!value || typeof value !== 'object') return '';
  const o = value as OrderLike;
  const items = (o.items ?? [])
    .map((i) => {
      const variant = [i.color, i.size].filter((x) => typeof x === 'string' && x !== '').join('/');
      return `${String(i.name ?? '')}${variant ? `（${variant}）` : ''}×${String(i.quantity ?? 1)}`;
    })
    .join('、');
  return `订单 ${String(o.number ?? '')}：${items}，共 ${formatMoney(o.total)}`;
}

/** The helpers by name, for registering on a Handlebars environment. */
export const HELPERS: Record<string, (...args: unknown[]) => unknown> = {
  money: (v) => formatMoney(v),
  maskPhone: (v) => maskPhone(v),
  day: (v, o) => {
    const d = dataOf(o);
    return formatDay(v, d.now, d.utcOffsetMinutes);
  },
  time: (v, o) => formatTime(v, dataOf(o).utcOffsetMinutes),
  date: (v, o) => formatDate(v, dataOf(o).utcOffsetMinutes),
  when: (v, o) => {
    const d = dataOf(o);
    return `${formatDay(v, d.now, d.utcOffsetMinutes)} ${formatTime(v, d.utcOffsetMinutes)}`;
  },
  address: (v) => formatAddress(v),
  orderSummary: (v) => formatOrderSummary(v),
  eq: (a, b) => a === b,
};

/** Helper names a template may call, plus the Handlebars built-ins we allow. */
export const ALLOWED_HELPERS = new Set([...Object.keys(HELPERS), 'if', 'unless']);
