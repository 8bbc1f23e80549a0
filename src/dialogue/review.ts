/**
 * Bad review / complaint: apologise sincerely, never argue, and hand off at once with high
 * priority; a person finds out what happened and solves it. The apology itself says a person
 * is taking it over, so the engine's handoff notice is not sent after it (it said the same
 * again).
 */
import { move, type PolicyInput, type PolicyResult } from './policy';

export const COMPLAINT = 'bad_review.complaint';

export function complaintPolicy(input: PolicyInput): PolicyResult {
  return {
    moves: [move(input, COMPLAINT, 'apologise')],
    handoff: { reason: 'bad_review', priority: 'high', announced: true, ...(input.order ? { note: `相关订单 ${input.order.number}` } : {}) },
  };
}
