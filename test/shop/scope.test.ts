/**
 * The shop scope (src/shop/snapshot.ts): each turn's engine call reads the snapshot loaded for
 * that turn, turns running at the same time never see each other's, and outside a turn the
 * engine reads the adapter's cached view.
 */
import { join } from 'node:path';
import { loadDemoShop } from '../../src/shop/demo';
import { createDemoShopAdapter } from '../../src/shop/demo-adapter';
import type { ShopAdapter } from '../../src/shop/adapter';
import { createShopScope } from '../../src/shop/snapshot';

const demo = loadDemoShop(join(__dirname, '../../demo/shop'));

/** The demo adapter, with each buyer's read delayed by `delays[buyerId]` ms. */
function slowAdapter(delays: Record<string, number>): ShopAdapter {
  const base = createDemoShopAdapter(demo);
  return {
    ...base,
    buyer: async (id) => {
      await new Promise((r) => setTimeout(r, delays[id] ?? 0));
      return base.buyer(id);
    },
  };
}

describe('shop scope', () => {
  it('reads the cached view outside a turn', () => {
    const scope = createShopScope(createDemoShopAdapter(demo));
    expect(scope.currentSnapshot()).toBeUndefined();
    expect(scope.shop.buyer('B001')?.name).toBe(demo.buyer('B001')?.name);
    expect(scope.shop.buyer('B002')?.name).toBe(demo.buyer('B002')?.name);
    expect(scope.shop.buyers?.().length).toBe(demo.buyers?.().length);
  });

  it('gives each of two overlapping turns its own snapshot, whichever loads first', async () => {
    const scope = createShopScope(slowAdapter({ B001: 40, B002: 0 }));
    const seen = (buyerId: string) => () => ({
      snapshotBuyer: scope.currentSnapshot()?.buyer?.id,
      own: scope.shop.buyer(buyerId)?.id,
      other: scope.shop.buyer(buyerId === 'B001' ? 'B002' : 'B001')?.id,
      orders: scope.shop.ordersByBuyer(buyerId).map((o) => o.number),
    });
    const [first, second] = await Promise.all([scope.run({ buyerId: 'B001' }, seen('B001')), scope.run({ buyerId: 'B002' }, seen('B002'))]);
    expect(first).toEqual({ snapshotBuyer: 'B001', own: 'B001', other: undefined, orders: demo.ordersByBuyer('B001').map((o) => o.number) });
    expect(second).toEqual({ snapshotBuyer: 'B002', own: 'B002', other: undefined, orders: demo.ordersByBuyer('B002').map((o) => o.number) });
    // Both done: back to the cached view.
    expect(scope.currentSnapshot()).toBeUndefined();
    expect(scope.shop.buyer('B002')?.id).toBe('B002');
  });

  it('restores the outer snapshot after a nested or failing call', async () => {
    const scope = createShopScope(createDemoShopAdapter(demo));
    await scope.run({ buyerId: 'B001' }, () => {
      const outer = scope.currentSnapshot();
      expect(outer?.buyer?.id).toBe('B001');
      const inner = { ...(outer as NonNullable<typeof outer>), buyer: demo.buyer('B002') as NonNullable<ReturnType<typeof demo.buyer>> };
      expect(scope.withSnapshot(inner, () => scope.shop.buyer('B002')?.id)).toBe('B002');
      expect(() =>
        scope.withSnapshot(inner, () => {
          throw new Error('engine failed');
        }),
      ).toThrow('engine failed');
      expect(scope.currentSnapshot()).toBe(outer);
      expect(scope.shop.buyer('B002')).toBeUndefined();
    });
    await expect(
      scope.run({ buyerId: 'B001' }, () => {
        throw new Error('turn failed');
      }),
    ).rejects.toThrow('turn failed');
    expect(scope.currentSnapshot()).toBeUndefined();
  });

  it('holds the snapshot for the synchronous part of an async call (the engine turn is synchronous)', async () => {
    const scope = createShopScope(createDemoShopAdapter(demo));
    const reads: (string | undefined)[] = [];
    await scope.run({ buyerId: 'B001' }, async () => {
      reads.push(scope.currentSnapshot()?.buyer?.id);
      await Promise.resolve();
      reads.push(scope.currentSnapshot()?.buyer?.id);
    });
    expect(reads).toEqual(['B001', undefined]);
  });
});
