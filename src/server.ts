/**
 * The server as `npm start` runs it: open the store, load the shop and the serving scripts,
 * build the engine and the app with its concerns (buyer chat, agent console, script editor),
 * warm the engine up and listen. src/main.ts calls it (and handles signals and printing);
 * bench:ws calls it too, so what the benchmark measures is what ships.
 */
import type { AddressInfo } from 'node:net';
import { createApp, type App } from './app';
import type { Config } from './config';
import { createEngine, type Engine } from './dialogue/engine';
import { warmUpEngine, warmUpPhrases } from './dialogue/warm-up';
import { countActs, createMetrics } from './metrics';
import { bootScripts, type BootedScripts } from './scripts/boot';
import type { ScriptBundle } from './scripts/bundle';
import type { ScriptRegistry } from './scripts/registry';
import type { ShopData } from './shop';
import { connectShop, type ShopScope } from './shop';
import { ActDelivery } from './shop/outbox';
import { filesConcern } from './files/http-files';
import { WebhookChannel } from './channels/webhook';
import { webhookConcern } from './channels/http-webhook';
import { conversationChannel } from './conversation/events';
import { createMemoryStore, createStore, type JournalBatch } from './store';
import { repairHandoffInvariant } from './store/handoff-state';
import { withOutageFallback } from './store/outage';
import { startRetention } from './store/retention';
import type { Store } from './store/types';
import { registerAgentConsole } from './transport/http-agent';
import { createAgentRegistry } from './handoff/agents';
import { botAndShopDeps, createHandoff, type Handoff } from './handoff/compose';
import { withTurnHooks } from './handoff/wiring';
import { scriptEditorConcern } from './transport/http-scripts';
import { quickPhrasesConcern } from './transport/http-phrases';
import { learnConcern } from './transport/http-learn';
import { reportsConcern } from './transport/http-reports';
import type { Logger } from './transport/logger';

export interface StartServerOptions {
  logger: Logger;
  /** Told each embedded-store journal batch besides the metrics (bench:ws prints them). */
  onJournalBatch?: (batch: JournalBatch) => void;
  /** Warm the engine up before listening (default true; bench:ws can measure without). */
  warmUp?: boolean;
}

export interface RunningServer {
  app: App;
  store: Store;
  /** The port it listens on (config.port, or the one the system chose for 0). */
  port: number;
  /** Stops taking messages, finishes the ones in flight, then closes the outbox, the script sync and the store. */
  stop(): Promise<void>;
}

/** Starts the server; on failure closes what it had opened and throws. */
export async function startServer(config: Config, options: StartServerOptions): Promise<RunningServer> {
  const { logger } = options;
  let store: Store | undefined;
  let scripts: BootedScripts | undefined;
  try {
    const storeLog = logger.child({ component: 'store' });
    const metrics = createMetrics();
    store = createStore({
      ...(config.redisUrl ? { redisUrl: config.redisUrl } : {}),
      ...(config.redisClusterNodes ? { redisClusterNodes: config.redisClusterNodes } : {}),
      ...(config.redisSentinel ? { redisSentinel: config.redisSentinel } : {}),
      redisPrefix: config.redisPrefix,
      dataDir: config.dataDir,
      logger: storeLog,
      onJournalBatch: (batch) => {
        metrics.journalBatch.observe(batch.ms / 1000);
        options.onJournalBatch?.(batch);
      },
    });
    // Several instances on Redis: keep answering buyers from a local copy while it is away,
    // with what they were told kept in this instance's spill file in DATA_DIR until Redis has it.
    if (store.capabilities.remote) {
      store = withOutageFallback(store, { logger: storeLog, spill: { dir: config.dataDir, instanceId: config.instanceId } });
    }
    // The demo YAML shop, or the shop's own system when SHOP_API_URL is set (src/shop/connect.ts).
    const connected = await connectShop({ shopDir: config.shopDir, ...(config.shopApi ? { shopApi: config.shopApi } : {}) });
    const shop = connected.scope.shop;
    logger.info({ shop: connected.adapter.kind, ...(config.shopApi ? { url: config.shopApi.url } : {}) }, 'shop connected');
    // The signed webhook channel (docs/channels.md) when WEBHOOK_SECRET and WEBHOOK_CALLBACK_URL are set.
    const webhook = config.webhook ? new WebhookChannel({ store, ...config.webhook, logger: logger.child({ component: 'webhook' }) }) : undefined;
    // Acts the bot records go to the shop from the store's durable outbox (src/shop/outbox.ts); the webhook's callbacks too.
    const actStore = store;
    const acts = new ActDelivery({
      store: actStore,
      adapter: connected.adapter,
      ...(webhook ? { routes: [webhook.route()] } : {}),
      logger: logger.child({ component: 'acts' }),
      publish: (conversationId, list) => actStore.publish(conversationChannel(conversationId), { kind: 'acts', conversationId, acts: list }),
    });
    const actDelivery = acts;
    scripts = await bootScripts({
      store,
      scriptsDir: config.scriptsDir,
      shopDir: config.shopDir,
      shop,
      shopId: config.shopId,
      instanceId: config.instanceId,
      log: logger.child({ component: 'scripts' }),
    });
    // Older data may break "queued iff in the queue": repair it before anything routes.
    await repairHandoffInvariant(
      store,
      config.agents.map((a) => a.id),
      (fields, msg) => storeLog.warn(fields, msg),
      config.limits.turnLockMs,
    );
    // The handoff stage needs the app's conversation service, and the app's engine reports
    // each buyer turn to the handoff: the engine's hook finds the handoff once it is built below.
    const agents = createAgentRegistry(config.agents.map((a) => ({ ...a })));
    const handoffRef: { current?: Handoff } = {};
    const botEngine = createEngine({ shop, getScripts: scripts.registry.getScripts, onActs: (acts) => countActs(metrics, acts) });
    const engine = withTurnHooks(botEngine, { onBuyerTurn: (info) => handoffRef.current?.entrance.onBuyerTurn(info) ?? Promise.resolve() });
    const app = createApp({
      config,
      store,
      engine,
      shop,
      logger,
      scripts: scripts.registry,
      concerns: [
        scriptEditorConcern(scripts.editor),
        filesConcern(),
        quickPhrasesConcern({ phrases: () => scripts?.registry.getScripts().quickPhrases ?? [], metrics }),
        learnConcern({ editor: scripts.editor, scripts: scripts.registry.getScripts, metrics }),
        ...(webhook && config.webhook ? [webhookConcern({ channel: webhook, secret: config.webhook.secret })] : []),
        reportsConcern(),
      ],
      turnHooks: { shopScope: connected.scope, afterTurn: async (before, after) => void (await actDelivery.enqueueFromTurn(before, after)) },
    });
    const handoffLog = logger.child({ component: 'handoff' });
    const handoff = createHandoff({
      store,
      agents,
      conversations: app.conversations,
      metrics,
      ...botAndShopDeps(botEngine, shop, config),
      onError: (err, context) => handoffLog.error({ err, context }, 'handoff error'),
    });
    handoffRef.current = handoff;
    registerAgentConsole(app.context, { handoff, agents, metrics });
    // The first buyers after a start meet compiled code, not cold (src/dialogue/warm-up.ts).
    if (options.warmUp !== false) {
      // An engine of its own: the warm-up's turns and acts must not reach the handoff or the metrics.
      const warmEngine = createEngine({ shop, getScripts: scripts.registry.getScripts });
      await warmUp(warmEngine, shop, scripts.registry.getScripts(), config.shopId, logger);
      await warmUpTurns(config, { engine: warmEngine, shop, scope: connected.scope, scripts: scripts.registry }, logger);
    }
    const server = app.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    logger.info({ host: config.host, port, store: store.kind }, 'listening');
    actDelivery.start();
    // Closed conversations past RETENTION_DAYS: archived to DATA_DIR/archive, then removed (now and hourly).
    const stopRetention = startRetention(store, { dataDir: config.dataDir, retentionDays: config.retentionDays, logger: storeLog });
    return {
      app,
      store,
      port,
      async stop() {
        stopRetention();
        await app.close();
        await acts.stop();
        await scripts?.sync.stop();
        await store?.close();
      },
    };
  } catch (err) {
    await scripts?.sync.stop().catch(() => undefined);
    await store?.close().catch(() => undefined);
    throw err;
  }
}

/**
 * Warms the engine up on the scripts' example phrases, as the shop's first known buyer (so
 * order flows run too), on throwaway conversations. A failure only costs the warm-up.
 */
async function warmUp(engine: Engine, shop: ShopData, bundle: ScriptBundle, shopId: string, logger: Logger): Promise<void> {
  try {
    const { turns, ms } = await warmUpEngine(engine, bundle, { shopId, buyerId: shop.buyers?.()[0]?.id ?? 'warm-up' });
    logger.info({ turns, ms: Math.round(ms) }, 'engine warmed up');
  } catch (err) {
    logger.warn({ err }, 'engine warm-up stopped early');
  }
}

/**
 * Warms up the rest of a buyer turn: sessions, the store, the bus and the shop scope, on an
 * app of its own over a store in memory only (nothing of it is kept or journaled, and it
 * reaches no handoff, outbox or metrics). The engine warm-up above covers the engine alone;
 * a first wave of buyers after a start also runs these paths for the first time.
 */
async function warmUpTurns(
  config: Config,
  parts: { engine: Engine; shop: ShopData; scope: ShopScope; scripts: ScriptRegistry<ScriptBundle> },
  logger: Logger,
  maxMs = 1000,
): Promise<void> {
  const started = performance.now();
  const store = createMemoryStore({});
  const app = createApp({
    config,
    store,
    engine: parts.engine,
    shop: parts.shop,
    logger: logger.child({ component: 'warm-up' }, { level: 'silent' }),
    scripts: parts.scripts,
    turnHooks: { shopScope: parts.scope },
  });
  let turns = 0;
  try {
    const phrases = warmUpPhrases(parts.scripts.getScripts(), 600);
    // Several conversations at once, as buyers come: 20 of them, a phrase each per round.
    const sessions = await Promise.all(Array.from({ length: 20 }, () => app.conversations.openSession({})));
    for (let round = 0; turns < phrases.length && performance.now() - started < maxMs; round += 1) {
      await Promise.all(
        sessions.map((s, i) => {
          const text = phrases[turns + i];
          return text === undefined ? undefined : app.conversations.receiveBuyerMessage(s.conversation.id, `w${round}-${i}`, text);
        }),
      );
      turns += sessions.length;
      await app.conversations.drain();
    }
    logger.info({ turns: Math.min(turns, phrases.length), ms: Math.round(performance.now() - started) }, 'buyer turns warmed up');
  } catch (err) {
    logger.warn({ err }, 'buyer-turn warm-up stopped early');
  } finally {
    await app.close();
    await store.close();
  }
}
