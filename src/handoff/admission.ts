/**
 * Admission to the human queue (issue 15): who may put a conversation in front of a person,
 * and how far forward. The queue orders urgent > high > normal, then oldest first, so one
 * address sending thousands of "complaints" could otherwise bury a real buyer's. Rules:
 *  - a buyer the shop knows (signed shop identity, or an order of their own in focus) or with
 *    an earlier message in this conversation keeps the domain priority;
 *  - anyone else (a brand-new anonymous buyer) reaches at most `high` on keywords alone;
 *  - per buyer and per address (anonymous buyers only), handoffs past the limit in the window
 *    go in at `normal`, marked `suspect` and grouped by address, so the console can show a
 *    possible flood as one thing instead of a wall of urgent rows.
 * The result is recorded on the queue entry (`cap`, `suspect`, `group`); the handoff service
 * applies the cap whenever it (re)computes the priority (see `capPriority`).
 */
import type { ConversationState } from '../model/conversation';
import type { QueueEntry, RateLimiter } from '../store/types';

export interface AdmissionLimits {
  handoffsPerIp: number;
  handoffsPerBuyer: number;
  handoffWindowMs: number;
}

export interface AdmissionInput {
  conversation: ConversationState;
  /** The address the triggering message came from, when known. */
  origin?: string;
  /** The buyer proved their shop identity (signed hello). */
  signed: boolean;
  limits: AdmissionLimits;
  rate: RateLimiter;
}

/** What admission adds to a queue entry. */
export type Admission = Pick<QueueEntry, 'cap' | 'suspect' | 'group'>;

/** True for a buyer the shop vouches for or who has talked before in this conversation. */
export function isEstablishedBuyer(conv: ConversationState, signed: boolean): boolean {
  if (signed) return true;
  if (conv.orderId !== undefined) return true;
  // The turn that hands off is the last one; any earlier turn is message history.
  return conv.turns.length >= 2;
}

/** An admission, plus whether this handoff is the first over its budget in the window (log it once, not per row). */
export interface AdmissionResult {
  admission: Admission;
  firstOverBudget: boolean;
}

/** Counts this handoff against the buyer's and the address's budgets and says how it may enter the queue. */
export async function admitHandoff(input: AdmissionInput): Promise<AdmissionResult> {
  const { conversation: conv, origin, limits, rate, signed } = input;
  const byBuyer = await rate.hit(`handoff:buyer:${conv.buyerId}`, limits.handoffWindowMs, limits.handoffsPerBuyer);
  if (!signed && origin !== undefined) {
    const byAddress = await rate.hit(`handoff:ip:${origin}`, limits.handoffWindowMs, limits.handoffsPerIp);
    if (!byAddress.allowed) {
      return { admission: { cap: 'normal', suspect: 'flood', group: `ip:${origin}` }, firstOverBudget: byAddress.count === limits.handoffsPerIp + 1 };
    }
  }
  if (!byBuyer.allowed) {
    return {
      admission: { cap: 'normal', suspect: 'repeat', group: `buyer:${conv.buyerId}` },
      firstOverBudget: byBuyer.count === limits.handoffsPerBuyer + 1,
    };
  }
  return { admission: isEstablishedBuyer(conv, signed) ? {} : { cap: 'high' }, firstOverBudget: false };
}
