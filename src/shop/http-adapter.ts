/**
 * The HTTP shop adapter (SHOP_API_URL): speaks the versioned JSON contract of
 * docs/shop-api.md. Every request has a timeout; reads are retried (a read twice is
 * harmless), acts are not (the outbox retries them with the act's id as idempotency key).
 * Responses are validated with the contract's schemas; anything else is SHOP_UNAVAILABLE, so
 * the turn hands off with the holding reply instead of guessing.
 *
 * The cache keeps each answer for an explicit time per resource: live data (buyer, orders,
 * tracking, stock) for `liveTtlMs`, the catalogue and policy for `catalogueTtlMs`. Only
 * fresh entries answer a turn; a 404 is cached too (as "none").
 */
import type { z } from 'zod';
import { AppError } from '../errors';
import type { ActOutcome, ShopAct, ShopAdapter } from './adapter';
import { createShopData } from './demo';
import type { Buyer, Order, Product, ProductVariant, ShopData, ShopPolicy, TrackingEvent } from './types';
import {
  actResultWire,
  buyerWire,
  buyersWire,
  orderWire,
  ordersWire,
  policyWire,
  productsWire,
  SHOP_API_VERSION,
  stockWire,
  trackingWire,
} from './wire';

export interface HttpShopAdapterOptions {
  /** Base URL, e.g. https://shop.example.com/kefu (the adapter appends /v1/...). */
  baseUrl: string;
  /** Bearer token sent as Authorization, when the shop's API wants one. */
  token?: string;
  /** Per request (default 2000 ms). */
  timeoutMs?: number;
  /** Extra attempts for a failed read (default 1). */
  readRetries?: number;
  /** Freshness of buyer, orders, tracking and stock (default 10 s). 0 disables caching them. */
  liveTtlMs?: number;
  /** Freshness of policy and catalogue (default 5 min). */
  catalogueTtlMs?: number;
  /** Most cached entries kept (default 2000; the oldest go first). */
  maxEntries?: number;
  now?: () => number;
}

export interface HttpShopAdapter extends ShopAdapter {
  readonly kind: 'http';
  /** Loads policy and catalogue (start-up: the server refuses to start without them). */
  warmUp(): Promise<void>;
}

type Freshness = 'live' | 'catalogue';

interface Entry {
  at: number;
  ttl: Freshness;
  /** undefined: the shop answered 404. */
  value: unknown;
}

/** A response the caller could not use: counts as the shop being unavailable. */
function unavailable(path: string, why: string, cause?: unknown): AppError {
  return new AppError('SHOP_UNAVAILABLE', `shop API ${path}: ${why}`, undefined, cause === undefined ? undefined : { cause });
}

export function createHttpShopAdapter(options: HttpShopAdapterOptions): HttpShopAdapter {
  let base: URL;
  try {
    base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
  } catch {
    throw new AppError('INVALID_CONFIG', `SHOP_API_URL is not a URL: ${options.baseUrl}`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new AppError('INVALID_CONFIG', 'SHOP_API_URL must start with http:// or https://');
  }
  const timeoutMs = options.timeoutMs ?? 2000;
  const readRetries = options.readRetries ?? 1;
  const ttlMs: Record<Freshness, number> = { live: options.liveTtlMs ?? 10_000, catalogue: options.catalogueTtlMs ?? 300_000 };
  const maxEntries = options.maxEntries ?? 2000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<unknown>>();

  const headers = (json: boolean): Record<string, string> => ({
    accept: 'application/json',
    ...(json ? { 'content-type': 'application/json' } : {}),
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
  });
  const urlOf = (path: string): URL => new URL(`${SHOP_API_VERSION}${path}`, base);

  /** One HTTP request with the timeout; returns status and parsed JSON (or throws SHOP_UNAVAILABLE). */
  async function request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    let res: Response;
    try {
      res = await fetch(urlOf(path), {
        method,
        headers: headers(body !== undefined),
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
      });
    } catch (err) {
      const name = (err as Error).name;
      throw unavailable(path, name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `unreachable (${(err as Error).message})`, err);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw unavailable(path, 'response cut off', err);
    }
    if (res.status === 404) return { status: 404, json: undefined };
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch (err) {
      throw unavailable(path, `HTTP ${res.status} with a body that is not JSON`, err);
    }
    return { status: res.status, json };
  }

  function parse<T>(path: string, schema: z.ZodType<T>, json: unknown): T {
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw unavailable(path, `answer does not match the contract (${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'})`);
    }
    return parsed.data;
  }

  function fresh(key: string): Entry | undefined {
    const e = cache.get(key);
    return e && now() - e.at < ttlMs[e.ttl] ? e : undefined;
  }

  function remember(key: string, ttl: Freshness, value: unknown): void {
    if (ttlMs[ttl] <= 0) return;
    cache.delete(key); // re-insert: Map order is age order
    cache.set(key, { at: now(), ttl, value });
    while (cache.size > maxEntries) {
      const oldest = cache.keys().next().value;
      if (oldest === undefined) break;
      cache.delete(oldest);
    }
  }

  /** GET with cache, in-flight sharing and read retries. 404 → undefined. */
  async function read<T>(path: string, schema: z.ZodType<T>, ttl: Freshness): Promise<T | undefined> {
    const hit = fresh(path);
    if (hit) return hit.value as T | undefined;
    const pending = inFlight.get(path);
    if (pending) return pending as Promise<T | undefined>;
    const attempt = (async (): Promise<T | undefined> => {
      let lastError: unknown;
      for (let i = 0; i <= readRetries; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 100 * 2 ** (i - 1)));
        try {
          const { status, json } = await request('GET', path);
          if (status === 404) {
            remember(path, ttl, undefined);
            return undefined;
          }
          if (status >= 500 || status === 429) {
            lastError = unavailable(path, `HTTP ${status}`);
            continue;
          }
          if (status !== 200) throw unavailable(path, `HTTP ${status}`);
          const value = parse(path, schema, json);
          remember(path, ttl, value);
          return value;
        } catch (err) {
          lastError = err;
          // A contract violation will not fix itself on a retry.
          if (err instanceof AppError && /does not match|not JSON|HTTP 4/.test(err.message)) break;
        }
      }
      throw lastError instanceof AppError ? lastError : unavailable(path, String(lastError), lastError);
    })();
    inFlight.set(path, attempt);
    try {
      return await attempt;
    } finally {
      inFlight.delete(path);
    }
  }

  const enc = encodeURIComponent;
  let lastPolicy: ShopPolicy | undefined;
  let lastProducts: Product[] = [];

  const adapter: HttpShopAdapter = {
    kind: 'http',
    async policy() {
      const p = await read('/policy', policyWire, 'catalogue');
      if (!p) throw unavailable('/policy', 'HTTP 404: the policy is required');
      lastPolicy = p;
      return structuredClone(p);
    },
    async products() {
      const list = await read('/products', productsWire, 'catalogue');
      if (!list) throw unavailable('/products', 'HTTP 404: the catalogue is required');
      lastProducts = list.products;
      return structuredClone(list.products);
    },
    async stock(productId) {
      const s = await read(`/products/${enc(productId)}/stock`, stockWire, 'live');
      return s && structuredClone<ProductVariant[]>(s.variants);
    },
    async buyer(id) {
      const b = await read(`/buyers/${enc(id)}`, buyerWire, 'live');
      return b && structuredClone<Buyer>(b);
    },
    async ordersByBuyer(buyerId) {
      const o = await read(`/buyers/${enc(buyerId)}/orders`, ordersWire, 'live');
      return o ? structuredClone<Order[]>(o.orders) : [];
    },
    async order(number) {
      const o = await read(`/orders/${enc(number.toUpperCase())}`, orderWire, 'live');
      return o && structuredClone<Order>(o);
    },
    async tracking(number) {
      const t = await read(`/orders/${enc(number.toUpperCase())}/tracking`, trackingWire, 'live');
      return t ? structuredClone<TrackingEvent[]>(t.events) : [];
    },
    async buyers() {
      const b = await read('/buyers', buyersWire, 'live');
      return b ? structuredClone<Buyer[]>(b.buyers) : [];
    },
    async sendAct(act: ShopAct): Promise<ActOutcome> {
      // Not retried here: the outbox retries with backoff, and the id makes a resend safe.
      const { status, json } = await request('POST', '/acts', act);
      if (status >= 500 || status === 429 || status === 404) throw unavailable('/acts', `HTTP ${status}`);
      if (status !== 200) {
        // The shop rejected the request itself (400/409/422): a refusal the agent must see, not a retry loop.
        const message = typeof json === 'object' && json !== null ? JSON.stringify(json).slice(0, 200) : `HTTP ${status}`;
        return { status: 'refused', reason: `HTTP ${status}: ${message}` };
      }
      const result = parse('/acts', actResultWire, json);
      if (result.id !== act.id) throw unavailable('/acts', `answered for act ${result.id}, not ${act.id}`);
      return result.status === 'accepted' ? { status: 'accepted' } : { status: 'refused', reason: result.reason };
    },
    cached() {
      return cachedView();
    },
    async warmUp() {
      await adapter.policy();
      await adapter.products();
    },
  };

  /** Fresh cache entries only (plus the last policy and catalogue), as a synchronous ShopData. */
  function cachedView(): ShopData {
    if (!lastPolicy) throw unavailable('/policy', 'not loaded yet (call warmUp at start)');
    const orders: Order[] = [];
    const buyers: Buyer[] = [];
    for (const [key, e] of cache) {
      if (!fresh(key) || e.value === undefined) continue;
      if (/^\/orders\/[^/]+$/.test(key)) orders.push(e.value as Order);
      else if (/^\/buyers\/[^/]+\/orders$/.test(key)) orders.push(...(e.value as { orders: Order[] }).orders);
      else if (/^\/buyers\/[^/]+$/.test(key)) buyers.push(e.value as Buyer);
    }
    const byNumber = new Map(orders.map((o) => [o.number.toUpperCase(), o]));
    const view = createShopData({ policy: lastPolicy, products: lastProducts, buyers, orders: [...byNumber.values()] });
    // Tracking comes from its own resource when fresh; the order's embedded events otherwise.
    return {
      ...view,
      trackingEvents: (number) => {
        const t = fresh(`/orders/${enc(number.toUpperCase())}/tracking`);
        return t?.value ? structuredClone((t.value as { events: TrackingEvent[] }).events) : view.trackingEvents(number);
      },
    };
  }

  return adapter;
}
