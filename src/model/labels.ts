/**
 * The words people read for the codes the model keeps: handoff reasons, queue priorities and
 * order statuses, one table each. The server's own wording (story-words.ts) and the pages (the
 * agent console, the script editor, the demo storefront, through `/labels.js`, see
 * `labelsScript`) read them here, so a label is changed in one place.
 */
import type { OrderStatus } from '../shop/types';
import type { HandoffReason, Priority } from './conversation';

/** Why a conversation went to a person; also why an agent let one go (transfer, handover). */
export const HANDOFF_REASON_LABELS: Readonly<Record<HandoffReason | 'transfer' | 'handover', string>> = Object.freeze({
  explicit_request: '买家要求人工',
  bad_review: '差评/投诉',
  low_confidence: '机器人没把握',
  policy_limit: '超出机器人权限',
  angry_tone: '买家情绪激动',
  overdue_delivery: '物流超时',
  after_sale: '售后问题',
  error: '系统异常',
  transfer: '同事转回',
  handover: '交接',
});

export const PRIORITY_LABELS: Readonly<Record<Priority, string>> = Object.freeze({ urgent: '紧急', high: '高', normal: '普通' });

/** An order's status as a badge shows it. */
export const ORDER_STATUS_LABELS: Readonly<Record<OrderStatus, string>> = Object.freeze({
  unpaid: '待付款',
  paid: '待发货',
  shipped: '已发货',
  delivered: '已签收',
  disputed: '售后中',
  cancelled: '已取消',
});

/** The label of `code` in `table`, or the code itself when the table has none. */
export function labelOf(table: Readonly<Record<string, string>>, code: string): string {
  return Object.hasOwn(table, code) ? (table[code] as string) : code;
}

/**
 * The tables as a classic script for the pages (`window.KefuLabels`), served at `/labels.js`
 * and loaded before each page's own script.
 */
export function labelsScript(): string {
  const labels = { reasons: HANDOFF_REASON_LABELS, priorities: PRIORITY_LABELS, orderStatus: ORDER_STATUS_LABELS };
  return `// Generated from src/model/labels.ts.\nwindow.KefuLabels = Object.freeze(${JSON.stringify(labels)});\n`;
}
