/**
 * Property: whatever offers a buyer makes, in whatever order, every price the bot names is
 * never below the product's floor and never higher than the price it named before; a deal
 * is never below the floor either; only the floor (or the last round's price) is called the
 * lowest, and once called, no later price goes below it.
 */
import fc from 'fast-check';
import { createEngine } from '../../src/dialogue/engine';
import type { ConversationState } from '../../src/dialogue/types';
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
              const slotNow = conv.slots['haggle'] as { rounds: number } | undefined;
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
