/**
 * "How many like this": corrections whose phrases are near-duplicates of each other (the
 * same complaint in slightly different words), so a manager sees which misunderstandings
 * recur. Character-bigram Dice coefficient on the example key (punctuation, spaces and case
 * ignored), which suits Chinese without segmentation.
 */
import { exampleKey } from '../scripts/validate';

/** Phrases at least this similar count as alike. */
export const SIMILAR_AT = 0.6;

function bigrams(text: string): Map<string, number> {
  const chars = [...exampleKey(text)];
  const grams = new Map<string, number>();
  if (chars.length === 1) grams.set(chars[0] ?? '', 1);
  for (let i = 0; i + 1 < chars.length; i++) {
    const g = `${chars[i]}${chars[i + 1]}`;
    grams.set(g, (grams.get(g) ?? 0) + 1);
  }
  return grams;
}

/** Dice coefficient of two phrases' character bigrams, 0..1. */
export function similarity(a: string, b: string): number {
  return dice(bigrams(a), bigrams(b));
}

/** For each phrase, how many of the others are alike (by index). Quadratic: fine for the hundreds a review list holds. */
export function countSimilar(phrases: readonly string[]): number[] {
  const grams = phrases.map(bigrams);
  const counts = phrases.map(() => 0);
  for (let i = 0; i < phrases.length; i++) {
    for (let j = i + 1; j < phrases.length; j++) {
      if (dice(grams[i]!, grams[j]!) >= SIMILAR_AT) {
        counts[i]!++;
        counts[j]!++;
      }
    }
  }
  return counts;
}

function dice(x: Map<string, number>, y: Map<string, number>): number {
  let sizeX = 0;
  let sizeY = 0;
  let shared = 0;
  for (const n of x.values()) sizeX += n;
  for (const [g, n] of y) {
    sizeY += n;
    shared += Math.min(n, x.get(g) ?? 0);
  }
  return sizeX + sizeY === 0 ? 0 : (2 * shared) / (sizeX + sizeY);
}
