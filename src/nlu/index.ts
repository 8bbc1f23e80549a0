/**
 * The understanding pipeline: normalize → segment → entities → classify, composed into one
 * `understand(model, text)` that never throws. `trainModel` builds the model from the intent
 * files and the shop dictionary at start-up (well under a second).
 */
import { AppError } from '../errors';
import { trainLinearClassifier, type Classifier, type LabelScore, type TrainingExample } from './classify';
import { augmentExamples } from './augment';
import { extractEntities } from './entities';
import { createFeatureBuffer, createKeywordMatcher, featurize, featurizeInto, type KeywordMatcher } from './features';
import { parseDictionary, type IntentDef } from './intents';
import { normalize } from './normalize';
import { createSegmenter, type Segmenter } from './segment';
import type { Category, Entity, EntityKind, IntentScore, Understanding } from './types';

export { parseIntentFile, parseDictionary } from './intents';
export type { IntentDef, ScriptError, DictionaryWord } from './intents';
export { normalize, MAX_TEXT_CHARS, EMOTICON_TOKEN } from './normalize';
export { extractEntities, parseNumeral, carrierFromNumber, maskPhone } from './entities';
export type { Classifier, LabelScore, TrainingExample } from './classify';
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

/** The text a training example is featurized from: the same stages a buyer message goes through. */
function analyse(model: Pick<NluModel, 'segmenter' | 'keywords'>, raw: string) {
  const normalized = normalize(raw, { wordScore: model.segmenter.wordCount });
  const entities = extractEntities(normalized.text);
  const lower = lowerCase(normalized.text);
  const hits = model.keywords.match(lower);
  const tokens = model.segmenter.cut(normalized.text);
  return { normalized, entities, hits, lower, tokens };
}

/** A training example's features: the same stages as a buyer message. */
function featuresOf(model: Pick<NluModel, 'segmenter' | 'keywords'>, text: string): number[] {
  const { normalized, entities, hits, lower, tokens } = analyse(model, text);
  return featurize(normalized.text, entities, hits, lower, tokens);
}

// understand() featurizes into this buffer (it is synchronous, so calls never overlap).
const featureBuffer = createFeatureBuffer();

/** Classify from the analysed parts: through the shared buffer when the classifier takes ids. */
function classifyText(model: NluModel, text: string, entities: readonly Entity[], hits: readonly string[], lower: string, tokens: readonly string[]): LabelScore[] {
  const { classifier } = model;
  if (classifier.classifyIds === undefined) return classifier.classify(featurize(text, entities, hits, lower, tokens));
  featurizeInto(featureBuffer, text, entities, hits, lower, tokens);
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
function preferActionableClause(model: NluModel, text: string, tokens: readonly string[], scored: LabelScore[]): LabelScore[] {
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
    let ranked = classifyText(model, clause, clauseEntities, clauseHits, lower, tokens.filter((t) => clause.includes(t)));
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

/** Drop gated intents whose cue words are absent from the ranking. */
function gatedOut(model: NluModel, hits: readonly string[], entities: readonly Entity[], scored: LabelScore[]): LabelScore[] {
  let any = false;
  for (const s of scored) if (model.gated.has(s.label)) any = true;
  if (!any) return scored;
  const out: LabelScore[] = [];
  for (const s of scored) {
    const cues = model.gated.get(s.label);
    if (cues === undefined || hits.includes(s.label) || entities.some((e) => cues.includes(e.kind))) out.push(s);
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

/** Options for {@link trainModel}: pick another classifier (for comparisons in eval/bench). */
export interface TrainOptions {
  trainClassifier?: (examples: TrainingExample[]) => Classifier;
  /** Noisy variants per example added at training (augment.ts); 0 turns augmentation off. */
  augmentCopies?: number;
  /** Seed of the augmentation. */
  augmentSeed?: number;
}

/**
 * Build the NLU model from validated intents and the shop dictionary text. Dictionary lines
 * that do not parse are skipped (parseDictionary reports them to the script editor).
 */
export function trainModel(intents: readonly IntentDef[], dictionaryText: string, options: TrainOptions = {}): NluModel {
  const started = performance.now();
  if (intents.length === 0) throw new NluError('trainModel needs at least one intent');
  const ids = new Set<string>();
  for (const intent of intents) {
    if (ids.has(intent.id)) throw new NluError(`intent "${intent.id}" is defined twice`);
    ids.add(intent.id);
  }
  const segmenter = segmenterFor(dictionaryText);
  const segmented = performance.now();
  // Decisive words are cue words too: the model sees them as features as well.
  const keywords = createKeywordMatcher(intents.map((i) => ({ intent: i.id, words: [...i.keywords, ...i.decisiveKeywords] })));
  const decisive = createKeywordMatcher(intents.map((i) => ({ intent: i.id, words: i.decisiveKeywords })));
  const base = { segmenter, keywords };
  const examples: TrainingExample[] = intents.flatMap((intent) =>
    intent.examples.map((text) => ({ features: featuresOf(base, text), label: intent.id })),
  );
  const copies = options.augmentCopies ?? 1;
  if (copies > 0) {
    for (const { text, label } of augmentExamples(intents, { copies, seed: options.augmentSeed })) examples.push({ features: featuresOf(base, text), label });
  }
  balanceCategories(intents, examples);
  const featurized = performance.now();
  const classifier = (options.trainClassifier ?? trainLinearClassifier)(examples);
  const done = performance.now();
  return {
    intents,
    segmenter,
    keywords,
    decisive,
    yields: new Map(intents.filter((i) => i.yieldsTo.length > 0).map((i) => [i.id, new Set(i.yieldsTo)])),
    holds: createKeywordMatcher(intents.map((i) => ({ intent: i.id, words: i.holdsWith }))),
    decisiveIntents: new Set(intents.filter((i) => i.decisiveKeywords.length > 0).map((i) => i.id)),
    classifier,
    categoryOf: new Map(intents.map((i) => [i.id, i.category])),
    gated: new Map(intents.filter((i) => i.requiresKeyword).map((i) => [i.id, i.entityCues])),
    trainMs: done - started,
    timings: { segmenterMs: segmented - started, featuresMs: featurized - segmented, classifierMs: done - featurized },
  };
}

/**
 * Understand one buyer message. Never throws on any string: over-long input is truncated and
 * flagged, garbage gets the fallback intent with low confidence.
 */
export function understand(model: NluModel, text: string): Understanding {
  const raw = typeof text === 'string' ? text : String(text);
  try {
    const { normalized, entities, hits, lower, tokens } = analyse(model, raw);
    const fallbackCategory = model.categoryOf.get(FALLBACK_INTENT) ?? 'other';
    let scored = classifyText(model, normalized.text, entities, hits, lower, tokens);
    // Intents marked requires_keyword step aside unless one of their cue words occurred.
    if (model.gated.size > 0) scored = gatedOut(model, hits, entities, scored);
    scored = preferActionableClause(model, normalized.text, tokens, scored);
    if (model.yields.size > 0) scored = applyYields(model, lower, hits, scored);
    scored = applyDecisive(model, lower, hits, scored);
    scored = rejectUncued(model, hits, entities, scored);
    let ranking: IntentScore[] = [];
    for (let i = 0; i < scored.length && i < 3; i++) {
      const s = scored[i] as LabelScore;
      ranking.push({ intent: s.label, category: model.categoryOf.get(s.label) ?? 'other', confidence: s.score });
    }
    if (normalized.flags.garbled || normalized.text === '') {
      ranking = [{ intent: FALLBACK_INTENT, category: fallbackCategory, confidence: GARBLED_CONFIDENCE }, ...ranking.filter((r) => r.intent !== FALLBACK_INTENT).map((r) => ({ ...r, confidence: Math.min(r.confidence, GARBLED_CONFIDENCE / 2) }))].slice(0, 3);
    }
    const top = ranking[0] ?? { intent: FALLBACK_INTENT, category: fallbackCategory, confidence: 0 };
    // A plain object (conversation state keeps it and must stay plain JSON) with the words
    // computed now: an accessor to compute them on demand made the literal ~0.9 µs slower to
    // create, more than half of what jieba costs, and every full-pipeline caller reads them.
    return {
      raw,
      normalized: normalized.text,
      tokens,
      intent: top.intent,
      category: top.category,
      confidence: top.confidence,
      ranking,
      entities,
      flags: normalized.flags,
    };
  } catch {
    // Defensive: a bug in a stage must not cost the buyer an answer; the dialogue hands off on low confidence.
    return {
      raw,
      normalized: raw,
      tokens: [],
      intent: FALLBACK_INTENT,
      category: 'other',
      confidence: 0,
      ranking: [],
      entities: [],
      flags: { mojibakeRepaired: false, garbled: true, truncated: false, traditional: false, emoticons: 0 },
    };
  }
}
