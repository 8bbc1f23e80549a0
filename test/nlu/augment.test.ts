/**
 * Training-time augmentation: noisy variants of our own examples keep their intent, leave
 * greetings and fragments alone, and are reproducible.
 */
import { augmentExamples } from '../../src/nlu/augment';

const intents = [
  { id: 'delivery.ship_time', category: 'delivery' as const, examples: ['什么时候发货', '能今天发吗', '还没发出去吗'] },
  { id: 'greeting.hello', category: 'greeting' as const, examples: ['你好', '在吗'] },
  { id: 'other.fallback', category: 'other' as const, examples: ['啊', '我想想'] },
];

describe('augmentExamples', () => {
  it('adds openings and endings around the example and keeps its intent', () => {
    const out = augmentExamples(intents, { seed: 1, copies: 4 });
    expect(out.length).toBeGreaterThan(0);
    for (const { text, label } of out) {
      expect(label).toBe('delivery.ship_time');
      expect(intents[0]?.examples.some((e) => text.includes(e) && text !== e)).toBe(true);
    }
  });

  it('does not decorate greetings or fragments, which look like the decorations themselves', () => {
    expect(augmentExamples(intents, { seed: 3, copies: 5 }).filter((a) => a.label !== 'delivery.ship_time')).toEqual([]);
  });

  it('gives the same variants for the same seed and others for another seed', () => {
    expect(augmentExamples(intents, { seed: 7 })).toEqual(augmentExamples(intents, { seed: 7 }));
    expect(augmentExamples(intents, { seed: 7, copies: 3 })).not.toEqual(augmentExamples(intents, { seed: 8, copies: 3 }));
  });

  it('adds nothing when copies is 0', () => {
    expect(augmentExamples(intents, { copies: 0 })).toEqual([]);
  });
});
