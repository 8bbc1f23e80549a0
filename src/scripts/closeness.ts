/**
 * "Is this new example in the right intent?" Before a manager saves new example phrases, the
 * model now serving buyers classifies each one. When it reads the phrase as another intent
 * (or scores its own intent far below another), the phrase is probably closer to that other
 * intent, and training on it would blur the two: the editor warns, naming the other intent,
 * and still lets the manager save (they may be right; the model learns from them).
 */
import { FALLBACK_INTENT } from '../nlu';
import type { Understanding } from '../nlu/types';
import { exampleKey } from './validate';

/** Its own intent this far (0..1 confidence) below another's is "far below". */
export const FAR_BELOW = 0.25;

export interface ClosenessWarning {
  example: string;
  /** The intent the example is being added to, and the model's confidence in it (0 when unranked). */
  intent: string;
  ownScore: number;
  /** The intent the model reads it as instead, and its confidence. */
  rival: string;
  rivalScore: number;
}

/** Examples in `after` that were not in `before` (compared as the classifier sees them). */
export function newExamples(before: readonly string[], after: readonly string[]): string[] {
  const known = new Set(before.map(exampleKey));
  const seen = new Set<string>();
  return after.filter((e) => {
    const k = exampleKey(e);
    if (k === '' || known.has(k) || seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * The warning for one example of intent `own`, given how the serving model understood it;
 * undefined when the example sits with its own intent (or the model has no better idea).
 */
export function closenessWarning(example: string, own: string, u: Pick<Understanding, 'intent' | 'ranking'>): ClosenessWarning | undefined {
  const score = (id: string): number => u.ranking.find((r) => r.intent === id)?.confidence ?? 0;
  const ownScore = score(own);
  if (u.intent !== own && u.intent !== FALLBACK_INTENT) {
    return { example, intent: own, ownScore, rival: u.intent, rivalScore: score(u.intent) };
  }
  const rival = u.ranking.find((r) => r.intent !== own && r.intent !== FALLBACK_INTENT);
  if (rival && rival.confidence - ownScore >= FAR_BELOW) {
    return { example, intent: own, ownScore, rival: rival.intent, rivalScore: rival.confidence };
  }
  return undefined;
}
