/** Asking for a person: say one is coming and hand off (normal priority, explicit request). */
import { businessHoursAt, hoursVars } from '../shop/hours';
import { claim } from './claims';
import { move, type PolicyInput, type PolicyResult } from './policy';

export const HUMAN = 'human.request';
/** Contact with a person (leaving a number, when people are back): never a handoff by itself. */
const CALLBACK = 'human.callback';

export function humanPolicy(input: PolicyInput): PolicyResult {
  return {
    moves: [move(input, HUMAN, 'transfer')],
    handoff: { reason: 'explicit_request', priority: 'normal', announced: true },
  };
}

/** "客服几点上班", "什么时候有人": when people answer chats. */
const HOURS_QUESTION =
  /几点上班|什么时候上班|啥时候上班|上班时间|几点有人|什么时候有人|啥时候有人|工作时间|营业时间|几点下班|客服\S{0,4}(?:几点|什么时候|啥时候)(?:在|上线|回来|上班)/u;

/**
 * When people answer chats: the hours, and while closed when they are back (no handoff: the
 * buyer asked a question). Scripts without the move: the waiting-room line at night, the
 * greeting by day.
 */
export function hoursPolicy(input: PolicyInput): PolicyResult {
  const h = businessHoursAt(input.shop.policy, input.now);
  const vars = { ...hoursVars(h), ...(h.hours ? { hours: h.hours } : {}) };
  const fallback = h.open ? move(input, 'greeting.hello', 'morning') : move(input, CALLBACK, 'after_hours', vars);
  return { moves: [{ ...move(input, CALLBACK, 'hours', vars), fallback }], handledAs: CALLBACK };
}

/** The buyer asks for a person, the owner or a manager: "让你们老板来跟我说", "客服？？人去哪了". */
const HUMAN_CUE =
  /(?:让|叫|找|请|喊)(?:你们|你家)?的?(?:老板|店长|经理|主管|负责人|领导|掌柜)|(?:老板|店长|经理|主管|负责人|领导|掌柜)(?:呢|出来|过来|来跟我|跟我说)|(?:店长|经理|主管|负责人)(?:在吗|在不在)|人去哪|人呢|有人吗|有没有人|在不在[?？]|客服呢|客服[?？]{2,}|客服在吗|怎么不回|不理人|不回我/u;

/** Routing claims of the request for a person (see stages/route.ts for their order). */
export const claims = {
  /** "客服几点上班": the hours, not a handoff. */
  hours: claim('human.hours', ({ u }) => (HOURS_QUESTION.test(u.normalized) ? { intent: CALLBACK, policy: hoursPolicy } : undefined)),
  /** Asking for the owner, a manager, or where the person went: a person, whatever else the message says. */
  cue: claim('human.cue', ({ u }) => (HUMAN_CUE.test(u.normalized) ? { intent: HUMAN } : undefined)),
};
