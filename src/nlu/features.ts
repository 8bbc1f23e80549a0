/**
 * What a classifier sees of a message: character uni/bi-grams (robust to typos and to product
 * words jieba does not know), entity markers (a price, an address, a tracking number) and the
 * intent files' cue words. jieba words were a feature too; on the dev set they added nothing
 * (macro-F1 0.683 with, 0.681 without) and cost a third of the time, so they were dropped
 * (docs/nlu.md). Every classifier behind the Classifier interface
 * reads the same features, so the comparison in docs/nlu.md is fair.
 */
import type { Entity } from './types';

/** Finds the intent files' cue words in one pass. */
export interface KeywordMatcher {
  /** Intent ids whose cue words occur in the text (each once). */
  match(text: string): string[];
}

/**
 * Index cue words by their first character and scan the text once: a 400-word regex
 * alternation costs ~10 µs a message, this costs about one.
 */
export function createKeywordMatcher(keywords: ReadonlyArray<{ intent: string; words: readonly string[] }>): KeywordMatcher {
  const byWord = new Map<string, string[]>();
  for (const { intent, words } of keywords) {
    for (const w of words) {
      const key = w.toLowerCase();
      const list = byWord.get(key) ?? [];
      if (!list.includes(intent)) list.push(intent);
      byWord.set(key, list);
    }
  }
  // Indexed by the first character's code: an array lookup per character of the message
  // (a Map lookup per character cost about as much as the rest of the matcher).
  // Each candidate also keeps its second character (-1 for one-character words): most
  // candidates fail on it, which a character comparison settles without startsWith.
  const byFirst: Array<Array<{ word: string; second: number; intents: readonly string[] }> | undefined> = new Array<undefined>(0x10000).fill(
    undefined,
  );
  for (const [w, intents] of byWord) {
    const c = w.charCodeAt(0);
    if (c >= 0x10000 || Number.isNaN(c)) continue;
    (byFirst[c] ??= []).push({ word: w, second: w.length > 1 ? w.charCodeAt(1) : -1, intents });
  }
  return {
    match(text: string): string[] {
      const hits: string[] = [];
      for (let i = 0; i < text.length; i++) {
        const candidates = byFirst[text.charCodeAt(i)];
        if (candidates === undefined) continue;
        const next = text.charCodeAt(i + 1);
        for (let j = 0; j < candidates.length; j++) {
          const { word, second, intents } = candidates[j] as { word: string; second: number; intents: readonly string[] };
          if (second >= 0 && (second !== next || (word.length > 2 && !text.startsWith(word, i)))) continue;
          for (let n = 0; n < intents.length; n++) {
            const intent = intents[n] as string;
            if (!hits.includes(intent)) hits.push(intent);
          }
        }
      }
      return hits;
    },
  };
}

/** FNV-1a over a tag and a string: features become numbers, so lookups hash no new strings. */
export function featureId(tag: number, text: string): number {
  let h = (0x811c9dc5 ^ tag) >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  // 30 bits keep ids small integers (Smis), which Map hashes fastest.
  return (h >>> 0) & 0x3fffffff;
}

// Tags keep word, character and marker features apart.
const T_MARK = 4;
const T_WORD = 5;
const HAN_COUNT = 0x9fff - 0x4e00 + 1;
const BIGRAM_BASE = HAN_COUNT + 26;
const isHan = (c: number): boolean => c >= 0x4e00 && c <= 0x9fff;
const isLatin = (c: number): boolean => c >= 0x61 && c <= 0x7a;
const mark = (name: string): number => featureId(T_MARK, name);
const LEN_MARKS = ['len:1-2', 'len:3-5', 'len:6-12', 'len:13-30', 'len:31+'].map(mark);
const Q_MARK = mark('q:yes');
const EMPTY_MARK = mark('empty');
const ENTITY_MARKS: Record<Entity['kind'], number> = {
  money: mark('e:money'),
  order: mark('e:order'),
  tracking: mark('e:tracking'),
  courier: mark('e:courier'),
  phone: mark('e:phone'),
  address: mark('e:address'),
  size: mark('e:size'),
  color: mark('e:color'),
};
const OFFER_MARK = mark('e:money_offer');
const DISCOUNT_MARK = mark('e:money_discount');
const FREE_SHIPPING_MARK = mark('e:free_shipping');
const keywordMarks = new Map<string, number>();
const keywordMark = (intent: string): number => {
  let id = keywordMarks.get(intent);
  if (id === undefined) {
    id = mark(`k:${intent}`);
    keywordMarks.set(intent, id);
  }
  return id;
};

/** Reusable feature buffer: understand() featurizes into it instead of allocating an array per message. */
export interface FeatureBuffer {
  ids: Int32Array;
  length: number;
}

/** A buffer for {@link featurizeInto}; it grows when a message needs more room. */
export function createFeatureBuffer(size = 512): FeatureBuffer {
  return { ids: new Int32Array(size), length: 0 };
}

const scratch = createFeatureBuffer();

/**
 * Features of one message as numeric ids: Han characters and character bigrams
 * (spaces and punctuation skipped, so bigrams bridge what jieba split apart), entity markers,
 * cue-word hits and a length bucket. Deterministic.
 */
export function featurize(
  text: string,
  entities: readonly Entity[],
  keywords: KeywordMatcher | readonly string[],
  lowered?: string,
  words?: readonly string[],
): number[] {
  const lower = lowered ?? text.toLowerCase();
  // Callers that already matched the cue words pass the hits instead of the matcher.
  const hits = 'match' in keywords ? keywords.match(lower) : keywords;
  featurizeInto(scratch, text, entities, hits, lower, words);
  return Array.from(scratch.ids.subarray(0, scratch.length));
}

/**
 * {@link featurize} into a reusable buffer (same ids, same order: the classifier's sums are
 * order-sensitive in their last bits). `lower` is the lower-cased text, `hits` the cue-word hits.
 */
export function featurizeInto(
  buf: FeatureBuffer,
  text: string,
  entities: readonly Entity[],
  hits: readonly string[],
  lower: string,
  words?: readonly string[],
): void {
  // Upper bound: words, a character and a bigram per character, three marks per entity, hits, three marks.
  const need = (words?.length ?? 0) + 2 * lower.length + 3 * entities.length + hits.length + 3;
  if (buf.ids.length < need) buf.ids = new Int32Array(need * 2);
  const out = buf.ids;
  let at = 0;
  // jieba words of two or more characters (single characters are already features).
  if (words !== undefined)
    for (let i = 0; i < words.length; i++) {
      const w = words[i] as string;
      if (w.length >= 2) out[at++] = featureId(T_WORD, w);
    }
  let prev = -1;
  let n = 0;
  for (let i = 0; i < lower.length; i++) {
    const c = lower.charCodeAt(i);
    const han = isHan(c);
    if (!han && !isLatin(c)) continue;
    n++;
    if (han) out[at++] = c; // a Han character is its own id (ids below 0x10000 are characters)
    // Bigrams numbered without collisions: Han and Latin letters have 21,018 compact indexes,
    // so a pair fits in 30 bits above the character ids.
    const ci = han ? c - 0x4e00 : HAN_COUNT + c - 0x61;
    if (prev >= 0) out[at++] = 0x10000 + prev * BIGRAM_BASE + ci;
    prev = ci;
  }
  for (let i = 0; i < entities.length; i++) {
    const e = entities[i] as Entity;
    out[at++] = ENTITY_MARKS[e.kind];
    if (e.kind === 'money') {
      out[at++] = e.role === 'offer' ? OFFER_MARK : DISCOUNT_MARK;
      if (e.freeShipping) out[at++] = FREE_SHIPPING_MARK;
    }
  }
  for (let i = 0; i < hits.length; i++) out[at++] = keywordMark(hits[i] as string);
  // Length matters: 好的 / 在吗 are short, order-card pastes are long.
  out[at++] = LEN_MARKS[n <= 2 ? 0 : n <= 5 ? 1 : n <= 12 ? 2 : n <= 30 ? 3 : 4] ?? 0;
  if (hasQuestion(text)) out[at++] = Q_MARK;
  if (n === 0) out[at++] = EMPTY_MARK;
  buf.length = at;
}

/** QUESTION_RE without the regex: ? ？ 吗 呢 么. */
function hasQuestion(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3f || c === 0xff1f || c === 0x5417 || c === 0x5462 || c === 0x4e48) return true;
  }
  return false;
}
