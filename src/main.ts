/**
 * The process entry point: read and validate config, start the server (src/server.ts: the
 * store, the shop, the scripts, the engine and the app), print where everything is, and shut
 * down gracefully on SIGTERM / SIGINT.
 */
import { bannerLines } from './banner';
import { loadConfig, type Config } from './config';
import { isAppError } from './errors';
import { startServer, type RunningServer } from './server';
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
  let server: RunningServer;
  try {
    server = await startServer(config, { logger });
  } catch (err) {
    logger.fatal({ err }, 'start failed');
    process.stderr.write(`${isAppError(err) ? `${err.code}: ${err.message}` : String(err)}\nThe server did not start.\n`);
    process.exit(1);
  }
  printUrls(config, server.port);

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
        await server.stop();
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
