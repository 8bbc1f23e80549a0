/**
 * The held-out split every modelling choice is judged on (docs/nlu.md, "Measurement"). Never
 * random: corpus lines are held out by product family (the first part of their theme), so a
 * held-out message is about a family the model never saw (lines about no family, `general/…`,
 * by situation). Families share the grammar's sentence frames, so frames are held out too: a
 * grammar filling is held out only when its family AND its frame (the corpus's fourth column)
 * are held out, and trained on only when neither is; fillings that mix the two sides are left
 * out of both. A held-out message thus has wording as well as products the model never saw.
 * Any training text that shares a
 * run of {@link NEAR_DUPLICATE_RUN} characters with a held-out text is dropped from training, so
 * near-duplicates never sit on both sides. The intent files' own examples have no theme; they
 * are grouped by their first characters (paraphrases written together usually start alike).
 * `../shared/data/dev.tsv` plays no part here: it is reported once, never used to choose.
 */
import type { CorpusLine } from './corpus';
import { featureId } from './features';

/** Length of the shared character run that makes two texts near-duplicates. */
export const NEAR_DUPLICATE_RUN = 8;
/** One group in this many is held out. */
export const HELD_OUT_FOLDS = 5;
/** One sentence frame in this many is held out (with the held-out families). */
export const FRAME_FOLDS = 3;

/** Letters, digits and Han characters only, lower-cased: the text two near-duplicates share. */
export function dedupeKey(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]+/gu, '');
}

/** Themes about no product family: held out by situation instead (`general/irritation`). */
const FAMILY_FREE = new Set(['general', 'shop']);

/** The family of a theme (`kitchen/fault-symptom` → `kitchen`; `general/hello` stays whole). */
export function familyOf(theme: string): string {
  const family = theme.split('/')[0] ?? theme;
  return FAMILY_FREE.has(family) ? theme : family;
}

/** The group a line is held out with. */
export function groupOf(line: CorpusLine): string {
  if (line.theme.startsWith('intent:')) return `intent-examples:${dedupeKey(line.text).slice(0, 2)}`;
  return familyOf(line.theme);
}

/** Whether a group is in fold `fold` of {@link HELD_OUT_FOLDS} (by a hash of its name). */
export function inFold(group: string, fold = 0, folds = HELD_OUT_FOLDS): boolean {
  return featureId(77, group) % folds === fold;
}

/** Whether a grammar frame is held out with fold `fold` (hand-written lines have none: always with their group). */
export function frameHeldOut(frame: string | undefined, fold = 0, frameFolds = FRAME_FOLDS): boolean {
  return frame === undefined || featureId(78, frame) % frameFolds === fold % frameFolds;
}

/** Texts of `train` that share a run of `run` characters with any text of `heldOut` are dropped. */
export function dropNearDuplicates<T extends { text: string }>(
  train: readonly T[],
  heldOut: readonly { text: string }[],
  run = NEAR_DUPLICATE_RUN,
): { kept: T[]; dropped: number } {
  const runs = new Set<string>();
  const whole = new Set<string>();
  for (const h of heldOut) {
    const k = dedupeKey(h.text);
    whole.add(k);
    for (let i = 0; i + run <= k.length; i++) runs.add(k.slice(i, i + run));
  }
  const kept: T[] = [];
  let dropped = 0;
  for (const t of train) {
    const k = dedupeKey(t.text);
    let near = whole.has(k);
    for (let i = 0; !near && i + run <= k.length; i++) near = runs.has(k.slice(i, i + run));
    if (near) dropped++;
    else kept.push(t);
  }
  return { kept, dropped };
}

/** A split of labelled lines into training and held-out parts. */
export interface HeldOutSplit {
  train: CorpusLine[];
  heldOut: CorpusLine[];
  /** Training lines dropped as near-duplicates of held-out ones. */
  dropped: number;
  /** Grammar fillings left out of both sides (held-out family with a trained frame, or the reverse). */
  mixed: number;
  /** Distinct frames on the held-out side, and on the training side. */
  frames: { heldOut: number; train: number };
  /** Groups (families) held out. */
  groups: string[];
}

/**
 * Holds out the groups of fold `fold` with the frames of the same fold, leaves out the fillings
 * that mix the sides, and removes near-duplicates of held-out lines from training.
 */
export function splitHeldOut(lines: readonly CorpusLine[], fold = 0, folds = HELD_OUT_FOLDS, frameFolds = FRAME_FOLDS): HeldOutSplit {
  const heldOut: CorpusLine[] = [];
  const rest: CorpusLine[] = [];
  const groups = new Set<string>();
  const heldFrames = new Set<string>();
  const trainFrames = new Set<string>();
  let mixed = 0;
  for (const l of lines) {
    const g = groupOf(l);
    const groupOut = inFold(g, fold, folds);
    const frameOut = l.frame !== undefined && frameHeldOut(l.frame, fold, frameFolds);
    if (groupOut && (l.frame === undefined || frameOut)) {
      heldOut.push(l);
      if (l.frame !== undefined) heldFrames.add(l.frame);
      groups.add(g.startsWith('intent-examples:') ? 'intent-examples' : g);
    } else if (!groupOut && !frameOut) {
      rest.push(l);
      if (l.frame !== undefined) trainFrames.add(l.frame);
    } else mixed++;
  }
  const { kept, dropped } = dropNearDuplicates(rest, heldOut);
  return { train: kept, heldOut, dropped, mixed, frames: { heldOut: heldFrames.size, train: trainFrames.size }, groups: [...groups].sort() };
}
