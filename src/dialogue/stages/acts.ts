/**
 * The acts stage: the acts the buyer confirmed this turn (drafted by the flow, read back
 * before) are stamped with an id, time, conversation and buyer and appended to conv.acts.
 * The bot claims an act in words only in the turn its record is made here.
 */
import { appendActs, type Act, type ActDraft } from '../../model/acts';
import type { ConversationState } from '../../model/conversation';

export interface ActsOutput {
  /** The state with the new acts appended (the same state when there are none). */
  conv: ConversationState;
  /** The acts recorded this turn. */
  added: Act[];
}

export function stampActs(conv: ConversationState, drafts: readonly ActDraft[] | undefined, now: Date): ActsOutput {
  if (!drafts || drafts.length === 0) return { conv, added: [] };
  const { all, added } = appendActs(conv, drafts, now);
  return { conv: { ...conv, acts: all }, added };
}
