/**
 * The period a report covers: a range of the shop's own calendar days (from and to inclusive,
 * in the shop's UTC offset, so "today" is the shop's today wherever the server runs), cut into
 * day or hour buckets. Parsing checks what a request may ask for, with errors a manager reads.
 */

export type Bucket = 'day' | 'hour';

/** Longest range of one report (a quarter). Longer ones would need the daily rollup (src/reports/source.ts). */
export const MAX_DAYS = 92;
/** Longest range with hour buckets: 7 × 24 = 168 points still read as a chart. */
export const MAX_HOUR_DAYS = 7;

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface ReportPeriod {
  /** First day, YYYY-MM-DD (shop time). */
  from: string;
  /** Last day, YYYY-MM-DD (shop time), inclusive. */
  to: string;
  bucket: Bucket;
  /** The shop's offset from UTC in minutes (China: 480). */
  utcOffsetMinutes: number;
  /** Epoch ms of the first instant of `from` in shop time. */
  startMs: number;
  /** Epoch ms of the first instant after `to` in shop time (exclusive end). */
  endMs: number;
}

/** Why a period was refused: a stable code and the Chinese sentence the page shows. */
export class PeriodError extends Error {
  constructor(
    readonly code: 'BAD_DATE' | 'BAD_BUCKET' | 'RANGE_REVERSED' | 'RANGE_TOO_LONG',
    readonly localized: string,
    message: string,
  ) {
    super(message);
    this.name = 'PeriodError';
  }
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Epoch ms of 00:00 shop time on a YYYY-MM-DD day, or undefined when it is no real date. */
function dayStart(day: string, utcOffsetMinutes: number): number | undefined {
  const m = DATE_RE.exec(day);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const utc = Date.UTC(y, mo - 1, d);
  const back = new Date(utc);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return undefined;
  return utc - utcOffsetMinutes * 60_000;
}

/** The shop's calendar day (YYYY-MM-DD) of an instant. */
export function shopDay(ms: number, utcOffsetMinutes: number): string {
  return new Date(ms + utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
}

/** The shop's day `days` after (or before, when negative) a YYYY-MM-DD day. */
export function addDays(day: string, days: number): string {
  const start = dayStart(day, 0);
  if (start === undefined) throw new Error(`not a day: ${day}`);
  return new Date(start + days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Checks a requested period. Missing `to` is the shop's today, missing `from` six days before
 * `to` (a week), missing bucket is day.
 */
export function parsePeriod(
  input: { from?: string | null; to?: string | null; bucket?: string | null },
  utcOffsetMinutes: number,
  now: number,
): ReportPeriod {
  const bucketRaw = input.bucket || 'day';
  if (bucketRaw !== 'day' && bucketRaw !== 'hour') throw new PeriodError('BAD_BUCKET', '统计粒度只能是按天或按小时', 'bucket must be day or hour');
  const bucket: Bucket = bucketRaw;
  const to = input.to || shopDay(now, utcOffsetMinutes);
  const toStart = dayStart(to, utcOffsetMinutes);
  if (toStart === undefined) throw new PeriodError('BAD_DATE', `结束日期「${to}」不是有效日期（格式 YYYY-MM-DD）`, `to is not a date: ${to}`);
  const from = input.from || addDays(to, -6);
  const startMs = dayStart(from, utcOffsetMinutes);
  if (startMs === undefined) throw new PeriodError('BAD_DATE', `开始日期「${from}」不是有效日期（格式 YYYY-MM-DD）`, `from is not a date: ${from}`);
  if (startMs > toStart) throw new PeriodError('RANGE_REVERSED', '开始日期不能晚于结束日期', 'from is after to');
  const days = Math.round((toStart - startMs) / DAY_MS) + 1;
  const max = bucket === 'hour' ? MAX_HOUR_DAYS : MAX_DAYS;
  if (days > max) {
    const localized = bucket === 'hour' ? `按小时统计最多 ${max} 天，请缩短日期范围或改为按天` : `一次最多统计 ${max} 天，请缩短日期范围`;
    throw new PeriodError('RANGE_TOO_LONG', localized, `at most ${max} days with bucket=${bucket} (asked ${days})`);
  }
  return { from, to, bucket, utcOffsetMinutes, startMs, endMs: toStart + DAY_MS };
}

/** Length of one bucket in ms. */
export function bucketMs(bucket: Bucket): number {
  return bucket === 'day' ? DAY_MS : HOUR_MS;
}

/** Number of buckets in the period. */
export function bucketCount(p: ReportPeriod): number {
  return Math.round((p.endMs - p.startMs) / bucketMs(p.bucket));
}

/** Index of the bucket an instant falls in, or -1 outside the period. */
export function bucketIndex(p: ReportPeriod, ms: number): number {
  if (!Number.isFinite(ms) || ms < p.startMs || ms >= p.endMs) return -1;
  return Math.floor((ms - p.startMs) / bucketMs(p.bucket));
}

/** The bucket's key in shop time: `2026-12-05` (day) or `2026-12-05 14:00` (hour). */
export function bucketKey(p: ReportPeriod, index: number): string {
  const start = p.startMs + index * bucketMs(p.bucket);
  const local = new Date(start + p.utcOffsetMinutes * 60_000).toISOString();
  return p.bucket === 'day' ? local.slice(0, 10) : `${local.slice(0, 10)} ${local.slice(11, 13)}:00`;
}

/** The bucket's first instant (epoch ms). */
export function bucketStart(p: ReportPeriod, index: number): number {
  return p.startMs + index * bucketMs(p.bucket);
}
