/**
 * The render stage: moves → the replies the buyer reads. Variants rotate per conversation
 * (slots.variants), a reply never picks a variant among the bot's last two messages
 * (slots.botSaid), and the very sentence the bot sent last is never sent again: another
 * variant, else the same answer opened with the system `again` move. Also the engine's own
 * lines said outside a turn: the opening, the holding reply, system notices.
 */
import type { Category } from '../../nlu/types';
import { renderMove, variantCount, type RenderedMove } from '../../replies/render';
import { afterHoursMove } from '../../replies/variables';
import type { TemplateSet } from '../../replies/templates';
import type { ScriptBundle } from '../../scripts/bundle';
import type { BotSaid, Slots } from '../../model/slots';
import { FALLBACK } from '../clarify';
import type { Move } from '../policy';
import type { BotReply } from '../types';

/** Said only if even the error template cannot render (the scripts themselves are broken). */
export const LAST_RESORT_REPLY = '亲，稍等一下哦，马上为您转接人工客服~';

/** What every render needs: the clock, the shop's offset and the random source for first variants. */
export interface RenderContext {
  now: Date;
  utcOffsetMinutes: number;
  random: () => number;
  /** Outside the shop's business hours: a move's `<move>_after_hours` variants are said instead, when the scripts have them. */
  afterHours?: boolean;
}

/**
 * The move to say: outside business hours its after-hours version (`<move>_after_hours`, see
 * afterHoursMove in src/replies/variables.ts) when the scripts have one, so a reply written for
 * the day ("马上为您转接") is not said at night; otherwise the move itself.
 */
export function timedMove(templates: TemplateSet, intent: string, move: string, afterHours: boolean | undefined): string {
  if (!afterHours) return move;
  const night = afterHoursMove(move);
  return variantCount(templates, intent, night) > 0 ? night : move;
}

export interface RenderInput extends RenderContext {
  /** The conversation's slots (variants and botSaid are read). */
  slots: Slots;
  bundle: ScriptBundle;
  moves: readonly Move[];
  /** The intent the turn was handled as: the engine's own (system) moves are labelled with it. */
  handled: string;
  /** Category when the intent's definition has none. */
  fallbackCategory: Category;
}

export interface RenderOutput {
  replies: BotReply[];
  /** The slots to store: the variant counters, and what the bot said last (when it said anything). */
  slots: Pick<Slots, 'variants' | 'botSaid'>;
}

/** The template id of variant `index` of the move keyed "intent/move" (as renderMove picks it). */
export function variantIdOf(templates: TemplateSet, key: string, index: number): string | undefined {
  const slash = key.indexOf('/');
  const variants = templates[key.slice(0, slash)]?.moves[key.slice(slash + 1)]?.variants ?? [];
  if (variants.length === 0) return undefined;
  return variants[((index % variants.length) + variants.length) % variants.length]?.id;
}

const categoryOf = (bundle: ScriptBundle, intent: string, fallback: Category): Category => bundle.intents[intent]?.category ?? fallback;

/** Renders the turn's moves. */
export function render(input: RenderInput): RenderOutput {
  const { bundle, moves, handled, fallbackCategory } = input;
  const counters = { ...(input.slots.variants ?? {}) };
  const said = input.slots.botSaid ?? [];
  const recent = new Set(said.flatMap((b) => (b.templateId ? [b.templateId] : [])));
  const latest = said[said.length - 1]?.templateId;
  const pick = (count: number, key: string): number => {
    const start = counters[key] ?? Math.floor(input.random() * count);
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
  const replies = moves.map((asked) => {
    let wanted = asked;
    while (wanted.fallback && variantCount(bundle.templates, wanted.intent, wanted.move) === 0) wanted = wanted.fallback;
    const m = { ...wanted, move: timedMove(bundle.templates, wanted.intent, wanted.move, input.afterHours) };
    let r: RenderedMove = renderMove(bundle.templates, m.intent, m.move, m.vars ?? {}, {
      now: input.now,
      utcOffsetMinutes: input.utcOffsetMinutes,
      pick,
    });
    if (lastText !== undefined && r.text === lastText) r = notTheSameAgain(input, m, r, lastText);
    const intent = m.intent === 'system' ? handled : m.intent;
    const reply: BotReply = { text: r.text, intent, category: categoryOf(bundle, intent, fallbackCategory), templateId: r.templateId };
    const quick = [...(m.quickReplies ?? []), ...(r.quickReplies ?? [])];
    if (quick.length > 0) reply.quickReplies = [...new Set(quick)];
    if (m.offer !== undefined) reply.offer = m.offer;
    return reply;
  });
  const slots: RenderOutput['slots'] = { variants: counters };
  if (replies.length > 0) {
    slots.botSaid = [...said, ...replies.map((r): BotSaid => ({ text: r.text, ...(r.templateId ? { templateId: r.templateId } : {}) }))].slice(-2);
  }
  return { replies, slots };
}

/**
 * The bot never sends the very sentence it sent last: another variant of the move, else the
 * same answer opened with the system `again` move ("亲，跟您再确认一下："), which the buyer
 * reads as the bot knowing it is repeating itself.
 */
function notTheSameAgain(ctx: RenderInput, m: Move, first: RenderedMove, lastText: string): RenderedMove {
  const { bundle, now, utcOffsetMinutes } = ctx;
  const count = variantCount(bundle.templates, m.intent, m.move);
  for (let v = 0; v < count; v++) {
    const r = renderMove(bundle.templates, m.intent, m.move, m.vars ?? {}, { now, utcOffsetMinutes, variant: v });
    if (r.text !== lastText) return r;
  }
  if (variantCount(bundle.templates, 'system', 'again') === 0) return first;
  const lead = renderMove(bundle.templates, 'system', 'again', m.vars ?? {}, {
    now,
    utcOffsetMinutes,
    pick: (n) => Math.floor(ctx.random() * n),
  });
  return { ...first, text: `${lead.text}${first.text.replace(/^亲[，,～~]\s*/u, '')}` };
}

/**
 * One reply answers every question asked, in the order asked: the other questions' answers
 * (replies mainCount … mainCount+extraCount-1) are joined into the flow's replies, the first
 * `leadCount` of them (asked before the turn's own question) before its first reply, the rest
 * under its last.
 */
export function joinAnswers(replies: readonly BotReply[], mainCount: number, extraCount: number, leadCount = 0): BotReply[] {
  if (extraCount <= 0 || mainCount <= 0) return [...replies];
  const out = replies.map((r) => ({ ...r }));
  const extras = out.splice(mainCount, extraCount);
  const first = out[0] as BotReply;
  first.text = [...extras.slice(0, leadCount).map((r) => r.text), first.text].join('\n');
  const last = out[mainCount - 1] as BotReply;
  last.text = [last.text, ...extras.slice(leadCount).map((r) => r.text)].join('\n');
  return out;
}

/**
 * The opening's variants, chosen when the conversation is created: greet() (which returns no
 * state) then says them, and the first reply knows what was said, so a buyer's "你好" gets the
 * other greeting, not the same sentence again. Undefined when the scripts cannot say them.
 */
export function seedOpening(
  templates: TemplateSet,
  moves: readonly Move[],
  random: () => number,
  afterHours?: boolean,
): Pick<Slots, 'variants' | 'botSaid'> {
  const counters: Record<string, number> = {};
  const said: BotSaid[] = [];
  for (const m of moves) {
    const move = timedMove(templates, m.intent, m.move, afterHours);
    const count = variantCount(templates, m.intent, move);
    if (count === 0) continue;
    const key = `${m.intent}/${move}`;
    const n = Math.floor(random() * count);
    counters[key] = n + 1;
    const id = variantIdOf(templates, key, n);
    said.push(id ? { templateId: id } : {});
  }
  return { variants: counters, botSaid: said.slice(-2) };
}

/** The opening messages with the variants seedOpening chose (counters hold the next one to use). */
export function renderOpening(bundle: ScriptBundle, moves: readonly Move[], seeded: Record<string, number>, ctx: RenderContext): BotReply[] {
  const lastResort: BotReply[] = [{ text: LAST_RESORT_REPLY, intent: 'greeting.hello', category: 'greeting' }];
  if (moves.length === 0) return lastResort;
  try {
    return moves.map((m) => {
      const r = renderMove(bundle.templates, m.intent, timedMove(bundle.templates, m.intent, m.move, ctx.afterHours), m.vars ?? {}, {
        now: ctx.now,
        utcOffsetMinutes: ctx.utcOffsetMinutes,
        pick: (n, key) => (seeded[key] ?? Math.floor(ctx.random() * n) + 1) - 1,
      });
      const reply: BotReply = { text: r.text, intent: m.intent, category: categoryOf(bundle, m.intent, 'greeting'), templateId: r.templateId };
      if (r.quickReplies) reply.quickReplies = r.quickReplies;
      return reply;
    });
  } catch {
    return lastResort;
  }
}

/** The templated holding reply (system.error), or a fixed one if even that cannot render. */
export function renderHolding(templates: () => TemplateSet, shopName: string, ctx: Omit<RenderContext, 'random'>): BotReply {
  const reply: BotReply = { text: LAST_RESORT_REPLY, intent: FALLBACK, category: 'other' };
  try {
    const set = templates();
    const move = timedMove(set, 'system', 'error', ctx.afterHours);
    const r = renderMove(set, 'system', move, { shop: { name: shopName } }, { now: ctx.now, utcOffsetMinutes: ctx.utcOffsetMinutes });
    return { ...reply, text: r.text, templateId: r.templateId };
  } catch {
    return reply; // the scripts themselves are broken: the buyer still gets an answer
  }
}

/** A system move said outside a buyer turn (e.g. 'no_agent'); undefined when the scripts lack it. */
export function renderNotice(templates: () => TemplateSet, name: string, shopName: string, ctx: RenderContext): BotReply | undefined {
  try {
    const set = templates();
    const r = renderMove(
      set,
      'system',
      timedMove(set, 'system', name, ctx.afterHours),
      { shop: { name: shopName } },
      { now: ctx.now, utcOffsetMinutes: ctx.utcOffsetMinutes, pick: (n) => Math.floor(ctx.random() * n) },
    );
    return { text: r.text, intent: 'system', category: 'other', templateId: r.templateId };
  } catch {
    return undefined;
  }
}
