/**
 * The process entry point and the only place with side effects at start: read and validate
 * config, open the store, load the shop and the serving scripts, build the engine and the
 * app with its concerns (buyer chat, agent console, script editor), listen, print where
 * everything is, and shut down gracefully on SIGTERM / SIGINT.
 */
import type { AddressInfo } from 'node:net';
import { createApp, type App } from './app';
import { loadConfig, type Config } from './config';
import { createEngine } from './dialogue/engine';
import { isAppError } from './errors';
import { bootScripts, type BootedScripts } from './scripts/boot';
import { loadDemoShop } from './shop';
import { createStore } from './store';
import { withOutageFallback } from './store/outage';
import type { Store } from './store/types';
import { createAgentConsole } from './transport/http-agent';
import { scriptEditorConcern } from './transport/http-scripts';
import { quickPhrasesConcern } from './transport/http-phrases';
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
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const rows: [string, string][] = [
    ['Storefront (buyer widget)', `${base}/storefront`],
    ...config.agents.map((a): [string, string] => [`Agent console (${a.id})`, `${base}/agent?token=${encodeURIComponent(a.token)}`]),
    ...config.managers.map((m): [string, string] => [`Script editor (${m.id})`, `${base}/manage?token=${encodeURIComponent(m.token)}`]),
    ['Health', `${base}/healthz`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  const lines = [
    '',
    '  店小二 customer-service engine is running',
    ...rows.map(([label, url]) => `  ${`${label}:`.padEnd(width)}${url}`),
    ...(config.generatedTokens ? ['  (tokens generated for this run; set AGENT_TOKENS / MANAGER_TOKENS to fix them)'] : []),
    ...(config.generatedShopSecret
      ? ['  (SHOP_SECRET generated for this run: the storefront lets you chat as a demo buyer; set SHOP_SECRET to sign your shop\'s buyers)']
      : []),
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger: Logger = createLogger({ level: config.logLevel, base: { instance: config.instanceId } });
  let store: Store | undefined;
  let scripts: BootedScripts | undefined;
  let app: App | undefined;

  try {
    const storeLog = logger.child({ component: 'store' });
    store = createStore({
      ...(config.redisUrl ? { redisUrl: config.redisUrl } : {}),
      ...(config.redisClusterNodes ? { redisClusterNodes: config.redisClusterNodes } : {}),
      redisPrefix: config.redisPrefix,
      dataDir: config.dataDir,
      logger: storeLog,
    });
    // Several instances on Redis: keep answering buyers from a local copy while it is away,
    // with what they were told kept in this instance's spill file in DATA_DIR until Redis has it.
    if (store.kind === 'redis') {
      store = withOutageFallback(store, { logger: storeLog, spill: { dir: config.dataDir, instanceId: config.instanceId } });
    }
    const shop = loadDemoShop(config.shopDir);
    scripts = await bootScripts({
      store,
      scriptsDir: config.scriptsDir,
      shopDir: config.shopDir,
      shop,
      shopId: config.shopId,
      instanceId: config.instanceId,
      log: logger.child({ component: 'scripts' }),
    });
    const agentConsole = createAgentConsole();
    const engine = agentConsole.wrapEngine(createEngine({ shop, getScripts: scripts.registry.getScripts }));
    app = createApp({
      config,
      store,
      engine,
      shop,
      logger,
      scripts: scripts.registry,
      concerns: [
        agentConsole.concern,
        scriptEditorConcern(scripts.editor),
        quickPhrasesConcern({ phrases: () => scripts?.registry.getScripts().quickPhrases ?? [], metrics: agentConsole.metrics }),
      ],
    });
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
        await app?.close();
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
