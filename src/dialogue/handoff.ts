/**
 * Handing a conversation to a person: the summary an agent reads first, and three ranked
 * suggested replies rendered from templates — what the bot would say for the current intent
 * and for the runner-up intents — each with the reason it is suggested.
 */
import type { ConversationState, HandoffInfo, HandoffReason, Priority, Suggestion } from './types';
import type { Order } from '../shop/types';
import type { IntentScore } from '../nlu/types';

/** Agent-facing words for a handoff reason (the console shows them; buyers never see them). */
export const REASON_LABELS: Record<HandoffReason, string> = {
  explicit_request: '买家要求人工',
  bad_review: '差评/投诉',
  low_confidence: '机器人没听懂',
  policy_limit: '超出机器人权限',
  angry_tone: '买家情绪激动',
  overdue_delivery: '物流超时',
  after_sale: '售后问题',
  error: '系统出错',
};

const ORDER_STATUS_LABELS: Record<Order['status'], string> = {
  unpaid: '未付款',
  paid: '已付款未发货',
  shipped: '已发货',
  delivered: '已签收',
  disputed: '签收有争议',
  cancelled: '已取消',
};

const PRIORITY_RANK: Record<Priority, number> = { normal: 0, high: 1, urgent: 2 };

/** The higher of two priorities. */
export function maxPriority(a: Priority, b: Priority): Priority {
  return PRIORITY_RANK[a] >= PRIORITY_RANK[b] ? a : b;
}

/** One line an agent reads first: why, what the buyer wants, which order, the last words. */
export function buildSummary(input: {
  reason: HandoffReason;
  intent: string;
  label?: string;
  confidence: number;
  conv: ConversationState;
  order?: Order;
  buyerName?: string;
  /** Courier display name for the order's shipment. */
  carrierName?: string;
  lastText: string;
  note?: string;
}): string {
  const parts = [
    `【${REASON_LABELS[input.reason]}】`,
    `意图 ${input.label ?? input.intent}（${input.intent} ${Math.round(input.confidence * 100)}%）`,
  ];
  if (input.order) {
    const o = input.order;
    const ship = o.shipment ? ` ${input.carrierName ?? o.shipment.carrier} ${o.shipment.trackingNumber}` : '';
    parts.push(`订单 ${o.number} ${ORDER_STATUS_LABELS[o.status]}${ship}`);
  }
  if (input.buyerName) parts.push(`买家 ${input.buyerName}`);
  const text = input.lastText.length > 60 ? `${input.lastText.slice(0, 60)}…` : input.lastText;
  parts.push(`最后一句「${text}」`);
  if (input.note) parts.push(input.note);
  return parts.join(' · ');
}

/** Candidate intents for suggestions: the handled intent first, then the classifier's ranking. */
export function suggestionIntents(handled: string, ranking: IntentScore[], max = 3, minConfidence = 0.1): string[] {
  const out = [handled];
  for (const r of ranking) {
    // A runner-up the classifier barely considered, or a greeting, would only distract the agent.
    if (out.includes(r.intent) || r.category === 'other' || r.category === 'greeting' || r.confidence < minConfidence) continue;
    out.push(r.intent);
  }
  return out.slice(0, max);
}

/** Reason shown next to a suggestion. */
export function suggestionReason(kind: 'current' | 'runner_up' | 'variant' | 'holding', label: string, confidence?: number): string {
  if (kind === 'holding') return '安抚买家、告知正在处理';
  const pct = confidence === undefined ? '' : `，置信度 ${Math.round(confidence * 100)}%`;
  if (kind === 'current') return `当前意图「${label}」${pct}`;
  if (kind === 'runner_up') return `次选意图「${label}」${pct}`;
  return `「${label}」的另一种说法`;
}

/** Assembles the HandoffInfo. */
export function handoffInfo(reason: HandoffReason, priority: Priority, summary: string, suggestions: Suggestion[], at: Date): HandoffInfo {
  return { reason, priority, summary, suggestions, at: at.toISOString() };
}
