/**
 * Stage 2 of understanding: cut normalized text into words with jieba (its bundled
 * dictionary, then the shop dictionary from intents/dictionary.txt so 七天无理由, 运费险 or
 * 京东快递 stay whole).
 */
import { Jieba } from '@node-rs/jieba';
import { dict as bundledDict } from '@node-rs/jieba/dict';
import type { DictionaryWord } from './intents';

/** Cuts text into words; punctuation and spaces are dropped. */
export interface Segmenter {
  cut(text: string): string[];
  /** How many words of two or more characters jieba finds: used to score mojibake repairs. */
  wordCount(text: string): number;
}

// Tokens made only of punctuation, symbols or spaces carry nothing for the classifier.
const NOISE_TOKEN_RE = /^[\s\p{P}\p{S}]+$/u;

/** Frequency given to shop words without one: high enough that jieba keeps them whole. */
const DEFAULT_SHOP_WORD_FREQ = 20000;

/** Build a segmenter: bundled dictionary first, then the shop words. */
export function createSegmenter(words: readonly DictionaryWord[]): Segmenter {
  const jieba = Jieba.withDict(bundledDict);
  if (words.length > 0) {
    const lines = words.map((w) => [w.word, w.freq ?? DEFAULT_SHOP_WORD_FREQ, w.tag ?? 'n'].join(' '));
    jieba.loadDict(Buffer.from(lines.join('\n') + '\n', 'utf8'));
  }
  return {
    cut(text: string): string[] {
      if (text.length === 0) return [];
      // jieba's array is ours: drop the noise tokens in place instead of copying.
      const out = jieba.cut(text, false);
      let n = 0;
      for (let i = 0; i < out.length; i++) {
        const t = out[i] as string;
        // Fast path: a token starting with a Han character or an ASCII letter/digit is kept without a regex.
        const c = t.charCodeAt(0);
        if (
          (c >= 0x4e00 && c <= 0x9fff) ||
          (c >= 0x30 && c <= 0x39) ||
          (c >= 0x61 && c <= 0x7a) ||
          (c >= 0x41 && c <= 0x5a) ||
          !NOISE_TOKEN_RE.test(t)
        )
          out[n++] = t;
      }
      out.length = n;
      return out;
    },
    wordCount(text: string): number {
      let n = 0;
      for (const t of jieba.cut(text, false)) if (t.length >= 2 && /[\u4e00-\u9fff]/.test(t)) n++;
      return n;
    },
  };
}
