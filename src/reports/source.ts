/**
 * Where report figures come from: the Store. For a period it lists the conversations that were
 * active in it, reads each one's message log, handoff history and CSAT answer, and hands them
 * to the pure aggregation (./aggregate.ts). A short cache keeps a manager who flips between
 * charts (or several managers looking at the same week) from reading everything again, and
 * concurrent requests for the same report share one read.
 *
 * Cost and what larger shops need: a report reads every conversation active in the period
 * (listConversations is a scan of all conversations), which is fine for the months of a small
 * or medium shop (thousands of conversations a day) but grows with history. Past that, the
 * figures should come from a daily rollup: a job after each shop-day closes folds that day's
 * conversations into one stored document of per-hour counters (the Accumulator of
 * aggregate.ts, with FRT kept as a histogram instead of raw samples and the misunderstood
 * texts as top-k counts), and a report sums the rollups of its days, reading raw conversations
 * only for today. Until then the period is bounded (MAX_DAYS) and so is the number of
 * conversations read (`maxConversations`; the report says when it was cut).
 */
import { readCsat } from '../annotations/csat';
import { readHandoffHistory } from '../handoff/history';
import type { ConversationState } from '../model/conversation';
import type { Store } from '../store/types';
import { buildReport, type ConversationRecord, type Report } from './aggregate';
import type { ReportPeriod } from './period';

export interface ReportSourceOptions {
  store: Store;
  clock?: () => Date;
  /** How long a built report is served again (default 30 s). */
  cacheMs?: number;
  /** Most conversations one report reads (default 20000), newest first. */
  maxConversations?: number;
  /** Conversations read at once. */
  concurrency?: number;
  firstResponseMs?: number;
  resolutionMs?: number;
}

/** A report plus how it was made. */
export interface SourcedReport extends Report {
  /** Conversations read. */
  scanned: number;
  /** True when more conversations were active than `maxConversations`: the oldest were left out. */
  truncated: boolean;
}

/**
 * Conversations still written to after their last state change: a CSAT answer or a handoff
 * event may come a little after the conversation's updatedAt, so those a day before the
 * period starts are read too.
 */
const LATE_WRITES_MS = 86_400_000;

export class ReportSource {
  private readonly cache = new Map<string, { at: number; report: Promise<SourcedReport> }>();
  private readonly clock: () => Date;

  constructor(private readonly options: ReportSourceOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  /** The report of a period (cached for a short while). */
  report(period: ReportPeriod): Promise<SourcedReport> {
    const now = this.clock().getTime();
    const key = `${period.from}|${period.to}|${period.bucket}|${period.utcOffsetMinutes}`;
    const ttl = this.options.cacheMs ?? 30_000;
    const hit = this.cache.get(key);
    if (hit && now - hit.at < ttl) return hit.report;
    for (const [k, v] of this.cache) if (now - v.at >= ttl) this.cache.delete(k);
    const report = this.build(period, now);
    this.cache.set(key, { at: now, report });
    // A failed read is not kept: the next request tries again.
    report.catch(() => this.cache.delete(key));
    return report;
  }

  private async build(period: ReportPeriod, now: number): Promise<SourcedReport> {
    const { store } = this.options;
    const active = (await store.listConversations()).filter((c) => isActiveIn(c, period));
    active.sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0));
    const max = this.options.maxConversations ?? 20_000;
    const chosen = active.slice(0, max);
    const records = await mapLimited(chosen, this.options.concurrency ?? 16, (c) => readRecord(store, c));
    const report = buildReport(records, {
      period,
      now,
      ...(this.options.firstResponseMs !== undefined ? { firstResponseMs: this.options.firstResponseMs } : {}),
      ...(this.options.resolutionMs !== undefined ? { resolutionMs: this.options.resolutionMs } : {}),
    });
    return { ...report, scanned: chosen.length, truncated: active.length > chosen.length };
  }
}

function isActiveIn(c: ConversationState, period: ReportPeriod): boolean {
  const created = Date.parse(c.createdAt);
  const updated = Date.parse(c.updatedAt);
  if (Number.isFinite(created) && created >= period.endMs) return false;
  return !Number.isFinite(updated) || updated >= period.startMs - LATE_WRITES_MS;
}

/** Everything the report reads about one conversation. */
export async function readRecord(store: Store, conversation: ConversationState): Promise<ConversationRecord> {
  const [messages, history, csat] = await Promise.all([
    store.messagesAfter(conversation.id, 0),
    readHandoffHistory(store, conversation.id),
    readCsat(store, conversation.id),
  ]);
  return { conversation, messages, history, ...(csat ? { csat } : {}) };
}

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
