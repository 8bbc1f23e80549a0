/**
 * Chooses the shop adapter from config: the demo YAML shop under SHOP_DIR by default, the
 * HTTP adapter when SHOP_API_URL is set (its policy and catalogue are loaded here, so a shop
 * API that is down or speaks another contract stops the start with a clear message).
 */
import type { ShopApiConfig } from '../config';
import { AppError } from '../errors';
import type { ShopAdapter } from './adapter';
import { loadDemoShop } from './demo';
import { createDemoShopAdapter } from './demo-adapter';
import { createHttpShopAdapter } from './http-adapter';
import { createShopScope, type ShopScope } from './snapshot';

export interface ConnectedShop {
  adapter: ShopAdapter;
  scope: ShopScope;
}

export interface ConnectShopOptions {
  shopDir: string;
  shopApi?: ShopApiConfig;
}

/** The adapter config asks for, warmed up, with its turn scope. */
export async function connectShop(options: ConnectShopOptions): Promise<ConnectedShop> {
  if (!options.shopApi) {
    const adapter = createDemoShopAdapter(loadDemoShop(options.shopDir));
    return { adapter, scope: createShopScope(adapter) };
  }
  const api = options.shopApi;
  const adapter = createHttpShopAdapter({
    baseUrl: api.url,
    ...(api.token !== undefined ? { token: api.token } : {}),
    timeoutMs: api.timeoutMs,
    readRetries: api.readRetries,
    liveTtlMs: api.liveTtlMs,
    catalogueTtlMs: api.catalogueTtlMs,
  });
  try {
    await adapter.warmUp();
  } catch (err) {
    throw new AppError(
      'INVALID_CONFIG',
      `SHOP_API_URL ${api.url}: cannot load the shop's policy and catalogue: ${(err as Error).message}`,
      undefined,
      { cause: err },
    );
  }
  return { adapter, scope: createShopScope(adapter) };
}
