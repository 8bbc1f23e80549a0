/**
 * The suggest stage: what a person taking over reads and may send. Three ranked suggestions:
 * the handled intent's reply, the likely runner-ups', another variant of the handled reply,
 * then generic moves that fit the category (apology, ask for the order number or photos,
 * "checking for you"). None repeats what the bot just said. And the handoff itself: the
 * summary line and the suggestions, stamped with the time.
 */
import type { Category } from '../../nlu/types';
import { renderMove, variantCount } from '../../replies/render';
import type { ScriptBundle } from '../../scripts/bundle';
import type { ShopData } from '../../shop/types';
import type { ConversationState, HandoffInfo, Suggestion } from '../../model/conversation';
import { withoutSlots, type LastTurn } from '../../model/slots';
import { FALLBACK } from '../clarify';
import { policyFor } from '../flows';
import { focusOf, policyInputFor } from '../focus';
import { buildSummary, genericMovesFor, handoffInfo, nearlySameText, suggestionIntents, suggestionReason } from '../handoff';
import { move, type HandoffRequest, type Move } from '../policy';

export interface SuggestInput {
  conv: ConversationState;
  bundle: ScriptBundle;
  shop: ShopData;
  /** The last buyer turn (slots.last); no suggestions before one. */
  last: LastTurn | undefined;
  now: Date;
  utcOffsetMinutes: number;
}

/** Quick-reply label per intent (the templates' `label`), built once per published bundle. */
export function labelsOf(bundle: ScriptBundle): Readonly<Record<string, string>> {
  let labels = labelsByBundle.get(bundle);
  if (!labels) {
    labels = Object.freeze(Object.fromEntries(Object.values(bundle.templates).flatMap((t) => (t.label ? [[t.intent, t.label]] : []))));
    labelsByBundle.set(bundle, labels);
  }
  return labels;
}

const labelsByBundle = new WeakMap<ScriptBundle, Readonly<Record<string, string>>>();

const categoryOf = (bundle: ScriptBundle, intent: string, fallback: Category): Category => bundle.intents[intent]?.category ?? fallback;

/** Three ranked suggestions for the agent (fewer only when the scripts cannot say more). */
export function suggestions(input: SuggestInput): Suggestion[] {
  const { conv, bundle, shop, last, now, utcOffsetMinutes } = input;
  if (!last) return [];
  const labels = labelsOf(bundle);
  // Suggested as if no question were pending: the agent starts afresh.
  const base: ConversationState = { ...conv, slots: withoutSlots(conv.slots, 'pending') };
  const said = conv.slots.botSaid ?? [];
  const candidates = suggestionIntents(last.handled, last.u.ranking);
  const out: Suggestion[] = [];
  const moves: { m: Move; kind: 'current' | 'runner_up'; label: string; confidence?: number }[] = [];
  candidates.forEach((intent, i) => {
    try {
      const pin = policyInputFor(shop, base, last.u, intent, now);
      const result = intent === FALLBACK ? { moves: [move(pin, FALLBACK, 'reply')] } : policyFor(intent)(pin);
      const m = result.moves.find((x) => x.intent !== 'system');
      const confidence = last.u.ranking.find((r) => r.intent === intent)?.confidence;
      if (m)
        moves.push({
          m,
          kind: i === 0 ? 'current' : 'runner_up',
          label: labels[intent] ?? intent,
          ...(confidence !== undefined ? { confidence } : {}),
        });
    } catch {
      // A runner-up that cannot be answered in this situation is simply not suggested.
    }
  });
  // The buyer has just read the bot's last messages: the agent sending one again looks like a machine stuck.
  const repeats = (text: string, templateId: string): boolean =>
    out.some((o) => o.text === text) || said.some((b) => b.templateId === templateId || (b.text !== undefined && nearlySameText(b.text, text)));
  /** Adds the first usable variant from `from` on; returns the index used, or -1. */
  const addFirst = (m: Move, reason: string, from = 0): number => {
    for (let v = from; v < variantCount(bundle.templates, m.intent, m.move) && out.length < 3; v++) {
      try {
        const r = renderMove(bundle.templates, m.intent, m.move, m.vars ?? {}, { now, utcOffsetMinutes, variant: v });
        if (repeats(r.text, r.templateId)) continue;
        out.push({ text: r.text, reason, templateId: r.templateId });
        return v;
      } catch {
        // Same: skip what cannot render here.
      }
    }
    return -1;
  };
  // "Transferring you to a person" is the bot's line; the person who reads it has taken over.
  if (categoryOf(bundle, last.handled, last.u.category) === 'human' && moves[0]?.kind === 'current') moves.shift();
  const used = moves.map((c) => addFirst(c.m, suggestionReason(c.kind, c.label, c.confidence)));
  const current = moves[0];
  if (current && current.kind === 'current') {
    let v = used[0] ?? -1;
    while (out.length < 3 && v >= -1) {
      v = addFirst(current.m, suggestionReason('variant', current.label), v + 1);
      if (v < 0) break;
    }
  }
  if (out.length < 3) {
    const sys = policyInputFor(shop, base, last.u, 'system', now);
    const hasOrder = conv.orderId !== undefined && shop.order(conv.orderId) !== undefined;
    const generic = genericMovesFor(categoryOf(bundle, last.handled, last.u.category), hasOrder);
    const first = generic.map((name) => addFirst(move(sys, 'system', name), suggestionReason(name, '')));
    // Still short: another wording of the same generic moves.
    generic.forEach((name, i) => addFirst(move(sys, 'system', name), suggestionReason(name, ''), (first[i] ?? -1) + 1));
    // Scripts without the generic moves: the handoff notices still keep the buyer informed.
    for (const name of ['handoff', 'handoff_urgent']) addFirst(move(sys, 'system', name), suggestionReason('holding', ''));
  }
  return out.slice(0, 3);
}

export interface HandoffInput extends SuggestInput {
  last: LastTurn;
  request: HandoffRequest;
  /** Classifier confidence of the turn. */
  confidence: number;
}

/** The handoff an agent receives: the summary line (reason, intent, order, buyer, last words) and the suggestions. */
export function handoffFor(input: HandoffInput): HandoffInfo {
  const { conv, bundle, shop, last, request: h } = input;
  const f = focusOf(shop, conv);
  const label = labelsOf(bundle)[last.handled];
  const summary = buildSummary({
    reason: h.reason,
    intent: last.handled,
    ...(label !== undefined ? { label } : {}),
    confidence: input.confidence,
    conv,
    ...(f.order ? { order: f.order } : {}),
    ...(f.buyer ? { buyerName: f.buyer.name } : {}),
    ...(f.order?.shipment ? { carrierName: shop.courierName(f.order.shipment.carrier) } : {}),
    lastText: last.text,
    ...(h.note !== undefined ? { note: h.note } : {}),
  });
  return handoffInfo(h.reason, h.priority, summary, suggestions(input), input.now);
}
