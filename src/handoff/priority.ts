/**
 * Queue priority of a handed-off conversation. The domain rule is fixed: bad reviews and
 * complaints first, then overdue deliveries, then everyone else by waiting time. The store
 * orders urgent > high > normal and then oldest first, so the rule maps onto those levels.
 */
import type { ConversationState, HandoffInfo, Priority } from '../model/conversation';

const RANK: Record<Priority, number> = { normal: 0, high: 1, urgent: 2 };

/** True when the conversation is about a bad review or complaint (reason or last intent). */
export function isComplaint(info: Pick<HandoffInfo, 'reason'>, conv?: ConversationState): boolean {
  if (info.reason === 'bad_review') return true;
  const last = conv?.turns[conv.turns.length - 1];
  return last?.category === 'bad_review';
}

/**
 * Maps a handoff onto a queue priority: complaints are `urgent` (only they are), overdue
 * delivery is at least `high`, anything else keeps the engine's priority capped at `high`
 * so no other reason can jump ahead of a complaint.
 */
export function queuePriority(info: Pick<HandoffInfo, 'reason' | 'priority'>, conv?: ConversationState): Priority {
  if (isComplaint(info, conv)) return 'urgent';
  const engine: Priority = info.priority === 'urgent' ? 'high' : info.priority;
  if (info.reason === 'overdue_delivery') return 'high';
  return engine;
}

/** Compares two priorities; positive when `a` is more pressing than `b`. */
export function comparePriority(a: Priority, b: Priority): number {
  return RANK[a] - RANK[b];
}

/** `p`, lowered to `cap` when a cap is set (admission.ts: new anonymous buyers, floods). */
export function capPriority(p: Priority, cap: Priority | undefined): Priority {
  return cap !== undefined && RANK[p] > RANK[cap] ? cap : p;
}
