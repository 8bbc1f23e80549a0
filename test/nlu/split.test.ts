/**
 * The held-out split (split.ts): whole groups are held out, never single lines, and no
 * training line shares a long run of characters with a held-out one.
 */
import { dedupeKey, dropNearDuplicates, familyOf, groupOf, splitHeldOut, NEAR_DUPLICATE_RUN } from '../../src/nlu/split';
import type { CorpusLine } from '../../src/nlu/corpus';

const families = ['kitchen', 'shoes', 'phone', 'bags', 'books', 'pets', 'tools', 'baby', 'food', 'sports', 'beauty', 'car'];
const lines: CorpusLine[] = families.flatMap((f, fi) =>
  Array.from({ length: 20 }, (_, i) => ({ text: `${f}的第${i}个问题${fi}`, label: 'product.info', theme: `${f}/usage` })),
);

describe('splitHeldOut', () => {
  it('holds out whole families: a family is on one side only', () => {
    const split = splitHeldOut(lines);
    expect(split.heldOut.length).toBeGreaterThan(0);
    expect(split.train.length).toBeGreaterThan(0);
    const heldFamilies = new Set(split.heldOut.map((l) => familyOf(l.theme)));
    for (const l of split.train) expect(heldFamilies.has(familyOf(l.theme))).toBe(false);
    expect(split.groups).toEqual([...heldFamilies].sort());
  });

  it('holds out sentence frames too: no frame, and no family, is on both sides', () => {
    const frames = Array.from({ length: 12 }, (_, i) => `f${i.toString(36)}frame`);
    const framed: CorpusLine[] = families.flatMap((f, fi) =>
      frames.map((frame, i) => ({ text: `问${fi}x${i}`, label: 'product.info', theme: `${f}/usage`, frame })),
    );
    const hand: CorpusLine = { text: 'kitchen手写的一句话', label: 'product.info', theme: 'kitchen/usage' };
    const split = splitHeldOut([...framed, hand]);
    expect(split.heldOut.length).toBeGreaterThan(0);
    expect(split.train.length).toBeGreaterThan(0);
    const heldFrames = new Set(split.heldOut.map((l) => l.frame).filter((f) => f !== undefined));
    const heldFamilies = new Set(split.heldOut.map((l) => familyOf(l.theme)));
    expect(heldFrames.size).toBeGreaterThan(0);
    for (const l of split.train) {
      expect(heldFrames.has(l.frame as string)).toBe(false);
      expect(heldFamilies.has(familyOf(l.theme))).toBe(false);
    }
    // Fillings of a held-out family in a trained frame (and the reverse) are on neither side.
    expect(split.mixed).toBe(framed.length + 1 - split.heldOut.length - split.train.length - split.dropped);
    expect(split.mixed).toBeGreaterThan(0);
    expect(split.frames.heldOut).toBe(heldFrames.size);
    // A hand-written line (no frame) goes with its family.
    expect(heldFamilies.has('kitchen') ? split.heldOut : split.train).toContainEqual(hand);
  });

  it('is the same on every run (no randomness)', () => {
    expect(splitHeldOut(lines)).toEqual(splitHeldOut(lines));
  });

  it('splits lines about no family by situation', () => {
    expect(familyOf('general/irritation')).toBe('general/irritation');
    expect(familyOf('kitchen/fault-symptom')).toBe('kitchen');
    expect(groupOf({ text: '在吗', label: 'greeting.hello', theme: 'intent:greeting.hello' })).toMatch(/^intent-examples:/);
  });

  it('drops a training line that shares a long run with a held-out line', () => {
    const heldOut = [{ text: '电饭煲一开就跳闸，怎么回事' }];
    const near = { text: '我家电饭煲一开就跳闸了' }; // shares 电饭煲一开就跳闸 (8 characters)
    const far = { text: '电饭煲内胆多大' };
    expect(NEAR_DUPLICATE_RUN).toBe(8);
    const { kept, dropped } = dropNearDuplicates([near, far], heldOut);
    expect(kept).toEqual([far]);
    expect(dropped).toBe(1);
  });

  it('compares texts without spaces, punctuation or width differences', () => {
    expect(dedupeKey('ＡＢ 1，好的！')).toBe('ab1好的');
  });
});
