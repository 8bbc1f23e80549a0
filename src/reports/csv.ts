/**
 * The report as CSV for Excel: one row per day or hour plus a 合计 row, Chinese column names,
 * rates as percentages, durations in seconds. Starts with a UTF-8 BOM, because Excel reads a
 * CSV without one in the system's legacy code page and shows the Chinese as mojibake.
 */
import { REASON_LABELS } from '../dialogue/handoff';
import { HANDOFF_REASONS, type Figures, type Report } from './aggregate';

export const CSV_BOM = '\uFEFF';

const pct = (v: number | null): string => (v === null ? '' : (Math.round(v * 1000) / 10).toString());
const seconds = (v: number | null): string => (v === null ? '' : (Math.round(v / 100) / 10).toString());
const num = (v: number | null): string => (v === null ? '' : String(v));

/** The columns: Chinese header and how a bucket's figures fill it. */
const COLUMNS: readonly [string, (f: Figures) => string][] = [
  ['咨询会话数', (f) => num(f.conversations)],
  ['买家消息数', (f) => num(f.buyerMessages)],
  ['机器人自动回复数', (f) => num(f.autoAnswered)],
  ['自动回复率(%)', (f) => pct(f.autoReplyRate)],
  ['转人工次数', (f) => num(f.handoffs)],
  ['转人工率(%)', (f) => pct(f.handoffRate)],
  ...HANDOFF_REASONS.map((r): [string, (f: Figures) => string] => [`转人工·${REASON_LABELS[r]}`, (f) => num(f.handoffsByReason[r])]),
  ['人工首次响应次数', (f) => num(f.firstResponse.count)],
  ['首次响应P50(秒)', (f) => seconds(f.firstResponse.p50Ms)],
  ['首次响应P90(秒)', (f) => seconds(f.firstResponse.p90Ms)],
  ['首响考核数', (f) => num(f.sla.firstResponse.due)],
  ['首响超时数(>5分钟)', (f) => num(f.sla.firstResponse.breached)],
  ['售后考核数', (f) => num(f.sla.afterSale.due)],
  ['售后超时数(>48小时)', (f) => num(f.sla.afterSale.breached)],
  ['评价数', (f) => num(f.csat.count)],
  ['平均评分', (f) => num(f.csat.average)],
  ...[1, 2, 3, 4, 5].map((s): [string, (f: Figures) => string] => [`${s}星`, (f) => num(f.csat.scores[s - 1] ?? 0)]),
  ['推荐回复机会', (f) => num(f.suggestions.offered)],
  ['直接发送推荐', (f) => num(f.suggestions.sentAsIs)],
  ['修改后发送推荐', (f) => num(f.suggestions.edited)],
  ['未用推荐', (f) => num(f.suggestions.ignored)],
  ['推荐采纳率(%)', (f) => pct(f.suggestions.acceptanceRate)],
  ['议价成交数', (f) => num(f.deals.count)],
  ['平均优惠(元)', (f) => num(f.deals.averageDiscountYuan)],
  ['平均优惠率(%)', (f) => pct(f.deals.averageDiscountRate)],
  ['成交金额(元)', (f) => num(f.deals.revenue)],
];

/** One CSV field: quoted when it needs to be; a leading = + - @ is defused so Excel never runs it as a formula. */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) && !/^-?\d+(\.\d+)?$/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The report as CSV text (BOM, header row, a row per bucket, the 合计 row; CRLF line ends). */
export function reportCsv(report: Report): string {
  const head = [report.bucket === 'day' ? '日期' : '时段', ...COLUMNS.map(([name]) => name)];
  const rows = [
    head,
    ...report.buckets.map((b) => [b.key, ...COLUMNS.map(([, cell]) => cell(b))]),
    ['合计', ...COLUMNS.map(([, cell]) => cell(report.totals))],
  ];
  return CSV_BOM + rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}
