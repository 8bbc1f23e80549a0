/**
 * A sample render context for the template preview in the script editor: every variable
 * the intent documents gets a value that reads like the shop's own data, so a manager sees
 * each variant as a buyer would, including the optional parts. The values tell one
 * consistent story: a returning buyer, the shop's featured product, a bargaining round that
 * stays above the floor price, an order on its way with the courier's latest event, a
 * return inside the window. They come from the shop (ShopData) where it has them; the
 * fallbacks below are used when it does not. The manager may override any value. These are
 * preview values, never sent to a buyer.
 */
import { productVars, shipByFor, shopVars } from '../dialogue/policy';
import type { Address, Order, Product, ShopData } from '../shop/types';
import type { VariableSet } from '../replies/variables';

type Ctx = Record<string, unknown>;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Used when the shop has no buyer, product or shipped order to borrow from. */
const FALLBACK = {
  buyer: '陈晓雨',
  address: {
    recipient: '陈晓雨',
    phone: '13712345678',
    province: '江苏省',
    city: '苏州市',
    district: '工业园区',
    detail: '星湖街 328 号 7 幢 1203 室',
  } satisfies Address,
  newAddress: { province: '江苏省', city: '苏州市', district: '姑苏区', detail: '人民路 1588 号 2 单元 502 室' },
  product: { name: '羊毛混纺针织开衫', price: 259, floor: 209, sizes: 'S/M/L', colors: '燕麦色/雾蓝' },
  cheaper: { name: '纯棉圆领长袖T恤', price: 89 },
  gift: '同色系袜子一双',
  carrier: '中通快递',
  trackingNumber: '75318842216903',
  event: '【苏州市】快件已到达苏州工业园区营业部，快递员正在派件',
  orderNumber: 'E20250310018',
  choices: '查物流、退换货还是改地址',
};

const roundTo = (n: number, step: number): number => Math.round(n / step) * step;
const uniq = (xs: string[]): string[] => [...new Set(xs)];

/** An order on its way with tracking events, if the shop has one (for the delivery sample). */
function shippedOrder(shop: ShopData): Order | undefined {
  const orders = (shop.buyers?.() ?? []).flatMap((b) => shop.ordersByBuyer(b.id));
  const tracked = orders.filter((o) => o.shipment && shop.trackingEvents(o.number).length > 0);
  return tracked.find((o) => o.status === 'shipped') ?? tracked[0];
}

/** The cheapest other product that costs less than `product`. */
function cheaperThan(shop: ShopData, product: Product | undefined): Product | undefined {
  if (!product) return undefined;
  return shop
    .products()
    .filter((p) => p.id !== product.id && p.listPrice < product.listPrice)
    .sort((a, b) => a.listPrice - b.listPrice)[0];
}

/**
 * Shop-derived values for every documented variable (the ones a flow would fill in a real
 * conversation), as of `now`.
 */
export function shopSample(shop: ShopData | undefined, now: Date = new Date()): Ctx {
  const p = shop?.policy;
  const buyer = shop?.buyers?.().find((b) => b.returning && shop.ordersByBuyer(b.id).length > 0) ?? shop?.buyers?.()[0];
  const product = shop?.featuredProduct();
  const order = buyer ? shop?.ordersByBuyer(buyer.id)[0] : undefined;
  const shipped = shop ? shippedOrder(shop) : undefined;
  const cheaper = shop ? cheaperThan(shop, product) : undefined;

  const address: Address = order?.address ?? buyer?.address ?? FALLBACK.address;
  // A buyer who moves the parcel to another address of theirs: same name and phone.
  const other = shop?.buyers?.().find((b) => b.address.city !== address.city)?.address;
  const newAddress: Address = {
    recipient: address.recipient,
    phone: address.phone,
    ...(other ? { province: other.province, city: other.city, district: other.district, detail: other.detail } : FALLBACK.newAddress),
  };

  // Bargaining on the product in focus: the buyer offers a little under the floor, we meet
  // them part of the way, the deal lands between floor and counter.
  const listPrice = product?.listPrice ?? FALLBACK.product.price;
  const floor = product?.floorPrice ?? FALLBACK.product.floor;
  const offer = roundTo(floor * 0.95, 10);
  const counter = Math.round(offer + 0.6 * (listPrice - offer));
  const deal = Math.max(floor, roundTo((floor + counter) / 2, 5));

  // A variant in stock for the product questions and exchanges.
  const inStock = product?.variants.filter((v) => v.stock > 0) ?? [];
  const variant = inStock[0];
  // The other sizes in stock: an "out of stock" reply offers these instead of the one asked for.
  const sizesInStock = uniq(inStock.filter((v) => v.color === variant?.color && v.size !== variant.size).map((v) => v.size));
  const colorsInStock = uniq(inStock.map((v) => v.color));

  const events = shipped && shop ? shop.trackingEvents(shipped.number) : [];
  const latest = events[events.length - 1];
  const shippedAt = shipped?.shipment?.shippedAt ?? new Date(now.getTime() - 2 * DAY).toISOString();
  const daysInTransit = Math.max(1, Math.round((now.getTime() - new Date(shippedAt).getTime()) / DAY));
  const returnDays = p?.returnDays ?? 7;
  const daysSinceDelivery = Math.min(3, Math.max(0, returnDays - 1));
  const price = listPrice;

  return {
    shop: p ? shopVars(p) : { name: '暖阳小铺', cutoff: '16:00', returnDays, afterSaleHours: 48, codFee: 12, freeShippingFrom: 99, shippingFee: 10 },
    invoice: p
      ? { electronic: p.invoice.electronic, paper: p.invoice.paper, days: p.invoice.daysToIssue }
      : { electronic: true, paper: false, days: 3 },
    buyer: { name: buyer?.name ?? FALLBACK.buyer, returning: true },
    returning: true,
    product: product
      ? productVars(product)
      : { name: FALLBACK.product.name, price, sizes: FALLBACK.product.sizes, colors: FALLBACK.product.colors, description: '' },
    order: order
      ? { number: order.number, total: order.total, items: order.items, address }
      : {
          number: FALLBACK.orderNumber,
          total: price,
          items: [{ name: product?.name ?? FALLBACK.product.name, color: variant?.color ?? '燕麦色', size: variant?.size ?? 'M', quantity: 1 }],
          address,
        },
    now: now.toISOString(),

    address,
    newAddress,

    price,
    offer,
    counter,
    deal,
    floor,
    freeShipping: true,
    gift: p?.haggle.gift ?? FALLBACK.gift,
    roundsLeft: Math.max(1, (p?.haggle.rounds ?? 5) - 2),
    cheaper: cheaper ? { name: cheaper.name, price: cheaper.listPrice } : FALLBACK.cheaper,

    shipBy: (shop ? shipByFor(now, shop) : new Date(now.getTime() + 3 * HOUR)).toISOString(),
    carrier: shipped?.shipment ? (shop?.courierName(shipped.shipment.carrier) ?? FALLBACK.carrier) : FALLBACK.carrier,
    trackingNumber: shipped?.shipment?.trackingNumber ?? FALLBACK.trackingNumber,
    event: { at: latest?.at ?? new Date(now.getTime() - 2 * HOUR).toISOString(), description: latest?.description ?? FALLBACK.event },
    shippedAt,
    daysInTransit,
    deliveredAt: new Date(now.getTime() - daysSinceDelivery * DAY).toISOString(),
    daysSinceDelivery,
    daysLeft: returnDays - daysSinceDelivery,
    shopPaysShipping: p ? p.returnShippingPaidBy === 'shop' : false,
    late: false,
    returnTracking: 'YT1234567890',

    size: variant?.size ?? 'M',
    // Size advice: what a buyer of 165 cm / 110 斤 would be told.
    heightCm: 165,
    weightJin: 110,
    recommendedSize: variant?.size ?? 'M',
    color: variant?.color ?? '燕麦色',
    inStock: true,
    stock: variant?.stock ?? 12,
    lowStock: false,
    wantedQuantity: 2,
    notEnough: false,
    availableSizes: sizesInStock.join('/') || FALLBACK.product.sizes,
    availableColors: colorsInStock.join('/') || FALLBACK.product.colors,

    codPrice: price + (p?.codFee ?? 12),
    cashOnDelivery: false,
    askedOrder: 'E2001',
    orderedSize: variant?.size ?? 'M',
    noNextSize: false,
    // The preview shows the several-topics wording; `choice` (one topic) is left empty for that.
    choice: '',
    choices: FALLBACK.choices,
    // The question still open after a side question (system still_open).
    topic: '修改地址',
    // Invoice details a buyer sent (payment.invoice received).
    title: '杭州暖阳贸易有限公司',
    taxId: '91330100MA2B3C4D5E',
    email: 'buyer@example.com',
    // Acts read back before they are recorded (bargaining terms, returns, remarks, stock by colour).
    quantity: 2,
    total: price * 2,
    courier: '顺丰速运',
    defaultCourier: p ? (shop?.courierName(p.defaultCourier) ?? FALLBACK.carrier) : FALLBACK.carrier,
    // A deal on an order already placed (unpaid): repriced, not placed again.
    dealOrder: order?.number ?? FALLBACK.orderNumber,
    dealOrderPaid: false,
    remark: '送人的，包裹里不要放购物清单',
    street: '文三路',
    colorSizes: sizesInStock.join('/') || FALLBACK.product.sizes,
    missingSizes: 'XL',
    quality: false,
    amount: order?.total ?? price,
    item: { name: product?.name ?? FALLBACK.product.name, color: variant?.color ?? '燕麦色', size: variant?.size ?? 'M', quantity: 1, price },
    // Waiting for a person (human.callback): second in the queue, or back at the next opening.
    position: 2,
    hours: p?.businessHours ? `${p.businessHours.open}-${p.businessHours.close}` : '09:00-23:00',
    backAt: new Date(now.getTime() + 8 * HOUR).toISOString(),
  };
}

/**
 * The sample as one move needs it: a reply for a return past the window, a parcel that is
 * overdue, a size that is sold out must not read "3 days after delivery", "2 days on the
 * way", "in stock". Other moves get the sample unchanged.
 */
export function sampleForMove(values: Ctx, move: string, now: Date, policy?: ShopData['policy']): Ctx {
  const returnDays = policy?.returnDays ?? 7;
  switch (move) {
    case 'outside': {
      const days = returnDays + 3;
      return { ...values, daysSinceDelivery: days, daysLeft: 0, deliveredAt: new Date(now.getTime() - days * DAY).toISOString() };
    }
    case 'overdue':
      return { ...values, daysInTransit: (policy?.overdueDays ?? 5) + 1 };
    case 'out_of_stock':
      return { ...values, inStock: false, stock: 0 };
    default:
      return values;
  }
}

/** Whether `key` ("order.address") is set in `ctx`. */
function has(ctx: Ctx, key: string): boolean {
  let node: unknown = ctx;
  for (const part of key.split('.')) {
    if (typeof node !== 'object' || node === null) return false;
    node = (node as Ctx)[part];
  }
  return node !== undefined;
}

function setPath(ctx: Ctx, key: string, value: unknown): void {
  const parts = key.split('.');
  let node: Ctx = ctx;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[part] = {};
    node = node[part] as Ctx;
  }
  node[parts[parts.length - 1] as string] = value;
}

/**
 * A value for a documented variable the sample does not cover (one added to variables.ts
 * later): its own name in corner brackets, so the preview shows where it goes.
 */
function placeholder(key: string, description: string, now: Date): unknown {
  if (/^true when/i.test(description)) return true;
  if (/\(yuan\)|^days|^hours|pieces/i.test(description)) return 1;
  if (/\(ISO\)/.test(description)) return now.toISOString();
  return `〔${key}〕`;
}

function deepMerge(base: Ctx, over: Ctx): Ctx {
  const out: Ctx = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b) ? deepMerge(b as Ctx, v as Ctx) : v;
  }
  return out;
}

/**
 * The context for previewing templates of one intent: the variables it documents, taken
 * from the shop sample, then the manager's overrides.
 */
export function sampleContext(vars: VariableSet, now: Date, shopValues: Ctx, overrides: Ctx): Ctx {
  const ctx: Ctx = {};
  // Parents first, so "order" is copied whole and "order.number" finds it there.
  for (const key of Object.keys(vars).sort((a, b) => a.split('.').length - b.split('.').length)) {
    if (has(ctx, key)) continue;
    const root = key.split('.')[0] as string;
    if (has(shopValues, key)) {
      if (!(root in ctx) && root in shopValues) ctx[root] = structuredClone(shopValues[root]);
      else if (!has(ctx, key)) setPath(ctx, key, structuredClone(getPath(shopValues, key)));
    } else {
      setPath(ctx, key, placeholder(key, vars[key]?.description ?? '', now));
    }
  }
  return deepMerge(ctx, overrides);
}

function getPath(ctx: Ctx, key: string): unknown {
  return key.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Ctx)[k] : undefined), ctx);
}
