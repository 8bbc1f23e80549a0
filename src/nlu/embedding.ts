/**
 * Stage 4 of understanding, second model: fastText-style averaged embeddings. Every feature
 * (character, bigram, jieba word, cue-word and lexicon marks) has a small dense vector; a
 * message is the mean of its vectors, and a softmax layer reads that mean. Features that occur
 * in the same kind of message end up with similar vectors, so a bigram seen only in a few
 * examples still pulls towards the intents of its neighbours: what the linear model, which
 * weighs every feature on its own, cannot do. Trained with plain SGD and a linearly decaying
 * learning rate, like fastText's supervised mode.
 */
import { indexExamples, softmaxInPlace, type EmbeddingData, type Scorer, type TrainingExample } from './classify';
import { prng } from './prng';

/** Options of the embedding model (defaults chosen on our held-out split, docs/nlu.md). */
export interface EmbeddingOptions {
  dim?: number;
  epochs?: number;
  learningRate?: number;
  seed?: number;
}

/** Trains the model and returns it as plain data (typed arrays). */
export function trainEmbeddingData(examples: readonly TrainingExample[], options: EmbeddingOptions = {}): EmbeddingData {
  const dim = options.dim ?? 24;
  const epochs = options.epochs ?? 8;
  const lr0 = options.learningRate ?? 0.4;
  const rand = prng((options.seed ?? 42) ^ 0x2545f491);
  const indexed = indexExamples(examples);
  const { labels, featureIndex } = indexed;
  const k = labels.length;
  // Offsets into the input table: a feature's vector starts at its index × dim.
  const encoded = indexed.encoded.map((e) => ({ idx: Int32Array.from(e.idx, (i) => i * dim), y: e.y, wt: e.wt }));
  const nf = featureIndex.size;
  const input = new Float32Array(nf * dim);
  for (let i = 0; i < input.length; i++) input[i] = (rand() * 2 - 1) / dim;
  const output = new Float32Array(k * dim);
  const bias = new Float32Array(k);
  const hidden = new Float64Array(dim);
  const gradHidden = new Float64Array(dim);
  const scores = new Float64Array(k);
  const order = encoded.map((_, i) => i);
  const steps = Math.max(1, epochs * order.length);
  let step = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j] ?? 0, order[i] ?? 0];
    }
    for (const n of order) {
      const ex = encoded[n];
      step++;
      if (!ex || ex.idx.length === 0) continue;
      const lr = lr0 * (1 - step / steps);
      const m = ex.idx.length;
      hidden.fill(0);
      for (let j = 0; j < m; j++) {
        const base = ex.idx[j] as number;
        for (let d = 0; d < dim; d++) hidden[d] = (hidden[d] as number) + (input[base + d] as number);
      }
      for (let d = 0; d < dim; d++) hidden[d] = (hidden[d] as number) / m;
      for (let c = 0; c < k; c++) {
        let acc = bias[c] as number;
        const row = c * dim;
        for (let d = 0; d < dim; d++) acc += (output[row + d] as number) * (hidden[d] as number);
        scores[c] = acc;
      }
      softmaxInPlace(scores);
      gradHidden.fill(0);
      for (let c = 0; c < k; c++) {
        const g = ex.wt * ((scores[c] as number) - (c === ex.y ? 1 : 0));
        if (Math.abs(g) < 1e-5) continue;
        const row = c * dim;
        for (let d = 0; d < dim; d++) {
          gradHidden[d] = (gradHidden[d] as number) + g * (output[row + d] as number);
          output[row + d] = (output[row + d] as number) - lr * g * (hidden[d] as number);
        }
        bias[c] = (bias[c] as number) - lr * g;
      }
      const scale = lr / m;
      for (let j = 0; j < m; j++) {
        const base = ex.idx[j] as number;
        for (let d = 0; d < dim; d++) input[base + d] = (input[base + d] as number) - scale * (gradHidden[d] as number);
      }
    }
  }
  const bits = Math.ceil(Math.log2(Math.max(16, nf * 2)));
  const mask = (1 << bits) - 1;
  const shift = 32 - bits;
  const keys = new Int32Array(1 << bits).fill(-1);
  const rows = new Int32Array(1 << bits);
  for (const [f, i] of featureIndex) {
    let h = Math.imul(f, 0x9e3779b1) >>> shift;
    while (keys[h] !== -1) h = (h + 1) & mask;
    keys[h] = f;
    rows[h] = i * dim;
  }
  return { kind: 'embedding', labels, dim, keys, rows, bits, input, output, bias };
}

/** The raw label scores of an embedding model (mean of the known features' vectors, then the output layer). */
export function embeddingScorer(data: EmbeddingData): Scorer {
  const { keys, rows, bits, input, output, bias, dim } = data;
  const k = data.labels.length;
  const mask = (1 << bits) - 1;
  const shift = 32 - bits;
  const hidden = new Float64Array(dim);
  return (features, length, s) => {
    hidden.fill(0);
    let m = 0;
    for (let j = 0; j < length; j++) {
      const f = features[j] as number;
      let h = Math.imul(f, 0x9e3779b1) >>> shift;
      let key = keys[h] as number;
      while (key !== f && key !== -1) {
        h = (h + 1) & mask;
        key = keys[h] as number;
      }
      if (key === -1) continue;
      const base = rows[h] as number;
      m++;
      for (let d = 0; d < dim; d++) hidden[d] = (hidden[d] as number) + (input[base + d] as number);
    }
    const inv = m > 0 ? 1 / m : 0;
    for (let c = 0; c < k; c++) {
      let acc = 0;
      const row = c * dim;
      for (let d = 0; d < dim; d++) acc += (output[row + d] as number) * (hidden[d] as number);
      s[c] = (bias[c] as number) + acc * inv;
    }
  };
}
