/** The bargaining policy on hand-built understandings: rounds, concessions, far-below offers, handoff. */
import { createEngine } from '../../src/dialogue/engine';
import { acceptThreshold, counterOffer } from '../../src/dialogue/haggle';
import type { ConversationState, TurnResult } from '../../src/dialogue/types';
import type { Understanding } from '../../src/nlu/types';
import { demoShop, NOW, offerEntity, scriptedBundle, understood } from './fixtures';

const shop = demoShop();
const coat = shop.product('P100')!;

function run(script: Understanding[], productId = 'P100'): TurnResult[] {
  let i = 0;
  const bundle = scriptedBundle(() => script[i++]!);
  const engine = createEngine({ shop, getScripts: () => bundle, clock: () => NOW, random: () => 0 });
  let conv: ConversationState = engine.openConversation({ id: 'h', buyerId: 'B008', shopId: 'demo', productId });
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
  expect(r!.conversation.slots['haggle']).toMatchObject({ freeShipping: true });
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
  expect(r!.conversation.slots['haggle']).toMatchObject({ deal: threshold });
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

test('pushing without a number hands off after the policy limit', () => {
  const results = run([understood('haggle.bargain'), understood('haggle.bargain'), understood('haggle.bargain')]);
  expect(results[0]!.handoff).toBeUndefined();
  expect(results[1]!.handoff).toBeUndefined();
  expect(results[2]!.handoff).toMatchObject({ reason: 'policy_limit' });
});

test('offers are remembered across turns in plain JSON state', () => {
  const results = run([300, 340].map((v) => understood('haggle.bargain', [offerEntity(v)])));
  const state = JSON.parse(JSON.stringify(results[1]!.conversation)) as { slots: { haggle: { offers: number[]; counters: number[] } } };
  expect(state.slots.haggle.offers).toEqual([300, 340]);
  expect(state.slots.haggle.counters).toEqual([results[1]!.replies[0]!.offer]);
});
