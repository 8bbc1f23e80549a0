/**
 * natural's Bayes and LogisticRegression classifiers behind our Classifier interface, for the
 * comparison in docs/nlu.md (`npx tsx src/cli/compare.ts dev.tsv`). They read the same features as
 * the linear model (jieba words, character n-grams, entity and cue markers).
 */
import { BayesClassifier, LogisticRegressionClassifier } from 'natural/lib/natural/classifiers';
import type { Classifier, LabelScore, TrainingExample } from '../nlu';

function normalizeScores(raw: ReadonlyArray<{ label: string; value: number }>, logSpace: boolean): LabelScore[] {
  const values = raw.map((r) => r.value);
  const max = Math.max(...values);
  const weights = logSpace ? values.map((v) => Math.exp(v - max)) : values.map((v) => Math.max(0, v));
  const sum = weights.reduce((a, b) => a + b, 0) || 1;
  return raw.map((r, i) => ({ label: r.label, score: (weights[i] ?? 0) / sum })).sort((a, b) => b.score - a.score);
}

/** natural.BayesClassifier over our features (features are passed as pre-tokenized documents). */
export function trainNaturalBayes(examples: readonly TrainingExample[]): Classifier {
  const bayes = new BayesClassifier();
  for (const e of examples) bayes.addDocument(e.features.map(String), e.label);
  bayes.train();
  return {
    name: 'natural-bayes',
    classify: (features) => normalizeScores(bayes.getClassifications(features.map(String)), false),
  };
}

/** natural.LogisticRegressionClassifier over our features (slow to train: seconds). */
export function trainNaturalLogistic(examples: readonly TrainingExample[]): Classifier {
  const lr = new LogisticRegressionClassifier();
  for (const e of examples) lr.addDocument(e.features.map(String), e.label);
  lr.train();
  return {
    name: 'natural-logistic',
    classify: (features) => normalizeScores(lr.getClassifications(features.map(String)), false),
  };
}
