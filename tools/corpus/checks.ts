/** Dedupe keys and the diversity figures the generator prints (and README quotes). */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { normalize } from '../../src/nlu/normalize';
import { Example } from './types';

const DROP_RE = /[\s\p{P}\p{S}]+/gu;
/**
 * The key two lines must not share: the pipeline's own normalization (NFKC, Traditional →
 * Simplified, emoticons → [表情]) with emoticons, spaces and punctuation removed, lower-cased.
 * "电饭煲跳闸了！！" and "電飯煲跳閘了😭" are one example.
 */
export function dedupeKey(text: string): string {
  return normalize(text)
    .text.replace(/\[表情\]/g, '')
    .replace(DROP_RE, '')
    .toLowerCase();
}
/** What tools/check-dev-overlap.ts writes for a corpus line it flags, and the generator drops. */
export const lineHash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);

function countBy<T>(items: readonly T[], key: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const it of items) m.set(key(it), (m.get(key(it)) ?? 0) + 1);
  return new Map([...m.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
}

export interface Figures {
  total: number;
  families: Map<string, number>;
  intents: Map<string, number>;
  categories: Map<string, number>;
  themes: number;
  distinctBigrams: number;
  distinctTrigrams: number;
  trigramTypeTokenRatio: number;
  distinctSkeletons: number;
  lengths: { min: number; p10: number; p50: number; p90: number; max: number; mean: number; histogram: Array<[string, number]> };
}

/**
 * Diversity: distinct character bigrams and trigrams over the normalized text; the trigram
 * type/token ratio; and distinct skeletons (the line with every product noun of the lexicon
 * replaced by one mark), which counts sentence shapes rather than noun swaps.
 */
export function figures(examples: readonly Example[], categoryOf: (intent: string) => string, productWords: readonly string[]): Figures {
  const bi = new Set<string>();
  const tri = new Set<string>();
  let triTokens = 0;
  const lengths: number[] = [];
  const skeletons = new Set<string>();
  const products = [...productWords].sort((a, b) => b.length - a.length);
  for (const ex of examples) {
    const k = dedupeKey(ex.text);
    const chars = [...k];
    lengths.push([...ex.text].length);
    for (let i = 0; i + 1 < chars.length; i++) bi.add(chars[i]! + chars[i + 1]!);
    for (let i = 0; i + 2 < chars.length; i++) {
      tri.add(chars[i]! + chars[i + 1]! + chars[i + 2]!);
      triTokens++;
    }
    let s = k;
    for (const p of products) if (s.includes(p)) s = s.split(p).join('〇');
    skeletons.add(s.replace(/[0-9a-z]+/g, '9'));
  }
  lengths.sort((a, b) => a - b);
  const q = (f: number): number => lengths[Math.min(lengths.length - 1, Math.floor(f * lengths.length))] ?? 0;
  const buckets: Array<[string, number]> = [
    ['1-4', 0],
    ['5-8', 0],
    ['9-12', 0],
    ['13-16', 0],
    ['17-24', 0],
    ['25-40', 0],
    ['41+', 0],
  ];
  const edges = [4, 8, 12, 16, 24, 40, Infinity];
  for (const l of lengths) {
    const i = edges.findIndex((e) => l <= e);
    (buckets[i] as [string, number])[1]++;
  }
  return {
    total: examples.length,
    families: countBy(examples, (e) => e.theme.split('/')[0] ?? ''),
    intents: countBy(examples, (e) => e.intent),
    categories: countBy(examples, (e) => categoryOf(e.intent)),
    themes: new Set(examples.map((e) => e.theme)).size,
    distinctBigrams: bi.size,
    distinctTrigrams: tri.size,
    trigramTypeTokenRatio: triTokens ? tri.size / triTokens : 0,
    distinctSkeletons: skeletons.size,
    lengths: {
      min: lengths[0] ?? 0,
      p10: q(0.1),
      p50: q(0.5),
      p90: q(0.9),
      max: lengths[lengths.length - 1] ?? 0,
      mean: lengths.reduce((a, b) => a + b, 0) / Math.max(1, lengths.length),
      histogram: buckets,
    },
  };
}

/**
 * The measuring file, for the overlap check only: $DEV_TSV, or shared/data/dev.tsv beside the
 * checkout or beside its parent (a worktree). Returns undefined when there is none.
 */
export function devPath(root: string): string | undefined {
  const candidates = [process.env.DEV_TSV, join(root, '..', 'shared', 'data', 'dev.tsv'), join(root, '..', '..', 'shared', 'data', 'dev.tsv')];
  return candidates.find((c): c is string => c !== undefined && c !== '' && existsSync(c));
}
