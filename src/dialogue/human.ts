/** Asking for a person: say one is coming and hand off (normal priority, explicit request). */
import { move, type PolicyInput, type PolicyResult } from './policy';

export const HUMAN = 'human.request';

export function humanPolicy(input: PolicyInput): PolicyResult {
  return {
    moves: [move(input, HUMAN, 'transfer')],
    handoff: { reason: 'explicit_request', priority: 'normal', announced: true },
  };
}
