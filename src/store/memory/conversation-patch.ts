/**
 * What changed in a conversation between two saves, small enough to journal on every turn.
 * A turn changes a few fields (updatedAt, slots, the last turn record, maybe a fact or an
 * act); journaling the whole state each time rewrote every past turn record (up to 50) once
 * per buyer message. A patch carries the top-level fields that changed, the ones that went
 * away, and for arrays that only moved on (old items dropped from the front, new ones
 * appended: the capped turn list, facts, acts) just how many to drop and what to append.
 *
 * Values are plain JSON (the store keeps frozen plain values, src/model/frozen.ts), so comparing their
 * JSON text is exact; a part the new state shares with the stored one (the same object) is
 * equal without being serialised, which is what makes a turn's diff cheap.
 */
import type { ConversationState } from '../../model/conversation';

export interface ConversationPatch {
  /** Fields with their new values. */
  set?: Record<string, unknown>;
  /** Fields removed. */
  unset?: string[];
  /** Array fields that moved on: [items dropped from the front, items appended]. */
  shift?: Record<string, [number, unknown[]]>;
  /** Object fields (slots, handoff …) changed in part: the patch of that object. */
  sub?: Record<string, ConversationPatch>;
}

/** The patch that turns `prev` into `next` (both plain JSON). Empty when they are equal. */
export function diffConversation(prev: ConversationState, next: ConversationState): ConversationPatch {
  return diffObject(prev as unknown as Record<string, unknown>, next as unknown as Record<string, unknown>);
}

/** `conv` with `patch` applied, as a new object (`conv` is not changed). */
export function applyConversationPatch(conv: ConversationState, patch: ConversationPatch): ConversationState {
  return applyObjectPatch(conv as unknown as Record<string, unknown>, patch) as unknown as ConversationState;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function diffObject(before: Record<string, unknown>, after: Record<string, unknown>): ConversationPatch {
  const patch: ConversationPatch = {};
  // for…in rather than Object.keys: no key arrays (own keys only, as keys would give).
  for (const key in before) {
    if (Object.hasOwn(before, key) && !Object.hasOwn(after, key)) (patch.unset ??= []).push(key);
  }
  for (const key in after) {
    if (!Object.hasOwn(after, key)) continue;
    const value = after[key];
    const old = Object.hasOwn(before, key) ? before[key] : undefined;
    if (old === value && old !== undefined) continue;
    if (Array.isArray(old) && Array.isArray(value)) {
      const shift = arrayShift(old, value);
      if (shift === 'same') continue;
      if (shift) (patch.shift ??= {})[key] = shift;
      else (patch.set ??= {})[key] = value;
    } else if (isPlainObject(old) && isPlainObject(value)) {
      const sub = diffObject(old, value);
      if (sub.set || sub.unset || sub.shift || sub.sub) (patch.sub ??= {})[key] = sub;
    } else {
      // Not both arrays nor both objects, and not the same value: changed (plain JSON has no
      // other way for two such values to be equal).
      (patch.set ??= {})[key] = value;
    }
  }
  return patch;
}

function applyObjectPatch(obj: Record<string, unknown>, patch: ConversationPatch): Record<string, unknown> {
  const out = { ...obj };
  for (const key of patch.unset ?? []) delete out[key];
  for (const [key, value] of Object.entries(patch.set ?? {})) out[key] = value;
  for (const [key, [drop, append]] of Object.entries(patch.shift ?? {})) {
    const old = out[key];
    out[key] = [...(Array.isArray(old) ? old.slice(drop) : []), ...append];
  }
  for (const [key, sub] of Object.entries(patch.sub ?? {})) {
    const old = out[key];
    out[key] = applyObjectPatch(isPlainObject(old) ? old : {}, sub);
  }
  return out;
}

/**
 * How `next` continues `prev`: 'same', or [n, tail] when next is prev without its first n
 * items followed by tail; undefined when it is not such a continuation (or that would not be
 * smaller than writing next whole).
 */
function arrayShift(prev: unknown[], next: unknown[]): 'same' | [number, unknown[]] | undefined {
  if (prev.length === 0) return next.length === 0 ? 'same' : undefined;
  // The same objects first: the engine builds a new list from the old one's items (slice,
  // spread), so the usual turn finds its shift without serialising anything.
  const byIdentity = shiftWhere(prev, next, (i, j) => prev[i] === next[j]);
  if (byIdentity) return byIdentity;
  // Items' JSON, made only for items that are not the same object on both sides.
  const a: (string | undefined)[] = new Array(prev.length);
  const b: (string | undefined)[] = new Array(next.length);
  return shiftWhere(prev, next, (i, j) => {
    const x = prev[i];
    const y = next[j];
    if (x === y) return true;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
    return (a[i] ??= JSON.stringify(x)) === (b[j] ??= JSON.stringify(y));
  });
}

/** The smallest drop for which `equal` says prev's remaining items begin next, as arrayShift answers. */
function shiftWhere(prev: unknown[], next: unknown[], equal: (i: number, j: number) => boolean): 'same' | [number, unknown[]] | undefined {
  for (let drop = 0; drop < prev.length; drop += 1) {
    const kept = prev.length - drop;
    if (kept > next.length) continue;
    let match = true;
    for (let i = 0; i < kept && match; i += 1) match = equal(drop + i, i);
    if (!match) continue;
    if (drop === 0 && kept === next.length) return 'same';
    return [drop, next.slice(kept)];
  }
  return undefined;
}
