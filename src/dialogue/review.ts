/**
 * Bad review / complaint: apologise sincerely, never argue, and hand off at once with high
 * priority; a person finds out what happened and solves it.
 */
import { move, type PolicyInput, type PolicyResult } from './policy';

export const COMPLAINT = 'bad_review.complaint';

export function complaintPolicy(input: PolicyInput): PolicyResult {
  return {
    moves: [move(input, COMPLAINT, 'apologise')],
    handoff: { reason: 'bad_review', priority: 'high', ...(input.order ? { note: `相关订单 ${input.order.number}` } : {}) },
  };
}
