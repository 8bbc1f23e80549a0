/**
 * The durable history of a conversation's handoffs: when it went to a person and why, and when
 * that ended (closed by an agent, given back to the bot, withdrawn by the buyer). The
 * conversation state keeps only the current handoff (`conv.handoff`, dropped when the bot takes
 * over again), so reports (src/reports/) read this log to count handoffs by reason, first
 * response and resolution times.
 *
 * Kept as an append-only log beside the conversation's messages (`handoffs:<conversationId>`
 * in the MessageLog), like tags and CSAT, so every store keeps it without a new storage method.
 * Each entry has a client id made of its kind and time, so the same event recorded by several
 * instances (each one's handoff service sees every queued conversation) is stored once.
 */
import type { HandoffReason, Priority } from '../model/conversation';
import type { Store } from '../store/types';

export type HandoffEventKind = 'queued' | 'closed' | 'returned' | 'withdrawn';

export interface HandoffEvent {
  kind: HandoffEventKind;
  /** ISO time of the event (for 'queued': the handoff's own time, `conv.handoff.at`). */
  at: string;
  /** 'queued': why and how urgent. */
  reason?: HandoffReason;
  priority?: Priority;
  /** 'closed' / 'returned': the agent who did it. */
  agentId?: string;
  /** 'closed': the resolution tag. */
  resolution?: string;
}

export function handoffHistoryLogId(conversationId: string): string {
  return `handoffs:${conversationId}`;
}

/** Appends one event (a repeat of the same kind at the same time is a no-op). */
export async function recordHandoffEvent(store: Store, conversationId: string, event: HandoffEvent): Promise<void> {
  const { kind, at, ...rest } = event;
  await store.appendMessage(handoffHistoryLogId(conversationId), {
    from: 'system',
    clientId: `${kind}@${at}`,
    text: kind,
    at,
    ...(event.agentId ? { agentId: event.agentId } : {}),
    meta: { ...rest },
  });
}

const KINDS: ReadonlySet<string> = new Set<HandoffEventKind>(['queued', 'closed', 'returned', 'withdrawn']);

/** The conversation's handoff events, oldest first (entries that do not parse are skipped). */
export async function readHandoffHistory(store: Store, conversationId: string, limit = 1000): Promise<HandoffEvent[]> {
  const log = await store.messagesAfter(handoffHistoryLogId(conversationId), 0, limit);
  const out: HandoffEvent[] = [];
  for (const entry of log) {
    if (!KINDS.has(entry.text)) continue;
    const meta = entry.meta ?? {};
    const str = (k: string): string | undefined => (typeof meta[k] === 'string' ? (meta[k] as string) : undefined);
    const reason = str('reason');
    const priority = str('priority');
    const resolution = str('resolution');
    out.push({
      kind: entry.text as HandoffEventKind,
      at: entry.at,
      ...(reason ? { reason: reason as HandoffReason } : {}),
      ...(priority ? { priority: priority as Priority } : {}),
      ...(entry.agentId ? { agentId: entry.agentId } : {}),
      ...(resolution ? { resolution } : {}),
    });
  }
  return out;
}
