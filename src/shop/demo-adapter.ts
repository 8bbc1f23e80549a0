/**
 * The demo YAML shop behind the async adapter contract. Reads never fail; acts are accepted
 * and kept in memory (a repeated act id gets the first answer again), so the demo shows the
 * whole outbox path without a shop system.
 */
import type { ActOutcome, ShopAct, ShopAdapter } from './adapter';
import type { ShopData } from './types';

export interface DemoShopAdapter extends ShopAdapter {
  readonly kind: 'demo';
  /** The acts received, in arrival order (each id once). */
  receivedActs(): ShopAct[];
}

/** Wraps a synchronous ShopData (e.g. loadDemoShop's) as an adapter. */
export function createDemoShopAdapter(shop: ShopData): DemoShopAdapter {
  const acts = new Map<string, { act: ShopAct; outcome: ActOutcome }>();
  return {
    kind: 'demo',
    policy: async () => shop.policy,
    products: async () => shop.products(),
    stock: async (productId) => shop.product(productId)?.variants,
    buyer: async (id) => shop.buyer(id),
    ordersByBuyer: async (buyerId) => shop.ordersByBuyer(buyerId),
    order: async (number) => shop.order(number),
    tracking: async (number) => shop.trackingEvents(number),
    ...(shop.buyers ? { buyers: async () => shop.buyers?.() ?? [] } : {}),
    sendAct: async (act) => {
      const earlier = acts.get(act.id);
      if (earlier) return earlier.outcome;
      const outcome: ActOutcome = { status: 'accepted' };
      acts.set(act.id, { act: structuredClone(act), outcome });
      return outcome;
    },
    receivedActs: () => [...acts.values()].map((a) => structuredClone(a.act)),
    cached: () => shop,
    // The YAML is read once at start; acts are only recorded.
    unchanging: true,
  };
}
