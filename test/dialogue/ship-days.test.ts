/**
 * The cut-off rule on the shop calendar: paid before the cut-off ships that day, after it the
 * next day, and never on a day the warehouse does not ship (policy shipDays / noShipDates).
 */
import { createEngine } from '../../src/dialogue/engine';
import { shipByFor } from '../../src/dialogue/policy';
import type { ShopData, ShopPolicy } from '../../src/shop/types';
import { demoShop, shippedBundle } from './fixtures';

/** The demo shop with its policy changed (the demo ships every day). */
function withPolicy(base: ShopData, change: Partial<ShopPolicy>): ShopData {
  const shop = Object.create(base) as ShopData & { policy: ShopPolicy };
  Object.defineProperty(shop, 'policy', { value: { ...base.policy, ...change } });
  return shop;
}

const at = (iso: string) => new Date(iso);
const shop = demoShop();

test('every day: before the cut-off ships today, after it tomorrow, weekends included', () => {
  expect(shipByFor(at('2025-03-14T15:59:00+08:00'), shop)).toEqual(at('2025-03-14T16:00:00+08:00')); // Friday
  expect(shipByFor(at('2025-03-15T17:00:00+08:00'), shop)).toEqual(at('2025-03-16T16:00:00+08:00')); // Saturday → Sunday
});

test('a Monday-to-Friday warehouse ships the next working day', () => {
  const weekdays = withPolicy(shop, { shipDays: [1, 2, 3, 4, 5] });
  expect(shipByFor(at('2025-03-14T15:00:00+08:00'), weekdays)).toEqual(at('2025-03-14T16:00:00+08:00')); // Friday before the cut-off
  expect(shipByFor(at('2025-03-14T17:00:00+08:00'), weekdays)).toEqual(at('2025-03-17T16:00:00+08:00')); // Friday after → Monday
  expect(shipByFor(at('2025-03-15T09:00:00+08:00'), weekdays)).toEqual(at('2025-03-17T16:00:00+08:00')); // Saturday → Monday
  expect(shipByFor(at('2025-03-16T23:59:00+08:00'), weekdays)).toEqual(at('2025-03-17T16:00:00+08:00')); // Sunday night → Monday
});

test('holidays are skipped as well', () => {
  const holiday = withPolicy(shop, { shipDays: [1, 2, 3, 4, 5], noShipDates: ['2025-03-17', '2025-03-18'] });
  expect(shipByFor(at('2025-03-14T17:00:00+08:00'), holiday)).toEqual(at('2025-03-19T16:00:00+08:00'));
});

test('the bot promises the next working day to a buyer who paid on Saturday evening', () => {
  const saturday = at('2025-03-15T18:00:00+08:00');
  const weekdays = withPolicy(demoShop(saturday), { shipDays: [1, 2, 3, 4, 5] });
  const engine = createEngine({ shop: weekdays, getScripts: shippedBundle, clock: () => saturday, random: () => 0 });
  // B001 paid an hour before "now" and the order has not shipped.
  const r = engine.handleMessage(engine.openConversation({ id: 'sat', buyerId: 'B001', shopId: 'demo' }), '什么时候发货');
  expect(r.replies[0]!.intent).toBe('delivery.ship_time');
  // Monday, two calendar days on: "后天 16:00前", not today or tomorrow.
  expect(r.replies[0]!.text).toContain('后天 16:00');
  expect(r.replies[0]!.text).not.toMatch(/今天|明天/);
});
