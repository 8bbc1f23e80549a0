/** The bargaining policy on hand-built understandings: rounds, concessions, far-below offers, handoff. */
import { createEngine } from '../../src/dialogue/engine';
import { acceptThreshold, cheaperProduct, counterOffer, HAGGLE } from '../../src/dialogue/haggle';
import { actsForOrder } from '../../src/model/acts';
import type { ConversationState } from '../../src/model/conversation';
import type { TurnResult } from '../../src/dialogue/types';
import type { Understanding } from '../../src/nlu/types';
import { demoShop, NOW, offerEntity, scriptedBundle, shippedBundle, understood } from './fixtures';

const shop = demoShop();
const coat = shop.product('P100')!;

function run(script: Understanding[], productId = 'P100', buyerId = 'B008'): TurnResult[] {
  let i = 0;
  const bundle = scriptedBundle(() => script[i++]!);
  const engine = createEngine({ shop, getScripts: () => bundle, clock: () => NOW, random: () => 0 });
  let conv: ConversationState = engine.openConversation({ id: 'h', buyerId, shopId: 'demo', productId });
  return script.map(() => {
    const r = engine.handleMessage(conv, 'x');
    conv = r.conversation;
    return r;
  });
}

test('the first concession is a gift or shipping, not money', () => {
  const [r] = run([understood('haggle.bargain', [offerEntity(300)])]);
  expect(r!.replies[0]!.offer).toBe(coat.listPrice);
  expect(r!.replies[0]!.text).toContain(shop.policy.haggle.gift);
});

test('a product below the free-shipping line concedes shipping first', () => {
  const cheap = { ...shop.product('P400')! };
  expect(cheap.listPrice).toBeLessThan(shop.policy.freeShippingFrom);
  const [r] = run([understood('haggle.bargain', [offerEntity(50)])], 'P400');
  expect(r!.replies[0]!.offer).toBe(cheap.listPrice);
  expect(r!.conversation.slots.haggle).toMatchObject({ freeShipping: true });
  expect(r!.replies[0]!.text).toContain('包邮');
});

test('counters sit between the offer and the last price', () => {
  const results = run([300, 340, 360].map((v) => understood('haggle.bargain', [offerEntity(v)])));
  const offers = results.map((r) => r.replies[0]!.offer!);
  expect(offers[1]).toBeLessThan(offers[0]!);
  expect(offers[1]).toBeGreaterThan(340);
  expect(offers[2]).toBeLessThan(offers[1]!);
  expect(offers[2]).toBeGreaterThan(360);
});

test('an offer at or above what the round accepts is a deal at the offer', () => {
  const threshold = Math.ceil(acceptThreshold(coat, shop, 1));
  const [r] = run([understood('haggle.bargain', [offerEntity(threshold)])]);
  expect(r!.replies[0]!.offer).toBe(threshold);
  expect(r!.conversation.slots.haggle).toMatchObject({ deal: threshold });
});

test('a discount request ("便宜50") is taken off the current price', () => {
  const discount = { ...offerEntity(10), role: 'discount' as const };
  const [r] = run([understood('haggle.bargain', [discount])]);
  expect(r!.replies[0]!.offer).toBe(coat.listPrice - 10);
});

test('counterOffer never leaves [floor, last price]', () => {
  for (let round = 1; round <= 6; round++) {
    for (const offer of [1, 200, 379, 380, 420, 500]) {
      const c = counterOffer(coat, shop, round, 433, offer);
      expect(c).toBeGreaterThanOrEqual(coat.floorPrice);
      expect(c).toBeLessThanOrEqual(433);
    }
  }
});

test('a push without a number moves the price once at most, then asks the buyer for theirs, then a person', () => {
  const pushes = Array.from({ length: 5 }, () => understood('haggle.bargain'));
  const results = run(pushes);
  const moves = results.map((r) => /\/(\w+)#/.exec(r.replies[0]!.templateId ?? '')?.[1]);
  // At the limit a person takes it: the handoff notice alone (not "give me your price" beside it).
  expect(moves).toEqual(['ask_price', 'concession', 'ask_offer', 'ask_offer', 'handoff']);
  expect(results[4]!.replies).toHaveLength(1);
  expect(results[1]!.replies[0]!.text).toContain(shop.policy.haggle.gift);
  // The price itself never moved: no money was conceded without the buyer's number.
  for (const r of results) for (const reply of r.replies) if (reply.offer !== undefined) expect(reply.offer).toBe(coat.listPrice);
  for (const r of results) expect(r.replies[0]!.text).not.toMatch(/最低|到底/);
  expect(results.slice(0, 4).every((r) => r.handoff === undefined)).toBe(true);
  expect(results[4]!.handoff).toMatchObject({ reason: 'policy_limit' });
});

test('after a number, one more push without a number may move the price again', () => {
  const results = run([
    understood('haggle.bargain', [offerEntity(300)]),
    understood('haggle.bargain', [offerEntity(340)]),
    understood('haggle.bargain'),
    understood('haggle.bargain'),
  ]);
  const offers = results.map((r) => r.replies[0]!.offer);
  expect(offers[2]).toBeLessThan(offers[1]!);
  expect(offers[3]).toBeUndefined();
});

test('after the lowest real price, a lower offer or a push gets that price again, never less', () => {
  const script = [300, 310, 320, 330, 340].map((v) => understood('haggle.bargain', [offerEntity(v)]));
  const results = run([...script, understood('haggle.bargain', [offerEntity(370)])]);
  expect(results[4]!.replies[0]!.offer).toBe(coat.floorPrice);
  expect(results[5]!.replies[0]!.offer).toBe(coat.floorPrice);
  expect(results[5]!.conversation.slots.haggle).toMatchObject({ lowest: coat.floorPrice, final: true });
});

test('a product that already ships free concedes the gift first, never "包邮" as a favour', () => {
  expect(coat.listPrice).toBeGreaterThanOrEqual(shop.policy.freeShippingFrom);
  const [r] = run([understood('haggle.bargain', [offerEntity(300)])]);
  expect(r!.replies[0]!.text).toContain(shop.policy.haggle.gift);
  const concession = shippedBundle().templates[HAGGLE]!.moves['concession']!;
  const ctx = { product: { name: coat.name }, gift: shop.policy.haggle.gift, freeShipping: true, counter: coat.listPrice, price: coat.listPrice };
  for (const variant of concession.variants) {
    const text = variant.render(ctx, { data: { now: NOW, utcOffsetMinutes: 480 } });
    expect(text).toContain(shop.policy.haggle.gift);
    expect(text).not.toMatch(/给您包邮|运费我们出/);
  }
});

test('"好的，就这个价" typed after a counter closes the deal at that counter', () => {
  const yes = { ...understood('haggle.bargain'), normalized: '好的,就这个价' };
  const results = run([understood('haggle.bargain', [offerEntity(300)]), understood('haggle.bargain', [offerEntity(340)]), yes]);
  const counter = results[1]!.replies[0]!.offer!;
  expect(results[2]!.replies[0]!.offer).toBe(counter);
  expect(results[2]!.conversation.slots.haggle).toMatchObject({ deal: counter });
});

test('a far-below offer is shown a product it can buy; with none, the closest one, said to be the closest', () => {
  const fitting = cheaperProduct(coat, shop, 200)!;
  expect(fitting.fits).toBe(true);
  expect(fitting.product.floorPrice).toBeLessThanOrEqual(200);
  const closest = cheaperProduct(coat, shop, 50)!;
  expect(closest.fits).toBe(false);
  const [r] = run([understood('haggle.bargain', [offerEntity(50)])]);
  expect(r!.replies[0]!.text).toContain(closest.product.name);
  expect(r!.replies[0]!.text).not.toContain('推荐');
});

test('a follow-up price near the suggested product bargains on that product', () => {
  const results = run([260, 250].map((v) => understood('haggle.bargain', [offerEntity(v)])));
  const suggested = cheaperProduct(coat, shop, 260)!.product;
  expect(results[0]!.replies[0]!.text).toContain(suggested.name);
  expect(results[1]!.conversation.productId).toBe(suggested.id);
  expect(results[1]!.replies[0]!.text).toContain(suggested.name);
  expect(results[1]!.conversation.slots.haggle).toMatchObject({ productId: suggested.id, deal: 250 });
});

test('offers are remembered across turns in plain JSON state', () => {
  const results = run([300, 340].map((v) => understood('haggle.bargain', [offerEntity(v)])));
  const state = JSON.parse(JSON.stringify(results[1]!.conversation)) as { slots: { haggle: { offers: number[]; counters: number[] } } };
  expect(state.slots.haggle.offers).toEqual([300, 340]);
  expect(state.slots.haggle.counters).toEqual([results[1]!.replies[0]!.offer]);
});

describe('a deal carries the order it reprices', () => {
  const threshold = Math.ceil(acceptThreshold(coat, shop, 1));
  const dealFor = (buyerId: string, productId = 'P100') =>
    run([understood('haggle.bargain', [offerEntity(Math.ceil(acceptThreshold(shop.product(productId)!, shop, 1)))])], productId, buyerId)[0]!
      .acts?.[0];

  it('the unpaid order of that product in focus (B003, E1003: the coat)', () => {
    expect(dealFor('B003')).toMatchObject({ kind: 'deal', price: threshold, productId: 'P100', orderNumber: 'E1003' });
  });

  it('a paid order waiting to ship (B010, E1010: the coat)', () => {
    expect(dealFor('B010')).toMatchObject({ kind: 'deal', orderNumber: 'E1010' });
  });

  it('no order: a buyer without one, an order of another product, an order that has shipped', () => {
    expect(dealFor('B008')).toMatchObject({ kind: 'deal' });
    expect(dealFor('B008')!.orderNumber).toBeUndefined();
    // B001's paid order holds the hoodie, not the coat.
    expect(dealFor('B001')!.orderNumber).toBeUndefined();
    // B002's coat has shipped: nothing left to reprice.
    expect(dealFor('B002')!.orderNumber).toBeUndefined();
  });

  const dealReply = (buyerId: string) =>
    run([understood('haggle.bargain', [offerEntity(threshold)])], 'P100', buyerId)[0]!
      .replies.map((r) => r.text)
      .join('\n');

  it('the reply names the order it reprices and never asks to place it again', () => {
    const unpaid = dealReply('B003');
    expect(unpaid).toContain('E1003');
    expect(unpaid).not.toContain('拍下');
    const paid = dealReply('B010');
    expect(paid).toContain('E1010');
    expect(paid).toMatch(/已(经)?付款/);
    expect(paid).not.toContain('拍下');
    // No order yet: the buyer places it and the price is changed then.
    const none = dealReply('B008');
    expect(none).toContain('拍下');
    expect(none).not.toMatch(/E\d{4}/);
  });

  it("shows on that order's card only", () => {
    const act = dealFor('B003')!;
    const conv = { id: 'h', buyerId: 'B003', acts: [act] } as unknown as ConversationState;
    expect(actsForOrder(conv, 'E1003')).toEqual([act]);
    expect(actsForOrder(conv, 'E0001')).toEqual([]);
  });
});
