/**
 * Unclear messages: when the classifier is unsure (or says other.fallback), ask one
 * clarifying question with the likeliest topics as quick replies. If the next message is
 * still unclear, a person takes over rather than the bot asking again.
 */
import { RUNNER_UP_MIN_CONFIDENCE } from './handoff';
import type { ClarifySlot } from '../model/slots';
import { choiceIndex } from './answers';
import { claim } from './claims';
import { move, type PolicyInput, type PolicyResult } from './policy';

export const FALLBACK = 'other.fallback';

export type { ClarifySlot } from '../model/slots';

/**
 * The clarifying question's variables: `choice` when there is one topic ("您是想问查物流吗"),
 * `choices` as a spoken list when there are several ("A、B还是C"), neither when there is none.
 */
export function choiceVars(names: readonly string[]): { choice?: string; choices?: string } {
  if (names.length === 0) return {};
  if (names.length === 1) return { choice: names[0] as string };
  return { choices: `${names.slice(0, -1).join('、')}还是${names[names.length - 1] as string}` };
}

/**
 * @param labels quick-reply label per intent (from the templates' `label`); intents without a
 *   label are not offered.
 */
export function clarifyPolicy(
  input: PolicyInput,
  labels: Record<string, string>,
  maxChoices = 3,
  minConfidence = RUNNER_UP_MIN_CONFIDENCE,
): PolicyResult {
  const prev = input.conv.slots.clarify;
  if (prev && prev.asked >= 1) {
    return {
      moves: [],
      slots: { clarify: undefined },
      pending: null,
      handoff: {
        reason: 'low_confidence',
        priority: 'normal',
        note: `追问一次后仍不明白（置信度 ${Math.round(input.u.confidence * 100)}%）`,
      },
    };
  }
  const choices: Record<string, string> = {};
  for (const r of input.u.ranking) {
    const label = labels[r.intent];
    // Greetings are never what an unclear message was about, and a topic the classifier gave a
    // few percent is noise (开发票 for "<script>"): better to ask the buyer to rephrase.
    if (r.category === 'other' || r.category === 'greeting' || label === undefined || label in choices) continue;
    if (r.confidence < minConfidence) continue;
    choices[label] = r.intent;
    if (Object.keys(choices).length >= maxChoices) break;
  }
  const names = Object.keys(choices);
  const m = move(input, 'system', 'clarify', choiceVars(names));
  m.quickReplies = names;
  return {
    moves: [m],
    slots: { clarify: { asked: 1, choices } satisfies ClarifySlot },
    pending: null,
    // The choices become the reply's quick replies (the engine adds them), plus the template's own.
    handledAs: FALLBACK,
  };
}

/** Routing claims of the clarifying question (see stages/route.ts for their order). */
export const claims = {
  /** The buyer tapped (or typed) one of the choices the clarifying question offered: that topic. */
  choice: claim('clarify.choice', ({ conv, text, u }) => {
    const clarify = conv.slots.clarify;
    if (!clarify) return undefined;
    // Own keys only ("constructor" is no topic); typed in Traditional or full-width counts too.
    const labels = Object.keys(clarify.choices);
    const label = labels[choiceIndex(labels, text, u.normalized)];
    const chosen = label !== undefined && Object.hasOwn(clarify.choices, label) ? clarify.choices[label] : undefined;
    return chosen !== undefined ? { intent: chosen } : undefined;
  }),
  /** Nothing else took the turn and the classifier is unsure (or says fallback): ask. */
  unclear: claim('clarify.unclear', ({ u, clarifyBelow }) =>
    u.intent === FALLBACK || u.confidence < clarifyBelow ? { intent: FALLBACK, clarify: true } : undefined,
  ),
};
