/**
 * Property: whatever offers a buyer makes, in whatever order, every price the bot names is
 * never below the product's floor and never higher than the price it named before; a deal
 * is never below the floor either; only the floor (or the last round's price) is called the
 * lowest, and once called, no later price goes below it.
 */
import fc from 'fast-check';
import { createEngine } from '../../src/dialogue/engine';
import type { ConversationState } from '../../src/model/conversation';
import { demoShop, NOW, offerEntity, scriptedBundle, understood } from './fixtures';

const shop = demoShop();

test('counter-offers never go below the floor and never rise', () => {
  const products = shop.products();
  fc.assert(
    fc.property(
      fc.constantFrom(...products.map((p) => p.id)),
      fc.array(
        fc.oneof(
          fc.integer({ min: 1, max: 800 }).map((v) => ({ kind: 'offer' as const, v })),
          fc.constant({ kind: 'push' as const, v: 0 }),
          fc.constant({ kind: 'yes' as const, v: 0 }),
        ),
        { minLength: 1, maxLength: 12 },
      ),
      (productId, steps) => {
        let product = shop.product(productId)!;
        let i = 0;
        const bundle = scriptedBundle(() => {
          const step = steps[i++]!;
          if (step.kind === 'offer') return understood('haggle.bargain', [offerEntity(step.v)]);
          if (step.kind === 'yes') return understood('greeting.thanks');
          return understood('haggle.bargain');
        });
        const engine = createEngine({ shop, getScripts: () => bundle, clock: () => NOW, random: () => 0 });
        let conv: ConversationState = engine.openConversation({ id: 'p', buyerId: 'B008', shopId: 'demo', productId });
        let last = product.listPrice;
        let calledLowest: number | undefined;
        for (const _ of steps) {
          const r = engine.handleMessage(conv, 'x');
          conv = r.conversation;
          if (conv.productId !== product.id) {
            // The buyer took up the cheaper product the bot suggested: bargaining starts over on it.
            product = shop.product(conv.productId!)!;
            last = product.listPrice;
            calledLowest = undefined;
          }
          for (const reply of r.replies) {
            if (reply.offer === undefined) continue;
            expect(reply.offer).toBeGreaterThanOrEqual(product.floorPrice);
            expect(reply.offer).toBeLessThanOrEqual(last);
            // A price once called the lowest real price stays the price.
            if (calledLowest !== undefined) expect(reply.offer).toBe(calledLowest);
            if (/\/(final|firm)#/.test(reply.templateId ?? '')) {
              calledLowest ??= reply.offer;
              // Only the floor, or a price agreed in the last round, is ever called the lowest.
              const slotNow = conv.slots.haggle;
              expect(reply.offer === product.floorPrice || (slotNow?.rounds ?? 0) >= shop.policy.haggle.rounds).toBe(true);
            }
            last = reply.offer;
          }
          if (conv.status !== 'bot') break; // handed off: the bot names no more prices
        }
      },
    ),
    { numRuns: 300 },
  );
});

/** One buyer message in these properties, as text the engine reads in context. */
type Step =
  | { kind: 'offer'; v: number }
  | { kind: 'push' }
  | { kind: 'discount'; v: number }
  | { kind: 'accept'; text: string }
  | { kind: 'terms'; v: number; qty: number; courier: boolean };

const ACCEPTANCES = ['那就按你说的吧', '行 我去拍', '好的，就这个价', '可以 下单了', '那就这样吧', '成交'];

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.integer({ min: 1, max: 800 }).map((v) => ({ kind: 'offer' as const, v })),
  fc.constant({ kind: 'push' as const }),
  fc.integer({ min: 5, max: 100 }).map((v) => ({ kind: 'discount' as const, v })),
  fc.constantFrom(...ACCEPTANCES).map((text) => ({ kind: 'accept' as const, text })),
  fc
    .record({ v: fc.integer({ min: 50, max: 1500 }), qty: fc.integer({ min: 2, max: 5 }), courier: fc.boolean() })
    .map((t) => ({ kind: 'terms' as const, ...t })),
);

function understand(step: Step): ReturnType<typeof understood> {
  switch (step.kind) {
    case 'offer':
      return understood('haggle.bargain', [offerEntity(step.v)]);
    case 'push':
      return understood('haggle.bargain');
    case 'discount':
      return understood('haggle.bargain', [
        { kind: 'money', text: String(step.v), span: { start: 0, end: 2 }, value: step.v, role: 'discount', freeShipping: false },
      ]);
    case 'accept':
      return { ...understood('greeting.thanks'), raw: step.text, normalized: step.text };
    case 'terms': {
      const text = `${step.qty}件${step.v}${step.courier ? ' 顺丰' : ''}`;
      const entities = [
        offerEntity(step.v),
        ...(step.courier ? [{ kind: 'courier' as const, text: '顺丰', span: { start: 0, end: 2 }, value: 'sf' }] : []),
      ];
      return { ...understood('haggle.bargain', entities), raw: text, normalized: text };
    }
  }
}

test('acceptance closes at the last price named, a deal then holds, terms are never a deal, nothing under the floor', () => {
  fc.assert(
    fc.property(fc.constantFrom('P100', 'P200', 'P300', 'P400'), fc.array(stepArb, { minLength: 1, maxLength: 14 }), (productId, steps) => {
      let i = 0;
      const bundle = scriptedBundle(() => understand(steps[i++]!));
      const engine = createEngine({ shop, getScripts: () => bundle, clock: () => NOW, random: () => 0 });
      let conv: ConversationState = engine.openConversation({ id: 'q', buyerId: 'B008', shopId: 'demo', productId });
      let lastNamed: number | undefined;
      let deal: number | undefined;
      for (const step of steps) {
        const r = engine.handleMessage(conv, 'x');
        conv = r.conversation;
        const product = shop.product(conv.productId!)!;
        if (product.id !== productId) break; // the buyer took up a cheaper product: another bargain
        const acts = r.acts ?? [];
        for (const reply of r.replies) if (reply.offer !== undefined) expect(reply.offer).toBeGreaterThanOrEqual(product.floorPrice);
        if (deal !== undefined) {
          // After a deal: the price holds, no other price is named, no second deal.
          for (const reply of r.replies) if (reply.offer !== undefined) expect(reply.offer).toBe(deal);
          expect(acts).toEqual([]);
        } else if (step.kind === 'accept' && lastNamed !== undefined) {
          expect(acts).toHaveLength(1);
          expect(acts[0]).toMatchObject({ kind: 'deal', price: lastNamed, productId });
        }
        if (step.kind === 'terms') expect(acts.filter((a) => a.kind === 'deal')).toEqual([]);
        const dealAct = acts.find((a) => a.kind === 'deal');
        if (dealAct && dealAct.kind === 'deal') {
          expect(dealAct.price).toBeGreaterThanOrEqual(product.floorPrice);
          deal = dealAct.price;
        }
        const named = r.replies
          .map((x) => x.offer)
          .filter((x): x is number => x !== undefined)
          .pop();
        if (named !== undefined) lastNamed = named;
        if (conv.status !== 'bot') break;
      }
      // Every act the conversation holds was announced in a turn, and there is at most one deal.
      expect(conv.acts?.filter((a) => a.kind === 'deal').length ?? 0).toBeLessThanOrEqual(1);
    }),
    { numRuns: 300 },
  );
});
