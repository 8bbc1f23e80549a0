/**
 * The shop API contract (docs/shop-api.md), version 1, as zod schemas: the HTTP adapter
 * validates every response with them, the reference shop API (src/shop-api/) answers in
 * them, and docs/shop-api/*.schema.json are generated from them (`tsx src/shop-api/schemas.ts`),
 * so the three cannot drift apart.
 */
import { z } from 'zod';

export const SHOP_API_VERSION = 'v1';

const iso = z.string().min(1).describe('ISO 8601 instant, e.g. 2026-12-05T06:30:00.000Z');

export const addressWire = z.object({
  recipient: z.string().min(1),
  phone: z.string().min(1),
  province: z.string().min(1),
  city: z.string().min(1),
  district: z.string().min(1),
  detail: z.string().min(1),
});

export const variantWire = z.object({
  size: z.string(),
  color: z.string(),
  stock: z.number().int().min(0).describe('Units on hand of this size and colour'),
});

export const productWire = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  category: z.string().min(1),
  listPrice: z.number().positive().describe('What the shop asks (yuan)'),
  floorPrice: z.number().positive().describe('Never sell below this (yuan); never shown to buyers'),
  description: z.string(),
  featured: z.boolean().optional(),
  variants: z.array(variantWire),
  sizeChart: z
    .array(z.object({ size: z.string(), heightCm: z.tuple([z.number(), z.number()]), weightKg: z.tuple([z.number(), z.number()]) }))
    .optional(),
});

export const productsWire = z.object({ products: z.array(productWire) });

export const stockWire = z.object({ productId: z.string().min(1), variants: z.array(variantWire) });

export const buyerWire = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  returning: z.boolean().describe('Bought here before: greeted by name'),
  address: addressWire,
});

export const buyersWire = z.object({ buyers: z.array(buyerWire) });

export const trackingEventWire = z.object({ at: iso, description: z.string() });

export const orderWire = z.object({
  number: z.string().min(1),
  buyerId: z.string().min(1),
  status: z.enum(['unpaid', 'paid', 'shipped', 'delivered', 'disputed', 'cancelled']),
  items: z.array(
    z.object({
      productId: z.string(),
      name: z.string(),
      size: z.string().optional(),
      color: z.string().optional(),
      quantity: z.number().int().positive(),
      price: z.number().nonnegative().describe('Unit price paid (yuan)'),
    }),
  ),
  total: z.number().nonnegative(),
  createdAt: iso,
  paidAt: iso.optional(),
  cashOnDelivery: z.boolean().optional(),
  address: addressWire,
  shipment: z
    .object({
      carrier: z.string().describe('Courier id from policy.couriers'),
      trackingNumber: z.string(),
      shippedAt: iso,
      events: z.array(trackingEventWire).describe('May be empty here: GET /v1/orders/{number}/tracking is authoritative'),
    })
    .optional(),
  deliveredAt: iso.optional(),
  dispute: z.string().optional(),
});

export const ordersWire = z.object({ orders: z.array(orderWire).describe('Newest first') });

export const trackingWire = z.object({ orderNumber: z.string().min(1), events: z.array(trackingEventWire).describe('Oldest first') });

export const policyWire = z.object({
  shopName: z.string().min(1),
  utcOffsetMinutes: z.number().int(),
  shipCutoff: z.string().regex(/^\d{1,2}:\d{2}$/),
  shipDays: z.array(z.number().int().min(1).max(7)).min(1, 'the warehouse must ship on at least one weekday').optional(),
  noShipDates: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')).optional(),
  couriers: z.array(z.object({ id: z.string(), name: z.string() })).min(1),
  defaultCourier: z.string(),
  overdueDays: z.number().positive(),
  returnDays: z.number().int().positive(),
  returnShippingPaidBy: z.enum(['buyer', 'shop']),
  codFee: z.number().nonnegative(),
  codAvailable: z.boolean(),
  freeShippingFrom: z.number().nonnegative(),
  shippingFee: z.number().nonnegative(),
  invoice: z.object({ electronic: z.boolean(), paper: z.boolean(), daysToIssue: z.number().int().nonnegative() }),
  afterSaleHours: z.number().positive(),
  businessHours: z.object({ open: z.string().regex(/^\d{1,2}:\d{2}$/), close: z.string().regex(/^\d{1,2}:\d{2}$/) }).optional(),
  haggle: z.object({
    rounds: z.number().int().min(1).max(10),
    acceptMargins: z.array(z.number().min(0).max(1)).min(1),
    counterShares: z.array(z.number().min(0).max(1)).min(1),
    farBelowRatio: z.number().min(0).max(1),
    gift: z.string().min(1),
    maxPushes: z.number().int().min(1),
  }),
});

/** An act the bot recorded (deal price, address change, exchange request …) sent to the shop. */
export const actWire = z.object({
  id: z.string().min(1).max(200).describe('Unique per act: the idempotency key. Sending the same id again must not act twice'),
  kind: z.string().min(1).max(100).describe('deal, address_change (address, recipient or phone), exchange, return, refund, cod, remark'),
  conversationId: z.string().min(1),
  buyerId: z.string().min(1),
  orderNumber: z.string().min(1).optional(),
  at: iso.describe('When the buyer confirmed it'),
  payload: z.record(z.string(), z.unknown()).describe("The kind's values, e.g. { price: 390 } or { address: {...} }"),
});

export const actResultWire = z.discriminatedUnion('status', [
  z.object({ id: z.string(), status: z.literal('accepted') }),
  z.object({ id: z.string(), status: z.literal('refused'), reason: z.string().min(1).describe('Shown to the agent, e.g. already_shipped') }),
]);

export const errorWire = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

export type ActWire = z.infer<typeof actWire>;
export type ActResultWire = z.infer<typeof actResultWire>;

/** Every schema by the file name it is published under in docs/shop-api/. */
export const WIRE_SCHEMAS = {
  policy: policyWire,
  products: productsWire,
  stock: stockWire,
  buyer: buyerWire,
  buyers: buyersWire,
  orders: ordersWire,
  order: orderWire,
  tracking: trackingWire,
  act: actWire,
  'act-result': actResultWire,
  error: errorWire,
} as const;
