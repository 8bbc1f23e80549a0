/**
 * Replays the unconfirmed entries of a spill file (./spill.ts) into Redis after a restart,
 * idempotently: each write may or may not have landed before the process died, so each kind
 * is applied in a way that running it twice changes nothing.
 *
 *  - message: appended with its dedupe key (the buyer's clientId, or the opId the original
 *    append carried), which APPEND_MESSAGE remembers per conversation, so a message that did
 *    land is returned instead of stored again. Entries are replayed in the order they were
 *    issued, so one conversation's messages keep their order. If another instance appended to
 *    the conversation meanwhile, Redis's sequence is kept: the recovered message goes after
 *    those (never dropped), the move is logged, and later recovered messages' `replyTo` and
 *    the recovered state's turn seqs follow it.
 *  - conversation: last writer wins by `updatedAt`; a state in Redis that is strictly newer
 *    (another instance went on with the conversation) is kept.
 *  - session: written when Redis has none, or has one that points at an older conversation
 *    than ours (a buyer who started a new conversation during the outage); kept otherwise.
 *  - enqueue: the queue is set-like per conversation; put back only while the conversation's
 *    state in Redis still says queued with no agent, so a chat an agent took meanwhile is not
 *    queued again.
 */
import type { ConversationState } from '../model/conversation';
import type { StoreLogger } from './shared';
import type { SpillEntry, SpillRecord } from './spill';
import type { NewMessage, Store } from './types';

/** What a replay did, for the log line. */
export interface ReplaySummary {
  entries: number;
  /** Messages stored now / found already stored / stored at another seq than the caller was given. */
  messagesWritten: number;
  messagesAlreadyThere: number;
  messagesMoved: number;
  statesWritten: number;
  statesKeptNewer: number;
  sessionsWritten: number;
  sessionsKept: number;
  queued: number;
  queueSkipped: number;
  failed: number;
}

type ReplayStore = Pick<
  Store,
  'appendMessage' | 'lastSeq' | 'getConversation' | 'saveConversation' | 'getBuyerSession' | 'saveBuyerSession' | 'enqueue'
>;

/** Applies `entries` (in the order given) to `store`. An entry that fails is logged and counted; the rest go on. */
export async function replaySpill(store: ReplayStore, entries: readonly SpillEntry[], logger: StoreLogger): Promise<ReplaySummary> {
  const summary: ReplaySummary = {
    entries: entries.length,
    messagesWritten: 0,
    messagesAlreadyThere: 0,
    messagesMoved: 0,
    statesWritten: 0,
    statesKeptNewer: 0,
    sessionsWritten: 0,
    sessionsKept: 0,
    queued: 0,
    queueSkipped: 0,
    failed: 0,
  };
  /** Per conversation: seq the caller was given → seq Redis assigned, where they differ. */
  const moved = new Map<string, Map<number, number>>();
  for (const { record } of entries) {
    try {
      await replayOne(store, record, moved, summary, logger);
    } catch (err) {
      summary.failed += 1;
      logger.warn({ kind: record.kind, ...idsOf(record), err: err instanceof Error ? err.message : String(err) }, 'could not replay a spilled write');
    }
  }
  return summary;
}

async function replayOne(
  store: ReplayStore,
  record: SpillRecord,
  moved: Map<string, Map<number, number>>,
  summary: ReplaySummary,
  logger: StoreLogger,
): Promise<void> {
  switch (record.kind) {
    case 'message': {
      const { conversationId } = record;
      const remap = moved.get(conversationId);
      const before = await store.lastSeq(conversationId);
      const stored = await store.appendMessage(
        conversationId,
        followMoves(record.message, remap),
        record.opId !== undefined ? { opId: record.opId } : undefined,
      );
      if (stored.seq > before) summary.messagesWritten += 1;
      else summary.messagesAlreadyThere += 1;
      if (stored.seq !== record.seq) {
        summary.messagesMoved += 1;
        const m = remap ?? new Map<number, number>();
        m.set(record.seq, stored.seq);
        moved.set(conversationId, m);
        logger.warn(
          { conversationId, from: record.message.from, provisionalSeq: record.seq, seq: stored.seq },
          "recovered message stored at another seq: another instance wrote to this conversation meanwhile; kept redis's order",
        );
      }
      return;
    }
    case 'conversation': {
      const ours = followTurnMoves(record.state, moved.get(record.state.id));
      const current = await store.getConversation(ours.id);
      if (current && Date.parse(current.updatedAt) > Date.parse(ours.updatedAt)) {
        summary.statesKeptNewer += 1;
        logger.info(
          { conversationId: ours.id, ours: ours.updatedAt, redis: current.updatedAt },
          "recovered conversation state is older than redis's; kept redis's",
        );
        return;
      }
      await store.saveConversation(ours);
      summary.statesWritten += 1;
      return;
    }
    case 'session': {
      const ours = record.session;
      const current = await store.getBuyerSession(ours.buyerId);
      if (current && current.conversationId !== ours.conversationId && !(await pointsAtOlder(store, current.conversationId, ours.conversationId))) {
        summary.sessionsKept += 1;
        logger.info(
          { buyerId: ours.buyerId, ours: ours.conversationId, redis: current.conversationId },
          "recovered buyer session is older than redis's; kept redis's",
        );
        return;
      }
      if (current && current.conversationId === ours.conversationId && current.resumeToken === ours.resumeToken) {
        summary.sessionsKept += 1; // already there
        return;
      }
      await store.saveBuyerSession(ours);
      summary.sessionsWritten += 1;
      return;
    }
    case 'enqueue': {
      const state = await store.getConversation(record.entry.conversationId);
      if (state?.status !== 'queued' || state.assignedAgent !== undefined) {
        summary.queueSkipped += 1;
        return;
      }
      await store.enqueue(record.entry);
      summary.queued += 1;
      return;
    }
  }
}

/** True when Redis's session points at a conversation older than ours (or one that is gone). */
async function pointsAtOlder(store: ReplayStore, theirs: string, ours: string): Promise<boolean> {
  const [t, o] = await Promise.all([store.getConversation(theirs), store.getConversation(ours)]);
  if (!t) return true;
  if (!o) return false;
  return Date.parse(t.createdAt) < Date.parse(o.createdAt);
}

function followMoves(msg: NewMessage, remap: Map<number, number> | undefined): NewMessage {
  const replyTo = msg.meta?.['replyTo'];
  if (!remap || typeof replyTo !== 'number') return msg;
  const to = remap.get(replyTo);
  return to === undefined ? msg : { ...msg, meta: { ...msg.meta, replyTo: to } };
}

function followTurnMoves(state: ConversationState, remap: Map<number, number> | undefined): ConversationState {
  if (!remap) return state;
  return { ...state, turns: state.turns.map((t) => (t.seq !== undefined && remap.has(t.seq) ? { ...t, seq: remap.get(t.seq) } : t)) };
}

function idsOf(record: SpillRecord): Record<string, string> {
  switch (record.kind) {
    case 'message':
      return { conversationId: record.conversationId };
    case 'conversation':
      return { conversationId: record.state.id };
    case 'session':
      return { buyerId: record.session.buyerId };
    case 'enqueue':
      return { conversationId: record.entry.conversationId };
  }
}
