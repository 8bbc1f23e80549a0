/**
 * Where corrections are kept: one append-only log in the Store's MessageLog
 * (`learn:corrections`), like tags and CSAT keep theirs beside conversations, so both stores
 * keep them without a new storage method. Dedupe is the log's own: a mark is appended with
 * the client id `mark:<id>` and a review with `review:<id>`, so the same message is marked
 * once and a correction is reviewed once, atomically, across instances.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Store } from '../store/types';
import { foldCorrections, type Correction, type CorrectionEvent } from './corrections';

export const CORRECTIONS_LOG = 'learn:corrections';
const PAGE = 500;

type LogStore = Pick<Store, 'appendMessage' | 'messagesAfter'>;

const reviewFields = {
  id: z.string(),
  by: z.string(),
  at: z.string(),
  intent: z.string().optional(),
  example: z.string().optional(),
  path: z.string().optional(),
  added: z.boolean().optional(),
  reason: z.string().optional(),
};
const eventSchema = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('mark'),
    id: z.string(),
    conversationId: z.string(),
    seq: z.number().int(),
    text: z.string(),
    predicted: z.string(),
    confidence: z.number(),
    corrected: z.string(),
    agentId: z.string(),
    at: z.string(),
  }),
  z.object({ op: z.literal('repick'), id: z.string(), corrected: z.string(), agentId: z.string(), at: z.string() }),
  z.object({ op: z.literal('accept'), ...reviewFields }),
  z.object({ op: z.literal('reject'), ...reviewFields }),
]);

/** Every event in the log, oldest first (entries that do not parse are skipped). */
export async function readCorrectionEvents(store: LogStore): Promise<CorrectionEvent[]> {
  const events: CorrectionEvent[] = [];
  for (let after = 0; ;) {
    const page = await store.messagesAfter(CORRECTIONS_LOG, after, PAGE);
    for (const m of page) {
      const parsed = eventSchema.safeParse(m.meta?.['event']);
      if (parsed.success) events.push(parsed.data as CorrectionEvent);
    }
    if (page.length < PAGE) return events;
    after = page[page.length - 1]?.seq ?? after + page.length;
  }
}

/** Every correction, newest first. */
export async function listCorrections(store: LogStore): Promise<Correction[]> {
  return foldCorrections(await readCorrectionEvents(store));
}

/** One correction, or undefined. */
export async function getCorrection(store: LogStore, id: string): Promise<Correction | undefined> {
  return (await listCorrections(store)).find((c) => c.id === id);
}

/**
 * Appends an event. With `once` (a client id), a second append with the same key is a no-op;
 * `appended` says whether this call's event is the one in the log.
 */
async function append(store: LogStore, event: CorrectionEvent, once?: string): Promise<boolean> {
  const nonce = randomUUID();
  const stored = await store.appendMessage(CORRECTIONS_LOG, {
    from: event.op === 'mark' || event.op === 'repick' ? 'agent' : 'system',
    text: event.op === 'mark' ? event.text : '',
    at: event.at,
    ...(event.op === 'mark' || event.op === 'repick' ? { agentId: event.agentId } : {}),
    ...(once !== undefined ? { clientId: once } : {}),
    meta: { event, nonce },
  });
  return stored.meta?.['nonce'] === nonce;
}

/** Records an agent's mark; false when that message was marked before (the first mark stands). */
export function appendMark(store: LogStore, event: Extract<CorrectionEvent, { op: 'mark' }>): Promise<boolean> {
  return append(store, event, `mark:${event.id}`);
}

/** Records an agent's new pick for a pending correction. */
export async function appendRepick(store: LogStore, event: Extract<CorrectionEvent, { op: 'repick' }>): Promise<void> {
  await append(store, event);
}

/** Records the review; false when the correction had been reviewed already (the first review stands). */
export function appendReview(store: LogStore, event: Extract<CorrectionEvent, { op: 'accept' | 'reject' }>): Promise<boolean> {
  return append(store, event, `review:${event.id}`);
}
