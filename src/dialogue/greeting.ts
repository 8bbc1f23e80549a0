/**
 * Greetings and thanks. The greeting follows the shop's time of day and greets a returning
 * buyer by name (the manual: keep a customer file, greet returning buyers by name); a buyer
 * with an unpaid order is reminded of it when the chat opens.
 */
import { wallTime } from '../shop/clock';
import { businessHoursAt, hoursVars } from '../shop/hours';
import { PAY, payPolicy } from './payment';
import { claim } from './claims';
import { move, type PolicyInput, type PolicyResult } from './policy';

export const HELLO = 'greeting.hello';
export const THANKS = 'greeting.thanks';

/** The greeting move for the shop's hour: morning 5–11, noon 11–14, afternoon 14–18, evening otherwise. */
export function daypart(now: Date, utcOffsetMinutes: number): 'morning' | 'noon' | 'afternoon' | 'evening' {
  const h = wallTime(now, utcOffsetMinutes).hour;
  if (h >= 5 && h < 11) return 'morning';
  if (h >= 11 && h < 14) return 'noon';
  if (h >= 14 && h < 18) return 'afternoon';
  return 'evening';
}

/**
 * The greeting for the hour. Outside business hours the render stage says the part's
 * `_after_hours` version when the scripts have one (no "客服在线" at 02:00); it may say when
 * people are back (`hours`, `backAt`).
 */
export function helloPolicy(input: PolicyInput): PolicyResult {
  const part = daypart(input.now, input.shop.policy.utcOffsetMinutes);
  const when = hoursVars(businessHoursAt(input.shop.policy, input.now));
  return { moves: [move(input, HELLO, part, { returning: input.buyer?.returning ?? false, ...when })] };
}

/**
 * What the bot says when a buyer opens the chat: the greeting, and for a buyer whose order is
 * still unpaid the payment reminder with the cut-off (催付: "pay before 16:00, ships today").
 */
export function openingPolicy(input: PolicyInput): PolicyResult {
  const hello = helloPolicy(input);
  // A cash-on-delivery order is paid to the courier: no payment reminder.
  if (input.order?.status !== 'unpaid' || input.order.cashOnDelivery) return hello;
  return { moves: [...hello.moves, ...payPolicy({ ...input, intent: PAY }).moves] };
}

export function thanksPolicy(input: PolicyInput): PolicyResult {
  return { moves: [move(input, THANKS, 'welcome')], pending: null };
}

/** "那算了", "不用了": the buyer drops what they asked; a polite close, not a clarifying question. */
const DISMISS = /^(?:那|哦|嗯|好吧|好的)?[，,\s]*(?:就)?(?:算了[，,\s]*)?(?:算了|不用了|没事了|不改了|不换了|那不用了)(?:吧|啦|了|哈)?[。.!！~～]*$/u;

/** "差评我改成好评了": the buyer revised the review. Thanks, not an apology and a complaint ticket. */
const REVIEW_REVISED =
  /(?:改成|改为|换成|改了|追加了?|追评了?|补了?)好评|好评(?:已经)?改好了|(?:删了|删掉了?|撤销了?|撤回了?)差评|差评(?:已经)?(?:删了|撤了|撤回了|改了)/u;

/** Thanks for a revised review (greeting.thanks "review"; scripts without it: the usual thanks). */
export function reviewRevisedPolicy(input: PolicyInput): PolicyResult {
  return { moves: [{ ...move(input, THANKS, 'review'), fallback: move(input, THANKS, 'welcome') }], pending: null };
}

/** Routing claims of greetings and thanks (see stages/route.ts for their order). */
export const claims = {
  /** "差评我改成好评了": thanks, never the complaint flow. */
  reviewRevised: claim('thanks.reviewRevised', ({ u }) =>
    REVIEW_REVISED.test(u.normalized) && !/没|不|还没|怎么/u.test(u.normalized) ? { intent: THANKS, policy: reviewRevisedPolicy } : undefined,
  ),
  /** "那算了", "不用了": a polite close. */
  dismiss: claim('thanks.dismiss', ({ u }) => (DISMISS.test(u.normalized) ? { intent: THANKS } : undefined)),
};
