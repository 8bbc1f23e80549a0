/**
 * The shop's side of a conversation: catalogue, orders, buyers and policy. The engine only
 * reads through `ShopData`, so a real shop plugs in its order system by implementing it.
 * All times are ISO strings; the shop's wall clock is `policy.utcOffsetMinutes` (China: +480).
 */

export interface ProductVariant {
  size: string;
  color: string;
  stock: number;
}

/**
 * One row of a product's size chart: the build a size fits, what the bot recommends a size
 * from. Ranges are inclusive; neighbouring rows may share a boundary.
 */
export interface SizeChartRow {
  size: string;
  /** Height in centimetres, [min, max]. */
  heightCm: [number, number];
  /** Weight in kilograms, [min, max] (buyers often say 斤: 2 斤 = 1 kg). */
  weightKg: [number, number];
}

export interface Product {
  id: string;
  name: string;
  /** What the shop asks (yuan). */
  listPrice: number;
  /** Never sell below this (yuan). */
  floorPrice: number;
  category: string;
  /** Material, fit, care: what product.info answers with. */
  description: string;
  variants: ProductVariant[];
  /** Size advice by height and weight; absent for one-size items (a scarf). */
  sizeChart?: SizeChartRow[];
  featured?: boolean;
}

export type OrderStatus = 'unpaid' | 'paid' | 'shipped' | 'delivered' | 'disputed' | 'cancelled';

export interface Address {
  recipient: string;
  phone: string;
  province: string;
  city: string;
  district: string;
  detail: string;
}

export interface OrderItem {
  productId: string;
  name: string;
  size?: string;
  color?: string;
  quantity: number;
  /** Unit price paid (yuan). */
  price: number;
}

export interface TrackingEvent {
  at: string;
  /** Where the parcel is and what happened, as the carrier reports it. */
  description: string;
}

export interface Shipment {
  carrier: string;
  trackingNumber: string;
  shippedAt: string;
  events: TrackingEvent[];
}

export interface Order {
  number: string;
  buyerId: string;
  status: OrderStatus;
  items: OrderItem[];
  /** Total paid or due (yuan). */
  total: number;
  createdAt: string;
  paidAt?: string;
  cashOnDelivery?: boolean;
  address: Address;
  shipment?: Shipment;
  deliveredAt?: string;
  /** Why a signed order is disputed (buyer says not received, wrong item …). */
  dispute?: string;
}

export interface Buyer {
  id: string;
  name: string;
  address: Address;
  /** Bought here before: greeted by name. */
  returning: boolean;
}

export interface Courier {
  id: string;
  name: string;
}

export interface HagglePolicy {
  /** Rounds of bargaining before the firm last price; after it the bot hands off. */
  rounds: number;
  /** Per round (1-based index 0..): share of the list-to-floor margin still required to accept. */
  acceptMargins: number[];
  /** Per round: how far from the buyer's offer toward the last price the counter sits (0..1). */
  counterShares: number[];
  /** An offer below floor × this is "far below": offer a cheaper product instead. */
  farBelowRatio: number;
  /** The small gift offered as a concession when shipping is already free. */
  gift: string;
  /** Pushes without a number tolerated before handing off. */
  maxPushes: number;
}

export interface ShopPolicy {
  shopName: string;
  utcOffsetMinutes: number;
  /** "16:00": paid before this ships the same day. */
  shipCutoff: string;
  /** ISO weekdays the warehouse ships on (1 = Monday … 7 = Sunday); unset: every day. */
  shipDays?: number[];
  /** Shop calendar dates ("2026-10-01") with no shipping, e.g. public holidays. */
  noShipDates?: string[];
  couriers: Courier[];
  defaultCourier: string;
  /** Shipped and not delivered after this many days: overdue. */
  overdueDays: number;
  /** Seven-day no-reason return window, counted from delivery. */
  returnDays: number;
  /** Who pays return shipping for a no-reason return. */
  returnShippingPaidBy: 'buyer' | 'shop';
  /** Extra charged for cash on delivery (yuan). */
  codFee: number;
  codAvailable: boolean;
  /** Free shipping from this total (yuan). */
  freeShippingFrom: number;
  shippingFee: number;
  invoice: { electronic: boolean; paper: boolean; daysToIssue: number };
  haggle: HagglePolicy;
  /** Hours within which after-sale logistics problems are resolved. */
  afterSaleHours: number;
  /**
   * When people answer chats, shop wall clock ("09:00" to "23:00"; close after open). Unset:
   * always. Outside them a queued buyer is told when people are back.
   */
  businessHours?: { open: string; close: string };
}

/** Read access to a shop. Implementations must return plain data (no shared mutable objects). */
export interface ShopData {
  readonly policy: ShopPolicy;
  products(): Product[];
  product(id: string): Product | undefined;
  featuredProduct(): Product | undefined;
  order(number: string): Order | undefined;
  /** Newest first. */
  ordersByBuyer(buyerId: string): Order[];
  trackingEvents(orderNumber: string): TrackingEvent[];
  buyer(id: string): Buyer | undefined;
  /**
   * Every buyer on file. Optional: only the demo storefront's "以买家身份访问" switcher uses
   * it; a real shop's order system need not list its customers.
   */
  buyers?(): Buyer[];
  courierName(id: string): string;
}
