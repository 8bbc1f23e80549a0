/**
 * The policy stage: runs the flow the route chose, applies what it decided to the state
 * (slots, the product it turned to; the old pending question and clarification cleared), lets
 * the flows of the other questions in the message answer too, and decides whether a person
 * takes over. Pure: returns the new state and the moves; renders nothing.
 */
import type { IntentDef } from '../../nlu/intents';
import type { Understanding } from '../../nlu/types';
import type { ScriptBundle } from '../../scripts/bundle';
import type { ShopData } from '../../shop/types';
import type { ConversationState } from '../../model/conversation';
import { withSlots, withoutSlots, type PendingQuestion } from '../../model/slots';
import { clarifyPolicy } from '../clarify';
import { policyFor } from '../flows';
import { policyInputFor } from '../focus';
import { maxPriority } from '../handoff';
import { move, type HandoffRequest, type Move, type PolicyResult } from '../policy';
import { variantCount } from '../../replies/render';
import { otherQuestions } from '../questions';
import type { BotReply } from '../types';
import type { RouteOutput } from './route';

export interface PolicyStageInput {
  /** The state with the turn recorded. */
  conv: ConversationState;
  /** The understanding as routed (with any entities read in context). */
  u: Understanding;
  text: string;
  routed: RouteOutput;
  shop: ShopData;
  bundle: ScriptBundle;
  /** Quick-reply label per intent (for the clarifying question's choices). */
  labels: Record<string, string>;
  now: Date;
}

export interface PolicyStageOutput {
  /** The state after the flow: its slot updates applied, the pending question and clarification cleared. */
  conv: ConversationState;
  /** What the routed flow decided. */
  result: PolicyResult;
  /** The intent the turn was handled as. */
  handled: string;
  /** The flow's moves, then the other questions' answers, then the handoff notice (when one is due). */
  moves: Move[];
  /** How many of `moves` are the flow's own (the rest answer the other questions, then the notice). */
  mainCount: number;
  /** How many of `moves` answer the other questions in the message. */
  extraCount: number;
  /** How many of those (the first ones) answer questions asked before the turn's own. */
  leadCount: number;
  handoff?: HandoffRequest;
  /**
   * The question the bot waited on before this turn, still open: the buyer asked something
   * else ("什么时候发货" while a new address is read back) and the answer asked nothing itself.
   * It stays the pending question, and the reply ends by saying so (system still_open).
   */
  stillOpen?: PendingQuestion;
}

/**
 * The question still open after a side question: the one the bot waited on, when this turn
 * neither answered it nor went another way with it (a question of its own or a cleared one,
 * an act, a handoff, a clarification). Once only: after a second side question it is closed,
 * so a later "好的" about something else never confirms it.
 */
function stillOpenAfter(input: PolicyStageInput, result: PolicyResult, handingOff: boolean): PendingQuestion | undefined {
  const waiting = input.conv.slots.pending;
  const { routed } = input;
  if (!waiting || routed.pending || routed.answer || routed.clarify || handingOff) return undefined;
  if (result.pending !== undefined || result.acts || waiting.reminded) return undefined;
  return { ...waiting, reminded: true };
}

/** Messages this angry in an after-sale category go to a person. */
const ANGRY = /[!！]{3,}|[?？]{3,}/;
const ANGRY_CATEGORIES = new Set(['delivery', 'return', 'bad_review']);

/** Runs the routed flow and the flows of the message's other questions. */
export function runPolicy(input: PolicyStageInput): PolicyStageOutput {
  const { routed, shop, bundle, now, text, u } = input;
  const pin = policyInputFor(shop, input.conv, u, routed.intent, now);
  if (routed.answer) pin.answer = routed.answer;
  if (routed.pending) pin.pending = routed.pending;
  const result = routed.clarify ? clarifyPolicy(pin, input.labels) : (routed.policy ?? policyFor(routed.intent))(pin);
  const handled = result.handledAs ?? routed.intent;
  const conv = applyResult(input.conv, result, routed.clarify);

  let handoff = decideHandoff(bundle, handled, u, text, result);
  const moves = [...result.moves];
  const mainCount = moves.length;
  let leadCount = 0;
  // Two or three questions in one message: the others are answered in the same reply.
  if (!routed.clarify && !routed.answer && !handoff) {
    // The courier is a narrower question of the ship time: "什么时候发 发什么快递" gets both.
    const narrower = routed.claim === 'delivery.courier';
    for (const { u: other, before } of otherQuestions(text, handled, bundle.understand, narrower)) {
      const extra = policyFor(other.intent)(policyInputFor(shop, conv, other, other.intent, now));
      if (extra.acts || extra.pending) continue; // an act or a question of its own needs its own turn
      const answer = extra.moves.filter((m) => m.intent !== 'system');
      // Asked before the turn's own question: its answer leads (moves: main, leading, trailing).
      if (before) {
        moves.splice(mainCount + leadCount, 0, ...answer);
        leadCount += answer.length;
      } else moves.push(...answer);
      handoff ??= decideHandoff(bundle, other.intent, other, text, extra);
    }
  }
  const extraCount = moves.length - mainCount;
  if (handoff && !handoff.announced) {
    moves.push({
      intent: 'system',
      move: handoff.priority === 'normal' ? 'handoff' : 'handoff_urgent',
      vars: move({ ...pin, conv }, 'system', 'handoff').vars,
    });
  }
  // Scripts without the reminder keep the question open all the same, without saying so.
  const stillOpen = stillOpenAfter(input, result, handoff !== undefined);
  if (stillOpen && variantCount(bundle.templates, 'system', STILL_OPEN) > 0) {
    const reminder = move({ ...pin, conv }, 'system', STILL_OPEN, { topic: input.labels[stillOpen.owner] ?? '' });
    if (stillOpen.choices.length > 0) reminder.quickReplies = [...stillOpen.choices];
    moves.push(reminder);
  }
  return { conv, result, handled, moves, mainCount, extraCount, leadCount, ...(handoff ? { handoff } : {}), ...(stillOpen ? { stillOpen } : {}) };
}

/** The system move that reminds the buyer of the question still open. */
export const STILL_OPEN = 'still_open';

/** The state after a flow's result: its slots applied, the product it turned to, the old question cleared. */
export function applyResult(conv: ConversationState, result: PolicyResult, clarifying: boolean): ConversationState {
  const kept = clarifying ? conv.slots : withoutSlots(conv.slots, 'clarify');
  const slots = withoutSlots(withSlots(kept, result.slots ?? {}), 'pending');
  return { ...conv, slots, ...(result.productId !== undefined ? { productId: result.productId } : {}) };
}

/**
 * The question the bot now waits on: the flow's, with the quick replies shown when it named
 * none (index 0 reads as yes). None when a person takes over.
 */
export function pendingAfter(result: PolicyResult, replies: readonly BotReply[], handingOff: boolean): PendingQuestion | undefined {
  if (!result.pending || handingOff) return undefined;
  const shown = replies[replies.length - 1]?.quickReplies ?? [];
  return { ...result.pending, choices: result.pending.choices.length > 0 ? result.pending.choices : shown };
}

/**
 * Whether a person takes over: the flow's own request, raised to the intent's `handoff.always`
 * priority when its data says so; else an angry message about delivery, a return or a review.
 */
export function decideHandoff(
  bundle: ScriptBundle,
  intent: string,
  u: Understanding,
  text: string,
  result: PolicyResult,
): HandoffRequest | undefined {
  let h = result.handoff;
  const def: IntentDef | undefined = bundle.intents[intent];
  if (def?.handoff?.always) {
    const reason = def.category === 'bad_review' ? 'bad_review' : def.category === 'human' ? 'explicit_request' : 'policy_limit';
    h = h ? { ...h, priority: maxPriority(h.priority, def.handoff.priority) } : { reason, priority: def.handoff.priority };
  }
  if (!h && ANGRY.test(text) && ANGRY_CATEGORIES.has(u.category)) h = { reason: 'angry_tone', priority: 'high' };
  return h;
}
