/**
 * Tags agents put on a conversation ("催发货", "老顾客", "质量问题"). Kept as an append-only log
 * beside the conversation's messages (`tags:<conversationId>` in the MessageLog), so every
 * store keeps them without a new storage method and two agents tagging at once both count.
 * The current set is the log folded in order.
 */
import type { Store } from '../store/types';

export const MAX_TAGS = 10;
export const MAX_TAG_LENGTH = 12;

export function tagsLogId(conversationId: string): string {
  return `tags:${conversationId}`;
}

/** A tag as stored: NFKC, trimmed, inner whitespace collapsed; undefined when unusable. */
export function normalizeTag(raw: string): string | undefined {
  const tag = raw.normalize('NFKC').replace(/\s+/g, ' ').trim();
  if (tag.length === 0 || tag.length > MAX_TAG_LENGTH) return undefined;
  // Control characters and angle brackets have no place in a label.
  if (/[\p{Cc}<>]/u.test(tag)) return undefined;
  return tag;
}

/** The conversation's tags, in the order they were first added. */
export async function readTags(store: Store, conversationId: string): Promise<string[]> {
  const log = await store.messagesAfter(tagsLogId(conversationId), 0, 1000);
  const tags: string[] = [];
  for (const entry of log) {
    const i = tags.indexOf(entry.text);
    if (entry.meta?.['op'] === 'remove') {
      if (i >= 0) tags.splice(i, 1);
    } else if (i < 0) tags.push(entry.text);
  }
  return tags;
}

/** Adds or removes one tag; returns the tags after the change. */
export async function changeTag(
  store: Store,
  conversationId: string,
  tag: string,
  op: 'add' | 'remove',
  agentId: string,
  at: string,
): Promise<string[]> {
  await store.appendMessage(tagsLogId(conversationId), { from: 'agent', agentId, text: tag, at, meta: { op } });
  return readTags(store, conversationId);
}
