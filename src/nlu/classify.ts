/**
 * Stage 4 of understanding: intent and confidence from features. Classifiers sit behind one
 * interface so they can be compared on the dev set (docs/nlu.md); the product uses
 * `trainLinearClassifier`, a softmax regression trained in-process at start-up.
 */
import { prng } from './prng';

/** One training example: its features and its intent id. */
export interface TrainingExample {
  /** Numeric feature ids from features.ts. */
  features: readonly number[];
  label: string;
  /** Loss weight (default 1). */
  weight?: number;
}

/** A label with its probability, best first. */
export interface LabelScore {
  label: string;
  score: number;
}

/** How many labels `classify` returns at least (best first). */
export const TOP_N = 5;

/** What every classifier provides. `classify` returns the best labels first (at least TOP_N), scores are probabilities. */
export interface Classifier {
  readonly name: string;
  /** The trained parameters as plain data (typed arrays), when the classifier can be rebuilt from them (worker threads, cache). */
  readonly data?: ClassifierData;
  classify(features: readonly number[]): LabelScore[];
  /** The same on the first `length` ids of a typed array (no array per message); optional. */
  classifyIds?(ids: Int32Array, length: number): LabelScore[];
}

/** Options of the linear model; the defaults were picked on the dev set (see docs/nlu.md). */
export interface LinearOptions {
  epochs?: number;
  learningRate?: number;
  /** L2 penalty per update. */
  l2?: number;
  /** Seed for the example shuffle, so training is reproducible. */
  seed?: number;
  /** Independent runs (different shuffles) whose weights are averaged. */
  runs?: number;
}

/** A trained linear model as plain data: labels, the feature hash table and the weight rows. */
export interface LinearData {
  kind: 'linear';
  labels: string[];
  keys: Int32Array;
  rows: Int32Array;
  weights: Float32Array;
  biasRow: number;
  bits: number;
}

/** A trained averaged-embedding model (embedding.ts). */
export interface EmbeddingData {
  kind: 'embedding';
  labels: string[];
  dim: number;
  /** Feature id → input row (× dim) through the same open-addressing table as LinearData. */
  keys: Int32Array;
  rows: Int32Array;
  bits: number;
  /** features × dim input vectors. */
  input: Float32Array;
  /** labels × dim output rows. */
  output: Float32Array;
  bias: Float32Array;
}

/** Probabilities of several models averaged with fixed weights (same labels, same features). */
export interface EnsembleData {
  kind: 'ensemble';
  parts: Array<LinearData | EmbeddingData>;
  mix: number[];
}

export type ClassifierData = LinearData | EmbeddingData | EnsembleData;

export function softmaxInPlace(scores: Float64Array): void {
  let max = -Infinity;
  for (let i = 0; i < scores.length; i++) if ((scores[i] as number) > max) max = scores[i] as number;
  let sum = 0;
  for (let i = 0; i < scores.length; i++) {
    const e = Math.exp((scores[i] as number) - max);
    scores[i] = e;
    sum += e;
  }
  for (let i = 0; i < scores.length; i++) scores[i] = (scores[i] as number) / sum;
}

/** Training examples as dense indices, the common first step of every trainer here. */
export interface IndexedExamples {
  /** The labels, sorted: a label's index is its row in the model. */
  labels: string[];
  /** Feature id → dense index, numbered in order of first use. */
  featureIndex: Map<number, number>;
  /** Per example: its features' dense indices, its label's index and its weight. */
  encoded: { idx: number[]; y: number; wt: number }[];
}

/** Numbers the labels and features of `examples` (deterministic: same examples, same indices). */
export function indexExamples(examples: readonly TrainingExample[]): IndexedExamples {
  const labels = [...new Set(examples.map((e) => e.label))].sort();
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  const featureIndex = new Map<number, number>();
  const encoded = examples.map((e) => {
    const idx: number[] = [];
    for (const f of e.features) {
      let i = featureIndex.get(f);
      if (i === undefined) {
        i = featureIndex.size;
        featureIndex.set(f, i);
      }
      idx.push(i);
    }
    return { idx, y: labelIndex.get(e.label) ?? 0, wt: e.weight ?? 1 };
  });
  return { labels, featureIndex, encoded };
}

/**
 * Multinomial logistic regression over sparse binary features, trained with AdaGrad SGD.
 * ~1,000 examples × ~60 features train in well under a second; classifying is one map lookup
 * and one row add per feature.
 */
export function trainLinearData(examples: readonly TrainingExample[], options: LinearOptions = {}): LinearData {
  // 5 epochs since training also sees the augmented variants (augment.ts, ~1.8× the examples):
  // as accurate as 8 on the dev set, and start-up stays where it was.
  const epochs = options.epochs ?? 5;
  const lr = options.learningRate ?? 0.1;
  const l2 = options.l2 ?? 1e-5;
  const { labels, featureIndex, encoded } = indexExamples(examples);
  const k = labels.length;
  const nf = featureIndex.size;
  const w = new Float64Array((nf + 1) * k); // last row: bias
  const g2 = new Float64Array((nf + 1) * k).fill(1e-8);
  const biasRow = nf * k;
  // Several short runs over different shuffles, weights averaged: one 15-epoch run moved
  // dev macro-F1 by ±0.02 with the seed; three short runs cost the same and move it by ±0.006.
  const runs = options.runs ?? 3;
  const total = new Float64Array((nf + 1) * k);
  const scores = new Float64Array(k);
  for (let run = 0; run < runs; run++) {
    w.fill(0);
    g2.fill(1e-8);
    const rand = prng((options.seed ?? 42) + run * 7919);
    const order = encoded.map((_, i) => i);
    for (let epoch = 0; epoch < epochs; epoch++) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [order[i], order[j]] = [order[j] ?? 0, order[i] ?? 0];
      }
      for (const n of order) {
        const ex = encoded[n];
        if (!ex) continue;
        for (let c = 0; c < k; c++) scores[c] = w[biasRow + c] ?? 0;
        for (const f of ex.idx) for (let c = 0; c < k; c++) scores[c] = (scores[c] ?? 0) + (w[f * k + c] ?? 0);
        softmaxInPlace(scores);
        for (let c = 0; c < k; c++) {
          const grad = ex.wt * ((scores[c] ?? 0) - (c === ex.y ? 1 : 0));
          if (Math.abs(grad) < 1e-3) continue; // negligible: skipping it makes training several times faster
          for (let r = 0; r <= ex.idx.length; r++) {
            const at = (r < ex.idx.length ? (ex.idx[r] ?? 0) * k : biasRow) + c;
            const wv = w[at] as number;
            const gw = grad + l2 * wv;
            const acc = (g2[at] as number) + gw * gw;
            g2[at] = acc;
            w[at] = wv - (lr * gw) / Math.sqrt(acc);
          }
        }
      }
    }
    for (let i = 0; i < w.length; i++) total[i] = (total[i] as number) + (w[i] as number) / runs;
  }
  w.set(total);
  // Feature id → weight row through an open-addressing table in typed arrays: a Map lookup per
  // feature was a third of classify's time. Ids are 30-bit non-negative integers; -1 marks empty.
  const bits = Math.ceil(Math.log2(Math.max(16, nf * 2)));
  const slots = 1 << bits;
  const mask = slots - 1;
  const shift = 32 - bits; // multiplicative hashing: the high bits of the product are the well-mixed ones
  const keys = new Int32Array(slots).fill(-1);
  const rows = new Int32Array(slots);
  for (const [f, i] of featureIndex) {
    let h = Math.imul(f, 0x9e3779b1) >>> shift;
    while (keys[h] !== -1) h = (h + 1) & mask;
    keys[h] = f;
    rows[h] = i * k;
  }
  // Float32 halves the table (tens of thousands of features × 20 labels): rows are read at
  // random, so fewer cache misses matter more than the last digits of a weight.
  return { kind: 'linear', labels, keys, rows, weights: Float32Array.from(w), biasRow, bits };
}

/** Keeps the best TOP_N of `s` (probabilities) as labelled scores, best first. */
export function topLabels(s: Float64Array, labels: readonly string[], top: Int32Array): LabelScore[] {
  const k = labels.length;
  const n = Math.min(TOP_N, k, top.length);
  // Only the best few are ever read: one pass keeps them in order (insertion into n slots).
  let filled = 0;
  for (let c = 0; c < k; c++) {
    const v = s[c] as number;
    if (filled === n && v <= (s[top[n - 1] as number] as number)) continue;
    let at = filled < n ? filled++ : n - 1;
    while (at > 0 && (s[top[at - 1] as number] as number) < v) {
      top[at] = top[at - 1] as number;
      at--;
    }
    top[at] = c;
  }
  const out: LabelScore[] = [];
  for (let r = 0; r < filled; r++) out.push({ label: labels[top[r] as number] as string, score: s[top[r] as number] as number });
  return out;
}

/** Writes a model's raw (pre-softmax) label scores for the first `length` feature ids into `s`. */
export type Scorer = (features: Int32Array, length: number, s: Float64Array) => void;

/** The raw scores of a linear model. */
export function linearScorer(data: LinearData): Scorer {
  const { keys, rows, weights, biasRow, bits } = data;
  const k = data.labels.length;
  const mask = (1 << bits) - 1;
  const shift = 32 - bits;
  let bases = new Int32Array(256);
  return (features, length, s) => {
    // First the weight rows of the known features, then each label's sum over them in a
    // register: the same additions in the same order as row by row, so the same bits.
    if (bases.length < length) bases = new Int32Array(length * 2);
    const found = bases;
    let m = 0;
    for (let j = 0; j < length; j++) {
      const f = features[j] as number;
      let h = Math.imul(f, 0x9e3779b1) >>> shift;
      let key = keys[h] as number;
      while (key !== f && key !== -1) {
        h = (h + 1) & mask;
        key = keys[h] as number;
      }
      if (key !== -1) found[m++] = rows[h] as number;
    }
    for (let c = 0; c < k; c++) {
      let acc = weights[biasRow + c] as number;
      for (let j = 0; j < m; j++) acc += weights[(found[j] as number) + c] as number;
      s[c] = acc;
    }
  };
}

/** A Classifier over scorers (one per model) whose softmax outputs are mixed with fixed weights. */
export function classifierFrom(
  name: string,
  data: ClassifierData,
  labels: readonly string[],
  parts: readonly Scorer[],
  mix: readonly number[],
): Classifier {
  const k = labels.length;
  // Reusable buffers: classify is synchronous, so calls never overlap.
  const buffer = new Float64Array(k);
  const part = new Float64Array(k);
  const topIdx = new Int32Array(TOP_N);
  let copy = new Int32Array(256);
  const classifyIds = (features: Int32Array, length: number): LabelScore[] => {
    if (parts.length === 1) {
      (parts[0] as Scorer)(features, length, buffer);
      softmaxInPlace(buffer);
    } else {
      buffer.fill(0);
      for (let p = 0; p < parts.length; p++) {
        (parts[p] as Scorer)(features, length, part);
        softmaxInPlace(part);
        const m = mix[p] ?? 0;
        for (let c = 0; c < k; c++) buffer[c] = (buffer[c] as number) + m * (part[c] as number);
      }
    }
    return topLabels(buffer, labels, topIdx);
  };
  return {
    name,
    data,
    classify(features: readonly number[]): LabelScore[] {
      if (copy.length < features.length) copy = new Int32Array(features.length * 2);
      for (let j = 0; j < features.length; j++) copy[j] = features[j] as number;
      return classifyIds(copy, features.length);
    },
    classifyIds,
  };
}

/** Rebuilds a linear classifier from its data. */
export function linearClassifier(data: LinearData): Classifier {
  return classifierFrom('linear', data, data.labels, [linearScorer(data)], [1]);
}

/** Softmax regression over our features (see {@link trainLinearData}), ready to classify. */
export function trainLinearClassifier(examples: readonly TrainingExample[], options: LinearOptions = {}): Classifier {
  return linearClassifier(trainLinearData(examples, options));
}
