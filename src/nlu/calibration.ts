/**
 * Knowing when unsure. The classifier's confidence (after the guide's rules) is mapped to the
 * probability that the category is right, by isotonic regression fitted on held-out messages
 * (split.ts), never on dev.tsv. Two thresholds on that probability, also chosen on held-out,
 * turn it into an action for the dialogue:
 *   - `answer`: confident enough to act on (held-out precision of answers ≥ ANSWER_PRECISION);
 *   - `clarify`: ask once, offering the 2–3 likely intents as quick replies (猜您想问…);
 *   - `handoff`: a guess nobody should act on; a person takes over.
 */
import type { Category, NluAction } from './types';

/** What an understanding leads to (see the module header). */
export type { NluAction } from './types';

/** The fitted map and thresholds; plain data, so it travels with a trained model. */
export interface Calibration {
  /** Ascending raw-confidence points; `probability[i]` holds at `confidence[i]`, linear between points, flat beyond. */
  confidence: number[];
  probability: number[];
  /** Calibrated probability at or above which the category is acted on (categories without their own threshold). */
  answerAt: number;
  /**
   * Per predicted category, where held-out had enough of its answers to choose one: a category
   * the model is often wrong about needs a higher probability than one it rarely confuses. Never
   * below `answerAt`.
   */
  answerAtFor?: Partial<Record<Category, number>>;
  /** Calibrated probability at or above which a clarifying question is worth asking (below: handoff). */
  clarifyAt: number;
  /** How the thresholds were found: messages, their held-out precision and coverage. */
  fittedOn: { messages: number; answerPrecision: number; answerCoverage: number };
}

/**
 * Precision asked of `answer` on held-out. The issue asks ≥ 0.9 on real buyers; our held-out
 * messages (whole families and sentence frames the model never saw, split.ts) are still
 * cleaner than buyers', so the held-out target keeps a margin.
 */
export const ANSWER_PRECISION = 0.93;
/** A category gets its own answer threshold only when held-out predicted it this often. */
export const MIN_CATEGORY_SAMPLES = 40;
/** … and when at least this many of its held-out answers lie at or above that threshold. */
export const MIN_CATEGORY_ANSWERS = 15;
/** Share of clarified messages whose options must contain the right category (held-out). */
export const CLARIFY_HIT_RATE = 0.7;
/** Below this probability the top reading is nearly always wrong: a person takes over rather than a guessing question. */
export const CLARIFY_FLOOR = 0.2;

/** Before any fit: probability = confidence, thresholds that are conservative. */
export const DEFAULT_CALIBRATION: Calibration = {
  confidence: [0],
  probability: [0],
  answerAt: 0.9,
  clarifyAt: 0.35,
  fittedOn: { messages: 0, answerPrecision: 0, answerCoverage: 0 },
};

/** One held-out message as the calibration sees it. */
export interface CalibrationSample {
  confidence: number;
  /** The top category is the gold one. */
  correct: boolean;
  /** The gold category is among the clarify options. */
  inOptions: boolean;
  category: Category;
  gold: Category;
}

/**
 * Pool-adjacent-violators: the non-decreasing step function closest to the 0/1 outcomes, as
 * one point per block (its mean confidence and its share right). {@link calibrated} draws
 * straight lines between the points: a step function put hundreds of held-out messages on one
 * probability, so the answer threshold could only sit at a block's edge (50% or 84% of
 * messages, nothing between).
 */
function isotonic(xs: readonly number[], ys: readonly number[]): { confidence: number[]; probability: number[] } {
  const blocks: Array<{ sx: number; sum: number; n: number }> = [];
  for (let i = 0; i < xs.length; i++) {
    blocks.push({ sx: xs[i] as number, sum: ys[i] as number, n: 1 });
    while (blocks.length > 1) {
      const b = blocks[blocks.length - 1] as { sx: number; sum: number; n: number };
      const a = blocks[blocks.length - 2] as { sx: number; sum: number; n: number };
      if (a.sum / a.n <= b.sum / b.n) break;
      blocks.splice(blocks.length - 2, 2, { sx: a.sx + b.sx, sum: a.sum + b.sum, n: a.n + b.n });
    }
  }
  return { confidence: blocks.map((b) => b.sx / b.n), probability: blocks.map((b) => b.sum / b.n) };
}

/** The calibrated probability of a raw confidence: linear between the fitted points, flat beyond them. */
export function calibrated(c: Calibration, confidence: number): number {
  const xs = c.confidence;
  if (xs.length === 0 || (xs.length === 1 && xs[0] === 0 && c.probability[0] === 0)) return confidence;
  if (confidence <= (xs[0] as number)) return c.probability[0] ?? confidence;
  const last = xs.length - 1;
  if (confidence >= (xs[last] as number)) return c.probability[last] ?? confidence;
  let lo = 0;
  let hi = last;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((xs[mid] as number) <= confidence) lo = mid;
    else hi = mid - 1;
  }
  const x0 = xs[lo] as number;
  const x1 = xs[lo + 1] as number;
  const p0 = c.probability[lo] as number;
  const p1 = c.probability[lo + 1] as number;
  return x1 > x0 ? p0 + ((p1 - p0) * (confidence - x0)) / (x1 - x0) : p1;
}

/** The probability at or above which `category` is answered. */
export function answerThreshold(c: Calibration, category: Category): number {
  return c.answerAtFor?.[category] ?? c.answerAt;
}

/** The action for a calibrated probability and category. `other` is never answered. */
export function actionFor(c: Calibration, probability: number, category: Category, hasOptions: boolean): NluAction {
  if (category !== 'other' && probability >= answerThreshold(c, category)) return 'answer';
  if (probability >= c.clarifyAt && hasOptions) return 'clarify';
  return 'handoff';
}

/**
 * Fits the map and the thresholds on held-out samples. `answerAt` is the lowest probability
 * whose answers (category not other) reach ANSWER_PRECISION; `clarifyAt` the lowest below it
 * whose clarified messages have the right category among the options CLARIFY_HIT_RATE of the time.
 */
export function fitCalibration(samples: readonly CalibrationSample[]): Calibration {
  if (samples.length < 50) return DEFAULT_CALIBRATION;
  const sorted = [...samples].sort((a, b) => a.confidence - b.confidence);
  const fit = isotonic(
    sorted.map((s) => s.confidence),
    sorted.map((s) => (s.correct ? 1 : 0)),
  );
  const base: Calibration = { ...fit, answerAt: 1.01, clarifyAt: 0, fittedOn: { messages: samples.length, answerPrecision: 0, answerCoverage: 0 } };
  const probs = sorted.map((s) => calibrated(base, s.confidence));
  // Candidate thresholds: the distinct probabilities, from the top down.
  const levels = [...new Set(probs)].sort((a, b) => b - a);
  const byProbability = sorted.map((s, i) => ({ s, p: probs[i] as number })).sort((a, b) => b.p - a.p);
  /** The lowest level whose answers (probability ≥ level, category not other, picked) reach the precision; one pass from the top. */
  const lowestPrecise = (pick: (s: CalibrationSample) => boolean, minAnswers: number): number | undefined => {
    let at: number | undefined;
    let n = 0;
    let right = 0;
    let j = 0;
    for (const t of levels) {
      for (; j < byProbability.length && (byProbability[j] as { p: number }).p >= t; j++) {
        const s = (byProbability[j] as { s: CalibrationSample }).s;
        if (s.category !== 'other' && pick(s)) {
          n++;
          if (s.correct) right++;
        }
      }
      // Laplace-smoothed: a handful of lucky answers does not open a category.
      if (n >= minAnswers && (right + 1) / (n + 2) >= ANSWER_PRECISION) at = t;
    }
    return at;
  };
  const answerAt = lowestPrecise(() => true, 1) ?? 1.01;
  const answerAtFor: Partial<Record<Category, number>> = {};
  const predicted = new Map<Category, number>();
  for (const s of sorted) predicted.set(s.category, (predicted.get(s.category) ?? 0) + 1);
  for (const [category, n] of predicted) {
    if (category === 'other' || n < MIN_CATEGORY_SAMPLES) continue;
    // Per category the threshold only rises: a category held-out found easy still answers no lower
    // than the global threshold (buyers are harder than held-out), one it found hard answers
    // higher, and one never reaching the precision is not answered at all (it is clarified).
    answerAtFor[category] = Math.max(answerAt, lowestPrecise((s) => s.category === category, MIN_CATEGORY_ANSWERS) ?? 1.01);
  }
  const thresholdOf = (c: Category): number => answerAtFor[c] ?? answerAt;
  let n = 0;
  let right = 0;
  sorted.forEach((s, i) => {
    if (s.category !== 'other' && (probs[i] as number) >= thresholdOf(s.category)) {
      n++;
      if (s.correct) right++;
    }
  });
  const best = { precision: n ? right / n : 0, coverage: n / samples.length };
  const answered = (s: CalibrationSample, p: number): boolean => s.category !== 'other' && p >= thresholdOf(s.category);
  let clarifyAt = answerAt;
  {
    let n = 0;
    let hit = 0;
    let j = 0;
    for (const t of levels) {
      for (; j < byProbability.length && (byProbability[j] as { p: number }).p >= t; j++) {
        const { s, p } = byProbability[j] as { s: CalibrationSample; p: number };
        if (answered(s, p)) continue;
        n++;
        // Asking back is also the right move for a message that is unclear on its own (gold other).
        if (s.inOptions || s.gold === 'other') hit++;
      }
      if (t <= answerAt && t >= CLARIFY_FLOOR && n > 0 && hit / n >= CLARIFY_HIT_RATE) clarifyAt = t;
    }
  }
  return {
    ...fit,
    answerAt,
    answerAtFor,
    clarifyAt: Math.min(clarifyAt, answerAt),
    fittedOn: { messages: samples.length, answerPrecision: best.precision, answerCoverage: best.coverage },
  };
}

/** Rows of a reliability table: per probability bin, messages, mean predicted probability, share right. */
export function reliability(
  samples: ReadonlyArray<{ probability: number; correct: boolean }>,
  edges = [0, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0001],
): Array<{ from: number; to: number; n: number; predicted: number; right: number }> {
  const rows = [];
  for (let i = 0; i + 1 < edges.length; i++) {
    const from = edges[i] as number;
    const to = edges[i + 1] as number;
    const inBin = samples.filter((s) => s.probability >= from && s.probability < to);
    const n = inBin.length;
    rows.push({
      from,
      to: Math.min(1, to),
      n,
      predicted: n ? inBin.reduce((a, s) => a + s.probability, 0) / n : 0,
      right: n ? inBin.filter((s) => s.correct).length / n : 0,
    });
  }
  return rows;
}
