/**
 * The template preview's sample data reads like the shop's own: real names, the shop's gift,
 * prices that make sense together, a masked phone in addresses, a courier's latest event;
 * never a placeholder such as "示例gift".
 */
import { join } from 'node:path';
import { buildScriptBundle, loadScriptFiles } from '../../src/scripts/bundle';
import { sampleContext, sampleForMove, shopSample } from '../../src/scripts/sample-context';
import { loadDemoShop } from '../../src/shop';
import { templateVariables } from '../../src/replies/variables';

const NOW = new Date('2025-03-10T10:00:00+08:00');
const shop = loadDemoShop(join(__dirname, '../../demo/shop'), { now: NOW });
const bundle = buildScriptBundle(loadScriptFiles(join(__dirname, '../..'))).bundle!;
const data = { now: NOW, utcOffsetMinutes: 480 };

function contextFor(intent: string, move = ''): Record<string, any> {
  return sampleContext(templateVariables(intent), NOW, sampleForMove(shopSample(shop, NOW), move, NOW, shop.policy), {});
}

describe('sample context for the template preview', () => {
  it.each(Object.keys(bundle.templates))('every variant of %s renders without a placeholder', (intent) => {
    for (const [name, move] of Object.entries(bundle.templates[intent]!.moves)) {
      const ctx = contextFor(intent, name);
      for (const v of move.variants) {
        const text = v.render(ctx, { data });
        expect(text).not.toMatch(/示例|〔|undefined|NaN|\[object/);
      }
    }
  });

  it('bargaining values tell one story: offer under the floor, counter above it, the shop gift', () => {
    const ctx = contextFor('haggle.bargain');
    const coat = shop.featuredProduct()!;
    expect(ctx.price).toBe(coat.listPrice);
    expect(ctx.floor).toBe(coat.floorPrice);
    expect(ctx.offer).toBeLessThan(ctx.floor);
    expect(ctx.counter).toBeGreaterThan(ctx.floor);
    expect(ctx.counter).toBeLessThan(ctx.price);
    expect(ctx.deal).toBeGreaterThanOrEqual(ctx.floor);
    expect(ctx.deal).toBeLessThanOrEqual(ctx.counter);
    expect(ctx.gift).toBe('同色系袜子一双');
    expect(ctx.cheaper.price).toBeLessThan(ctx.price);
    expect(ctx.buyer.name).toBe('王小明');
  });

  it('addresses are the buyer’s, with the phone masked when a template shows them', () => {
    const t = bundle.templates['address.change']!;
    const readBack = t.moves['read_back']!.variants[0]!.render(contextFor('address.change'), { data });
    expect(readBack).toMatch(/138\*\*\*\*5678/);
    expect(readBack).not.toContain('13812345678');
  });

  it('delivery uses a parcel on its way: its courier, number and latest event', () => {
    const ctx = contextFor('delivery.tracking');
    expect(ctx.carrier).toBe('中通快递');
    expect(ctx.trackingNumber).toBe('75312345678901');
    expect(ctx.event.description).toMatch(/^【.+】/);
    expect(ctx.daysInTransit).toBeGreaterThanOrEqual(1);
  });

  it('a reply for a case past the return window or overdue reads that way', () => {
    expect(contextFor('return.refund', 'within')).toMatchObject({ daysSinceDelivery: 3, daysLeft: 4 });
    expect(contextFor('return.refund', 'outside')).toMatchObject({ daysSinceDelivery: 10, daysLeft: 0 });
    expect(contextFor('delivery.tracking', 'overdue').daysInTransit).toBeGreaterThan(shop.policy.overdueDays);
    const soldOut = contextFor('product.stock', 'out_of_stock');
    expect(soldOut.stock).toBe(0);
    expect(soldOut.availableSizes.split('/')).not.toContain(soldOut.size);
    expect(contextFor('return.exchange', 'out_of_stock').inStock).toBe(false);
  });

  it('works without shop data, with values of its own', () => {
    const ctx: Record<string, any> = sampleContext(templateVariables('haggle.bargain'), NOW, shopSample(undefined, NOW), {});
    expect(ctx.buyer.name).not.toMatch(/示例/);
    expect(ctx.gift).toBe('同色系袜子一双');
    expect(ctx.offer).toBeLessThan(ctx.floor);
  });

  it('the manager may override any value', () => {
    const ctx: Record<string, any> = sampleContext(templateVariables('haggle.bargain'), NOW, shopSample(shop, NOW), {
      gift: '定制钥匙扣',
      buyer: { name: '赵敏' },
    });
    expect(ctx.gift).toBe('定制钥匙扣');
    expect(ctx.buyer).toEqual({ name: '赵敏', returning: true });
  });
});
