/**
 * Start-up warm-up: before the server takes buyers, the engine answers the scripts' own example
 * phrases in throwaway conversations (never stored, never sent anywhere). A fresh process runs
 * its code in the interpreter until V8 has seen it often enough to compile it; without this,
 * the first wave of buyers after a start or a deploy (hundreds of them at once in a busy shop)
 * is answered by cold code several times slower, and their turns queue up behind each other
 * for a few seconds. Measured with `npm run bench:ws` (BENCH_DETAIL shows the first seconds).
 *
 * Give it an engine of its own (createEngine without hooks): its turns must not reach the
 * handoff, the metrics or the shop.
 */
import type { ScriptBundle } from '../scripts/bundle';
import type { ConversationState } from '../model/conversation';
import type { TurnResult } from './types';
import { frozenPlain } from '../model/frozen';

export interface WarmUpEngine {
  openConversation(input: { id: string; buyerId: string; shopId: string; productId?: string }): ConversationState;
  handleMessage(conv: ConversationState, text: string): TurnResult | Promise<TurnResult>;
}

export interface WarmUpOptions {
  shopId: string;
  /** A buyer the shop knows (so order flows run too); a made-up id works, with fewer paths. */
  buyerId: string;
  /** At most this many turns (default 1,000)… */
  maxTurns?: number;
  /** …and at most this long (default 1,500 ms). */
  maxMs?: number;
  /** Turns per throwaway conversation before a fresh one (default 6). */
  turnsPerConversation?: number;
}

/** Up to `max` of the scripts' example phrases, round-robin over the intents so every flow runs early. */
export function warmUpPhrases(bundle: ScriptBundle, max: number): string[] {
  const lists = Object.values(bundle.intents).map((intent) => intent.examples);
  const phrases: string[] = [];
  for (let i = 0; phrases.length < max && lists.some((l) => i < l.length); i += 1) {
    for (const list of lists) {
      const phrase = list[i];
      if (phrase !== undefined && phrases.length < max) phrases.push(phrase);
    }
  }
  return phrases;
}

/** Runs the warm-up; returns how many turns it ran and how long it took. Stops at the first failing turn. */
export async function warmUpEngine(engine: WarmUpEngine, bundle: ScriptBundle, options: WarmUpOptions): Promise<{ turns: number; ms: number }> {
  const started = performance.now();
  const maxTurns = options.maxTurns ?? 1000;
  const maxMs = options.maxMs ?? 1500;
  const perConversation = options.turnsPerConversation ?? 6;
  const phrases = warmUpPhrases(bundle, maxTurns);
  let conv: ConversationState | undefined;
  let turns = 0;
  for (const phrase of phrases) {
    if (performance.now() - started > maxMs) break;
    if (!conv || turns % perConversation === 0) {
      conv = engine.openConversation({ id: `warm-up-${turns}`, buyerId: options.buyerId, shopId: options.shopId });
    }
    // Frozen between turns, as the embedded store keeps it, so the code is compiled for the
    // objects it will see.
    conv = frozenPlain((await engine.handleMessage(conv, phrase)).conversation);
    turns += 1;
  }
  return { turns, ms: performance.now() - started };
}
