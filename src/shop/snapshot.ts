/**
 * The bridge between the async adapter and the synchronous engine. Before a bot turn the
 * conversation service loads a snapshot of everything the turn can read (policy, catalogue,
 * the buyer, their orders, orders named in the message, tracking, stock of the product in
 * focus); the engine then reads it through the ordinary `ShopData` interface. A failed load
 * fails the turn before the engine runs, so the buyer gets the holding reply and a person
 * (src/conversation/conversation-service.ts), never an answer made of missing data.
 *
 * The engine is built once with `scope.shop`, a ShopData that reads the snapshot of the turn
 * being run and, outside any turn, the adapter's synchronous cached view.
 */
import type { ShopAdapter } from './adapter';
import { createShopData } from './demo';
import { frozen } from '../model/frozen';
import type { Order, Product, ShopData, TrackingEvent } from './types';

export interface SnapshotRequest {
  buyerId: string;
  /** The product page the buyer is on (its stock is fetched fresh). */
  productId?: string;
  /** Orders to load besides the buyer's own: the one in focus and any named in the message. */
  orderNumbers?: readonly string[];
}

/** Orders whose tracking is loaded: enough for "where is my parcel" about any recent order. */
const TRACKED_ORDERS = 5;
/** Order-number-like tokens taken from one message (a pasted list must not fan out). */
const NAMED_ORDERS = 3;

/**
 * Loads what one turn can read and returns it as a synchronous ShopData. Throws the
 * adapter's error (SHOP_UNAVAILABLE) when the shop cannot answer.
 */
export async function loadShopSnapshot(adapter: ShopAdapter, request: SnapshotRequest): Promise<ShopData> {
  const named = [...new Set((request.orderNumbers ?? []).map((n) => n.toUpperCase()))].slice(0, NAMED_ORDERS);
  const [policy, products, buyer, own, namedOrders, stock] = await Promise.all([
    adapter.policy(),
    adapter.products(),
    adapter.buyer(request.buyerId),
    adapter.ordersByBuyer(request.buyerId),
    Promise.all(named.map((n) => adapter.order(n))),
    request.productId !== undefined ? adapter.stock(request.productId) : Promise.resolve(undefined),
  ]);
  const orders = new Map<string, Order>();
  for (const o of [...own, ...namedOrders]) if (o) orders.set(o.number.toUpperCase(), o);
  const shipped = [...orders.values()].filter((o) => o.shipment).slice(0, TRACKED_ORDERS);
  const tracking = await Promise.all(shipped.map(async (o) => [o.number.toUpperCase(), await adapter.tracking(o.number)] as const));
  // Frozen like the rest of the snapshot (createShopData below): read many times, never copied.
  const trackingByNumber = new Map<string, TrackingEvent[]>(tracking.map(([n, events]) => [n, frozen(events)]));
  const withStock: Product[] = stock === undefined ? products : products.map((p) => (p.id === request.productId ? { ...p, variants: stock } : p));
  const view = createShopData({ policy, products: withStock, buyers: buyer ? [buyer] : [], orders: [...orders.values()] });
  return {
    ...view,
    // The shop's buyer list is not part of a turn; only the demo switcher asks, outside turns.
    buyers: undefined,
    trackingEvents: (number) => {
      const events = trackingByNumber.get(number.toUpperCase());
      return events ? [...events] : view.trackingEvents(number);
    },
  } satisfies ShopData as ShopData;
}

/** Order-number-like tokens in a buyer's message ("E1004", "订单 20261203001"), upper-cased. */
export function orderNumbersIn(text: string): string[] {
  const plain = text.normalize('NFKC');
  return [...plain.matchAll(/(?<![A-Za-z0-9])[A-Za-z]{0,3}\d{4,20}(?![A-Za-z0-9])/g)].map((m) => m[0].toUpperCase());
}

/** What the conversation service needs to run a turn against a snapshot. */
export interface ShopScope {
  /** The ShopData to build the engine with: the current turn's snapshot, else the cached view. */
  readonly shop: ShopData;
  /**
   * Loads the snapshot for this conversation and message, then runs `fn` with it. Rejects
   * (SHOP_UNAVAILABLE) without calling `fn` when the shop cannot answer.
   */
  run<T>(request: SnapshotRequest, fn: () => T | Promise<T>): Promise<T>;
  /** Like run, but on a failed load runs `fn` on the cached view (greetings: better generic than none). */
  runLenient<T>(request: SnapshotRequest, fn: () => T | Promise<T>, onError?: (err: unknown) => void): Promise<T>;
}

/**
 * A scope over an adapter: the engine's shop and the per-turn loader.
 *
 * The snapshot is in force while `fn` runs synchronously, which covers the engine's turn (one
 * synchronous step). A plain variable rather than AsyncLocalStorage: on Node 20
 * AsyncLocalStorage turns on promise hooks for the whole process, which made every await of
 * every buyer's message dearer (bench:ws at 1,500 buyers: p50 6.6 → 4.2–4.9 ms).
 *
 * An adapter whose data never changes (`unchanging`, the demo shop) loads no snapshot: its
 * cached view is the whole shop, as fresh as any snapshot of it.
 */
export function createShopScope(adapter: ShopAdapter): ShopScope {
  let current: ShopData | undefined;
  const within = <T>(snapshot: ShopData, fn: () => T): T => {
    const outer = current;
    current = snapshot;
    try {
      return fn();
    } finally {
      current = outer;
    }
  };
  const active = (): ShopData => current ?? adapter.cached();
  const shop: ShopData = {
    get policy() {
      return active().policy;
    },
    products: () => active().products(),
    product: (id) => active().product(id),
    featuredProduct: () => active().featuredProduct(),
    order: (number) => active().order(number),
    ordersByBuyer: (buyerId) => active().ordersByBuyer(buyerId),
    trackingEvents: (number) => active().trackingEvents(number),
    buyer: (id) => active().buyer(id),
    courierName: (id) => active().courierName(id),
    // Outside a turn only (the demo storefront's buyer switcher).
    ...(adapter.cached().buyers ? { buyers: () => adapter.cached().buyers?.() ?? [] } : {}),
  };
  return {
    shop,
    async run(request, fn) {
      if (adapter.unchanging) return fn();
      const snapshot = await loadShopSnapshot(adapter, request);
      return within(snapshot, fn);
    },
    async runLenient(request, fn, onError) {
      if (adapter.unchanging) return fn();
      let snapshot: ShopData;
      try {
        snapshot = await loadShopSnapshot(adapter, request);
      } catch (err) {
        onError?.(err);
        return fn();
      }
      return within(snapshot, fn);
    },
  };
}
