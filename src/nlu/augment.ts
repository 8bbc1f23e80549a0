/**
 * Training-time augmentation of our own intent examples. Real buyer messages are long and
 * messy (a greeting in front, 。。 or an emoticon at the end)
 * while the examples managers write are short and clean; the variants made here teach the
 * classifier that such noise does not change the intent. Nothing is stored: the variants are
 * derived from the intent files at every training, deterministically from a seed.
 */
import type { Category } from './types';
import { prng } from './prng';

/** A derived training text and the intent it keeps. */
export interface AugmentedExample {
  text: string;
  label: string;
}

/** What augmentation needs of an intent. */
export interface AugmentSource {
  id: string;
  category: Category;
  examples: readonly string[];
}

/** Options: the seed makes the variants reproducible; copies is the number of variants per example. */
export interface AugmentOptions {
  seed?: number;
  copies?: number;
}

// Openings buyers put before the actual question; they never change what is asked.
const PREFIXES = [
  '亲',
  '亲，',
  '你好',
  '你好，',
  '您好',
  '在吗',
  '在吗？',
  '请问',
  '请问一下',
  '客服',
  '客服你好',
  '喂',
  '哈喽',
  '你好 请问',
  '亲 在吗',
  '我想问一下',
  '那个',
  '问下',
];
// Endings: punctuation runs, an emoticon code (normalized to the emoticon token), particles, politeness.
const SUFFIXES = ['？？', '。。', '？', '!!', '[微笑]', '[表情]', '/:^_^', '啊', '呢', '谢谢', '谢谢了', '麻烦了', '急', '快点', '好吗', '哦'];
/** Categories whose examples are themselves fillers; decorating them would blur them with everything else. */
const PASSIVE = new Set<Category>(['greeting', 'other']);

const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;

/**
 * One noisy variant of an example: an opening and/or an ending. Pasted order numbers and phone
 * numbers, homophone typos and a greeting example joined in front were tried too and did not
 * help on the dev set (docs/nlu.md).
 */
function vary(rand: () => number, text: string): string {
  let out = text;
  if (rand() < 0.8) out = `${pick(rand, PREFIXES)}${rand() < 0.5 ? ' ' : ''}${out}`;
  if (rand() < 0.8) out = `${out}${pick(rand, SUFFIXES)}`;
  return out;
}

/**
 * Noisy variants of the examples of actionable intents (not greeting or other, whose short
 * examples are what the fillers themselves look like). Deterministic for a given seed.
 */
export function augmentExamples(intents: readonly AugmentSource[], options: AugmentOptions = {}): AugmentedExample[] {
  const rand = prng((options.seed ?? 42) ^ 0x5bd1e995);
  const copies = options.copies ?? 1;
  const out: AugmentedExample[] = [];
  for (const intent of intents) {
    if (PASSIVE.has(intent.category)) continue;
    for (const example of intent.examples) {
      for (let c = 0; c < copies; c++) {
        const text = vary(rand, example);
        if (text !== example) out.push({ text, label: intent.id });
      }
    }
  }
  return out;
}
