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
  // A shop that may change (as an HTTP one): a snapshot per turn.
  const base = { ...createDemoShopAdapter(demo), unchanging: false };
  return {
    ...base,
    buyer: async (id) => {
      await new Promise((r) => setTimeout(r, delays[id] ?? 0));
      return base.buyer(id);
    },
  };
}

/** A shop that may change (as an HTTP one does): a snapshot per turn. */
const changingDemo = (): ShopAdapter => ({ ...createDemoShopAdapter(demo), unchanging: false });

describe('shop scope', () => {
  it('reads the cached view outside a turn', () => {
    const scope = createShopScope(changingDemo());
    expect(scope.shop.buyer('B001')?.name).toBe(demo.buyer('B001')?.name);
    expect(scope.shop.buyer('B002')?.name).toBe(demo.buyer('B002')?.name);
    expect(scope.shop.buyers?.().length).toBe(demo.buyers?.().length);
  });

  it('gives each of two overlapping turns its own snapshot (the other buyer is not in it), whichever loads first', async () => {
    const scope = createShopScope(slowAdapter({ B001: 40, B002: 0 }));
    const seen = (buyerId: string, other: string) => () => ({
      own: scope.shop.buyer(buyerId)?.id,
      other: scope.shop.buyer(other)?.id,
      orders: scope.shop.ordersByBuyer(buyerId).map((o) => o.number),
    });
    const [first, second] = await Promise.all([
      scope.run({ buyerId: 'B001' }, seen('B001', 'B002')),
      scope.run({ buyerId: 'B002' }, seen('B002', 'B001')),
    ]);
    expect(first).toEqual({ own: 'B001', other: undefined, orders: demo.ordersByBuyer('B001').map((o) => o.number) });
    expect(second).toEqual({ own: 'B002', other: undefined, orders: demo.ordersByBuyer('B002').map((o) => o.number) });
    // Both done: back to the cached view, which has every buyer.
    expect(scope.shop.buyer('B001')?.id).toBe('B001');
    expect(scope.shop.buyer('B002')?.id).toBe('B002');
  });

  it('is back on the cached view after a turn that failed', async () => {
    const scope = createShopScope(changingDemo());
    await expect(
      scope.run({ buyerId: 'B001' }, () => {
        expect(scope.shop.buyer('B002')).toBeUndefined();
        throw new Error('turn failed');
      }),
    ).rejects.toThrow('turn failed');
    expect(scope.shop.buyer('B002')?.id).toBe('B002');
  });

  it('holds the snapshot for the synchronous part of an async call (the engine turn is synchronous)', async () => {
    const scope = createShopScope(changingDemo());
    const reads: (string | undefined)[] = [];
    await scope.run({ buyerId: 'B001' }, async () => {
      reads.push(scope.shop.buyer('B002')?.id);
      await Promise.resolve();
      reads.push(scope.shop.buyer('B002')?.id);
    });
    expect(reads).toEqual([undefined, 'B002']);
  });

  it('loads nothing per turn for a shop that never changes (the demo shop): the turn reads the whole shop', async () => {
    const adapter = createDemoShopAdapter(demo);
    expect(adapter.unchanging).toBe(true);
    let loads = 0;
    const counting: ShopAdapter = {
      ...adapter,
      buyer: async (id) => {
        loads += 1;
        return adapter.buyer(id);
      },
    };
    const scope = createShopScope(counting);
    const other = await scope.run({ buyerId: 'B001' }, () => scope.shop.buyer('B002')?.id);
    expect(other).toBe('B002');
    expect(loads).toBe(0);
  });
});
