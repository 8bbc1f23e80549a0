/**
 * createApp(deps) builds the HTTP + WebSocket server without listening, so tests drive it on
 * port 0 and main.ts only wires real dependencies and calls listen. Each concern registers
 * its routes and socket paths on the router in `registerConcerns` below, in a fixed order:
 * health → storefront and static files → buyer chat → the concerns passed in deps.concerns
 * (agent console with metrics, script editor).
 */
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { Config } from './config';
import { createWaitingRoom, type WaitingRoom } from './handoff/waiting';
import type { ShopData } from './shop/types';
import type { Store } from './store/types';
import type { ScriptBundle } from './scripts/bundle';
import type { ScriptRegistry } from './scripts/registry';
import { ConversationService, type ChatEngine, type ConversationServiceDeps } from './conversation/conversation-service';
import { ConversationFanout } from './conversation/fanout';
import { ChannelRouter } from './conversation/channel';
import { BuyerInbox } from './conversation/inbound';
import { TurnBackpressure } from './transport/backpressure';
import { handleBuyerSocket, type BuyerSocketHandle } from './transport/buyer-socket';
import type { Logger } from './transport/logger';
import { errorToResponse, logRequestFailure, Router, sendError, sendJson } from './transport/router';
import { signShopBuyer } from './transport/shop-identity';
import { clientAddressResolver } from './transport/client-address';
import { SocketServer } from './transport/socket-server';
import { StaticFiles } from './transport/static-files';
import { labelsScript } from './model/labels';
import { startIdleSweeper } from './transport/idle-sweeper';

export interface AppDeps {
  config: Config;
  store: Store;
  engine: ChatEngine;
  shop: ShopData;
  logger: Logger;
  clock?: () => Date;
  /** The registry whose bundle the engine reads; the script editor (issue 6) swaps it on publish. */
  scripts?: ScriptRegistry<ScriptBundle>;
  /** Directory of front-end files (default web/ next to this file: src/web, or dist/src/web in the build). */
  webDir?: string;
  /** Extra concerns registered after the built-in ones (agent console, script editor, metrics …). */
  concerns?: Concern[];
  /** Shop snapshot per turn and the after-turn hook (issue 13: async shop, acts outbox). */
  turnHooks?: Pick<ConversationServiceDeps, 'shopScope' | 'afterTurn'>;
  /** What queued buyers are told while they wait; default: built from `scripts` and the shop policy. */
  waiting?: WaitingRoom;
}

/** What a concern gets to register routes, socket paths and shutdown work. */
export interface AppContext {
  readonly deps: Required<Pick<AppDeps, 'config' | 'store' | 'engine' | 'shop' | 'logger' | 'clock'>> & AppDeps;
  readonly router: Router;
  readonly conversations: ConversationService;
  readonly fanout: ConversationFanout;
  /** The rules every channel applies to a buyer's message (src/conversation/inbound.ts). */
  readonly inbox: BuyerInbox;
  /** Push channels (webhook) register here to receive their conversations' outbound events. */
  readonly channels: ChannelRouter;
  readonly staticFiles: StaticFiles;
  readonly isShuttingDown: () => boolean;
  /** Runs at shutdown after new messages stop and before sockets close (in reverse order). */
  onClose(fn: () => Promise<void> | void): void;
}

/** A concern adds routes and sockets; it must not listen or do I/O at registration. */
export type Concern = (ctx: AppContext) => void;

export interface App {
  /** Not listening yet: call server.listen(port, host). */
  readonly server: Server;
  readonly router: Router;
  readonly conversations: ConversationService;
  readonly context: AppContext;
  /** The WebSocket side (open sockets, their buffered bytes). */
  readonly sockets: SocketServer;
  /**
   * Graceful shutdown: stop accepting connections and messages, finish in-flight bot turns
   * (up to limits.shutdownGraceMs), run concerns' close hooks, close sockets with 1001.
   * Does not close the store (main.ts owns it).
   */
  close(): Promise<void>;
}

/** The waiting room the conversation service uses for queued buyers (none without scripts). */
function waitingRoomOf(deps: AppDeps, clock: () => Date): { waiting?: WaitingRoom } {
  if (deps.waiting) return { waiting: deps.waiting };
  const scripts = deps.scripts;
  if (!scripts) return {};
  return { waiting: createWaitingRoom({ templates: () => scripts.getScripts().templates, policy: deps.shop.policy, clock }) };
}

/** Builds the app: router, socket server and conversation service. No listening, no I/O. */
export function createApp(deps: AppDeps): App {
  const clock = deps.clock ?? (() => new Date());
  const { config, store, logger } = deps;
  const router = new Router();
  let shuttingDown = false;
  const closeHooks: (() => Promise<void> | void)[] = [];
  const channels = new ChannelRouter(store);

  const conversations = new ConversationService({
    store,
    engine: deps.engine,
    logger: logger.child({ component: 'conversations' }),
    clock,
    shopId: config.shopId,
    instanceId: config.instanceId,
    turnLockMs: config.limits.turnLockMs,
    ...deps.turnHooks,
    admission: config.limits.abuse,
    ...waitingRoomOf(deps, clock),
    channels,
  });
  const { maxTextLength, rateLimitMessages, rateLimitWindowMs, abuse } = config.limits;
  const inbox = new BuyerInbox({
    conversations,
    rate: store,
    limits: { maxTextLength, rateLimitMessages, rateLimitWindowMs, messagesPerIp: abuse.messagesPerIp },
    isShuttingDown: () => shuttingDown,
  });
  const fanout = new ConversationFanout(store, (err, conversationId) => logger.error({ err, conversationId }, 'conversation event handler failed'), {
    inProcess: !store.capabilities.sharedAcrossInstances,
  });
  const context: AppContext = {
    deps: { ...deps, clock },
    router,
    conversations,
    fanout,
    inbox,
    channels,
    staticFiles: new StaticFiles(deps.webDir ?? join(__dirname, 'web')),
    isShuttingDown: () => shuttingDown,
    onClose: (fn) => closeHooks.push(fn),
  };

  registerConcerns(context, deps.concerns ?? []);

  const sockets = new SocketServer(router, { limits: config.limits, trustProxy: config.trustProxy, logger, allowedOrigins: config.allowedOrigins });
  const clientIp = clientAddressResolver(config.trustProxy);
  const server = createServer((req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      sendError(res, 'BAD_FRAME', 'Bad request URL');
      return;
    }
    const found = router.match(req.method ?? 'GET', url.pathname);
    if (!('handler' in found)) {
      if (found.allowed.length > 0) res.setHeader('allow', found.allowed.join(', '));
      sendError(res, 'NOT_FOUND', found.allowed.length > 0 ? 'Method not allowed' : undefined);
      return;
    }
    const ip = clientIp(req);
    Promise.resolve()
      .then(() => found.handler({ req, res, url, params: found.params, ip }))
      .catch((err: unknown) => {
        logRequestFailure(logger, err, url.pathname);
        errorToResponse(res, err);
      });
  });
  // Long-polling clients must not hold shutdown; sockets are closed explicitly.
  server.keepAliveTimeout = 5000;
  sockets.attach(server);
  // Session life cycle (issue 15): only once listening, so building the app starts no timers.
  let stopSweeper: () => void = () => undefined;
  server.once('listening', () => (stopSweeper = startIdleSweeper(store, config.limits.abuse, logger.child({ component: 'sessions' }))));

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      shuttingDown = true;
      stopSweeper();
      server.close();
      server.closeIdleConnections();
      const grace = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), config.limits.shutdownGraceMs).unref());
      const drained = await Promise.race([conversations.drain().then(() => 'drained' as const), grace]);
      if (drained === 'timeout') logger.warn('shutdown grace ended with bot turns still running');
      for (const hook of [...closeHooks].reverse()) {
        try {
          await hook();
        } catch (err) {
          logger.error({ err }, 'close hook failed');
        }
      }
      await sockets.close();
      await fanout.close();
      server.closeAllConnections();
    })();
    return closing;
  };

  return { server, router, conversations, context, sockets, close };
}

/**
 * The concerns in the order they register: the built-in ones here, then deps.concerns as
 * main.ts passes them: the script editor (`scriptEditorConcern` in transport/http-scripts.ts:
 * /manage, /api/scripts/*) and the others. The agent console (`registerAgentConsole` in
 * transport/http-agent.ts: /agent page, /ws/agent, /api/agent/*, /api/stats, /metrics) is
 * registered by main.ts once the app is built, on the handoff it builds with the app's
 * conversation service.
 */
function registerConcerns(ctx: AppContext, extra: Concern[]): void {
  const builtIn: Concern[] = [registerHealth, registerStorefront, registerBuyerChat];
  for (const concern of [...builtIn, ...extra]) concern(ctx);
}

/** GET /healthz: 200 while the server takes buyers (store ok or degraded-but-buffering), 503 when shutting down. */
export function registerHealth(ctx: AppContext): void {
  ctx.router.get('/healthz', ({ res }) => {
    const store = ctx.deps.store.health();
    if (ctx.isShuttingDown()) {
      sendJson(res, 503, { status: 'shutting_down', store: store.status });
      return;
    }
    sendJson(res, 200, { status: store.status, ...(store.reason ? { reason: store.reason } : {}), store: ctx.deps.store.kind });
  });
}

/** The demo storefront page, the widget and its stylesheet, and the product the page shows. */
export function registerStorefront(ctx: AppContext): void {
  const { router, staticFiles } = ctx;
  router.get('/', ({ res }) => {
    res.writeHead(302, { location: '/storefront' });
    res.end();
  });
  router.get('/storefront', ({ req, res }) => staticFiles.send(req, res, 'storefront.html'));
  router.get('/widget.js', ({ req, res }) => staticFiles.send(req, res, 'widget.js'));
  router.get('/widget.css', ({ req, res }) => staticFiles.send(req, res, 'widget.css'));
  router.get('/static/*', ({ req, res, params }) => staticFiles.send(req, res, params['*'] ?? ''));
  // The labels of reasons, priorities and order statuses for every page (src/model/labels.ts).
  staticFiles.define('labels.js', labelsScript());
  router.get('/labels.js', ({ req, res }) => staticFiles.send(req, res, 'labels.js'));
  // Pages link /static/favicon.svg; browsers still ask for /favicon.ico: nothing there, not an error.
  router.get('/favicon.ico', ({ res }) => {
    res.writeHead(204, { 'cache-control': 'public, max-age=86400' });
    res.end();
  });
  router.get('/api/shop/:shopId/product', ({ res, params, url }) => {
    if (params['shopId'] !== ctx.deps.config.shopId) {
      sendError(res, 'NOT_FOUND', 'Unknown shop');
      return;
    }
    const { shop } = ctx.deps;
    const id = url.searchParams.get('id');
    const product = id ? shop.product(id) : shop.featuredProduct();
    if (!product) {
      sendError(res, 'NOT_FOUND', 'Unknown product');
      return;
    }
    // Only what a product page shows: never the floor price.
    sendJson(res, 200, {
      shopName: shop.policy.shopName,
      product: {
        id: product.id,
        name: product.name,
        price: product.listPrice,
        description: product.description,
        variants: product.variants.map((v) => ({ size: v.size, color: v.color, inStock: v.stock > 0 })),
      },
      freeShippingFrom: shop.policy.freeShippingFrom,
    });
  });
  registerDemoBuyers(ctx);
}

/**
 * GET /api/demo/buyers: the demo shop's buyers with their signatures, for the storefront's
 * "以买家身份访问" switcher. Only in demo mode (SHOP_SECRET generated for this run): with a
 * configured secret this route does not exist, because handing out signatures would let
 * anyone act as any buyer of a real shop.
 */
export function registerDemoBuyers(ctx: AppContext): void {
  const { config, shop } = ctx.deps;
  if (!config.generatedShopSecret || !shop.buyers) return;
  const listBuyers = shop.buyers.bind(shop);
  ctx.router.get('/api/demo/buyers', ({ res }) => {
    const buyers = listBuyers().map((buyer) => {
      const order = shop.ordersByBuyer(buyer.id)[0];
      return {
        id: buyer.id,
        name: buyer.name,
        signature: signShopBuyer(config.shopSecret, buyer.id),
        ...(order ? { order: { number: order.number, status: order.status, item: order.items[0]?.name ?? '' } } : {}),
      };
    });
    sendJson(res, 200, { buyers });
  });
}

/** The buyer socket /ws/buyer. */
export function registerBuyerChat(ctx: AppContext): void {
  const log = ctx.deps.logger.child({ component: 'buyer-socket' });
  const open = new Set<BuyerSocketHandle>();
  // Past what this process can answer, buyers' next messages wait unread (src/transport/backpressure.ts).
  const backpressure = new TurnBackpressure({
    inFlight: () => ctx.conversations.turnsInFlight,
    high: ctx.deps.config.limits.maxTurnsInFlight,
    onChange: (paused, inFlight) =>
      paused
        ? log.warn({ inFlight }, 'behind on bot turns: buyer sockets that send now wait unread until the backlog is halved')
        : log.info({ inFlight }, 'backlog halved: paused buyer sockets read again'),
  });
  // After in-flight turns finish, push their last replies out before sockets close.
  ctx.onClose(async () => {
    backpressure.release();
    await Promise.allSettled([...open].map((c) => c.flush()));
  });
  ctx.router.socket('/ws/buyer', (ws, _req, { ip }) => {
    const handle = handleBuyerSocket(
      ws,
      {
        store: ctx.deps.store,
        conversations: ctx.conversations,
        inbox: ctx.inbox,
        fanout: ctx.fanout,
        limits: ctx.deps.config.limits,
        logger: log,
        shopSecret: ctx.deps.config.shopSecret,
        ip,
        backpressure,
      },
      log.child({ ip }),
    );
    open.add(handle);
    ws.once('close', () => open.delete(handle));
  });
}
