/**
 * The buyer's rating of a closed conversation (CSAT): 1-5 stars and an optional line. Stored
 * as a one-entry log beside the conversation (`csat:<conversationId>` in the MessageLog) with a
 * fixed client id, so a second answer for the same conversation is a no-op and the first one
 * stands.
 */
import type { Store } from '../store/types';

export interface CsatAnswer {
  score: number;
  comment?: string;
  at: string;
}

export function csatLogId(conversationId: string): string {
  return `csat:${conversationId}`;
}

/** The rating of a conversation, if the buyer gave one. */
export async function readCsat(store: Store, conversationId: string): Promise<CsatAnswer | undefined> {
  const [entry] = await store.messagesAfter(csatLogId(conversationId), 0, 1);
  const score = entry?.meta?.['score'];
  if (!entry || typeof score !== 'number') return undefined;
  return { score, at: entry.at, ...(entry.text ? { comment: entry.text } : {}) };
}

/** Records the answer unless one exists; `recorded` is false when the buyer had answered already. */
export async function recordCsat(store: Store, conversationId: string, answer: CsatAnswer): Promise<{ recorded: boolean; answer: CsatAnswer }> {
  const stored = await store.appendMessage(csatLogId(conversationId), {
    from: 'buyer',
    clientId: 'csat',
    text: answer.comment ?? '',
    at: answer.at,
    meta: { score: answer.score },
  });
  const kept = (await readCsat(store, conversationId)) ?? answer;
  return { recorded: stored.seq === 1 && stored.at === answer.at && kept.score === answer.score, answer: kept };
}
