/** The start-up warm-up runs the engine on the scripts' own examples, within its bounds, on throwaway conversations. */
import { createEngine } from '../../src/dialogue/engine';
import { warmUpEngine } from '../../src/dialogue/warm-up';
import type { ConversationState } from '../../src/model/conversation';
import { demoShop, NOW, shippedBundle } from './fixtures';

it('answers the examples of every intent in turn, a fresh conversation every few turns, up to maxTurns', async () => {
  const bundle = shippedBundle();
  const engine = createEngine({ shop: demoShop(), getScripts: () => bundle, clock: () => NOW, random: () => 0 });
  const seen: { conv: ConversationState; text: string }[] = [];
  const watched = {
    openConversation: engine.openConversation.bind(engine),
    handleMessage: (conv: ConversationState, text: string) => {
      seen.push({ conv, text });
      return engine.handleMessage(conv, text);
    },
  };
  const intents = Object.values(bundle.intents);
  const result = await warmUpEngine(watched, bundle, { shopId: 'demo', buyerId: 'B003', maxTurns: intents.length * 2, turnsPerConversation: 4 });
  expect(result.turns).toBe(intents.length * 2);
  // Round-robin: the first pass has each intent's first example.
  expect(seen.slice(0, intents.length).map((s) => s.text)).toEqual(intents.map((i) => i.examples[0]));
  // Conversations are throwaway: a new one every 4 turns, kept frozen between turns as the store keeps them.
  expect(new Set(seen.map((s) => s.conv.id)).size).toBe(Math.ceil(result.turns / 4));
  expect(seen.slice(1, 4).every((s) => Object.isFrozen(s.conv))).toBe(true);
});

it('stops at maxMs', async () => {
  const bundle = shippedBundle();
  const engine = createEngine({ shop: demoShop(), getScripts: () => bundle, clock: () => NOW, random: () => 0 });
  const slow = {
    openConversation: engine.openConversation.bind(engine),
    handleMessage: async (conv: ConversationState, text: string) => {
      await new Promise((r) => setTimeout(r, 20));
      return engine.handleMessage(conv, text);
    },
  };
  const result = await warmUpEngine(slow, bundle, { shopId: 'demo', buyerId: 'B003', maxMs: 100 });
  expect(result.turns).toBeGreaterThan(0);
  expect(result.turns).toBeLessThan(10);
});
