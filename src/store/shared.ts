/**
 * Small pieces both store implementations share: queue ordering, the logger shape a store
 * warns through, and validation of values handed to the store.
 */
import type { Priority } from '../model/conversation';
import type { QueueEntry } from './types';

/** Lower rank is served first. */
export const PRIORITY_RANK: Record<Priority, number> = { urgent: 0, high: 1, normal: 2 };

/** Orders the handoff queue: urgent before high before normal, then oldest first, then by id. */
export function compareQueueEntries(a: QueueEntry, b: QueueEntry): number {
  return (
    PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] ||
    Date.parse(a.enqueuedAt) - Date.parse(b.enqueuedAt) ||
    (a.conversationId < b.conversationId ? -1 : a.conversationId > b.conversationId ? 1 : 0)
  );
}

/**
 * `entries` in queue order (same order as sorting with compareQueueEntries), parsing each
 * enqueuedAt once instead of twice per comparison.
 */
export function sortQueue(entries: Iterable<QueueEntry>): QueueEntry[] {
  const keyed = [...entries].map((e) => ({ e, rank: PRIORITY_RANK[e.priority], at: Date.parse(e.enqueuedAt) }));
  keyed.sort(
    (a, b) => a.rank - b.rank || a.at - b.at || (a.e.conversationId < b.e.conversationId ? -1 : a.e.conversationId > b.e.conversationId ? 1 : 0),
  );
  return keyed.map((k) => k.e);
}

/**
 * The part of a pino logger a store uses. Stores log why they are degraded or what they
 * skipped while reloading; they never log message text.
 */
export interface StoreLogger {
  warn(detail: Record<string, unknown>, msg: string): void;
  info(detail: Record<string, unknown>, msg: string): void;
}

/** Default logger: one JSON line per event on stderr, so a store works without pino wired in. */
export const stderrLogger: StoreLogger = {
  warn(detail, msg) {
    process.stderr.write(`${JSON.stringify({ level: 'warn', component: 'store', msg, ...detail })}\n`);
  },
  info(detail, msg) {
    process.stderr.write(`${JSON.stringify({ level: 'info', component: 'store', msg, ...detail })}\n`);
  },
};

/** A logger that drops everything (tests that provoke warnings on purpose). */
export const silentLogger: StoreLogger = { warn() {}, info() {} };

/** Newest-first audit entry as both stores keep it. */
export interface AuditEntry {
  at: string;
  who: string;
  action: string;
  detail?: string;
}

/**
 * Mutual exclusion per key inside one process: a promise chain per key, each holder waiting
 * for the previous one. No lease is needed here: a holder cannot die without its finally.
 */
export class LocalLocks {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
