/**
 * The conversation engine: understand → route → policy → render → reply or hand off.
 * One pure step per buyer message: it takes a ConversationState and returns a new one (the
 * caller persists it) with the replies and, when a person must take over, the handoff with
 * three suggested replies. It never throws: if any stage fails, the buyer gets a polite
 * holding reply and the conversation goes to a person with reason 'error'.
 */
import type { IntentDef } from '../nlu/intents';
import type { Entity, Understanding, UnderstandContext } from '../nlu/types';
import { maskPhonesInText } from '../replies/mask-phones';
import { renderMove, variantCount, type RenderedMove } from '../replies/render';
import type { TemplateSet } from '../replies/templates';
import type { ScriptBundle } from '../scripts/bundle';
import type { Address, Buyer, Order, Product, ShopData } from '../shop/types';
import { appendActs, type Act } from '../model/acts';
import { bareOffer, isAcceptance, priceOnly, readAnswer } from './answers';
import { addressChangePolicy, addressConfirmPolicy, correctAddress, isPhoneChange, ADDRESS_CHANGE } from './address';
import { clarifyPolicy, FALLBACK, type ClarifySlot } from './clarify';
import { contextClaim } from './context';
import { otherQuestions } from './questions';
import { shipTimePolicy, signedNotReceivedPolicy, trackingPolicy } from './delivery';
import { orderFlowAfter, typedOrder, withTypedOrderNumbers } from './focus';
import { helloPolicy, openingPolicy, thanksPolicy } from './greeting';
import { hagglePolicy, isWalkAway, HAGGLE, type HaggleSlot } from './haggle';
import { buildSummary, genericMovesFor, handoffInfo, maxPriority, nearlySameText, suggestionIntents, suggestionReason } from './handoff';
import { humanPolicy } from './human';
import { codPolicy, invoicePolicy, isPriceQuestion, payPolicy, pricePolicy, PAY } from './payment';
import {
  isUsableAddress,
  move,
  type Answer,
  type HandoffRequest,
  type Move,
  type PendingQuestion,
  type Policy,
  type PolicyInput,
  type PolicyResult,
} from './policy';
import { infoPolicy, stockPolicy } from './product';
import { damagedPolicy, exchangePolicy, orderedProduct, refundPolicy, sizeAnswer, EXCHANGE } from './returns';
import { priceProtectPolicy, remarkPolicy, REMARK } from './remark';
import { complaintPolicy } from './review';
import type { ConversationState, HandoffInfo, Suggestion } from '../model/conversation';
import type { BotReply, TurnResult } from './types';

/** The flow policy per intent id. Intents a manager adds without code get {@link genericPolicy}. */
export const POLICIES: Record<string, Policy> = {
  'haggle.bargain': hagglePolicy,
  'address.confirm': addressConfirmPolicy,
  'address.change': addressChangePolicy,
  'delivery.ship_time': shipTimePolicy,
  'delivery.tracking': trackingPolicy,
  'delivery.signed_not_received': signedNotReceivedPolicy,
  'return.refund': refundPolicy,
  'return.exchange': exchangePolicy,
  'return.damaged': damagedPolicy,
  'bad_review.complaint': complaintPolicy,
  'product.size_color': stockPolicy,
  'product.stock': stockPolicy,
  'product.info': infoPolicy,
  'payment.cod': codPolicy,
  'payment.invoice': invoicePolicy,
  'payment.pay': payPolicy,
  'human.request': humanPolicy,
  'delivery.remark': remarkPolicy,
  'payment.price_protect': priceProtectPolicy,
  'greeting.hello': helloPolicy,
  'greeting.thanks': thanksPolicy,
};

/** An intent without a dedicated flow answers with its `reply` move. */
export const genericPolicy: Policy = (input) => ({ moves: [move(input, input.intent, 'reply')] });

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

/** What the engine remembers of the last buyer turn (slots.last), for suggestions later. */
interface LastTurn {
  text: string;
  handled: string;
  u: Understanding;
}

/**
 * slots.botSaid: the bot's last two messages (the greeting's template only). A reply never
 * picks the variant used there, and no suggestion repeats them: the buyer has just read them.
 */
const BOT_SAID = 'botSaid';
interface BotSaid {
  text?: string;
  templateId?: string;
}

/** What a short fragment is read in the light of: the question pending, the last flow, the bot's last move, the order and product in focus. */
function understandContextOf(conv: ConversationState): UnderstandContext {
  const pending = conv.slots['pending'] as PendingQuestion | undefined;
  const last = conv.slots['last'] as LastTurn | undefined;
  const said = botSaid(conv);
  const move = said[said.length - 1]?.templateId?.replace(/#.*$/, '');
  return {
    ...(pending ? { pendingQuestion: pending.owner } : {}),
    ...(last ? { activeFlow: last.handled } : {}),
    ...(move ? { lastBotMove: move } : {}),
    ...(conv.orderId ? { orderInFocus: conv.orderId } : {}),
    ...(conv.productId ? { productInFocus: conv.productId } : {}),
  };
}

function botSaid(conv: ConversationState): BotSaid[] {
  const v = conv.slots[BOT_SAID];
  return Array.isArray(v) ? (v as BotSaid[]) : [];
}

/** The template id of variant `index` of the move keyed "intent/move" (as renderMove picks it). */
function variantIdOf(templates: TemplateSet, key: string, index: number): string | undefined {
  const slash = key.indexOf('/');
  const variants = templates[key.slice(0, slash)]?.moves[key.slice(slash + 1)]?.variants ?? [];
  if (variants.length === 0) return undefined;
  return variants[((index % variants.length) + variants.length) % variants.length]?.id;
}

/** Said only if even the error template cannot render (the scripts themselves are broken). */
const LAST_RESORT_REPLY = '亲，稍等一下哦，马上为您转接人工客服~';
const ANGRY = /[!！]{3,}|[?？]{3,}/;
const ANGRY_CATEGORIES = new Set(['delivery', 'return', 'bad_review']);
const YES_INTENTS = new Set(['greeting.thanks']);
/** Walking away over the price before any bargaining: "太贵了 不要了", "我去别家看看". */
const PRICE_WALK_AWAY = /贵|别家|别的店|其他家|对比|比较|货比三家/u;

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
  const offset = shop.policy.utcOffsetMinutes;

  const labelsOf = (bundle: ScriptBundle): Record<string, string> =>
    Object.fromEntries(Object.values(bundle.templates).flatMap((t) => (t.label ? [[t.intent, t.label]] : [])));

  const categoryOf = (bundle: ScriptBundle, intent: string, fallback: Understanding['category']): Understanding['category'] =>
    bundle.intents[intent]?.category ?? fallback;

  function focus(conv: ConversationState): { buyer?: Buyer; product?: Product; order?: Order } {
    const out: { buyer?: Buyer; product?: Product; order?: Order } = {};
    const buyer = shop.buyer(conv.buyerId);
    if (buyer) out.buyer = buyer;
    const product = (conv.productId ? shop.product(conv.productId) : undefined) ?? shop.featuredProduct();
    if (product) out.product = product;
    const order = conv.orderId ? shop.order(conv.orderId) : undefined;
    if (order) out.order = order;
    return out;
  }

  function policyInput(conv: ConversationState, u: Understanding, intent: string, now: Date): PolicyInput {
    const input: PolicyInput = { conv, u, intent, shop, now, ...focus(conv) };
    // An order number typed this turn that is not this buyer's: no order at all, never its data.
    const typed = typedOrder(u, shop, conv.buyerId);
    if (typed?.kind === 'unknown') {
      delete input.order;
      input.unknownOrder = typed.number;
    }
    return input;
  }

  /** Renders moves, rotating variants per conversation (slots.variants). */
  function render(
    conv: ConversationState,
    bundle: ScriptBundle,
    moves: Move[],
    handled: string,
    fallbackCategory: Understanding['category'],
    now: Date,
  ): BotReply[] {
    const counters = { ...((conv.slots['variants'] as Record<string, number> | undefined) ?? {}) };
    const said = botSaid(conv);
    const recent = new Set(said.flatMap((b) => (b.templateId ? [b.templateId] : [])));
    const latest = said[said.length - 1]?.templateId;
    const pick = (count: number, key: string): number => {
      const start = counters[key] ?? Math.floor(random() * count);
      const idAt = (i: number): string => variantIdOf(bundle.templates, key, i) ?? '';
      // Not a sentence the bot just said: the first variant not among its last two messages,
      // else at least not the very last one. A move with a single variant may repeat.
      let n = start;
      for (let i = 0; i < count && recent.has(idAt(start + i)); i++) n = start + i + 1;
      if (n - start >= count) n = idAt(start) === latest ? start + 1 : start;
      counters[key] = n + 1;
      return n;
    };
    const lastText = said[said.length - 1]?.text;
    const replies = moves.map((m) => {
      let r: RenderedMove = renderMove(bundle.templates, m.intent, m.move, m.vars ?? {}, { now, utcOffsetMinutes: offset, pick });
      if (lastText !== undefined && r.text === lastText) r = notTheSameAgain(bundle, m, r, lastText, now);
      const intent = m.intent === 'system' ? handled : m.intent;
      const reply: BotReply = { text: r.text, intent, category: categoryOf(bundle, intent, fallbackCategory), templateId: r.templateId };
      const quick = [...(m.quickReplies ?? []), ...(r.quickReplies ?? [])];
      if (quick.length > 0) reply.quickReplies = [...new Set(quick)];
      if (m.offer !== undefined) reply.offer = m.offer;
      return reply;
    });
    conv.slots['variants'] = counters;
    if (replies.length > 0) {
      conv.slots[BOT_SAID] = [
        ...botSaid(conv),
        ...replies.map((r): BotSaid => ({ text: r.text, ...(r.templateId ? { templateId: r.templateId } : {}) })),
      ].slice(-2);
    }
    return replies;
  }

  /**
   * The bot never sends the very sentence it sent last: another variant of the move, else the
   * same answer opened with the system `again` move ("亲，跟您再确认一下："), which the buyer
   * reads as the bot knowing it is repeating itself.
   */
  function notTheSameAgain(bundle: ScriptBundle, m: Move, first: RenderedMove, lastText: string, now: Date): RenderedMove {
    const count = variantCount(bundle.templates, m.intent, m.move);
    for (let v = 0; v < count; v++) {
      const r = renderMove(bundle.templates, m.intent, m.move, m.vars ?? {}, { now, utcOffsetMinutes: offset, variant: v });
      if (r.text !== lastText) return r;
    }
    if (variantCount(bundle.templates, 'system', 'again') === 0) return first;
    const lead = renderMove(bundle.templates, 'system', 'again', m.vars ?? {}, {
      now,
      utcOffsetMinutes: offset,
      pick: (n) => Math.floor(random() * n),
    });
    return { ...first, text: `${lead.text}${first.text.replace(/^亲[，,～~]\s*/u, '')}` };
  }

  /**
   * Three ranked suggestions: the handled intent's reply, the likely runner-ups', another
   * variant of the handled reply, then generic moves that fit the category (apology, ask for
   * the order number or photos, "checking for you"). None repeats what the bot just said.
   */
  function suggestions(conv: ConversationState, bundle: ScriptBundle, last: LastTurn | undefined, now: Date): Suggestion[] {
    if (!last) return [];
    const labels = labelsOf(bundle);
    const base: ConversationState = { ...conv, slots: { ...conv.slots } };
    delete base.slots['pending'];
    const said = botSaid(conv);
    const candidates = suggestionIntents(last.handled, last.u.ranking);
    const out: Suggestion[] = [];
    const moves: { m: Move; kind: 'current' | 'runner_up'; label: string; confidence?: number }[] = [];
    candidates.forEach((intent, i) => {
      try {
        const input = policyInput(base, last.u, intent, now);
        const result = intent === FALLBACK ? { moves: [move(input, FALLBACK, 'reply')] } : (POLICIES[intent] ?? genericPolicy)(input);
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
          const r = renderMove(bundle.templates, m.intent, m.move, m.vars ?? {}, { now, utcOffsetMinutes: offset, variant: v });
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
      const sys = policyInput(base, last.u, 'system', now);
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

  function recordTurn(conv: ConversationState, u: Understanding, text: string, now: Date): void {
    conv.turns = [...conv.turns, { at: now.toISOString(), text, intent: u.intent, category: u.category, confidence: u.confidence }].slice(-maxTurns);
    const facts = new Map<string, Entity>(conv.facts.map((f) => [f.kind, f]));
    for (const e of u.entities) facts.set(e.kind, e);
    conv.facts = [...facts.values()];
    const typed = typedOrder(u, shop, conv.buyerId);
    if (typed?.kind === 'own') conv.orderId = typed.order.number;
    if (!conv.orderId) {
      const latest = shop.ordersByBuyer(conv.buyerId)[0];
      if (latest) conv.orderId = latest.number;
    }
  }

  /** Decides which flow handles this message, and whether it answers a pending question. */
  function route(
    conv: ConversationState,
    u: Understanding,
    text: string,
  ): { intent: string; policy?: Policy; answer?: Answer; pending?: PendingQuestion; clarify: boolean } {
    const trimmed = text.trim();
    const clarify = conv.slots['clarify'] as ClarifySlot | undefined;
    // The buyer's text is a key here: an own property only ("constructor" is no topic).
    const chosen = clarify && Object.hasOwn(clarify.choices, trimmed) ? clarify.choices[trimmed] : undefined;
    if (typeof chosen === 'string') return { intent: chosen, clarify: false };
    const pending = conv.slots['pending'] as PendingQuestion | undefined;
    if (pending) {
      // A bare size ("换29") answers the exchange's size question.
      if (pending.owner === EXCHANGE && pending.kind === 'size' && sizeAnswer(u, orderedProduct(focus(conv).order, shop)) !== undefined) {
        return { intent: EXCHANGE, pending, clarify: false };
      }
      const idx = pending.choices.indexOf(trimmed);
      const typed = idx < 0 ? readAnswer(u) : undefined;
      if (
        idx === 0 ||
        typed === 'yes' ||
        (idx < 0 && typed === undefined && YES_INTENTS.has(u.intent) && u.entities.length === 0 && trimmed.length <= 4 && !bareOffer(u))
      ) {
        return { intent: pending.owner, answer: 'yes', pending, clarify: false };
      }
      if (idx === 1 || typed === 'no') return { intent: pending.owner, answer: 'no', pending, clarify: false };
      // The remark asked for again after a "no": whatever the buyer says next is the note.
      if (pending.owner === REMARK && pending.kind === 'text') return { intent: REMARK, clarify: false };
      // A correction ("不对，是101号") amends the address being read back.
      const readBack =
        pending.owner === ADDRESS_CHANGE && pending.kind === 'read_back' ? (pending.data?.['address'] as Address | undefined) : undefined;
      if (readBack && correctAddress(u, readBack)) return { intent: ADDRESS_CHANGE, pending, clarify: false };
    }
    const haggle = conv.slots['haggle'] as HaggleSlot | undefined;
    const bargaining = haggle !== undefined && haggle.deal === undefined;
    const inFocus = focus(conv);
    const claim = contextClaim({
      u,
      lastHandled: (conv.slots['last'] as LastTurn | undefined)?.handled,
      ...(inFocus.product ? { product: inFocus.product } : {}),
      ...(inFocus.order ? { orderStatus: inFocus.order.status } : {}),
      bargaining: haggle !== undefined,
    });
    if (claim && !(haggle !== undefined && (isAcceptance(u) || isWalkAway(u.normalized)) && claim.intent === 'payment.pay')) {
      return { intent: claim.intent, ...(claim.policy ? { policy: claim.policy } : {}), clarify: false };
    }
    // Bargaining in context: acceptance of our last price, walking away, a coupon question.
    if (haggle !== undefined && !u.entities.some((e) => e.kind === 'money' || e.kind === 'order')) {
      if (isAcceptance(u)) return { intent: HAGGLE, answer: 'yes', clarify: false };
      if (isWalkAway(u.normalized) && !/退|换货|退款/u.test(u.normalized)) return { intent: HAGGLE, clarify: false };
    }
    if (haggle === undefined && isWalkAway(u.normalized) && PRICE_WALK_AWAY.test(u.normalized) && !/退|换货|退款|快递|物流/u.test(u.normalized)) {
      return { intent: HAGGLE, clarify: false };
    }
    // On a product page a message that is only a price ("400", "450吧") is an offer too.
    const onPage = conv.productId !== undefined ? shop.product(conv.productId) : undefined;
    const pagePrice = onPage ? priceOnly(u, onPage.listPrice) : undefined;
    if (!u.entities.some((e) => e.kind === 'money')) {
      // "300" alone means a price while bargaining.
      const offer = bargaining ? bareOffer(u) : pagePrice;
      if (offer) {
        u.entities = [...u.entities, offer];
        return { intent: HAGGLE, clarify: false };
      }
    }
    const money = u.entities.some((e) => e.kind === 'money');
    if (money && (u.category === 'haggle' || pagePrice !== undefined || (bargaining && ['other', 'greeting', 'product'].includes(u.category)))) {
      return { intent: HAGGLE, clarify: false };
    }
    if (conv.slots['awaitingAddress'] && u.entities.some((e) => e.kind === 'address' && isUsableAddress(e)))
      return { intent: ADDRESS_CHANGE, clarify: false };
    if (isPhoneChange(u)) return { intent: ADDRESS_CHANGE, clarify: false };
    // "多少钱" alone is a price question (list price, or the unpaid order's total), not a bid.
    const haggleSlot = conv.slots['haggle'] as HaggleSlot | undefined;
    if (isPriceQuestion(u) && (haggleSlot === undefined || haggleSlot.deal !== undefined))
      return { intent: PAY, policy: pricePolicy, clarify: false };
    // A bare order number ("E1004") continues the order question asked last.
    if (typedOrder(u, shop, conv.buyerId) && (u.intent === FALLBACK || u.confidence < clarifyBelow)) {
      return { intent: orderFlowAfter((conv.slots['last'] as LastTurn | undefined)?.handled), clarify: false };
    }
    if (u.intent === FALLBACK || u.confidence < clarifyBelow) return { intent: FALLBACK, clarify: true };
    return { intent: u.intent, clarify: false };
  }

  /** The acts stage: stamps the acts the buyer confirmed this turn and appends them to conv.acts. */
  function recordActs(conv: ConversationState, result: PolicyResult, now: Date): Act[] {
    if (!result.acts || result.acts.length === 0) return [];
    const { all, added } = appendActs(conv, result.acts, now);
    conv.acts = all;
    return added;
  }

  function applySlots(conv: ConversationState, result: PolicyResult): void {
    for (const [k, v] of Object.entries(result.slots ?? {})) {
      if (v === undefined) delete conv.slots[k];
      else conv.slots[k] = v;
    }
  }

  function decideHandoff(bundle: ScriptBundle, intent: string, u: Understanding, text: string, result: PolicyResult): HandoffRequest | undefined {
    let h = result.handoff;
    const def: IntentDef | undefined = bundle.intents[intent];
    if (def?.handoff?.always) {
      const reason = def.category === 'bad_review' ? 'bad_review' : def.category === 'human' ? 'explicit_request' : 'policy_limit';
      h = h ? { ...h, priority: maxPriority(h.priority, def.handoff.priority) } : { reason, priority: def.handoff.priority };
    }
    if (!h && ANGRY.test(text) && ANGRY_CATEGORIES.has(u.category)) h = { reason: 'angry_tone', priority: 'high' };
    return h;
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

  function handleMessageUnsafe(input: ConversationState, text: string): TurnResult {
    const now = clock();
    const bundle = getScripts();
    const conv: ConversationState = clonePlain(input);
    const u = bundle.understand(text, understandContextOf(conv));
    u.entities = withTypedOrderNumbers(u);
    if (conv.status === 'closed') {
      conv.status = 'bot';
      delete conv.handoff;
      delete conv.closedResolution;
      delete conv.slots['pending'];
      delete conv.slots['clarify'];
    }
    recordTurn(conv, u, text, now);
    conv.updatedAt = now.toISOString();

    if (conv.status === 'queued' || conv.status === 'agent') {
      const last: LastTurn = { text, handled: u.intent, u };
      conv.slots['last'] = last;
      const refreshed = suggestions(conv, bundle, last, now);
      const prev = conv.handoff;
      const handoff: HandoffInfo = prev ? { ...prev, suggestions: refreshed } : handoffInfo('explicit_request', 'normal', '', refreshed, now);
      conv.handoff = handoff;
      return { conversation: conv, understanding: understandingOf(u), replies: [], handoff };
    }

    const routed = route(conv, u, text);
    const pin = policyInput(conv, u, routed.intent, now);
    if (routed.answer) pin.answer = routed.answer;
    if (routed.pending) pin.pending = routed.pending;
    const result = routed.clarify ? clarifyPolicy(pin, labelsOf(bundle)) : (routed.policy ?? POLICIES[routed.intent] ?? genericPolicy)(pin);
    const handled = result.handledAs ?? routed.intent;
    if (!routed.clarify) delete conv.slots['clarify'];
    applySlots(conv, result);
    const recorded = recordActs(conv, result, now);
    if (result.productId !== undefined) conv.productId = result.productId;
    delete conv.slots['pending'];

    let h = decideHandoff(bundle, handled, u, text, result);
    const moves = [...result.moves];
    const mainCount = moves.length;
    // Two or three questions in one message: the others are answered in the same reply.
    if (!routed.clarify && !routed.answer && !h) {
      for (const other of otherQuestions(text, handled, bundle.understand)) {
        const extra = (POLICIES[other.intent] ?? genericPolicy)(policyInput(conv, other, other.intent, now));
        if (extra.acts || extra.pending) continue; // an act or a question of its own needs its own turn
        moves.push(...extra.moves.filter((m) => m.intent !== 'system'));
        h ??= decideHandoff(bundle, other.intent, other, text, extra);
      }
    }
    const extraCount = moves.length - mainCount;
    if (h && !h.announced)
      moves.push({
        intent: 'system',
        move: h.priority === 'normal' ? 'handoff' : 'handoff_urgent',
        vars: pin && move(pin, 'system', 'handoff').vars,
      });
    const replies = render(conv, bundle, moves, handled, u.category, now);
    if (extraCount > 0 && mainCount > 0) {
      // One reply answers every question asked, in the order asked.
      const extras = replies.splice(mainCount, extraCount);
      const main = replies[mainCount - 1] as BotReply;
      main.text = [main.text, ...extras.map((r) => r.text)].join('\n');
    }
    if (result.pending && !h) {
      const lastQuick = replies[replies.length - 1]?.quickReplies ?? [];
      conv.slots['pending'] = { ...result.pending, choices: result.pending.choices.length > 0 ? result.pending.choices : lastQuick };
    }
    const last: LastTurn = { text, handled, u };
    conv.slots['last'] = last;

    const turn: TurnResult = { conversation: conv, understanding: understandingOf(u), replies };
    if (recorded.length > 0) turn.acts = recorded;
    if (h) {
      const f = focus(conv);
      const summary = buildSummary({
        reason: h.reason,
        intent: handled,
        ...(labelsOf(bundle)[handled] !== undefined ? { label: labelsOf(bundle)[handled] } : {}),
        confidence: u.confidence,
        conv,
        ...(f.order ? { order: f.order } : {}),
        ...(f.buyer ? { buyerName: f.buyer.name } : {}),
        ...(f.order?.shipment ? { carrierName: shop.courierName(f.order.shipment.carrier) } : {}),
        lastText: text,
        ...(h.note !== undefined ? { note: h.note } : {}),
      });
      const info = handoffInfo(h.reason, h.priority, summary, suggestions(conv, bundle, last, now), now);
      conv.status = 'queued';
      conv.handoff = info;
      turn.handoff = info;
    }
    return turn;
  }

  /** The templated holding reply (system.error), or a fixed one if even that cannot render. */
  function holding(now: Date): BotReply {
    const reply: BotReply = { text: LAST_RESORT_REPLY, intent: FALLBACK, category: 'other' };
    try {
      const r = renderMove(getScripts().templates, 'system', 'error', { shop: { name: shop.policy.shopName } }, { now, utcOffsetMinutes: offset });
      return { ...reply, text: r.text, templateId: r.templateId };
    } catch {
      return reply; // the scripts themselves are broken: the buyer still gets an answer
    }
  }

  /**
   * Chooses the opening's variants now, while the state is being created and saved, so that
   * greet() (which returns no state) says them and the first reply knows what was said: a
   * buyer's "你好" then gets the other greeting, not the same sentence again.
   */
  function seedOpening(conv: ConversationState, now: Date): void {
    try {
      const templates = getScripts().templates;
      const counters: Record<string, number> = {};
      const said: BotSaid[] = [];
      for (const m of openingPolicy(policyInput(conv, emptyUnderstanding(), 'greeting.hello', now)).moves) {
        const count = variantCount(templates, m.intent, m.move);
        if (count === 0) continue;
        const key = `${m.intent}/${m.move}`;
        const n = Math.floor(random() * count);
        counters[key] = n + 1;
        const id = variantIdOf(templates, key, n);
        said.push(id ? { templateId: id } : {});
      }
      conv.slots['variants'] = counters;
      conv.slots[BOT_SAID] = said.slice(-2);
    } catch {
      // No seed: greet() picks at random as before.
    }
  }

  /** The holding reply and error handoff when a stage throws. */
  function failSafe(input: ConversationState, text: string, error: unknown): TurnResult {
    const now = safeNow(clock);
    const conv: ConversationState = safeClone(input);
    conv.turns = [...(conv.turns ?? []), { at: now.toISOString(), text, intent: FALLBACK, category: 'other' as const, confidence: 0 }].slice(
      -maxTurns,
    );
    conv.updatedAt = now.toISOString();
    const reply = holding(now);
    let suggestionList: Suggestion[] = [];
    try {
      suggestionList = suggestions(conv, getScripts(), conv.slots['last'] as LastTurn | undefined, now);
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
      if (input.productId !== undefined && product?.id === input.productId) conv.slots['productPage'] = true;
      const latest = shop.ordersByBuyer(input.buyerId)[0];
      if (latest) conv.orderId = latest.number;
      seedOpening(conv, now);
      return conv;
    },

    handleMessage(conv, text) {
      let result: TurnResult;
      try {
        result = handleMessageUnsafe(conv, text);
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
        return suggestions(conv, getScripts(), conv.slots['last'] as LastTurn | undefined, clock());
      } catch {
        return [];
      }
    },

    holdingReply() {
      return holding(safeNow(clock));
    },

    systemNotice(name) {
      const now = safeNow(clock);
      try {
        const r = renderMove(
          getScripts().templates,
          'system',
          name,
          { shop: { name: shop.policy.shopName } },
          { now, utcOffsetMinutes: offset, pick: (n) => Math.floor(random() * n) },
        );
        return { text: r.text, intent: 'system', category: 'other', templateId: r.templateId };
      } catch {
        return undefined;
      }
    },

    greet(conv) {
      const now = clock();
      const bundle = getScripts();
      const lastResort: BotReply[] = [{ text: LAST_RESORT_REPLY, intent: 'greeting.hello', category: 'greeting' }];
      const moves = openingPolicy(policyInput(conv, emptyUnderstanding(), 'greeting.hello', now)).moves;
      if (moves.length === 0) return lastResort;
      // The variants seedOpening chose (counters hold the next one to use).
      const seeded = (conv.slots['variants'] as Record<string, number> | undefined) ?? {};
      try {
        return moves.map((m) => {
          const r = renderMove(bundle.templates, m.intent, m.move, m.vars ?? {}, {
            now,
            utcOffsetMinutes: offset,
            pick: (n, key) => (seeded[key] ?? Math.floor(random() * n) + 1) - 1,
          });
          const intent = m.intent;
          const reply: BotReply = { text: r.text, intent, category: bundle.intents[intent]?.category ?? 'greeting', templateId: r.templateId };
          if (r.quickReplies) reply.quickReplies = r.quickReplies;
          return reply;
        });
      } catch {
        return lastResort;
      }
    },
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

/**
 * Deep copy of plain JSON-like data (what ConversationState is). structuredClone was the
 * largest single cost of a turn (~50 µs for a conversation with 50 turns); walking plain
 * objects and arrays is several times faster. Anything else (a Date, a Map, a cycle or
 * absurd nesting) falls back to structuredClone for the whole value.
 */
function clonePlain<T>(value: T): T {
  try {
    return cloneWalk(value, 0) as T;
  } catch {
    return structuredClone(value);
  }
}

const NOT_PLAIN = new Error('not plain data');

function cloneWalk(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth > 64) throw NOT_PLAIN;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = cloneWalk(value[i], depth + 1);
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw NOT_PLAIN;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = cloneWalk((value as Record<string, unknown>)[key], depth + 1);
    // An own "__proto__" key (JSON.parse makes those) must stay a key, not become the prototype.
    if (key === '__proto__') Object.defineProperty(out, key, { value: v, writable: true, enumerable: true, configurable: true });
    else out[key] = v;
  }
  return out;
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
    return structuredClone(conv);
  } catch {
    return { ...conv, slots: {}, turns: [], facts: [] };
  }
}
