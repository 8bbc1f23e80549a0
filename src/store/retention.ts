/**
 * Retention: closed conversations whose last activity is older than RETENTION_DAYS are
 * archived to JSON Lines and then removed from the store (Redis keys; the embedded store's
 * memory, and its journal at the next compaction). Without it every conversation ever held
 * stays in Redis, or in the embedded store's RAM and start-up replay, for ever.
 *
 * Archive: `<DATA_DIR>/archive/YYYY-MM-DD.jsonl`, one file per (UTC) day of the
 * conversation's last activity, one line per conversation:
 *   {"conversation": ConversationState, "messages": StoredMessage[], "archivedAt": ISO}
 * A line is appended and fdatasync'd before the conversation is removed, so a crash in
 * between archives it twice at worst, never loses it; a conversation already in its day's
 * file is not written again. A buyer who comes back to a closed conversation before it is
 * removed reopens it and it stays (the store re-checks "closed and old enough" as it
 * removes); should it have been archived already, a later archive line of it is the newer one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ConversationState } from '../model/conversation';
import { fsyncDir } from './durable-file';
import type { StoreLogger } from './shared';
import type { Store, StoredMessage } from './types';

export interface RetentionOptions {
  /** DATA_DIR; the archive goes to its `archive/` folder. */
  dataDir: string;
  /** RETENTION_DAYS: closed conversations quiet for longer are archived and removed. 0 keeps them for ever. */
  retentionDays: number;
  now?: () => number;
  /** Conversations read, archived and removed together. Default 500. */
  batchSize?: number;
}

export interface RetentionResult {
  archived: number;
  removed: number;
  /** Archive files written to. */
  files: string[];
}

const DAY_MS = 86_400_000;

/** One archive line's content. */
export interface ArchivedConversation {
  conversation: ConversationState;
  messages: StoredMessage[];
  archivedAt: string;
}

/** The archive folder under a data directory. */
export function archiveDir(dataDir: string): string {
  return path.join(dataDir, 'archive');
}

/** Archives and removes the closed conversations past retention, once. */
export async function applyRetention(store: Store, options: RetentionOptions): Promise<RetentionResult> {
  const result: RetentionResult = { archived: 0, removed: 0, files: [] };
  if (options.retentionDays <= 0) return result;
  const now = (options.now ?? Date.now)();
  const cutoff = now - options.retentionDays * DAY_MS;
  const closedBefore = new Date(cutoff).toISOString();
  // updatedAt is never later than the last activity, so a newer one rules a conversation out at once.
  const candidates = (await store.listConversations({ status: 'closed' }))
    .filter((c) => Date.parse(c.updatedAt) <= cutoff)
    .sort((a, b) => Date.parse(a.updatedAt) - Date.parse(b.updatedAt));
  const dir = archiveDir(options.dataDir);
  const known = new Map<string, Set<string>>();
  const batchSize = options.batchSize ?? 500;
  for (let i = 0; i < candidates.length; i += batchSize) {
    const byDay = new Map<string, ArchivedConversation[]>();
    for (const conversation of candidates.slice(i, i + batchSize)) {
      const messages = await store.messagesAfter(conversation.id, 0);
      const last = lastActivity(conversation, messages);
      if (last > cutoff) continue; // a message after the last save: not quiet for long enough
      const day = new Date(last).toISOString().slice(0, 10);
      byDay.set(day, [...(byDay.get(day) ?? []), { conversation, messages, archivedAt: new Date(now).toISOString() }]);
    }
    const ready: string[] = [];
    for (const [day, entries] of byDay) {
      const file = path.join(dir, `${day}.jsonl`);
      let ids = known.get(file);
      if (!ids) {
        ids = archivedIds(file);
        known.set(file, ids);
      }
      const fresh = entries.filter((e) => !ids.has(e.conversation.id));
      if (fresh.length > 0) {
        await appendDurably(dir, file, fresh.map((e) => `${JSON.stringify(e)}\n`).join(''));
        for (const e of fresh) ids.add(e.conversation.id);
        result.archived += fresh.length;
        if (!result.files.includes(file)) result.files.push(file);
      }
      ready.push(...entries.map((e) => e.conversation.id));
    }
    if (ready.length > 0) result.removed += (await store.removeConversations(ready, { closedBefore })).length;
  }
  return result;
}

/**
 * Runs retention at start and then every `everyMs` (default 1 hour); returns the function
 * that stops it. Does nothing when retentionDays is 0.
 */
export function startRetention(store: Store, options: RetentionOptions & { logger: StoreLogger; everyMs?: number }): () => void {
  if (options.retentionDays <= 0) return () => undefined;
  let running = false;
  const run = (): void => {
    if (running) return;
    running = true;
    applyRetention(store, options)
      .then(({ archived, removed, files }) => {
        if (archived > 0 || removed > 0)
          options.logger.info({ archived, removed, files }, 'archived and removed closed conversations past retention');
      })
      .catch((err: unknown) => options.logger.warn({ err: (err as Error).message }, 'retention run failed; will retry'))
      .finally(() => (running = false));
  };
  run();
  const timer = setInterval(run, options.everyMs ?? 3_600_000);
  timer.unref();
  return () => clearInterval(timer);
}

/** Epoch ms of the conversation's last activity: its last save or its last message, whichever is later. */
function lastActivity(conv: ConversationState, messages: readonly StoredMessage[]): number {
  const lastMessage = messages.length > 0 ? Date.parse(messages[messages.length - 1]!.at) : NaN;
  const saved = Date.parse(conv.updatedAt);
  return Number.isNaN(lastMessage) ? saved : Math.max(saved, lastMessage);
}

/** Ids of the conversations already in an archive file (none when it does not exist). */
function archivedIds(file: string): Set<string> {
  const ids = new Set<string>();
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return ids;
  }
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const id = (JSON.parse(line) as Partial<ArchivedConversation>).conversation?.id;
      if (typeof id === 'string') ids.add(id);
    } catch {
      // A torn last line (crash mid-append): its conversation was not removed and is written again.
    }
  }
  return ids;
}

/** Appends `data` to `file` and fdatasyncs it (and the folder, when the file is new). */
async function appendDurably(dir: string, file: string, data: string): Promise<void> {
  await fs.promises.mkdir(dir, { recursive: true });
  const isNew = !fs.existsSync(file);
  const fh = await fs.promises.open(file, 'a');
  try {
    // A torn line left by a crash must not swallow the first new one.
    const { size } = await fh.stat();
    await fh.write(size > 0 && !endsWithNewline(file, size) ? `\n${data}` : data);
    await fh.datasync();
  } finally {
    await fh.close();
  }
  if (isNew) fsyncDir(dir);
}

function endsWithNewline(file: string, size: number): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const b = Buffer.alloc(1);
    fs.readSync(fd, b, 0, 1, size - 1);
    return b[0] === 10;
  } finally {
    fs.closeSync(fd);
  }
}
