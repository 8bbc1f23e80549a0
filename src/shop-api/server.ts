/**
 * The reference shop API: the contract of docs/shop-api.md served over a ShopData (the demo
 * YAML shop by default). It is what the HTTP adapter's tests talk to, and what a shop's
 * developer reads to see what to implement. Acts are kept in memory and answered
 * idempotently: the same act id always gets the first answer; the same id with a different
 * body is a 409.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { ShopData } from '../shop/types';
import { actWire, SHOP_API_VERSION, type ActResultWire, type ActWire } from '../shop/wire';

export interface ShopApiOptions {
  shop: ShopData;
  /** When set, every request needs `Authorization: Bearer <token>`. */
  token?: string;
  /** Largest request body (default 64 KiB). */
  maxBodyBytes?: number;
}

export interface ShopApi {
  readonly server: Server;
  /** Acts received, each id once, in arrival order (for tests and the GET /v1/acts listing). */
  acts(): { act: ActWire; result: ActResultWire; received: number; deliveries: number }[];
}

/** Kinds the reference shop understands; anything else is refused (a real shop would say the same). */
const KNOWN_KINDS = new Set(['deal', 'address_change', 'exchange', 'return', 'refund', 'cod', 'remark']);
/** Kinds that change how the parcel leaves the warehouse: refused once it has. */
const BEFORE_SHIPPING = new Set(['address_change', 'cod']);

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

function fail(res: ServerResponse, status: number, code: string, message: string): void {
  send(res, status, { error: { code, message } });
}

async function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Builds the server (not listening). */
export function createShopApi(options: ShopApiOptions): ShopApi {
  const { shop } = options;
  const maxBody = options.maxBodyBytes ?? 64 * 1024;
  const acts = new Map<string, { act: ActWire; body: string; result: ActResultWire; received: number; deliveries: number }>();
  const prefix = `/${SHOP_API_VERSION}/`;

  function decide(act: ActWire): ActResultWire {
    if (!KNOWN_KINDS.has(act.kind)) return { id: act.id, status: 'refused', reason: `unknown_kind:${act.kind}` };
    if (act.orderNumber === undefined) return { id: act.id, status: 'accepted' };
    const order = shop.order(act.orderNumber);
    if (!order || order.buyerId !== act.buyerId) return { id: act.id, status: 'refused', reason: 'unknown_order' };
    if (BEFORE_SHIPPING.has(act.kind) && order.status !== 'unpaid' && order.status !== 'paid') {
      return { id: act.id, status: 'refused', reason: 'already_shipped' };
    }
    return { id: act.id, status: 'accepted' };
  }

  async function postAct(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req, maxBody);
    if (text === null) return fail(res, 413, 'TOO_LARGE', `body over ${maxBody} bytes`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return fail(res, 400, 'BAD_JSON', 'body is not JSON');
    }
    const parsed = actWire.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return fail(res, 400, 'BAD_ACT', `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
    }
    const act = parsed.data;
    const canonical = JSON.stringify(act);
    const earlier = acts.get(act.id);
    if (earlier) {
      if (earlier.body !== canonical) return fail(res, 409, 'ID_REUSED', `act ${act.id} was sent before with different content`);
      earlier.deliveries += 1;
      return send(res, 200, earlier.result);
    }
    const result = decide(act);
    acts.set(act.id, { act, body: canonical, result, received: Date.now(), deliveries: 1 });
    send(res, 200, result);
  }

  function get(path: string[], res: ServerResponse): void {
    const [a, b, c, d] = path;
    if (a === 'policy' && b === undefined) return send(res, 200, shop.policy);
    if (a === 'products' && b === undefined) return send(res, 200, { products: shop.products() });
    if (a === 'products' && b !== undefined && c === 'stock' && d === undefined) {
      const p = shop.product(b);
      return p ? send(res, 200, { productId: p.id, variants: p.variants }) : fail(res, 404, 'NOT_FOUND', `no product ${b}`);
    }
    if (a === 'buyers' && b === undefined) return send(res, 200, { buyers: shop.buyers?.() ?? [] });
    if (a === 'buyers' && b !== undefined && c === undefined) {
      const buyer = shop.buyer(b);
      return buyer ? send(res, 200, buyer) : fail(res, 404, 'NOT_FOUND', `no buyer ${b}`);
    }
    if (a === 'buyers' && b !== undefined && c === 'orders' && d === undefined) {
      return send(res, 200, { orders: shop.ordersByBuyer(b) });
    }
    if (a === 'orders' && b !== undefined && c === undefined) {
      const order = shop.order(b);
      return order ? send(res, 200, order) : fail(res, 404, 'NOT_FOUND', `no order ${b}`);
    }
    if (a === 'orders' && b !== undefined && c === 'tracking' && d === undefined) {
      const order = shop.order(b);
      return order
        ? send(res, 200, { orderNumber: order.number, events: shop.trackingEvents(order.number) })
        : fail(res, 404, 'NOT_FOUND', `no order ${b}`);
    }
    if (a === 'acts' && b === undefined) {
      return send(res, 200, { acts: [...acts.values()].map((e) => ({ ...e.act, result: e.result, deliveries: e.deliveries })) });
    }
    fail(res, 404, 'NOT_FOUND', 'no such resource');
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/healthz') return send(res, 200, { status: 'ok' });
    if (options.token !== undefined && !sameSecret(req.headers.authorization ?? '', `Bearer ${options.token}`)) {
      return fail(res, 401, 'UNAUTHORIZED', 'a valid bearer token is required');
    }
    if (!url.pathname.startsWith(prefix)) return fail(res, 404, 'NOT_FOUND', `the contract lives under ${prefix}`);
    let path: string[];
    try {
      path = url.pathname
        .slice(prefix.length)
        .split('/')
        .map((p) => decodeURIComponent(p));
    } catch {
      return fail(res, 400, 'BAD_PATH', 'bad percent-encoding');
    }
    if (req.method === 'GET') return get(path, res);
    if (req.method === 'POST' && path.length === 1 && path[0] === 'acts') {
      postAct(req, res).catch(() => fail(res, 500, 'INTERNAL', 'internal error'));
      return;
    }
    res.setHeader('allow', 'GET, POST');
    fail(res, 405, 'METHOD_NOT_ALLOWED', 'GET for reads, POST /v1/acts for acts');
  });

  return {
    server,
    acts: () => [...acts.values()].map(({ act, result, received, deliveries }) => ({ act, result, received, deliveries })),
  };
}
