/** Shop data: the interface the engine reads through and the demo implementation. */
export * from './types';
export { loadDemoShop, createShopData, type DemoShopOptions } from './demo';
export { wallTime, instantAt, calendarDaysBetween, resolveRelativeTime, parseHhmm, type WallTime } from './clock';
export type { ShopAdapter, ShopAct, ActOutcome } from './adapter';
export { createDemoShopAdapter, type DemoShopAdapter } from './demo-adapter';
export { createHttpShopAdapter, type HttpShopAdapter, type HttpShopAdapterOptions } from './http-adapter';
export { loadShopSnapshot, createShopScope, orderNumbersIn, type ShopScope, type SnapshotRequest } from './snapshot';
export { connectShop, type ConnectedShop } from './connect';
