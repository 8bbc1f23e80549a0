/**
 * Unclear messages: when the classifier is unsure (or says other.fallback), ask one
 * clarifying question with the likeliest topics as quick replies. If the next message is
 * still unclear, a person takes over rather than the bot asking again.
 */
import { move, slot, type PolicyInput, type PolicyResult } from './policy';

export const FALLBACK = 'other.fallback';

/** slots.clarify: how many clarifying questions in a row, and the choices offered (label → intent). */
export interface ClarifySlot {
  asked: number;
  choices: Record<string, string>;
}

/**
 * @param labels quick-reply label per intent (from the templates' `label`); intents without a
 *   label are not offered.
 */
export function clarifyPolicy(input: PolicyInput, labels: Record<string, string>, maxChoices = 3): PolicyResult {
  const prev = slot<ClarifySlot>(input.conv, 'clarify');
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
    // Greetings are never what an unclear message was about.
    if (r.category === 'other' || r.category === 'greeting' || label === undefined || label in choices) continue;
    choices[label] = r.intent;
    if (Object.keys(choices).length >= maxChoices) break;
  }
  const names = Object.keys(choices);
  const m = move(input, 'system', 'clarify', names.length > 0 ? { choices: names.join('/') } : {});
  m.quickReplies = names;
  return {
    moves: [m],
    slots: { clarify: { asked: 1, choices } satisfies ClarifySlot },
    pending: null,
    // The choices become the reply's quick replies (the engine adds them), plus the template's own.
    handledAs: FALLBACK,
  };
}
