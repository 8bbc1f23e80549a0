/** The demo shop: relative times resolve against the given instant; lookups hand out frozen data; bad data is refused. */
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDemoShop } from '../../src/shop/demo';
import { resolveRelativeTime } from '../../src/shop/clock';

const DIR = join(__dirname, '..', '..', 'demo', 'shop');
const NOW = new Date('2025-03-10T10:00:00+08:00');

test('the demo has the order states the flows need', () => {
  const shop = loadDemoShop(DIR, { now: NOW });
  const states = new Set(['B001', 'B002', 'B003', 'B004', 'B005', 'B006', 'B007'].map((b) => shop.ordersByBuyer(b)[0]!.status));
  expect(states).toEqual(new Set(['paid', 'shipped', 'unpaid', 'delivered', 'disputed']));
  expect(shop.featuredProduct()!.id).toBe('P100');
  for (const p of shop.products()) expect(p.floorPrice).toBeLessThanOrEqual(p.listPrice);
  expect(shop.products().length).toBeGreaterThanOrEqual(5);
});

test('order times are relative to the load instant, in shop wall-clock time', () => {
  const shop = loadDemoShop(DIR, { now: NOW });
  const e1004 = shop.order('E1004')!;
  // "-3d 10:15" → three calendar days before the 10th, at 10:15 Beijing time.
  expect(e1004.deliveredAt).toBe('2025-03-07T02:15:00.000Z');
  expect(shop.order('e1001')!.paidAt).toBe(new Date(NOW.getTime() - 3_600_000).toISOString());
  expect(shop.trackingEvents('E1002').at(-1)!.description).toContain('派件');
});

test('orders by buyer are newest first, and history fills in the buyer address', () => {
  const shop = loadDemoShop(DIR, { now: NOW });
  const orders = shop.ordersByBuyer('B001');
  expect(orders.length).toBeGreaterThan(1);
  expect(orders.map((o) => o.createdAt)).toEqual([...orders.map((o) => o.createdAt)].sort().reverse());
  expect(orders.at(-1)!.address).toEqual(shop.buyer('B001')!.address);
});

test('lookups hand out frozen data, so a caller cannot change the shop; lists are fresh arrays', () => {
  const shop = loadDemoShop(DIR, { now: NOW });
  expect(() => (shop.product('P100')!.floorPrice = 1)).toThrow(TypeError);
  expect(() => shop.ordersByBuyer('B001')[0]!.items.push({ productId: 'X', name: 'x', quantity: 1, price: 1 })).toThrow(TypeError);
  expect(() => (shop.policy.couriers[0]!.name = 'x')).toThrow(TypeError);
  shop.products().reverse();
  expect(shop.product('P100')!.floorPrice).toBe(380);
  expect(shop.products()[0]!.id).toBe('P100');
});

test('a product whose floor is above its list price is refused, naming the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shop-'));
  for (const f of ['buyers.yaml', 'orders.yaml', 'policy.yaml']) copyFileSync(join(DIR, f), join(dir, f));
  writeFileSync(join(dir, 'products.yaml'), readFileSync(join(DIR, 'products.yaml'), 'utf8').replace('floorPrice: 380', 'floorPrice: 999'));
  expect(() => loadDemoShop(dir, { now: NOW })).toThrow(/products\.yaml: P100 floorPrice above listPrice/);
  writeFileSync(join(dir, 'products.yaml'), '- id: X\n  name: x\n');
  expect(() => loadDemoShop(dir, { now: NOW })).toThrow(/products\.yaml/);
});

test('size charts are read, and a chart naming a size the product lacks or an inverted range is refused', () => {
  const shop = loadDemoShop(DIR, { now: NOW });
  expect(shop.product('P100')!.sizeChart).toContainEqual({ size: 'M', heightCm: [158, 165], weightKg: [45, 55] });
  expect(shop.product('P500')!.sizeChart).toBeUndefined();
  const dir = mkdtempSync(join(tmpdir(), 'shop-'));
  for (const f of ['buyers.yaml', 'orders.yaml', 'policy.yaml']) copyFileSync(join(DIR, f), join(dir, f));
  const products = readFileSync(join(DIR, 'products.yaml'), 'utf8');
  writeFileSync(join(dir, 'products.yaml'), products.replace('{ size: XL, heightCm: [172, 180]', '{ size: XXL, heightCm: [172, 180]'));
  expect(() => loadDemoShop(dir, { now: NOW })).toThrow(/P100 sizeChart names size XXL/);
  writeFileSync(join(dir, 'products.yaml'), products.replace('heightCm: [158, 165]', 'heightCm: [165, 158]'));
  expect(() => loadDemoShop(dir, { now: NOW })).toThrow(/products\.yaml: .*sizeChart.*min <= max/);
});

test('relative time specs', () => {
  expect(resolveRelativeTime('-2h', NOW, 480).toISOString()).toBe('2025-03-10T00:00:00.000Z');
  expect(resolveRelativeTime('-1d 17:32', NOW, 480).toISOString()).toBe('2025-03-09T09:32:00.000Z');
  expect(() => resolveRelativeTime('yesterday', NOW, 480)).toThrow(/not a time/);
});
