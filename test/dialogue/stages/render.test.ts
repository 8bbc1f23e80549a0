/** The render stage: moves to replies, variants rotating, never the very sentence sent last. */
import { joinAnswers, render, seedOpening, variantIdOf } from '../../../src/dialogue/stages/render';
import type { Move } from '../../../src/dialogue/policy';
import type { Slots } from '../../../src/model/slots';
import { NOW, shippedBundle } from '../fixtures';

const bundle = shippedBundle();
const ctx = { now: NOW, utcOffsetMinutes: 480, random: () => 0 };
const thanks: Move = { intent: 'greeting.thanks', move: 'welcome', vars: { shop: { name: '小店' }, buyer: { name: '', returning: false } } };

function say(slots: Slots, moves: Move[] = [thanks]) {
  return render({ ...ctx, slots, bundle, moves, handled: 'greeting.thanks', fallbackCategory: 'greeting' });
}

test('renders a move with its intent and category and stores the counters and what was said', () => {
  const out = say({});
  expect(out.replies).toHaveLength(1);
  expect(out.replies[0]).toMatchObject({ intent: 'greeting.thanks', category: 'greeting' });
  expect(out.slots.variants?.['greeting.thanks/welcome']).toBe(1);
  expect(out.slots.botSaid).toEqual([{ text: out.replies[0]!.text, templateId: out.replies[0]!.templateId }]);
});

test('never sends the same sentence twice in a row, even when the counters point at it', () => {
  let slots: Slots = {};
  let last = '';
  for (let i = 0; i < 6; i++) {
    // Counters reset each time: the rotation alone would pick variant 0 again.
    const out = say({ ...slots, variants: {} });
    expect(out.replies[0]!.text).not.toBe(last);
    last = out.replies[0]!.text;
    slots = { ...slots, ...out.slots };
  }
});

test('a single-variant move said twice is opened with the "again" line instead of repeating', () => {
  const key = 'system/handoff';
  const count = bundle.templates['system']?.moves['handoff']?.variants.length ?? 0;
  const move: Move = { intent: 'system', move: 'handoff', vars: { shop: { name: '小店' } } };
  const first = say({}, [move]).replies[0]!;
  const variants: Record<string, number> = { [key]: 0 };
  const again = say({ botSaid: [{ text: first.text }], variants }, [move]).replies[0]!;
  expect(again.text).not.toBe(first.text);
  if (count === 1) expect(again.text.endsWith(first.text.replace(/^亲[，,～~]\s*/u, ''))).toBe(true);
});

test('stores nothing as said when there is nothing to say', () => {
  const out = say({ botSaid: [{ text: 'x' }] }, []);
  expect(out.replies).toEqual([]);
  expect(out.slots.botSaid).toBeUndefined();
});

test('joins the answers to the other questions under the main reply, in order, without changing the input', () => {
  const r = (text: string) => ({ text, intent: 'x', category: 'other' as const });
  const replies = [r('a'), r('b'), r('c'), r('notice')];
  expect(joinAnswers(replies, 1, 2).map((x) => x.text)).toEqual(['a\nb\nc', 'notice']);
  expect(replies[0]!.text).toBe('a');
  expect(joinAnswers(replies, 1, 0)).toEqual(replies);
  // The first of the two was asked before the turn's own question: it leads.
  expect(joinAnswers(replies, 1, 2, 1).map((x) => x.text)).toEqual(['b\na\nc', 'notice']);
  // A flow with two replies: the leading answer opens the first, the trailing one closes the last.
  expect(joinAnswers(replies, 2, 2, 1).map((x) => x.text)).toEqual(['c\na', 'b\nnotice']);
});

test('the opening seed remembers the variants chosen, so the first reply does not repeat them', () => {
  const moves: Move[] = [{ intent: 'greeting.hello', move: 'morning', vars: {} }];
  const seed = seedOpening(bundle.templates, moves, () => 0);
  expect(seed.variants).toEqual({ 'greeting.hello/morning': 1 });
  expect(seed.botSaid).toEqual([{ templateId: variantIdOf(bundle.templates, 'greeting.hello/morning', 0) }]);
});

test("outside business hours a move's after-hours version is said when the scripts have one, else the move itself", () => {
  const transfer: Move = { intent: 'human.request', move: 'transfer', vars: { shop: { name: '小店' } } };
  const at = (afterHours: boolean, moves: Move[]) =>
    render({ ...ctx, afterHours, slots: {}, bundle, moves, handled: 'human.request', fallbackCategory: 'human' }).replies[0]!;
  expect(at(false, [transfer]).templateId).toMatch(/^human\.request\/transfer#/);
  expect(at(true, [transfer]).templateId).toMatch(/^human\.request\/transfer_after_hours#/);
  expect(at(true, [transfer]).text).not.toContain('马上');
  // No after-hours version written for thanks: the usual reply, day or night.
  expect(at(true, [thanks]).templateId).toMatch(/^greeting\.thanks\/welcome#/);
});
