/**
 * The demo shop: products, buyers, orders and policy read from YAML files (demo/shop/).
 * Order times in the files are relative ("-3d 14:00") and resolved against `now` at load, so
 * the demo always has a parcel shipped yesterday and one delivered three days ago.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { AppError } from '../errors';
import { resolveRelativeTime, parseHhmm } from './clock';
import type { Buyer, Order, Product, ShopData, ShopPolicy, TrackingEvent } from './types';
import { policyWire } from './wire';
import { frozen } from '../model/frozen';

const addressSchema = z.object({
  recipient: z.string().min(1),
  phone: z.string().regex(/^1\d{10}$/),
  province: z.string().min(1),
  city: z.string().min(1),
  district: z.string().min(1),
  detail: z.string().min(1),
});

/** [min, max] of a size chart, positive and in order. */
const range = z.tuple([z.number().positive(), z.number().positive()]).refine(([min, max]) => min <= max, 'expected [min, max] with min <= max');

const productSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  category: z.string().min(1),
  listPrice: z.number().positive(),
  floorPrice: z.number().positive(),
  featured: z.boolean().optional(),
  description: z.string(),
  variants: z.array(z.object({ size: z.coerce.string(), color: z.string(), stock: z.number().int().min(0) })),
  sizeChart: z
    .array(z.object({ size: z.coerce.string(), heightCm: range, weightKg: range }))
    .min(1)
    .optional(),
});

const buyerSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  returning: z.boolean(),
  address: addressSchema,
});

const orderSchema = z.object({
  number: z.string().min(1),
  buyerId: z.string().min(1),
  status: z.enum(['unpaid', 'paid', 'shipped', 'delivered', 'disputed', 'cancelled']),
  items: z
    .array(
      z.object({
        productId: z.string(),
        name: z.string(),
        size: z.coerce.string().optional(),
        color: z.string().optional(),
        quantity: z.number().int().positive(),
        price: z.number().nonnegative(),
      }),
    )
    .min(1),
  total: z.number().nonnegative(),
  createdAt: z.string(),
  paidAt: z.string().optional(),
  cashOnDelivery: z.boolean().optional(),
  address: addressSchema.optional(),
  shipment: z
    .object({
      carrier: z.string(),
      trackingNumber: z.string(),
      shippedAt: z.string(),
      events: z.array(z.object({ at: z.string(), description: z.string() })),
    })
    .optional(),
  deliveredAt: z.string().optional(),
  dispute: z.string().optional(),
});

const hhmm = z.string().refine((s) => {
  try {
    parseHhmm(s);
    return true;
  } catch {
    return false;
  }
}, 'expected HH:MM');

function minutesOf(hhmm: string): number {
  const { hour, minute } = parseHhmm(hhmm);
  return hour * 60 + minute;
}

/**
 * The shop API's policy (src/shop/wire.ts), with the demo files' stricter times: HH:MM that
 * parses, and business hours that close after they open.
 */
const policySchema = policyWire.extend({
  shipCutoff: hhmm,
  businessHours: z
    .object({ open: hhmm, close: hhmm })
    .refine((h) => minutesOf(h.open) < minutesOf(h.close), 'businessHours.close must be after open (same day)')
    .optional(),
});

function readYaml<T>(dir: string, file: string, schema: z.ZodType<T>): T {
  const path = join(dir, file);
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new AppError('INVALID_CONFIG', `cannot read ${path}: ${(e as Error).message}`, undefined, { cause: e });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError('INVALID_CONFIG', `${path}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** Options for {@link loadDemoShop}. */
export interface DemoShopOptions {
  /** The instant relative times in orders.yaml are resolved against (default: now). */
  now?: Date;
}

/**
 * Reads products.yaml, buyers.yaml, orders.yaml and policy.yaml from `dir` and returns a
 * read-only ShopData. Throws AppError INVALID_CONFIG naming the file on bad data.
 */
export function loadDemoShop(dir: string, options: DemoShopOptions = {}): ShopData {
  const now = options.now ?? new Date();
  const policy: ShopPolicy = readYaml(dir, 'policy.yaml', policySchema);
  const products: Product[] = readYaml(dir, 'products.yaml', z.array(productSchema));
  const buyers: Buyer[] = readYaml(dir, 'buyers.yaml', z.array(buyerSchema));
  const rawOrders = readYaml(dir, 'orders.yaml', z.array(orderSchema));

  for (const p of products) {
    if (p.floorPrice > p.listPrice) {
      throw new AppError('INVALID_CONFIG', `products.yaml: ${p.id} floorPrice above listPrice`);
    }
    const unknownSize = p.sizeChart?.find((row) => !p.variants.some((v) => v.size === row.size));
    if (unknownSize) {
      throw new AppError('INVALID_CONFIG', `products.yaml: ${p.id} sizeChart names size ${unknownSize.size}, which the product does not have`);
    }
  }
  const buyerById = new Map(buyers.map((b) => [b.id, b]));
  const at = (spec: string): string => resolveRelativeTime(spec, now, policy.utcOffsetMinutes).toISOString();
  const orders: Order[] = rawOrders.map((o) => {
    const buyer = buyerById.get(o.buyerId);
    if (!buyer) throw new AppError('INVALID_CONFIG', `orders.yaml: ${o.number} has unknown buyer ${o.buyerId}`);
    const address = o.address ?? buyer.address;
    const order: Order = {
      number: o.number,
      buyerId: o.buyerId,
      status: o.status,
      items: o.items,
      total: o.total,
      createdAt: at(o.createdAt),
      address,
    };
    if (o.paidAt !== undefined) order.paidAt = at(o.paidAt);
    if (o.cashOnDelivery !== undefined) order.cashOnDelivery = o.cashOnDelivery;
    if (o.shipment) {
      order.shipment = {
        carrier: o.shipment.carrier,
        trackingNumber: o.shipment.trackingNumber,
        shippedAt: at(o.shipment.shippedAt),
        events: o.shipment.events.map((e) => ({ at: at(e.at), description: e.description })),
      };
    }
    if (o.deliveredAt !== undefined) order.deliveredAt = at(o.deliveredAt);
    if (o.dispute !== undefined) order.dispute = o.dispute;
    return order;
  });
  return createShopData({ policy, products, buyers, orders });
}

/**
 * Builds ShopData over plain arrays (the demo loader, a turn's snapshot and tests use it). The
 * data is frozen in place (src/model/frozen.ts) and handed out as it is: a turn reads products
 * and orders many times, and copying them each time was a large part of its cost. Whoever
 * wants to change shop data builds a new value (as the snapshot does for fresh stock).
 */
export function createShopData(data: { policy: ShopPolicy; products: Product[]; buyers: Buyer[]; orders: Order[] }): ShopData {
  frozen(data.policy);
  frozen(data.products);
  frozen(data.buyers);
  frozen(data.orders);
  const productById = new Map(data.products.map((p) => [p.id, p]));
  const orderByNumber = new Map(data.orders.map((o) => [o.number.toUpperCase(), o]));
  const buyerById = new Map(data.buyers.map((b) => [b.id, b]));
  const courierById = new Map(data.policy.couriers.map((c) => [c.id, c.name]));
  // Lists are fresh arrays (a caller may sort or filter them); their items are the frozen data.
  return {
    policy: data.policy,
    products: () => [...data.products],
    product: (id) => productById.get(id),
    featuredProduct: () => data.products.find((x) => x.featured) ?? data.products[0],
    order: (number) => orderByNumber.get(number.toUpperCase()),
    ordersByBuyer: (buyerId) => data.orders.filter((o) => o.buyerId === buyerId).sort((a, b) => b.createdAt.localeCompare(a.createdAt)),
    trackingEvents: (number): TrackingEvent[] => [...(orderByNumber.get(number.toUpperCase())?.shipment?.events ?? [])],
    buyer: (id) => buyerById.get(id),
    buyers: () => [...data.buyers],
    courierName: (id) => courierById.get(id) ?? id,
  };
}
