/**
 * The process entry point and the only place with side effects at start: read and validate
 * config, open the store, load the shop and the serving scripts, build the engine and the
 * app with its concerns (buyer chat, agent console, script editor), listen, print where
 * everything is, and shut down gracefully on SIGTERM / SIGINT.
 */
import type { AddressInfo } from 'node:net';
import { createApp, type App } from './app';
import { bannerLines } from './banner';
import { loadConfig, type Config } from './config';
import { createEngine } from './dialogue/engine';
import { isAppError } from './errors';
import { countActs } from './metrics';
import { bootScripts, type BootedScripts } from './scripts/boot';
import { warmUpServer } from './dialogue/warm-up';
import type { ScriptBundle } from './scripts/bundle';
import type { ShopData } from './shop';
import { connectShop } from './shop';
import { ActDelivery } from './shop/outbox';
import { filesConcern } from './files/http-files';
import { WebhookChannel } from './channels/webhook';
import { webhookConcern } from './channels/http-webhook';
import { conversationChannel } from './conversation/events';
import { createStore } from './store';
import { repairHandoffInvariant } from './store/handoff-state';
import { withOutageFallback } from './store/outage';
import { startRetention } from './store/retention';
import type { Store } from './store/types';
import { registerAgentConsole } from './transport/http-agent';
import { createAgentRegistry } from './handoff/agents';
import { createHandoff, type Handoff } from './handoff/compose';
import { orderCardFor } from './handoff/view';
import { withTurnHooks } from './handoff/wiring';
import { noAgentNotice } from './handoff/queue-entry';
import { createMetrics } from './metrics';
import { scriptEditorConcern } from './transport/http-scripts';
import { quickPhrasesConcern } from './transport/http-phrases';
import { learnConcern } from './transport/http-learn';
import { reportsConcern } from './transport/http-reports';
import { createLogger, type Logger } from './transport/logger';

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (err) {
    // Plain text on stderr: this is read by a person fixing their environment.
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\nThe server did not start.\n`);
    process.exit(78); // EX_CONFIG
  }
}

function printUrls(config: Config, port: number): void {
  process.stdout.write(`${bannerLines(config, port).join('\n')}\n`);
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger: Logger = createLogger({ level: config.logLevel, base: { instance: config.instanceId } });
  let store: Store | undefined;
  let scripts: BootedScripts | undefined;
  let app: App | undefined;
  let acts: ActDelivery | undefined;
  let stopRetention: () => void = () => undefined;

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
      onJournalBatch: (batch) => metrics.journalBatch.observe(batch.ms / 1000),
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
    acts = new ActDelivery({
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
    app = createApp({
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
      suggest: (conv) => botEngine.suggest(conv),
      orderCard: (conv) => orderCardFor(shop, conv),
      buyerName: (id) => shop.buyer(id)?.name,
      lockMs: config.limits.turnLockMs,
      presenceLeaseMs: config.presence.leaseMs,
      awayGraceMs: config.presence.awayGraceMs,
      onError: (err, context) => handoffLog.error({ err, context }, 'handoff error'),
      noAgentNotice: () => noAgentNotice(botEngine),
    });
    handoffRef.current = handoff;
    registerAgentConsole(app.context, { handoff, agents, metrics });
    // The first buyers after a start meet compiled code, not cold (src/dialogue/warm-up.ts).
    await warmUp(shop, scripts.registry.getScripts(), config.shopId, logger);
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
    stopRetention = startRetention(store, { dataDir: config.dataDir, retentionDays: config.retentionDays, logger: storeLog });
    printUrls(config, port);
  } catch (err) {
    logger.fatal({ err }, 'start failed');
    process.stderr.write(`${isAppError(err) ? `${err.code}: ${err.message}` : String(err)}\nThe server did not start.\n`);
    await scripts?.sync.stop().catch(() => undefined);
    await store?.close().catch(() => undefined);
    process.exit(1);
  }

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight messages');
    const hardStop = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.limits.shutdownGraceMs + 10_000);
    hardStop.unref();
    void (async () => {
      try {
        stopRetention();
        await app?.close();
        await acts?.stop();
        await scripts?.sync.stop();
        await store?.close();
        logger.info('stopped');
        logger.flush();
        process.exitCode = 0;
      } catch (err) {
        logger.error({ err }, 'error during shutdown');
        process.exitCode = 1;
      } finally {
        clearTimeout(hardStop);
      }
    })();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

void main();

/**
 * Warms the engine up on the scripts' example phrases, with an engine of its own (its turns
 * reach no store, handoff, metrics or shop). A failure only costs the warm-up.
 */
async function warmUp(shop: ShopData, bundle: ScriptBundle, shopId: string, logger: Logger): Promise<void> {
  try {
    const { turns, ms } = await warmUpServer(shop, bundle, shopId);
    logger.info({ turns, ms: Math.round(ms) }, 'engine warmed up');
  } catch (err) {
    logger.warn({ err }, 'engine warm-up stopped early');
  }
}
