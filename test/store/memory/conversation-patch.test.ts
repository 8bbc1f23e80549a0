/** The per-turn conversation patch: applying the diff of two states gives the second, and a turn's patch stays small. */
import fc from 'fast-check';
import type { ConversationState } from '../../../src/model/conversation';
import { applyConversationPatch, diffConversation } from '../../../src/store/memory/conversation-patch';
import { applyOp, emptyState } from '../../../src/store/memory/state';
import { conversation } from '../contract';

const json = fc.jsonValue({ maxDepth: 2 });
const record = (n: number) => ({
  at: `2024-05-01T08:${String(n % 60).padStart(2, '0')}:00.000Z`,
  text: `问${n}`,
  intent: 'x',
  category: 'other',
  confidence: 0.5,
});

const stateArb = fc
  .record({
    status: fc.constantFrom('bot', 'queued', 'closed'),
    slots: fc.dictionary(fc.string({ maxLength: 4 }), json, { maxKeys: 4 }),
    turns: fc.array(fc.nat(40).map(record), { maxLength: 6 }),
    facts: fc.array(json, { maxLength: 3 }),
    orderId: fc.option(fc.string({ maxLength: 5 }), { nil: undefined }),
    productId: fc.option(fc.string({ maxLength: 5 }), { nil: undefined }),
    updatedAt: fc.string({ maxLength: 8 }),
  })
  .map((r) => JSON.parse(JSON.stringify(conversation('c', r as unknown as Partial<ConversationState>))) as ConversationState);

it('applying the diff of any two states gives the second', () => {
  fc.assert(
    fc.property(stateArb, stateArb, (a, b) => {
      expect(applyConversationPatch(a, diffConversation(a, b))).toEqual(b);
    }),
    { numRuns: 500 },
  );
});

it('a state that moved on by one turn is patched with that turn only, not the turns before it', () => {
  const turns = Array.from({ length: 50 }, (_, i) => record(i));
  const before = conversation('c', { turns: turns as ConversationState['turns'] });
  const after = { ...before, turns: [...turns.slice(1), record(50)] as ConversationState['turns'], updatedAt: 'later' };
  const patch = diffConversation(before, after);
  expect(patch).toEqual({ set: { updatedAt: 'later' }, shift: { turns: [1, [record(50)]] } });
  expect(JSON.stringify(patch).length).toBeLessThan(JSON.stringify(after).length / 10);
  expect(diffConversation(after, after)).toEqual({});
});

it('a turn line applied twice (a retried write, a compaction tail) patches the state once', () => {
  const state = emptyState();
  const base = conversation('c');
  applyOp(state, { t: 'conv', v: base, r: 1 });
  const next = { ...base, turns: [...base.turns, record(7)] as ConversationState['turns'] };
  const msg = { conversationId: 'c', seq: 1, from: 'bot' as const, text: '亲', at: 'x' };
  const op = { t: 'turn' as const, id: 'c', base: 1, p: diffConversation(base, next), msgs: [msg] };
  expect(applyOp(state, op)).toBe(true);
  expect(applyOp(state, op)).toBe(true);
  expect(state.conversations.get('c')).toEqual(next);
  expect(state.logs.get('c')?.messages).toEqual([msg]);
  expect(state.revs.get('c')).toBe(2);
});
