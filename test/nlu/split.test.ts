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
