import { closenessWarning, FAR_BELOW, newExamples } from '../../src/scripts/closeness';
import { COMMON_VARIABLES, OPTIONAL_MOVES, REQUIRED_MOVES, templateVariables } from '../../src/replies/variables';
import { moveWords } from '../../src/scripts/move-words';
import { VARIABLE_WORDS } from '../../src/scripts/variable-words';

const ranking = (...scores: [string, number][]) => scores.map(([intent, confidence]) => ({ intent, category: 'other' as const, confidence }));

describe('closeness of a new example to its own intent', () => {
  it('finds the examples that are new, compared as the classifier sees them', () => {
    expect(newExamples(['能便宜点吗', '包邮吗'], ['能便宜点吗？', '包邮吗', '再少点', '再少点！', ''])).toEqual(['再少点']);
  });

  it('warns when the model reads the example as another intent', () => {
    const w = closenessWarning('能便宜点吗', 'greeting.thanks', {
      intent: 'haggle.bargain',
      ranking: ranking(['haggle.bargain', 0.9], ['greeting.thanks', 0.05]),
    });
    expect(w).toEqual({ example: '能便宜点吗', intent: 'greeting.thanks', ownScore: 0.05, rival: 'haggle.bargain', rivalScore: 0.9 });
  });

  it('warns when its own intent wins by a rule but scores far below another', () => {
    const u = { intent: 'greeting.thanks', ranking: ranking(['haggle.bargain', 0.7], ['greeting.thanks', 0.7 - FAR_BELOW]) };
    expect(closenessWarning('好的', 'greeting.thanks', u)?.rival).toBe('haggle.bargain');
  });

  it('is quiet when the example sits with its own intent, or the model has no better idea than "other"', () => {
    expect(
      closenessWarning('谢谢', 'greeting.thanks', { intent: 'greeting.thanks', ranking: ranking(['greeting.thanks', 0.8], ['haggle.bargain', 0.1]) }),
    ).toBeUndefined();
    expect(
      closenessWarning('嗯嗯', 'greeting.thanks', { intent: 'other.fallback', ranking: ranking(['other.fallback', 0.5], ['greeting.thanks', 0.4]) }),
    ).toBeUndefined();
  });
});

describe('template variables in Chinese', () => {
  it('has a Chinese description for every variable any template may use', () => {
    const intents = ['haggle.x', 'address.x', 'delivery.x', 'return.x', 'product.x', 'payment.x', 'greeting.x', 'human.x', 'system'];
    const names = new Set([...Object.keys(COMMON_VARIABLES), ...intents.flatMap((i) => Object.keys(templateVariables(i)))]);
    const missing = [...names].filter((n) => !VARIABLE_WORDS.has(n));
    expect(missing).toEqual([]);
    for (const n of names) expect(VARIABLE_WORDS.get(n)).toMatch(/\p{Script=Han}/u);
  });
});

describe('template moves in Chinese', () => {
  it('names every move the engine uses', () => {
    const moves = new Set([...Object.values(REQUIRED_MOVES), ...Object.values(OPTIONAL_MOVES)].flat());
    expect([...moves].filter((m) => moveWords(m) === undefined)).toEqual([]);
  });

  it("names a move's after-hours version after the move", () => {
    expect(moveWords('transfer_after_hours')).toBe('转接（下班时间）');
    expect(moveWords('nonsense_after_hours')).toBeUndefined();
  });
});
