/**
 * The adapter contract: how the engine reaches a shop's own systems. Every read is async (a
 * real shop answers over the network); the engine itself reads a synchronous per-turn
 * snapshot loaded before the turn (./snapshot.ts). Two adapters: the demo YAML shop
 * (./demo-adapter.ts, the default) and the HTTP adapter (./http-adapter.ts, SHOP_API_URL).
 */
import type { Buyer, Order, Product, ProductVariant, ShopData, ShopPolicy, TrackingEvent } from './types';

/** One act the bot recorded, on its way to the shop (see src/shop/outbox.ts). */
export interface ShopAct {
  /** The act's own id: the shop must treat a repeated id as the same act (idempotency). */
  id: string;
  kind: string;
  conversationId: string;
  buyerId: string;
  orderNumber?: string;
  /** ISO time the act was recorded. */
  at: string;
  /** The kind's values (price, address, reason …). */
  payload: Record<string, unknown>;
}

/** The shop's answer to an act. A transport failure is a thrown error instead (retried later). */
export type ActOutcome = { status: 'accepted' } | { status: 'refused'; reason: string };

export interface ShopAdapter {
  readonly kind: 'demo' | 'http';
  policy(): Promise<ShopPolicy>;
  /** The catalogue; variants carry the stock as of the catalogue's freshness. */
  products(): Promise<Product[]>;
  /** Current stock per variant of one product; undefined for an unknown product. */
  stock(productId: string): Promise<ProductVariant[] | undefined>;
  buyer(id: string): Promise<Buyer | undefined>;
  /** Newest first. */
  ordersByBuyer(buyerId: string): Promise<Order[]>;
  order(number: string): Promise<Order | undefined>;
  /** Oldest first; empty for an order not shipped (or unknown). */
  tracking(orderNumber: string): Promise<TrackingEvent[]>;
  /** Every buyer (only the demo storefront's buyer switcher uses it; optional). */
  buyers?(): Promise<Buyer[]>;
  /** Delivers one act. Resolves with the shop's answer; throws when the shop cannot be reached. */
  sendAct(act: ShopAct): Promise<ActOutcome>;
  /**
   * What is known without I/O, for reads outside a bot turn (agent console cards, the
   * storefront's product): the whole demo shop; for the HTTP adapter, its fresh cache plus
   * the last catalogue and policy.
   */
  cached(): ShopData;
  /**
   * True when the data never changes while the server runs (the demo YAML shop): `cached()`
   * is then as fresh as any snapshot, so a turn reads it instead of loading one.
   */
  readonly unchanging?: boolean;
  /** Stops timers, if any. */
  close?(): Promise<void>;
}
