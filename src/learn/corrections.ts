/**
 * Corrections: an agent marks a buyer message the bot misunderstood and names the right
 * intent; a manager accepts it (it becomes an example in the draft), possibly under another
 * intent, or rejects it. This module is the data model only: the record, the events it is
 * made of, and the fold from events to records (pure, no I/O).
 *
 * A correction is an event history rather than a mutable row: marked by an agent, re-picked
 * while pending, then reviewed once. Keeping the events keeps who did what and when.
 */
import { createHash } from 'node:crypto';

export type CorrectionStatus = 'pending' | 'accepted' | 'rejected';

export interface Correction {
  /** Stable per (conversation, seq): the same message marked twice is one correction. */
  id: string;
  conversationId: string;
  seq: number;
  /** The buyer's message as stored. */
  text: string;
  /** What the bot understood. */
  predicted: { intent: string; confidence: number };
  /** The intent the agent picked. */
  corrected: string;
  agentId: string;
  /** ISO time of the agent's (latest) pick. */
  at: string;
  status: CorrectionStatus;
  /** Set once reviewed. */
  review?: CorrectionReview;
}

export interface CorrectionReview {
  by: string;
  at: string;
  /** accepted: the intent the example went to (the agent's pick, or the manager's change). */
  intent?: string;
  /** accepted: the example as added (the manager may have trimmed personal details). */
  example?: string;
  /** accepted: the intent file the example went to in the draft. */
  path?: string;
  /** accepted: false when the phrase already was an example of that intent. */
  added?: boolean;
  /** rejected: why, in the manager's words. */
  reason?: string;
}

/** One event of a correction's life, as kept in the log. */
export type CorrectionEvent =
  | {
      op: 'mark';
      id: string;
      conversationId: string;
      seq: number;
      text: string;
      predicted: string;
      confidence: number;
      corrected: string;
      agentId: string;
      at: string;
    }
  | { op: 'repick'; id: string; corrected: string; agentId: string; at: string }
  | ({ op: 'accept' | 'reject'; id: string } & CorrectionReview);

/** The id of the correction of message `seq` in `conversationId` (URL-safe, fixed length). */
export function correctionId(conversationId: string, seq: number): string {
  return 'c' + createHash('sha256').update(`${conversationId}\0${seq}`).digest('hex').slice(0, 20);
}

/** Folds events (oldest first) into corrections, newest mark first. Events for unknown ids are ignored. */
export function foldCorrections(events: readonly CorrectionEvent[]): Correction[] {
  const byId = new Map<string, Correction>();
  for (const e of events) {
    if (e.op === 'mark') {
      if (byId.has(e.id)) continue; // the first mark stands; later picks are repicks
      byId.set(e.id, {
        id: e.id,
        conversationId: e.conversationId,
        seq: e.seq,
        text: e.text,
        predicted: { intent: e.predicted, confidence: e.confidence },
        corrected: e.corrected,
        agentId: e.agentId,
        at: e.at,
        status: 'pending',
      });
      continue;
    }
    const c = byId.get(e.id);
    if (!c || c.status !== 'pending') continue; // reviewed once; nothing changes it after
    if (e.op === 'repick') {
      byId.set(e.id, { ...c, corrected: e.corrected, agentId: e.agentId, at: e.at });
    } else {
      const { op, id: _id, ...review } = e;
      byId.set(e.id, { ...c, status: op === 'accept' ? 'accepted' : 'rejected', review });
    }
  }
  return [...byId.values()].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
}
