/**
 * While a buyer waits for a person: business hours, the buyer's place in the queue, a phone
 * number or WeChat id left for a callback, and the sentences the buyer is told about all that
 * (templates/human.callback.yaml). The conversation service uses it on queued turns
 * (src/conversation/conversation-service.ts); nothing here does I/O.
 */
import type { ConversationState } from '../model/conversation';
import type { BotReply } from '../dialogue/types';
import { extractPhones } from '../nlu/entities/phone';
import { renderMove } from '../replies/render';
import type { TemplateSet } from '../replies/templates';
import { businessHoursAt, hoursVars, type HoursState } from '../shop/hours';
import type { ShopPolicy } from '../shop/types';

/** The intent whose templates hold the waiting sentences. */
export const CALLBACK_INTENT = 'human.callback';
/** The intent that takes back a request for a person. */
export const WITHDRAW_INTENT = 'human.withdraw';
/** slots key: the callback contact left by the buyer (shown on the agent's card). */
export const CALLBACK_SLOT = 'callback';

export interface CallbackContact {
  phone?: string;
  wechat?: string;
  /** ISO time it was left. */
  at: string;
}

/** Whether a bot message's meta marks the waiting room's after-hours line (templateId `human.callback/after_hours#n`). */
export function isAfterHoursLine(meta: Readonly<Record<string, unknown>> | undefined): boolean {
  const id = meta?.['templateId'];
  return typeof id === 'string' && id.startsWith(`${CALLBACK_INTENT}/after_hours#`);
}

const WECHAT_RE = /(?:微信|weixin|vx|wx|v信|威信)\s*(?:号)?\s*(?:是|为|[:：])?\s*([A-Za-z][-_A-Za-z0-9]{5,19})/i;

/** A phone number or WeChat id in the buyer's text, or undefined. */
export function contactIn(text: string): { phone?: string; wechat?: string } | undefined {
  const phone = extractPhones(text)[0]?.value;
  const wechat = WECHAT_RE.exec(text)?.[1];
  if (!phone && !wechat) return undefined;
  return { ...(phone ? { phone } : {}), ...(wechat ? { wechat } : {}) };
}

/** The callback contact stored on a conversation, if any. */
export function callbackOf(conv: Pick<ConversationState, 'slots'>): CallbackContact | undefined {
  const v = conv.slots[CALLBACK_SLOT];
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o['at'] !== 'string') return undefined;
  return {
    at: o['at'],
    ...(typeof o['phone'] === 'string' ? { phone: o['phone'] } : {}),
    ...(typeof o['wechat'] === 'string' ? { wechat: o['wechat'] } : {}),
  };
}

/** The conversation with the contact added to its callback slot (a new value). */
export function withCallback(conv: ConversationState, contact: { phone?: string; wechat?: string }, at: string): ConversationState {
  const before = callbackOf(conv);
  const merged: CallbackContact = { ...(before ?? {}), ...contact, at };
  return { ...conv, slots: { ...conv.slots, [CALLBACK_SLOT]: merged } };
}

export interface WaitingRoomDeps {
  templates: () => TemplateSet;
  policy: Pick<ShopPolicy, 'businessHours' | 'utcOffsetMinutes' | 'shopName'>;
  clock: () => Date;
  random?: () => number;
}

/** Renders the waiting sentences; each returns undefined when the scripts lack the move. */
export interface WaitingRoom {
  hours(): HoursState;
  /** Place in the queue (within hours) or when people are back (outside them), with the callback offer. */
  status(position: number | undefined): BotReply | undefined;
  /** The contact was stored. */
  saved(): BotReply | undefined;
  /** The request for a person was taken back. */
  withdrawn(): BotReply | undefined;
}

/**
 * Whether a queued buyer's line takes the request back. In this context a bare 不用了 means
 * "no person needed" even where the classifier ranks it as thanks first: a line whose top
 * intent is thanks counts when human.withdraw is its runner-up with some weight.
 */
export function meansWithdraw(understanding: { intent: string; ranking: readonly { intent: string; confidence: number }[] }): boolean {
  if (understanding.intent === WITHDRAW_INTENT) return true;
  if (understanding.intent !== 'greeting.thanks') return false;
  const second = understanding.ranking[1];
  return second?.intent === WITHDRAW_INTENT && second.confidence >= WITHDRAW_RUNNER_UP;
}

/** Weight human.withdraw needs as the runner-up behind thanks (see meansWithdraw). */
const WITHDRAW_RUNNER_UP = 0.1;

export function createWaitingRoom(deps: WaitingRoomDeps): WaitingRoom {
  const random = deps.random ?? Math.random;
  const render = (move: string, vars: Record<string, unknown>, intent = CALLBACK_INTENT): BotReply | undefined => {
    const now = deps.clock();
    try {
      const r = renderMove(
        deps.templates(),
        intent,
        move,
        { shop: { name: deps.policy.shopName }, now: now.toISOString(), ...vars },
        {
          now,
          utcOffsetMinutes: deps.policy.utcOffsetMinutes,
          pick: (n) => Math.floor(random() * n),
        },
      );
      return { text: r.text, intent, category: 'human', templateId: r.templateId };
    } catch {
      return undefined; // scripts without these moves: the buyer still gets the bot's answers
    }
  };
  return {
    hours: () => businessHoursAt(deps.policy, deps.clock()),
    status(position) {
      const h = businessHoursAt(deps.policy, deps.clock());
      if (!h.open && h.backAt) return render('after_hours', hoursVars(h));
      return render('queued', { position: position ?? 1 });
    },
    saved: () => render('saved', {}),
    withdrawn: () => render('reply', {}, WITHDRAW_INTENT),
  };
}
