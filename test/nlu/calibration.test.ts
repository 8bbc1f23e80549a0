/**
 * Calibration (calibration.ts): the probability map is monotone and fitted to outcomes, the
 * answer threshold keeps the held-out precision, and the action follows the thresholds.
 */
import {
  actionFor,
  answerThreshold,
  calibrated,
  fitCalibration,
  reliability,
  ANSWER_PRECISION,
  DEFAULT_CALIBRATION,
  type CalibrationSample,
} from '../../src/nlu/calibration';
import { prng } from '../../src/nlu/prng';

/** Samples whose true accuracy is confidence² (an over-confident model), fixed seed. */
function samples(n: number): CalibrationSample[] {
  const rand = prng(7);
  return Array.from({ length: n }, () => {
    const confidence = rand();
    const correct = rand() < confidence * confidence;
    return { confidence, correct, inOptions: correct || rand() < 0.6, category: 'delivery' as const, gold: 'delivery' as const };
  });
}

describe('fitCalibration', () => {
  const data = samples(4000);
  const c = fitCalibration(data);

  it('maps confidence to a non-decreasing probability close to the observed accuracy', () => {
    for (let i = 1; i < c.probability.length; i++) expect(c.probability[i]).toBeGreaterThanOrEqual(c.probability[i - 1] as number);
    // True accuracy at confidence 0.5 is 0.25, at 0.9 it is 0.81.
    expect(calibrated(c, 0.5)).toBeGreaterThan(0.15);
    expect(calibrated(c, 0.5)).toBeLessThan(0.35);
    expect(calibrated(c, 0.9)).toBeGreaterThan(0.7);
    expect(calibrated(c, 0.9)).toBeLessThan(0.92);
  });

  it('chooses the answer threshold so that answers keep the required precision', () => {
    const answered = data.filter((s) => calibrated(c, s.confidence) >= answerThreshold(c, s.category));
    expect(answered.length).toBeGreaterThan(0);
    const precision = answered.filter((s) => s.correct).length / answered.length;
    expect(precision).toBeGreaterThanOrEqual(ANSWER_PRECISION);
    expect(c.fittedOn.answerPrecision).toBeCloseTo(precision, 6);
    expect(c.clarifyAt).toBeLessThanOrEqual(c.answerAt);
  });

  it('asks more of a category the model is often wrong about than of one it rarely confuses', () => {
    const rand = prng(11);
    const mixed: CalibrationSample[] = Array.from({ length: 4000 }, (_, i) => {
      const confidence = rand();
      const noisy = i % 2 === 0;
      // Same confidences, but "product" answers are right less often than "delivery" ones.
      const correct = rand() < (noisy ? confidence * confidence * confidence : Math.sqrt(confidence));
      const category = noisy ? ('product' as const) : ('delivery' as const);
      return { confidence, correct, inOptions: correct, category, gold: correct ? category : 'other' };
    });
    const fitted = fitCalibration(mixed);
    expect(answerThreshold(fitted, 'product')).toBeGreaterThan(answerThreshold(fitted, 'delivery'));
    for (const category of ['product', 'delivery'] as const) {
      const answered = mixed.filter((s) => s.category === category && calibrated(fitted, s.confidence) >= answerThreshold(fitted, category));
      if (answered.length > 0) expect(answered.filter((s) => s.correct).length / answered.length).toBeGreaterThanOrEqual(ANSWER_PRECISION);
    }
    // Every category below the threshold is clarified or handed off, never answered.
    expect(actionFor(fitted, answerThreshold(fitted, 'product') - 0.001, 'product', true)).not.toBe('answer');
  });

  it('keeps the defaults when there are too few samples to fit', () => {
    expect(fitCalibration(data.slice(0, 10))).toBe(DEFAULT_CALIBRATION);
  });

  it('prints a reliability table whose bins count every sample once', () => {
    const rows = reliability(data.map((s) => ({ probability: calibrated(c, s.confidence), correct: s.correct })));
    expect(rows.reduce((a, r) => a + r.n, 0)).toBe(data.length);
  });
});

describe('actionFor', () => {
  const c = { ...DEFAULT_CALIBRATION, answerAt: 0.8, clarifyAt: 0.4 };
  it('answers above the answer threshold, clarifies between, hands off below', () => {
    expect(actionFor(c, 0.85, 'delivery', true)).toBe('answer');
    expect(actionFor(c, 0.6, 'delivery', true)).toBe('clarify');
    expect(actionFor(c, 0.6, 'delivery', false)).toBe('handoff');
    expect(actionFor(c, 0.2, 'delivery', true)).toBe('handoff');
  });
  it('never answers "other", however sure', () => {
    expect(actionFor(c, 0.99, 'other', true)).toBe('clarify');
  });
});
