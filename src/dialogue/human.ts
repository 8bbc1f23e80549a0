/** Asking for a person: say one is coming and hand off (normal priority, explicit request). */
import { claim } from './claims';
import { move, type PolicyInput, type PolicyResult } from './policy';

export const HUMAN = 'human.request';

export function humanPolicy(input: PolicyInput): PolicyResult {
  return {
    moves: [move(input, HUMAN, 'transfer')],
    handoff: { reason: 'explicit_request', priority: 'normal', announced: true },
  };
}

/** The buyer asks for a person, the owner or a manager: "让你们老板来跟我说", "客服？？人去哪了". */
const HUMAN_CUE =
  /(?:让|叫|找|请|喊)(?:你们|你家)?的?(?:老板|店长|经理|主管|负责人|领导|掌柜)|(?:老板|店长|经理|主管|负责人|领导|掌柜)(?:呢|出来|过来|来跟我|跟我说)|(?:店长|经理|主管|负责人)(?:在吗|在不在)|人去哪|人呢|有人吗|有没有人|在不在[?？]|客服呢|客服[?？]{2,}|客服在吗|怎么不回|不理人|不回我/u;

/** Routing claims of the request for a person (see stages/route.ts for their order). */
export const claims = {
  /** Asking for the owner, a manager, or where the person went: a person, whatever else the message says. */
  cue: claim('human.cue', ({ u }) => (HUMAN_CUE.test(u.normalized) ? { intent: HUMAN } : undefined)),
};
