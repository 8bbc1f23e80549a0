/**
 * The conversation engine: one pure step per buyer message, composed of named stages, each in
 * its own file with a typed input and output:
 *
 *   record (stages/record.ts)   the stored state made safe, the turn, facts and order focus recorded
 *   route  (stages/route.ts)    which flow takes the turn: the flows' claims in a documented order
 *   policy (stages/policy.ts)   the flow runs (and the flows of the message's other questions)
 *   acts   (stages/acts.ts)     the acts the buyer confirmed are stamped and stored
 *   render (stages/render.ts)   moves → replies, never the same reply twice in a row
 *   suggest (stages/suggest.ts) a person's suggestions and the handoff summary
 *
 * It takes a ConversationState and returns a new one (the caller persists it) with the
 * replies and, when a person must take over, the handoff. It never throws: if any stage
 * fails, the buyer gets a polite holding reply and the conversation goes to a person with
 * reason 'error'.
 */
import type { Understanding } from '../nlu/types';
import { maskPhonesInText } from '../replies/mask-phones';
import type { ScriptBundle } from '../scripts/bundle';
import { businessHoursAt } from '../shop/hours';
import type { ShopData } from '../shop/types';
import type { Act } from '../model/acts';
import type { ConversationState, HandoffInfo, Suggestion } from '../model/conversation';
import { readSlots, withSlots, type LastTurn } from '../model/slots';
import { FALLBACK } from './clarify';
import { focusOf, policyInputFor, withTypedOrderNumbers } from './focus';
import { openingPolicy } from './greeting';
import { handoffInfo } from './handoff';
import { stampActs } from './stages/acts';
import { pendingAfter, runPolicy } from './stages/policy';
import { loadState, recordTurn, reopenIfClosed } from './stages/record';
import { understandContextOf } from './stages/understand-context';
import { joinAnswers, render, renderHolding, renderNotice, renderOpening, seedOpening, type RenderContext } from './stages/render';
import { route } from './stages/route';
import { handoffFor, labelsOf, suggestions } from './stages/suggest';
import type { BotReply, TurnResult } from './types';

export { POLICIES, genericPolicy } from './flows';

export interface EngineOptions {
  shop: ShopData;
  /** The serving scripts; called once per message so a publish takes effect on the next one. */
  getScripts: () => ScriptBundle;
  clock?: () => Date;
  /** Chooses the first variant of each move per conversation (default Math.random). */
  random?: () => number;
  /** Below this confidence the bot asks a clarifying question (default 0.35). */
  clarifyBelow?: number;
  /** Turns kept in state (default 50). */
  maxTurns?: number;
  /** Told the acts recorded in a turn (for metrics); errors it throws are ignored. */
  onActs?: (acts: readonly Act[]) => void;
}

export interface OpenConversationInput {
  id: string;
  buyerId: string;
  shopId: string;
  productId?: string;
}

export interface Engine {
  openConversation(input: OpenConversationInput): ConversationState;
  handleMessage(conv: ConversationState, text: string): TurnResult;
  suggest(conv: ConversationState): Suggestion[];
  /** Opening messages: the greeting, and a payment reminder for a buyer with an unpaid order. */
  greet(conv: ConversationState): BotReply[];
  /** The polite holding reply ("a colleague will help you shortly") used when a turn fails. */
  holdingReply(): BotReply;
  /** A system move said outside a buyer turn (e.g. 'no_agent'); undefined when the scripts lack it. */
  systemNotice(name: string): BotReply | undefined;
}

/** Creates the engine. Options are validated here so a wiring mistake fails at start. */
export function createEngine(options: EngineOptions): Engine {
  if (!options.shop || typeof options.getScripts !== 'function') {
    throw new TypeError('createEngine needs { shop, getScripts }');
  }
  const { shop, getScripts } = options;
  const clock = options.clock ?? (() => new Date());
  const random = options.random ?? Math.random;
  const clarifyBelow = options.clarifyBelow ?? 0.35;
  const maxTurns = options.maxTurns ?? 50;
  const utcOffsetMinutes = shop.policy.utcOffsetMinutes;
  const shopName = shop.policy.shopName;
  const renderContext = (now: Date): RenderContext => ({ now, utcOffsetMinutes, random, afterHours: !businessHoursAt(shop.policy, now).open });

  function handleTurn(stored: ConversationState, text: string): TurnResult {
    const now = clock();
    const bundle = getScripts();
    const loaded = loadState(stored);
    const understood = bundle.understand(text, understandContextOf(loaded));
    const heard: Understanding = { ...understood, entities: withTypedOrderNumbers(understood) };
    // record
    let conv = recordTurn({ conv: reopenIfClosed(loaded), u: heard, text, now, shop, maxTurns });

    if (conv.status === 'queued' || conv.status === 'agent') {
      // A person has the conversation: the bot stays silent and refreshes the suggestions.
      const last: LastTurn = { text, handled: heard.intent, u: remembered(heard) };
      conv = { ...conv, slots: withSlots(conv.slots, { last }) };
      const refreshed = suggestions({ conv, bundle, shop, last, now, utcOffsetMinutes });
      const handoff: HandoffInfo = conv.handoff
        ? { ...conv.handoff, suggestions: refreshed }
        : handoffInfo('explicit_request', 'normal', '', refreshed, now);
      conv = { ...conv, handoff };
      return { conversation: conv, understanding: understandingOf(heard), replies: [], handoff };
    }

    // route
    const inFocus = focusOf(shop, conv);
    const routed = route({
      conv,
      u: heard,
      text: text.trim(),
      shop,
      ...(inFocus.product ? { product: inFocus.product } : {}),
      ...(inFocus.order ? { order: inFocus.order } : {}),
      ...(conv.slots.last ? { lastHandled: conv.slots.last.handled } : {}),
      ...(conv.slots.pending ? { pending: conv.slots.pending } : {}),
      clarifyBelow,
    });
    const u = routed.u;
    // policy
    const flow = runPolicy({ conv, u, text, routed, shop, bundle, labels: labelsOf(bundle), now });
    // acts
    const acted = stampActs(flow.conv, flow.result.acts, now);
    conv = acted.conv;
    // render
    const rendered = render({
      ...renderContext(now),
      slots: conv.slots,
      bundle,
      moves: flow.moves,
      handled: flow.handled,
      fallbackCategory: u.category,
    });
    const replies = joinAnswers(rendered.replies, flow.mainCount, flow.extraCount, flow.leadCount);
    const pending = pendingAfter(flow.result, replies, flow.handoff !== undefined) ?? flow.stillOpen;
    const last: LastTurn = { text, handled: flow.handled, u: remembered(u) };
    conv = { ...conv, slots: withSlots(conv.slots, { ...rendered.slots, ...(pending ? { pending } : {}), last }) };

    const turn: TurnResult = { conversation: conv, understanding: understandingOf(u), replies };
    if (acted.added.length > 0) turn.acts = acted.added;
    // suggest: a person takes over
    if (flow.handoff) {
      const info = handoffFor({ conv, bundle, shop, last, now, utcOffsetMinutes, request: flow.handoff, confidence: u.confidence });
      conv = { ...conv, status: 'queued', handoff: info };
      turn.conversation = conv;
      turn.handoff = info;
    }
    return turn;
  }

  /** The holding reply and error handoff when a stage throws. */
  function failSafe(input: ConversationState, text: string, error: unknown): TurnResult {
    const now = safeNow(clock);
    const conv: ConversationState = safeClone(input);
    conv.turns = [...(conv.turns ?? []), { at: now.toISOString(), text, intent: FALLBACK, category: 'other' as const, confidence: 0 }].slice(
      -maxTurns,
    );
    conv.updatedAt = now.toISOString();
    const reply = renderHolding(() => getScripts().templates, shopName, renderContext(now));
    let suggestionList: Suggestion[] = [];
    try {
      suggestionList = suggestions({ conv, bundle: getScripts(), shop, last: conv.slots.last, now, utcOffsetMinutes });
    } catch {
      // No suggestions: the agent still gets the conversation.
    }
    const message = error instanceof Error ? error.message : String(error);
    const summary = `【系统出错】最后一句「${maskPhonesInText(text).slice(0, 60)}」 · ${message.slice(0, 200)}`;
    const info = handoffInfo('error', 'high', summary, suggestionList, now);
    if (conv.status !== 'agent') conv.status = 'queued';
    conv.handoff = info;
    return {
      conversation: conv,
      understanding: { intent: FALLBACK, category: 'other', confidence: 0, ranking: [], entities: [], normalized: text, flags: {} },
      replies: conv.status === 'agent' ? [] : [reply],
      handoff: info,
    };
  }

  return {
    openConversation(input) {
      const now = clock();
      const product = (input.productId ? shop.product(input.productId) : undefined) ?? shop.featuredProduct();
      const conv: ConversationState = {
        id: input.id,
        buyerId: input.buyerId,
        shopId: input.shopId,
        status: 'bot',
        slots: {},
        turns: [],
        facts: [],
        acts: [],
        createdAt: now.toISOString(),
        updatedAt: now.toISOString(),
      };
      if (product) conv.productId = product.id;
      // Opened from a product page (not just the featured product): "多少钱" is about that product.
      if (input.productId !== undefined && product?.id === input.productId) conv.slots.productPage = true;
      const latest = shop.ordersByBuyer(input.buyerId)[0];
      if (latest) conv.orderId = latest.number;
      try {
        const opening = openingPolicy(policyInputFor(shop, conv, emptyUnderstanding(), 'greeting.hello', now)).moves;
        conv.slots = withSlots(conv.slots, seedOpening(getScripts().templates, opening, random, renderContext(now).afterHours));
      } catch {
        // No seed: greet() picks at random.
      }
      return conv;
    },

    handleMessage(conv, text) {
      let result: TurnResult;
      try {
        result = handleTurn(conv, text);
      } catch (e) {
        return failSafe(conv, text, e);
      }
      if (result.acts && options.onActs) {
        try {
          options.onActs(result.acts);
        } catch {
          // Counting must never cost the buyer the reply.
        }
      }
      return result;
    },

    suggest(conv) {
      try {
        const slots = readSlots(conv.slots);
        return suggestions({ conv: { ...conv, slots }, bundle: getScripts(), shop, last: slots.last, now: clock(), utcOffsetMinutes });
      } catch {
        return [];
      }
    },

    holdingReply() {
      return renderHolding(() => getScripts().templates, shopName, renderContext(safeNow(clock)));
    },

    systemNotice(name) {
      return renderNotice(() => getScripts().templates, name, shopName, renderContext(safeNow(clock)));
    },

    greet(conv) {
      const now = clock();
      const moves = openingPolicy(policyInputFor(shop, conv, emptyUnderstanding(), 'greeting.hello', now)).moves;
      return renderOpening(getScripts(), moves, readSlots(conv.slots).variants ?? {}, renderContext(now));
    },
  };
}

/**
 * What later turns read of this turn's understanding (slots.last.u, for the agent's
 * suggestions). It is kept in the state and journaled every turn, so without what only this
 * turn used: the clarify options and the calibration's reading.
 */
function remembered(u: Understanding): Understanding {
  const { options: _options, action: _action, probability: _probability, usedContext: _usedContext, tokens: _tokens, ...kept } = u;
  return kept;
}

function understandingOf(u: Understanding): TurnResult['understanding'] {
  return {
    intent: u.intent,
    category: u.category,
    confidence: u.confidence,
    ranking: u.ranking,
    entities: u.entities,
    normalized: u.normalized,
    flags: { ...u.flags },
  };
}

function emptyUnderstanding(): Understanding {
  return {
    raw: '',
    normalized: '',
    tokens: [],
    intent: 'greeting.hello',
    category: 'greeting',
    confidence: 1,
    ranking: [],
    entities: [],
    flags: { mojibakeRepaired: false, garbled: false, truncated: false, traditional: false, emoticons: 0 },
  };
}

function safeNow(clock: () => Date): Date {
  try {
    return clock();
  } catch {
    return new Date();
  }
}

function safeClone(conv: ConversationState): ConversationState {
  try {
    const copy = structuredClone(conv);
    return { ...copy, slots: readSlots(copy.slots) };
  } catch {
    return { ...conv, slots: {}, turns: [], facts: [] };
  }
}
