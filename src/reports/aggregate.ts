/**
 * Report figures from conversations: a pure function from what the store keeps about each
 * conversation in a period (state, message log, handoff history, CSAT answer) to series per
 * day or per hour in the shop's time zone, plus totals and the messages the bot understood
 * worst. No I/O and no clock of its own (`now` is passed), so tests build conversations by hand
 * and check every figure.
 *
 * How each figure is read (every event counts in the bucket of its own time):
 *  - a buyer message is `auto` when the bot answered it (a bot message with `replyTo` = its
 *    seq) while the conversation was with the bot and the turn did not hand off; `handed_off`
 *    when it started a handoff (the last buyer message at or before the handoff's time);
 *    `with_person` while a handoff is open; else `unanswered`. Auto-reply rate = auto / all.
 *  - a handoff is one `queued` event of the history (src/handoff/history.ts; a conversation from
 *    before the history was kept counts its current `conv.handoff`). It lasts until it is
 *    closed, returned to the bot or withdrawn. Handoff rate = handoffs / conversations with a
 *    buyer message in the bucket.
 *  - first response of a handoff = its first agent message while it is open. p50/p90 are
 *    nearest-rank percentiles.
 *  - SLA: the first response is due within `firstResponseMs` (5 min); it is breached when the
 *    reply came later, or none came and the handoff ended or `now` is past the limit. An
 *    after-sale handoff (reason after_sale or overdue_delivery, or started by a delivery or
 *    return question) must be resolved (closed or returned) within `resolutionMs` (48 h).
 *    Handoffs still inside their limit are not counted yet.
 *  - CSAT by the time of the answer; suggestions by the agent message that used or ignored
 *    them (meta.suggestion, src/handoff/suggestion-use.ts); deals by the act's time.
 */
import type { Act, DealAct } from '../model/acts';
import type { ConversationState, HandoffReason } from '../model/conversation';
import type { CsatAnswer } from '../annotations/csat';
import type { HandoffEvent } from '../handoff/history';
import type { StoredMessage } from '../store/types';
import { normalize } from '../nlu/normalize';
import { maskPhonesInText } from '../replies/mask-phones';
import { bucketCount, bucketIndex, bucketKey, bucketStart, type ReportPeriod } from './period';

export const HANDOFF_REASONS: readonly HandoffReason[] = [
  'explicit_request',
  'bad_review',
  'low_confidence',
  'policy_limit',
  'angry_tone',
  'overdue_delivery',
  'after_sale',
  'error',
];

/** What the store keeps about one conversation, as the report reads it. */
export interface ConversationRecord {
  conversation: ConversationState;
  /** The conversation's message log, oldest first. */
  messages: readonly StoredMessage[];
  /** Its handoff history, oldest first. */
  history: readonly HandoffEvent[];
  csat?: CsatAnswer;
}

export interface ReportOptions {
  period: ReportPeriod;
  /** Epoch ms the report is made at: decides which open handoffs are already past their limit. */
  now: number;
  firstResponseMs?: number;
  resolutionMs?: number;
  /** How many misunderstood messages to list (default 10). */
  topMisunderstood?: number;
}

export interface SlaFigures {
  /** Handoffs whose limit is decided (met, or run out). */
  due: number;
  breached: number;
}

/** The figures of one bucket (or of the whole period). Rates are 0..1, null when nothing to divide. */
export interface Figures {
  /** Conversations with a buyer message in the bucket. */
  conversations: number;
  buyerMessages: number;
  autoAnswered: number;
  autoReplyRate: number | null;
  handoffs: number;
  handoffsByReason: Record<HandoffReason, number>;
  handoffRate: number | null;
  firstResponse: { count: number; p50Ms: number | null; p90Ms: number | null };
  sla: { firstResponse: SlaFigures; afterSale: SlaFigures };
  csat: { count: number; average: number | null; /** answers with 1..5 stars */ scores: [number, number, number, number, number] };
  suggestions: { offered: number; sentAsIs: number; edited: number; ignored: number; acceptanceRate: number | null };
  deals: { count: number; averageDiscountRate: number | null; averageDiscountYuan: number | null; revenue: number };
}

export interface BucketFigures extends Figures {
  /** `2026-12-05` or `2026-12-05 14:00` (shop time). */
  key: string;
  /** ISO time the bucket starts. */
  start: string;
}

export interface MisunderstoodMessage {
  /** The message as buyers wrote it most often (phones masked). */
  text: string;
  count: number;
  /** Distinct conversations it came from. */
  conversations: number;
  lastAt: string;
}

export interface Report {
  from: string;
  to: string;
  bucket: ReportPeriod['bucket'];
  utcOffsetMinutes: number;
  generatedAt: string;
  buckets: BucketFigures[];
  totals: Figures;
  misunderstood: MisunderstoodMessage[];
}

// ---- per-conversation reading ------------------------------------------------------------

export type BuyerOutcome = 'auto' | 'handed_off' | 'with_person' | 'unanswered';

/** One handoff from start to end. */
export interface HandoffEpisode {
  startMs: number;
  reason: HandoffReason;
  endMs?: number;
  endKind?: 'closed' | 'returned' | 'withdrawn';
  firstAgentMs?: number;
  /** Seq of the buyer message that started it. */
  triggerSeq?: number;
  afterSale: boolean;
}

const ms = (iso: string): number => Date.parse(iso);

/** Handoff episodes of one conversation, oldest first. */
export function handoffEpisodes(rec: ConversationRecord): HandoffEpisode[] {
  const events = [...rec.history];
  const current = rec.conversation.handoff;
  // Data from before the history was kept (or a record that failed): the current handoff counts.
  if (current && !events.some((e) => e.kind === 'queued' && e.at === current.at)) {
    events.push({ kind: 'queued', at: current.at, reason: current.reason });
    if (rec.conversation.status === 'closed' && !events.some((e) => e.kind !== 'queued' && ms(e.at) >= ms(current.at))) {
      events.push({ kind: 'closed', at: rec.conversation.updatedAt });
    }
  }
  events.sort((a, b) => ms(a.at) - ms(b.at));
  const episodes: HandoffEpisode[] = [];
  let open: HandoffEpisode | undefined;
  for (const e of events) {
    const at = ms(e.at);
    if (!Number.isFinite(at)) continue;
    if (e.kind === 'queued') {
      // A new handoff while one is open: the end of the earlier one was not recorded.
      if (open && open.endMs === undefined) open.endMs = at;
      open = { startMs: at, reason: e.reason ?? 'error', afterSale: false };
      episodes.push(open);
    } else if (open && open.endMs === undefined) {
      open.endMs = at;
      open.endKind = e.kind;
    }
  }
  const buyers = rec.messages.filter((m) => m.from === 'buyer');
  for (const ep of episodes) {
    let trigger: StoredMessage | undefined;
    for (const m of buyers) if (ms(m.at) <= ep.startMs) trigger = m;
    if (trigger) ep.triggerSeq = trigger.seq;
    const agent = rec.messages.find((m) => m.from === 'agent' && ms(m.at) >= ep.startMs && (ep.endMs === undefined || ms(m.at) <= ep.endMs));
    if (agent) ep.firstAgentMs = ms(agent.at);
    const triggerCategory = trigger ? botReplies(rec.messages, trigger.seq).map((r) => r.meta?.['category'])[0] : undefined;
    ep.afterSale = ep.reason === 'after_sale' || ep.reason === 'overdue_delivery' || triggerCategory === 'delivery' || triggerCategory === 'return';
  }
  return episodes;
}

/** Bot replies by the seq of the buyer message they answer, built once per message log. */
const replyIndexes = new WeakMap<readonly StoredMessage[], Map<number, StoredMessage[]>>();

function botReplies(messages: readonly StoredMessage[], seq: number): StoredMessage[] {
  let index = replyIndexes.get(messages);
  if (!index) {
    index = new Map();
    for (const m of messages) {
      const to = m.meta?.['replyTo'];
      if (m.from !== 'bot' || typeof to !== 'number') continue;
      const list = index.get(to) ?? [];
      list.push(m);
      index.set(to, list);
    }
    replyIndexes.set(messages, index);
  }
  return index.get(seq) ?? [];
}

/** What happened to each buyer message of the conversation (by seq). */
export function buyerOutcomes(rec: ConversationRecord, episodes: readonly HandoffEpisode[] = handoffEpisodes(rec)): Map<number, BuyerOutcome> {
  const out = new Map<number, BuyerOutcome>();
  const triggers = new Set(episodes.map((e) => e.triggerSeq).filter((s): s is number => s !== undefined));
  for (const m of rec.messages) {
    if (m.from !== 'buyer') continue;
    const at = ms(m.at);
    if (triggers.has(m.seq)) out.set(m.seq, 'handed_off');
    else if (episodes.some((e) => e.startMs < at && (e.endMs === undefined || e.endMs > at))) out.set(m.seq, 'with_person');
    else if (botReplies(rec.messages, m.seq).length > 0) out.set(m.seq, 'auto');
    else out.set(m.seq, 'unanswered');
  }
  return out;
}

/** True when the bot did not understand the message: it asked to clarify, fell back, or handed off for low confidence. */
function misunderstood(rec: ConversationRecord, m: StoredMessage, episodes: readonly HandoffEpisode[]): boolean {
  if (episodes.some((e) => e.triggerSeq === m.seq && e.reason === 'low_confidence')) return true;
  return botReplies(rec.messages, m.seq).some((r) => {
    const template = r.meta?.['templateId'];
    return r.meta?.['intent'] === 'other.fallback' || (typeof template === 'string' && template.startsWith('system/clarify'));
  });
}

/** Grouping key of a message: normalized (NFKC, Simplified, lower case) without spaces and punctuation. */
export function messageKey(text: string): string {
  const norm = normalize(text).text.toLowerCase();
  const bare = norm.replace(/[\s\p{P}\p{S}]+/gu, '');
  return bare || norm.trim();
}

// ---- folding into buckets ----------------------------------------------------------------

interface Accumulator {
  conversations: Set<string>;
  buyerMessages: number;
  autoAnswered: number;
  handoffsByReason: Record<HandoffReason, number>;
  frt: number[];
  slaFirst: SlaFigures;
  slaAfterSale: SlaFigures;
  csat: [number, number, number, number, number];
  suggestions: { offered: number; sentAsIs: number; edited: number; ignored: number };
  deals: DealAct[];
}

function emptyAccumulator(): Accumulator {
  return {
    conversations: new Set(),
    buyerMessages: 0,
    autoAnswered: 0,
    handoffsByReason: Object.fromEntries(HANDOFF_REASONS.map((r) => [r, 0])) as Record<HandoffReason, number>,
    frt: [],
    slaFirst: { due: 0, breached: 0 },
    slaAfterSale: { due: 0, breached: 0 },
    csat: [0, 0, 0, 0, 0],
    suggestions: { offered: 0, sentAsIs: 0, edited: 0, ignored: 0 },
    deals: [],
  };
}

/** Nearest-rank percentile of sorted values (p in 0..100). */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? null;
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);
const round = (v: number | null, digits = 4): number | null => (v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits);

function figuresOf(a: Accumulator): Figures {
  const handoffs = Object.values(a.handoffsByReason).reduce((s, n) => s + n, 0);
  const frt = [...a.frt].sort((x, y) => x - y);
  const csatCount = a.csat.reduce((s, n) => s + n, 0);
  const csatSum = a.csat.reduce((s, n, i) => s + n * (i + 1), 0);
  const accepted = a.suggestions.sentAsIs + a.suggestions.edited;
  const priced = a.deals.filter((d) => d.listPrice > 0);
  return {
    conversations: a.conversations.size,
    buyerMessages: a.buyerMessages,
    autoAnswered: a.autoAnswered,
    autoReplyRate: round(ratio(a.autoAnswered, a.buyerMessages)),
    handoffs,
    handoffsByReason: { ...a.handoffsByReason },
    handoffRate: round(ratio(handoffs, a.conversations.size)),
    firstResponse: { count: frt.length, p50Ms: percentile(frt, 50), p90Ms: percentile(frt, 90) },
    sla: { firstResponse: { ...a.slaFirst }, afterSale: { ...a.slaAfterSale } },
    csat: { count: csatCount, average: round(ratio(csatSum, csatCount), 2), scores: [...a.csat] },
    suggestions: { ...a.suggestions, acceptanceRate: round(ratio(accepted, a.suggestions.offered)) },
    deals: {
      count: a.deals.length,
      averageDiscountRate: round(
        ratio(
          priced.reduce((s, d) => s + (d.listPrice - d.price) / d.listPrice, 0),
          priced.length,
        ),
      ),
      averageDiscountYuan: round(
        ratio(
          priced.reduce((s, d) => s + (d.listPrice - d.price), 0),
          priced.length,
        ),
        2,
      ),
      revenue: round(
        a.deals.reduce((s, d) => s + d.price * d.quantity, 0),
        2,
      ) as number,
    },
  };
}

function isDeal(a: Act): a is DealAct {
  return a.kind === 'deal' && typeof a.price === 'number' && typeof a.listPrice === 'number';
}

function isSuggestionUse(v: unknown): v is { use: 'sent_as_is' | 'edited' | 'ignored' } {
  const use = (v as { use?: unknown } | null)?.use;
  return typeof v === 'object' && v !== null && (use === 'sent_as_is' || use === 'edited' || use === 'ignored');
}

/** Builds the report of a period from the conversations the store keeps. */
export function buildReport(records: readonly ConversationRecord[], options: ReportOptions): Report {
  const { period, now } = options;
  const firstResponseMs = options.firstResponseMs ?? 5 * 60_000;
  const resolutionMs = options.resolutionMs ?? 48 * 3_600_000;
  const n = bucketCount(period);
  const buckets = Array.from({ length: n }, emptyAccumulator);
  const totals = emptyAccumulator();
  // Runs `fn` on the accumulator of the instant's bucket and on the totals (nothing outside the period).
  const at = (t: number, fn: (a: Accumulator) => void): void => {
    const i = bucketIndex(period, t);
    const b = buckets[i];
    if (i < 0 || !b) return;
    fn(b);
    fn(totals);
  };
  const confused = new Map<string, { texts: Map<string, number>; count: number; conversations: Set<string>; lastMs: number }>();

  for (const rec of records) {
    const id = rec.conversation.id;
    const episodes = handoffEpisodes(rec);
    const outcomes = buyerOutcomes(rec, episodes);
    for (const m of rec.messages) {
      const t = ms(m.at);
      if (m.from === 'buyer') {
        const outcome = outcomes.get(m.seq);
        at(t, (a) => {
          a.conversations.add(id);
          a.buyerMessages++;
          if (outcome === 'auto') a.autoAnswered++;
        });
        if (bucketIndex(period, t) >= 0 && !m.meta?.['file'] && misunderstood(rec, m, episodes)) {
          const key = messageKey(m.text);
          const group = confused.get(key) ?? { texts: new Map<string, number>(), count: 0, conversations: new Set<string>(), lastMs: 0 };
          group.count++;
          group.conversations.add(id);
          group.lastMs = Math.max(group.lastMs, t);
          const shown = maskPhonesInText(m.text.trim());
          group.texts.set(shown, (group.texts.get(shown) ?? 0) + 1);
          confused.set(key, group);
        }
      } else if (m.from === 'agent' && isSuggestionUse(m.meta?.['suggestion'])) {
        const use = (m.meta['suggestion'] as { use: 'sent_as_is' | 'edited' | 'ignored' }).use;
        at(t, (a) => {
          a.suggestions.offered++;
          if (use === 'sent_as_is') a.suggestions.sentAsIs++;
          else if (use === 'edited') a.suggestions.edited++;
          else a.suggestions.ignored++;
        });
      }
    }
    for (const ep of episodes) {
      const firstBreached =
        ep.firstAgentMs !== undefined
          ? ep.firstAgentMs - ep.startMs > firstResponseMs
          : (ep.endMs ?? now) - ep.startMs > firstResponseMs
            ? true
            : undefined;
      const resolvedMs = ep.endKind === 'closed' || ep.endKind === 'returned' ? ep.endMs : undefined;
      const afterSaleBreached = !ep.afterSale
        ? undefined
        : resolvedMs !== undefined
          ? resolvedMs - ep.startMs > resolutionMs
          : ep.endKind === 'withdrawn'
            ? undefined
            : now - ep.startMs > resolutionMs
              ? true
              : undefined;
      at(ep.startMs, (a) => {
        a.handoffsByReason[ep.reason] = (a.handoffsByReason[ep.reason] ?? 0) + 1;
        if (ep.firstAgentMs !== undefined) a.frt.push(ep.firstAgentMs - ep.startMs);
        if (firstBreached !== undefined) {
          a.slaFirst.due++;
          if (firstBreached) a.slaFirst.breached++;
        }
        if (afterSaleBreached !== undefined) {
          a.slaAfterSale.due++;
          if (afterSaleBreached) a.slaAfterSale.breached++;
        }
      });
    }
    const score = rec.csat?.score;
    if (rec.csat && typeof score === 'number' && Number.isInteger(score) && score >= 1 && score <= 5) {
      at(ms(rec.csat.at), (a) => {
        a.csat[score - 1] = (a.csat[score - 1] ?? 0) + 1;
      });
    }
    for (const act of rec.conversation.acts ?? []) {
      if (isDeal(act)) at(act.at, (a) => a.deals.push(act));
    }
  }

  const misunderstoodList = [...confused.values()]
    .sort((a, b) => b.count - a.count || b.lastMs - a.lastMs)
    .slice(0, options.topMisunderstood ?? 10)
    .map((g) => ({
      text: [...g.texts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '',
      count: g.count,
      conversations: g.conversations.size,
      lastAt: new Date(g.lastMs).toISOString(),
    }));

  return {
    from: period.from,
    to: period.to,
    bucket: period.bucket,
    utcOffsetMinutes: period.utcOffsetMinutes,
    generatedAt: new Date(now).toISOString(),
    buckets: buckets.map((b, i) => ({ key: bucketKey(period, i), start: new Date(bucketStart(period, i)).toISOString(), ...figuresOf(b) })),
    totals: figuresOf(totals),
    misunderstood: misunderstoodList,
  };
}
