/**
 * `npm run shop-api`: serves the shop data under SHOP_DIR (default demo/shop) over the shop
 * API contract (docs/shop-api.md) on PORT (default 3100) and HOST (default 127.0.0.1).
 * SHOP_API_TOKEN, when set, is required as a bearer token. Logs one JSON line per event.
 */
import type { AddressInfo } from 'node:net';
import { loadDemoShop } from '../shop/demo';
import { createShopApi } from './server';

function log(fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), component: 'shop-api', ...fields })}\n`);
}

function main(): void {
  const portText = process.env['PORT'] ?? '3100';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    process.stderr.write(`PORT must be a whole number 0-65535, got "${portText}"\nThe shop API did not start.\n`);
    process.exit(78);
  }
  const host = process.env['HOST'] || '127.0.0.1';
  const shopDir = process.env['SHOP_DIR'] || './demo/shop';
  const token = process.env['SHOP_API_TOKEN'] || undefined;
  let api;
  try {
    api = createShopApi({ shop: loadDemoShop(shopDir), ...(token ? { token } : {}) });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\nThe shop API did not start.\n`);
    process.exit(78);
  }
  const { server } = api;
  server.listen(port, host, () => {
    const { port: bound } = server.address() as AddressInfo;
    log({ msg: 'listening', host, port: bound, shopDir });
  });
  const stop = (signal: string): void => {
    log({ msg: 'stopping', signal });
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main();
