/**
 * The understanding pipeline: normalize → segment → entities → classify, composed into one
 * `understand(model, text)` that never throws. `trainModel` builds the model from the intent
 * files and the shop dictionary at start-up (well under a second).
 */
import { AppError } from '../errors';
import {
  classifierFrom,
  linearScorer,
  trainLinearData,
  type Classifier,
  type ClassifierData,
  type LabelScore,
  type Scorer,
  type TrainingExample,
} from './classify';
import { augmentExamples } from './augment';
import { actionFor, answerThreshold, calibrated, DEFAULT_CALIBRATION, fitCalibration, type Calibration, type CalibrationSample } from './calibration';
import type { CorpusLine, Lexicon } from './corpus';
import { embeddingScorer, trainEmbeddingData, type EmbeddingOptions } from './embedding';
import { splitHeldOut } from './split';
import { readCachedModel, trainingKey, writeCachedModel } from './model-cache';
import { extractEntities } from './entities';
import { createFeatureBuffer, createKeywordMatcher, featurize, featurizeInto, type KeywordMatcher } from './features';
import { parseDictionary, type IntentDef } from './intents';
import { normalize } from './normalize';
import { createSegmenter, type Segmenter } from './segment';
import type { Category, Entity, EntityKind, IntentScore, Understanding, UnderstandContext } from './types';

export { parseIntentFile, parseDictionary } from './intents';
export type { IntentDef, ScriptError, DictionaryWord } from './intents';
export { normalize, MAX_TEXT_CHARS, EMOTICON_TOKEN } from './normalize';
export { extractEntities, parseNumeral, carrierFromNumber, maskPhone } from './entities';
export type { Classifier, LabelScore, TrainingExample, ClassifierData } from './classify';
export type { Calibration } from './calibration';
export type { CorpusLine, Lexicon } from './corpus';
export * from './types';

/** Intent used when nothing fits or the text is unreadable. */
export const FALLBACK_INTENT = 'other.fallback';
/** Confidence ceiling for garbled text: low enough that the dialogue asks or hands off. */
export const GARBLED_CONFIDENCE = 0.1;

/** Everything `understand` needs; build it with {@link trainModel}. */
export interface NluModel {
  readonly intents: readonly IntentDef[];
  readonly segmenter: Segmenter;
  readonly keywords: KeywordMatcher;
  /** Lexicon words (product families, fault symptoms, usage): a hit adds the lexicon's mark as a feature. */
  readonly lexicon?: KeywordMatcher;
  /** Confidence → probability map and action thresholds, fitted on held-out data. */
  readonly calibration: Calibration;
  /** The trained parameters as plain data: what a worker thread sends back, what a cache stores. */
  readonly data: NluModelData;
  /** decisive_keywords of all intents: a hit makes that intent the answer. */
  readonly decisive: KeywordMatcher;
  /** Intents that have decisive_keywords. */
  readonly decisiveIntents: ReadonlySet<string>;
  /** yields_to of the intents that have one. */
  readonly yields: ReadonlyMap<string, ReadonlySet<Category>>;
  /** holds_with words of all intents. */
  readonly holds: KeywordMatcher;
  readonly classifier: Classifier;
  readonly categoryOf: ReadonlyMap<string, Category>;
  /** Intents with requires_keyword → the entity kinds that also let them through. */
  readonly gated: ReadonlyMap<string, readonly EntityKind[]>;
  /** Milliseconds spent in trainModel (load dictionaries + train). */
  readonly trainMs: number;
  /** Where trainMs went: jieba dictionaries, featurizing the examples, fitting the classifier. */
  readonly timings: { segmenterMs: number; featuresMs: number; classifierMs: number };
}

/** Thrown only for calls that can never work (no intents at all); never for buyer text. */
export class NluError extends AppError {
  constructor(message: string) {
    super('INVALID_SCRIPT', message);
    this.name = 'NluError';
  }
}

// toLowerCase on text with Han characters takes V8's slow path; most messages have no capitals.
const UPPER_RE = /[A-Z\u00c0-\u024f\u0370-\u052f]/;
const lowerCase = (text: string): string => (UPPER_RE.test(text) ? text.toLowerCase() : text);

type Analyser = Pick<NluModel, 'segmenter' | 'keywords' | 'lexicon'>;

/**
 * The text a training example is featurized from: the same stages a buyer message goes through.
 * jieba is not among them: its words as features scored the same held-out macro-F1 as character
 * bigrams alone (0.801 without, 0.803 with, frame-held-out split) and cost a third of a message's
 * time; `Understanding.tokens` cuts the words when a caller reads them.
 */
function analyse(model: Analyser, raw: string) {
  const normalized = normalize(raw, { wordScore: model.segmenter.wordCount });
  const entities = extractEntities(normalized.text);
  const lower = lowerCase(normalized.text);
  const hits = model.keywords.match(lower);
  return { normalized, entities, hits, lower };
}

/** Cue-word hits plus lexicon hits (`lex:<name>`): what the classifier sees; the rules read cue words only. */
function featureHits(model: Analyser, lower: string, hits: readonly string[]): readonly string[] {
  if (model.lexicon === undefined) return hits;
  const lex = model.lexicon.match(lower);
  return lex.length === 0 ? hits : [...hits, ...lex];
}

/** A training example's features: the same stages as a buyer message. */
function featuresOf(model: Analyser, text: string): number[] {
  const { normalized, entities, hits, lower } = analyse(model, text);
  return featurize(normalized.text, entities, featureHits(model, lower, hits), lower);
}

// understand() featurizes into this buffer (it is synchronous, so calls never overlap).
const featureBuffer = createFeatureBuffer();

/** Classify from the analysed parts: through the shared buffer when the classifier takes ids. */
function classifyText(model: NluModel, text: string, entities: readonly Entity[], cueHits: readonly string[], lower: string): LabelScore[] {
  const { classifier } = model;
  const hits = featureHits(model, lower, cueHits);
  if (classifier.classifyIds === undefined) return classifier.classify(featurize(text, entities, hits, lower));
  featurizeInto(featureBuffer, text, entities, hits, lower);
  return classifier.classifyIds(featureBuffer.ids, featureBuffer.length);
}

const CLAUSE_SPLIT_RE = /[\s,，。.!！?？;；~～、]+/;
/** Categories an agent has nothing to act on; a message that also asks something is about that. */
const PASSIVE = new Set<Category>(['greeting', 'other']);
/** How sure a single clause must be to override a passive reading of the whole message. */
const CLAUSE_CONFIDENCE = 0.6;

/**
 * Which clause categories may override the whole message's reading, by the labelling guide:
 * a greeting or fragment attached to a real question takes the question (rule 4), a return
 * asked next to a delivery question is a return (rule 3), a request for a person that also
 * states a concrete problem is about the problem (rule 2).
 */
const CLAUSE_OVERRIDES: Partial<Record<Category, (clause: Category) => boolean>> = {
  greeting: (c) => !PASSIVE.has(c),
  other: (c) => !PASSIVE.has(c),
  human: (c) => !PASSIVE.has(c) && c !== 'human',
};

/**
 * Buyers often paste several chat turns into one message ("好的 谢谢 那什么时候发货"). When the
 * whole message's category may be overridden (CLAUSE_OVERRIDES), each clause is classified on
 * its own and the most confident overriding clause wins.
 */
function preferActionableClause(model: NluModel, text: string, scored: LabelScore[]): LabelScore[] {
  const top = scored[0];
  if (!top) return scored;
  const overrides = CLAUSE_OVERRIDES[model.categoryOf.get(top.label) ?? 'other'];
  if (overrides === undefined) return scored;
  const clauses = text.split(CLAUSE_SPLIT_RE).filter((c) => c.length >= 2);
  if (clauses.length < 2) return scored;
  let best: LabelScore[] | undefined;
  for (const clause of clauses) {
    const lower = lowerCase(clause);
    const clauseHits = model.keywords.match(lower);
    const clauseEntities = extractEntities(clause);
    let ranked = classifyText(model, clause, clauseEntities, clauseHits, lower);
    if (model.gated.size > 0) ranked = gatedOut(model, clauseHits, clauseEntities, ranked);
    const head = ranked[0];
    if (!head || !overrides(model.categoryOf.get(head.label) ?? 'other') || head.score < CLAUSE_CONFIDENCE) continue;
    if (!best || head.score > (best[0]?.score ?? 0)) best = ranked;
  }
  return best ?? scored;
}

/**
 * yields_to: an intent that gives way when another category is cued and none of its own
 * holds_with words occurs ("地址是…，什么时候发货" is about delivery; "没收到就退款" is a return).
 * The winner is that category's best-ranked intent; its confidence is not raised above what the
 * evidence gives (at most the displaced intent's own).
 */
function applyYields(model: NluModel, lower: string, hits: readonly string[], scored: LabelScore[]): LabelScore[] {
  const top = scored[0];
  if (top === undefined) return scored;
  const toward = model.yields.get(top.label);
  if (toward === undefined) return scored;
  let cued: string | undefined;
  for (const h of hits) if (h !== top.label && toward.has(model.categoryOf.get(h) ?? 'other')) cued ??= h;
  if (cued === undefined || model.holds.match(lower).includes(top.label)) return scored;
  const winner = scored.find((s) => s.label !== top.label && toward.has(model.categoryOf.get(s.label) ?? 'other')) ?? { label: cued, score: 0 };
  const score = Math.min(top.score, Math.max(winner.score, 0.5 * top.score));
  return [{ label: winner.label, score }, ...scored.filter((s) => s.label !== winner.label)];
}

/** The labelling guide's order when several intents are decisive: a complaint first, then a return. */
const DECISIVE_ORDER: readonly Category[] = ['bad_review', 'return', 'human'];

/** A decisive word puts its intent first, as confident as the model's own first choice at least. */
function applyDecisive(model: NluModel, lower: string, hits: readonly string[], scored: LabelScore[]): LabelScore[] {
  // Decisive words are cue words too: without a cue hit of such an intent there is nothing to scan for.
  if (!hits.some((h) => model.decisiveIntents.has(h))) return scored;
  const winners = model.decisive.match(lower);
  const rank = (id: string): number => {
    const r = DECISIVE_ORDER.indexOf(model.categoryOf.get(id) ?? 'other');
    return r < 0 ? DECISIVE_ORDER.length : r;
  };
  let winner = winners[0];
  for (const w of winners) if (winner !== undefined && rank(w) < rank(winner)) winner = w;
  if (winner === undefined || scored[0]?.label === winner) return scored;
  const own = scored.find((s) => s.label === winner)?.score ?? 0;
  const top = scored[0]?.score ?? 0;
  return [{ label: winner, score: Math.max(own, top) }, ...scored.filter((s) => s.label !== winner)];
}

/** Below this confidence, with no cue word and no entity, a message is read as other.fallback. */
const REJECT_BELOW = 0.3;

/**
 * Reject option: a weak guess that no cue word or entity supports is usually a fragment or an
 * off-topic message ("other"), not the actionable intent the model leaned to. Greetings are
 * kept (short acknowledgements carry no cue either). The confidence stays the model's own.
 */
function rejectUncued(model: NluModel, hits: readonly string[], entities: readonly Entity[], scored: LabelScore[]): LabelScore[] {
  const top = scored[0];
  if (top === undefined || top.score >= REJECT_BELOW || hits.length > 0 || entities.length > 0 || top.label === FALLBACK_INTENT) return scored;
  if (model.categoryOf.get(top.label) === 'greeting' || !model.categoryOf.has(FALLBACK_INTENT)) return scored;
  return [{ label: FALLBACK_INTENT, score: top.score }, ...scored.filter((s) => s.label !== FALLBACK_INTENT)];
}

/**
 * A gated intent the model is this sure of stays without a cue word: complaints by irritation
 * ("说了半天还是这样") name no 差评 or 投诉. Chosen on the held-out split: macro-F1 0.889 → 0.931
 * over three folds (0.7: 0.873 on fold 0 where 0.5 gave 0.884; docs/nlu.md).
 */
const GATE_OVERRIDE = 0.5;

/** Drop gated intents whose cue words are absent (unless the model is GATE_OVERRIDE sure) from the ranking. */
function gatedOut(model: NluModel, hits: readonly string[], entities: readonly Entity[], scored: LabelScore[]): LabelScore[] {
  let any = false;
  for (const s of scored) if (model.gated.has(s.label)) any = true;
  if (!any) return scored;
  const out: LabelScore[] = [];
  for (const s of scored) {
    const cues = model.gated.get(s.label);
    if (cues === undefined || hits.includes(s.label) || entities.some((e) => cues.includes(e.kind)) || s.score >= GATE_OVERRIDE) out.push(s);
  }
  return out;
}

// jieba's dictionaries take ~200 ms to load; models retrained with the same shop dictionary
// (script publishes, tests) share one segmenter. A few recent dictionaries are kept.
const segmenters = new Map<string, Segmenter>();
function segmenterFor(dictionaryText: string): Segmenter {
  const cached = segmenters.get(dictionaryText);
  if (cached) return cached;
  const created = createSegmenter(parseDictionary(dictionaryText).words);
  if (segmenters.size >= 4) segmenters.delete(segmenters.keys().next().value as string);
  segmenters.set(dictionaryText, created);
  return created;
}

/**
 * Loss weights that move each category halfway (square root) towards an equal share: how many
 * examples managers wrote for a category (return 278, human 21) says nothing about how often
 * buyers ask it, and every category counts the same in macro-F1. Full balancing and none both
 * scored lower on the dev set (docs/nlu.md).
 */
function balanceCategories(intents: readonly IntentDef[], examples: TrainingExample[]): void {
  const categoryOf = new Map(intents.map((i) => [i.id, i.category]));
  const perCategory = new Map<Category, number>();
  for (const e of examples) {
    const c = categoryOf.get(e.label) ?? 'other';
    perCategory.set(c, (perCategory.get(c) ?? 0) + 1);
  }
  const mean = examples.length / Math.max(1, perCategory.size);
  for (const e of examples) e.weight = Math.sqrt(mean / (perCategory.get(categoryOf.get(e.label) ?? 'other') ?? mean));
}

/** Which classifier trainModel builds; `ensemble` mixes the other two. */
export type ModelKind = 'linear' | 'embedding' | 'ensemble';

/**
 * The default: on the held-out split (three folds of whole product families) the linear model
 * over our features plus the lexicon marks scored the same macro-F1 as the ensemble (0.889 vs
 * 0.888 mean) and better than the embedding model alone, at half the training time and a
 * fraction of the classify cost (docs/nlu.md).
 */
export const DEFAULT_MODEL_KIND: ModelKind = 'linear';

/** Weight of the linear model in the ensemble's probability mix (chosen on held-out, docs/nlu.md). */
export const ENSEMBLE_LINEAR_WEIGHT = 0.5;
/** Loss weight of a shop's own labelled lines (--train-extra): real messages of that very shop. */
export const EXTRA_WEIGHT = 2;

/** Options for {@link trainModel}. */
export interface TrainOptions {
  /** Another classifier (comparisons in eval/compare); overrides `kind`. */
  trainClassifier?: (examples: TrainingExample[]) => Classifier;
  /** Which of our classifiers (default DEFAULT_MODEL_KIND). */
  kind?: ModelKind;
  /** Settings of the embedding model (eval sweeps; defaults in embedding.ts). */
  embedding?: EmbeddingOptions;
  /** Weight of the linear model in the ensemble (default ENSEMBLE_LINEAR_WEIGHT). */
  linearWeight?: number;
  /** Noisy variants per intent-file example added at training (augment.ts); 0 turns augmentation off. */
  augmentCopies?: number;
  /** Seed of the augmentation and of the classifiers. */
  augmentSeed?: number;
  /** Our training corpus (intents/corpus/*.tsv, corpus.ts). */
  corpus?: readonly CorpusLine[];
  /** Lexicons (intents/lexicon/*.txt). */
  lexicons?: readonly Lexicon[];
  /** A shop's own labelled lines, weighted EXTRA_WEIGHT; always on the training side. */
  extra?: readonly CorpusLine[];
  /**
   * The confidence map and thresholds. Undefined: fitted on a held-out split of the intent
   * examples and the corpus (split.ts), which trains a second model. `false`: DEFAULT_CALIBRATION.
   */
  calibration?: Calibration | false;
  /** Directory of the trained-model cache (model-cache.ts); absent: no disk cache. */
  cacheDir?: string;
}

/** A trained model as plain data (typed arrays and numbers): all a worker thread sends back. */
export interface NluModelData {
  classifier: ClassifierData;
  calibration: Calibration;
  lexicons: Lexicon[];
  timings: { segmenterMs: number; featuresMs: number; classifierMs: number };
}

function checkIntents(intents: readonly IntentDef[]): void {
  if (intents.length === 0) throw new NluError('trainModel needs at least one intent');
  const ids = new Set<string>();
  for (const intent of intents) {
    if (ids.has(intent.id)) throw new NluError(`intent "${intent.id}" is defined twice`);
    ids.add(intent.id);
  }
}

function cueMatcher(intents: readonly IntentDef[]): KeywordMatcher {
  // Decisive words are cue words too: the model sees them as features as well.
  return createKeywordMatcher(intents.map((i) => ({ intent: i.id, words: [...i.keywords, ...i.decisiveKeywords] })));
}

function lexiconMatcher(lexicons: readonly Lexicon[]): KeywordMatcher | undefined {
  return lexicons.length === 0 ? undefined : createKeywordMatcher(lexicons.map((l) => ({ intent: `lex:${l.name}`, words: l.words })));
}

/** The intent files' examples as labelled lines (theme `intent:<id>`: the split groups them apart from the corpus). */
export function intentLines(intents: readonly IntentDef[]): CorpusLine[] {
  return intents.flatMap((i) => i.examples.map((text) => ({ text, label: i.id, theme: `intent:${i.id}` })));
}

/** Classifier data from featurized examples. */
function fitClassifier(kind: ModelKind, examples: TrainingExample[], options: TrainOptions): ClassifierData {
  const seed = options.augmentSeed;
  if (kind === 'linear') return trainLinearData(examples, { seed });
  if (kind === 'embedding') return trainEmbeddingData(examples, { seed, ...options.embedding });
  const w = options.linearWeight ?? ENSEMBLE_LINEAR_WEIGHT;
  return {
    kind: 'ensemble',
    parts: [trainLinearData(examples, { seed }), trainEmbeddingData(examples, { seed, ...options.embedding })],
    mix: [w, 1 - w],
  };
}

/** A Classifier from its data. */
export function classifierFromData(data: ClassifierData): Classifier {
  if (data.kind === 'linear') return classifierFrom('linear', data, data.labels, [linearScorer(data)], [1]);
  if (data.kind === 'embedding') return classifierFrom('embedding', data, data.labels, [embeddingScorer(data)], [1]);
  const first = data.parts[0];
  const labels = first?.labels ?? [];
  for (const p of data.parts) if (p.labels.join('\n') !== labels.join('\n')) throw new NluError('ensemble parts disagree on the labels');
  const scorers: Scorer[] = data.parts.map((p) => (p.kind === 'linear' ? linearScorer(p) : embeddingScorer(p)));
  return classifierFrom('ensemble', data, labels, scorers, data.mix);
}

/**
 * Trains the classifier (and, unless given, the calibration) from the intent files, the corpus
 * and a shop's extra lines. Pure computation over its arguments: safe in a worker thread.
 */
export function trainModelData(
  intents: readonly IntentDef[],
  dictionaryText: string,
  options: TrainOptions = {},
): NluModelData & { classifierOverride?: Classifier } {
  const started = performance.now();
  checkIntents(intents);
  const segmenter = segmenterFor(dictionaryText);
  const segmented = performance.now();
  const lexicons = [...(options.lexicons ?? [])];
  const base: Analyser = { segmenter, keywords: cueMatcher(intents), lexicon: lexiconMatcher(lexicons) };
  const own = intentLines(intents);
  const corpus = options.corpus ?? [];
  const extra = options.extra ?? [];
  const examples = buildExamples(intents, base, [...own, ...corpus], extra, options);
  const featurized = performance.now();
  let classifierOverride: Classifier | undefined;
  let classifier: ClassifierData;
  if (options.trainClassifier) {
    classifierOverride = options.trainClassifier(examples);
    classifier = classifierOverride.data ?? {
      kind: 'linear',
      labels: [],
      keys: new Int32Array(0),
      rows: new Int32Array(0),
      weights: new Float32Array(0),
      biasRow: 0,
      bits: 0,
    };
  } else classifier = fitClassifier(options.kind ?? DEFAULT_MODEL_KIND, examples, options);
  const done = performance.now();
  let calibration: Calibration;
  if (options.calibration === false) calibration = DEFAULT_CALIBRATION;
  else if (options.calibration !== undefined) calibration = options.calibration;
  else calibration = fitHeldOutCalibration(intents, dictionaryText, [...own, ...corpus], extra, options);
  return {
    classifier,
    calibration,
    lexicons,
    timings: { segmenterMs: segmented - started, featuresMs: featurized - segmented, classifierMs: done - featurized },
    ...(classifierOverride ? { classifierOverride } : {}),
  };
}

/** Featurized, weighted training examples: labelled lines, their augmented variants, the shop's lines. */
function buildExamples(
  intents: readonly IntentDef[],
  base: Analyser,
  lines: readonly CorpusLine[],
  extra: readonly CorpusLine[],
  options: TrainOptions,
): TrainingExample[] {
  const known = new Set(intents.map((i) => i.id));
  const usable = lines.filter((l) => known.has(l.label));
  const examples: TrainingExample[] = usable.map((l) => ({ features: featuresOf(base, l.text), label: l.label }));
  const copies = options.augmentCopies ?? 1;
  if (copies > 0) {
    // Only the intent files' own (clean, short) examples get noisy variants; the corpus is written noisy.
    const own = usable.filter((l) => l.theme.startsWith('intent:'));
    const sources = intents.map((i) => ({ id: i.id, category: i.category, examples: own.filter((l) => l.label === i.id).map((l) => l.text) }));
    for (const { text, label } of augmentExamples(sources, { copies, seed: options.augmentSeed }))
      examples.push({ features: featuresOf(base, text), label });
  }
  balanceCategories(intents, examples);
  for (const l of extra) if (known.has(l.label)) examples.push({ features: featuresOf(base, l.text), label: l.label, weight: EXTRA_WEIGHT });
  return examples;
}

/**
 * Calibration fitted on held-out lines: a model of the same kind is trained without the
 * held-out groups (and their near-duplicates) and its answers on them fit the map.
 */
function fitHeldOutCalibration(
  intents: readonly IntentDef[],
  dictionaryText: string,
  lines: readonly CorpusLine[],
  extra: readonly CorpusLine[],
  options: TrainOptions,
): Calibration {
  const split = splitHeldOut(lines);
  if (split.heldOut.length < 50) return DEFAULT_CALIBRATION;
  const model = trainOnLines(intents, dictionaryText, split.train, { ...options, extra, calibration: false });
  return fitCalibration(calibrationSamples(model, split.heldOut));
}

/**
 * A model trained on exactly these labelled lines (instead of the intents' own examples plus
 * the corpus): what the held-out split and cross-validation train.
 */
export function trainOnLines(
  intents: readonly IntentDef[],
  dictionaryText: string,
  lines: readonly CorpusLine[],
  options: TrainOptions = {},
): NluModel {
  const started = performance.now();
  checkIntents(intents);
  const segmenter = segmenterFor(dictionaryText);
  const base: Analyser = { segmenter, keywords: cueMatcher(intents), lexicon: lexiconMatcher(options.lexicons ?? []) };
  const examples = buildExamples(intents, base, lines, options.extra ?? [], options);
  const classifier = options.trainClassifier?.(examples);
  const data: NluModelData = {
    classifier: classifier?.data ?? fitClassifier(options.kind ?? DEFAULT_MODEL_KIND, examples, options),
    calibration: options.calibration === false || options.calibration === undefined ? DEFAULT_CALIBRATION : options.calibration,
    lexicons: [...(options.lexicons ?? [])],
    timings: { segmenterMs: 0, featuresMs: 0, classifierMs: performance.now() - started },
  };
  return modelFromData(intents, dictionaryText, data, performance.now() - started, classifier);
}

/** Held-out messages as calibration samples (the gold category is the label's). */
export function calibrationSamples(model: NluModel, lines: readonly CorpusLine[]): CalibrationSample[] {
  return lines.map((l) => {
    const u = understand(model, l.text);
    const gold = model.categoryOf.get(l.label) ?? 'other';
    return {
      confidence: u.confidence,
      correct: u.category === gold,
      inOptions: (u.options ?? []).some((o) => o.category === gold) || clarifyOptions(u.ranking).some((o) => o.category === gold),
      category: u.category,
      gold,
    };
  });
}

/**
 * Builds the NLU model from validated intents and the shop dictionary text. Dictionary lines
 * that do not parse are skipped (parseDictionary reports them to the script editor).
 */
export function trainModel(intents: readonly IntentDef[], dictionaryText: string, options: TrainOptions = {}): NluModel {
  const started = performance.now();
  const data = trainModelDataCached(intents, dictionaryText, options);
  return modelFromData(intents, dictionaryText, data, performance.now() - started, data.classifierOverride);
}

// The last few trainings of this process: tests and the script editor rebuild the same files often.
const memo = new Map<string, NluModelData>();

/**
 * {@link trainModelData} through the in-process memo and, with `cacheDir`, the disk cache (keyed
 * by every input and the NLU code). A custom `trainClassifier` is never cached.
 */
export function trainModelDataCached(
  intents: readonly IntentDef[],
  dictionaryText: string,
  options: TrainOptions = {},
): NluModelData & { classifierOverride?: Classifier } {
  if (options.trainClassifier) return trainModelData(intents, dictionaryText, options);
  const { cacheDir, ...inputs } = options;
  const key = trainingKey({ intents, dictionaryText, inputs });
  let data = memo.get(key) ?? (cacheDir !== undefined ? readCachedModel(cacheDir, key) : undefined);
  if (data === undefined) {
    data = trainModelData(intents, dictionaryText, inputs);
    if (cacheDir !== undefined) writeCachedModel(cacheDir, key, data);
  }
  memo.delete(key);
  memo.set(key, data);
  if (memo.size > 3) memo.delete(memo.keys().next().value as string);
  return data;
}

/** The model from trained data (in the thread that serves; the data may come from a worker). */
export function modelFromData(
  intents: readonly IntentDef[],
  dictionaryText: string,
  data: NluModelData,
  trainMs = 0,
  classifier?: Classifier,
): NluModel {
  checkIntents(intents);
  const segmenter = segmenterFor(dictionaryText);
  return {
    intents,
    segmenter,
    keywords: cueMatcher(intents),
    lexicon: lexiconMatcher(data.lexicons),
    calibration: data.calibration,
    data: { classifier: data.classifier, calibration: data.calibration, lexicons: data.lexicons, timings: data.timings },
    decisive: createKeywordMatcher(intents.map((i) => ({ intent: i.id, words: i.decisiveKeywords }))),
    yields: new Map(intents.filter((i) => i.yieldsTo.length > 0).map((i) => [i.id, new Set(i.yieldsTo)])),
    holds: createKeywordMatcher(intents.map((i) => ({ intent: i.id, words: i.holdsWith }))),
    decisiveIntents: new Set(intents.filter((i) => i.decisiveKeywords.length > 0).map((i) => i.id)),
    classifier: classifier ?? classifierFromData(data.classifier),
    categoryOf: new Map(intents.map((i) => [i.id, i.category])),
    gated: new Map(intents.filter((i) => i.requiresKeyword).map((i) => [i.id, i.entityCues])),
    trainMs,
    timings: data.timings,
  };
}

/** The likely intents to offer in a clarifying question: up to three, distinct categories, never other or greeting. */
export function clarifyOptions(ranking: readonly IntentScore[]): IntentScore[] {
  const out: IntentScore[] = [];
  for (const r of ranking) {
    if (PASSIVE.has(r.category) || out.some((o) => o.category === r.category)) continue;
    out.push(r);
    if (out.length === 3) break;
  }
  return out;
}

/** A fragment this short (letters and Han characters) is read in the light of the context. */
const FRAGMENT_CHARS = 6;
/** Share of a fragment's reading given to the intents the conversation points at (the rest stays the model's). */
const CONTEXT_WEIGHT = 0.4;
/** … when only an order or a product is in focus (a weaker hint than a question or a flow). */
const FOCUS_WEIGHT = 0.2;
/** With an order in focus a bare fragment ("还没到", "我的呢") is most often about where it is. */
const ORDER_FOCUS_INTENTS = ['delivery.tracking'];
/** With a product in focus a bare fragment ("多大", "防水吗") is most often about the product. */
const PRODUCT_FOCUS_INTENTS = ['product.info'];
/** A greeting read at least this confidently is not re-read in context. */
const SURE_GREETING = 0.5;
/** The acknowledgement intent: after the bot named a price, "行" / "可以" accepts that price. */
const ACKNOWLEDGE_INTENT = 'greeting.thanks';

/**
 * The intent of a bot move, written `intent/move` (as template ids are: `haggle.bargain/concession`),
 * `intent:move`, or a bare intent id or category.
 */
export function moveIntent(move: string): string {
  const at = move.search(/[/:#]/);
  return at < 0 ? move : move.slice(0, at);
}

/** Bot moves that put a price before the buyer: any bargaining move, or a price quoted (list price, order total). */
export function isPriceMove(move: string | undefined): boolean {
  if (move === undefined) return false;
  const intent = moveIntent(move);
  if (intent === 'haggle' || intent.startsWith('haggle.')) return true;
  const name = move.slice(intent.length + 1).replace(/#.*$/, '');
  return intent === 'payment.pay' && (name === 'list_price' || name === 'order_total');
}

/** The intents a reference names: an intent id, or every intent of a category. */
function intentsOf(model: NluModel, ref: string | undefined, into: string[]): void {
  if (ref === undefined) return;
  // A greeting or a fallback is nothing to lean on ("嗯" after 在吗 is not a greeting flow).
  const passive = (id: string): boolean => PASSIVE.has(model.categoryOf.get(id) ?? 'other');
  if (model.categoryOf.has(ref)) {
    if (!into.includes(ref) && !passive(ref)) into.push(ref);
  } else for (const [id, c] of model.categoryOf) if (c === ref && !into.includes(id) && !passive(id)) into.push(id);
}

/** The intents a context points at and the share of the reading they get. */
function contextIntents(model: NluModel, context: UnderstandContext): { favoured: string[]; weight: number; strong: boolean } {
  const favoured: string[] = [];
  intentsOf(model, context.pendingQuestion, favoured);
  // After a price the buyer's fragment is price talk ("行", "便宜点"), whichever flow named the price.
  if (isPriceMove(context.lastBotMove)) intentsOf(model, 'haggle', favoured);
  else if (context.lastBotMove !== undefined) intentsOf(model, moveIntent(context.lastBotMove), favoured);
  intentsOf(model, context.activeFlow, favoured);
  if (favoured.length > 0) return { favoured, weight: CONTEXT_WEIGHT, strong: true };
  const focus = context.orderInFocus !== undefined ? ORDER_FOCUS_INTENTS : context.productInFocus !== undefined ? PRODUCT_FOCUS_INTENTS : [];
  for (const id of focus) if (model.categoryOf.has(id)) favoured.push(id);
  return { favoured, weight: FOCUS_WEIGHT, strong: false };
}

/**
 * Short fragments ("那要几天", "然后呢") mean what the conversation is about. For a fragment, the
 * intents of the pending question, the bot's last move and the active flow get CONTEXT_WEIGHT of
 * the probability, plus whatever the model gave "other" (by the labelling guide, other is exactly
 * "makes no sense without context"); with only an order or product in focus, FOCUS_WEIGHT leans
 * toward tracking or the product without taking over "other". After the bot named a price, a bare acknowledgement ("行", "可以")
 * accepts it: its mass goes to the price talk too. A fragment the model reads confidently on its
 * own keeps its reading, and a confident greeting otherwise stays a greeting. Longer messages stand on their own.
 */
function applyContext(
  model: NluModel,
  text: string,
  context: UnderstandContext | undefined,
  scored: LabelScore[],
): { scored: LabelScore[]; used: boolean } {
  if (context === undefined) return { scored, used: false };
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x4e00 && c <= 0x9fff) || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) n++;
  }
  if (n === 0 || n > FRAGMENT_CHARS) return { scored, used: false };
  const { favoured, weight, strong } = contextIntents(model, context);
  const top = scored[0];
  if (favoured.length === 0 || top === undefined) return { scored, used: false };
  const priced = isPriceMove(context.lastBotMove);
  const acknowledges = priced && top.label === ACKNOWLEDGE_INTENT;
  // A greeting the model is sure of stays one ("好的"); a weak one is a guess like any other ("多大").
  if (model.categoryOf.get(top.label) === 'greeting' && !acknowledges && top.score >= SURE_GREETING) return { scored, used: false };
  const share = new Map<string, number>();
  let moved = 0;
  for (const s of scored) {
    // Only a question, a flow or the bot's last move takes over what the model called other; a focus merely leans.
    const movable =
      ((strong && model.categoryOf.get(s.label) === 'other') || (acknowledges && s.label === ACKNOWLEDGE_INTENT)) && !favoured.includes(s.label);
    if (movable) moved += s.score;
    else share.set(s.label, (share.get(s.label) ?? 0) + (1 - weight) * s.score);
  }
  const each = (weight + (1 - weight) * moved) / favoured.length;
  for (const f of favoured) share.set(f, (share.get(f) ?? 0) + each);
  const out = [...share].map(([label, score]) => ({ label, score })).sort((a, b) => b.score - a.score);
  return { scored: out, used: out[0]?.label !== top.label };
}

/** What else `understand` computes on request. */
export interface UnderstandOptions {
  /** Cut the normalized text into jieba words (`Understanding.tokens`); the classifier does not need them. */
  words?: boolean;
}

/**
 * Understand one buyer message. Never throws on any string: over-long input is truncated and
 * flagged, garbage gets the fallback intent with low confidence.
 */
export function understand(model: NluModel, text: string, context?: UnderstandContext, extras?: UnderstandOptions): Understanding {
  const raw = typeof text === 'string' ? text : String(text);
  try {
    const { normalized, entities, hits, lower } = analyse(model, raw);
    const fallbackCategory = model.categoryOf.get(FALLBACK_INTENT) ?? 'other';
    let scored = classifyText(model, normalized.text, entities, hits, lower);
    // Intents marked requires_keyword step aside unless one of their cue words occurred.
    if (model.gated.size > 0) scored = gatedOut(model, hits, entities, scored);
    scored = preferActionableClause(model, normalized.text, scored);
    if (model.yields.size > 0) scored = applyYields(model, lower, hits, scored);
    scored = applyDecisive(model, lower, hits, scored);
    scored = rejectUncued(model, hits, entities, scored);
    const contextual = applyContext(model, normalized.text, context, scored);
    scored = contextual.scored;
    let ranking: IntentScore[] = [];
    for (let i = 0; i < scored.length && i < 3; i++) {
      const s = scored[i] as LabelScore;
      ranking.push({ intent: s.label, category: model.categoryOf.get(s.label) ?? 'other', confidence: s.score });
    }
    if (normalized.flags.garbled || normalized.text === '') {
      ranking = [
        { intent: FALLBACK_INTENT, category: fallbackCategory, confidence: GARBLED_CONFIDENCE },
        ...ranking.filter((r) => r.intent !== FALLBACK_INTENT).map((r) => ({ ...r, confidence: Math.min(r.confidence, GARBLED_CONFIDENCE / 2) })),
      ].slice(0, 3);
    }
    const top = ranking[0] ?? { intent: FALLBACK_INTENT, category: fallbackCategory, confidence: 0 };
    const probability = calibrated(model.calibration, top.confidence);
    // Options matter only below the answer threshold: most messages skip building them.
    const sure = top.category !== 'other' && probability >= answerThreshold(model.calibration, top.category);
    const options = sure
      ? []
      : clarifyOptions(scored.map((s) => ({ intent: s.label, category: model.categoryOf.get(s.label) ?? 'other', confidence: s.score })));
    const action = sure ? 'answer' : actionFor(model.calibration, probability, top.category, options.length >= 2);
    // A plain object: conversation state keeps it and must stay plain JSON.
    return {
      raw,
      normalized: normalized.text,
      ...(extras?.words === true ? { tokens: model.segmenter.cut(normalized.text) } : {}),
      intent: top.intent,
      category: top.category,
      confidence: top.confidence,
      ranking,
      entities,
      flags: normalized.flags,
      probability,
      action,
      options: action === 'clarify' ? options : [],
      usedContext: contextual.used,
    };
  } catch {
    // Defensive: a bug in a stage must not cost the buyer an answer; the dialogue hands off on low confidence.
    return {
      raw,
      normalized: raw,
      ...(extras?.words === true ? { tokens: [] } : {}),
      intent: FALLBACK_INTENT,
      category: 'other',
      confidence: 0,
      ranking: [],
      entities: [],
      flags: { mojibakeRepaired: false, garbled: true, truncated: false, traditional: false, emoticons: 0 },
      probability: 0,
      action: 'handoff',
      options: [],
      usedContext: false,
    };
  }
}
