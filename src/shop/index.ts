/** Shop data: the interface the engine reads through and the demo implementation. */
export * from './types';
export { loadDemoShop, createShopData, type DemoShopOptions } from './demo';
export { wallTime, instantAt, calendarDaysBetween, resolveRelativeTime, parseHhmm, type WallTime } from './clock';
