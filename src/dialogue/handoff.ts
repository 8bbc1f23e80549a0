/**
 * Handing a conversation to a person: the summary an agent reads first, and three ranked
 * suggested replies rendered from templates — what the bot would say for the current intent
 * and for the runner-up intents — each with the reason it is suggested.
 */
import type { ConversationState, HandoffInfo, HandoffReason, Priority, Suggestion } from '../model/conversation';
import type { Order } from '../shop/types';
import type { IntentScore } from '../nlu/types';
import { maskPhonesInText } from '../replies/mask-phones';

/**
 * Below this confidence a runner-up intent is a guess the classifier barely made: offering it
 * as a clarifying choice or an agent suggestion only confuses (an invoice answer to an
 * address change at 1%). Measured on the shipped intents, real alternatives sit well above it.
 */
export const RUNNER_UP_MIN_CONFIDENCE = 0.15;

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
  // Mobile numbers are masked here and in the queue preview (handoff/view.ts): a summary is
  // shown on every console and copied around. The full history keeps what the buyer wrote,
  // since the agent who holds the conversation may need to call the number.
  const masked = maskPhonesInText(input.lastText);
  const text = masked.length > 60 ? `${masked.slice(0, 60)}…` : masked;
  parts.push(`最后一句「${text}」`);
  if (input.note) parts.push(input.note);
  return parts.join(' · ');
}

/** Candidate intents for suggestions: the handled intent first, then the classifier's ranking. */
export function suggestionIntents(handled: string, ranking: IntentScore[], max = 3, minConfidence = RUNNER_UP_MIN_CONFIDENCE): string[] {
  const out = [handled];
  // A complaint or an after-sale problem is never answered with a sales pitch.
  const aftersale = /^(?:return|bad_review|delivery)\./.test(handled);
  for (const r of ranking) {
    // A runner-up the classifier barely considered, or a greeting, would only distract the agent.
    if (out.includes(r.intent) || r.category === 'other' || r.category === 'greeting' || r.confidence < minConfidence) continue;
    if (aftersale && (r.category === 'product' || r.category === 'haggle')) continue;
    out.push(r.intent);
  }
  return out.slice(0, max);
}

/** Generic agent moves in templates/system.yaml, offered when the intents give too few suggestions. */
export type GenericMove = 'agent_greet' | 'agent_hold' | 'agent_apology' | 'ask_order' | 'ask_photos';

const GENERIC_REASONS: Record<GenericMove, string> = {
  agent_greet: '人工接待：先打招呼、问清需求',
  agent_hold: '安抚买家、告知正在处理',
  agent_apology: '先致歉、稳住买家情绪',
  ask_order: '请买家提供订单号',
  ask_photos: '请买家拍照说明问题',
};

/**
 * The generic moves that fit a conversation, most useful first: after-sale and complaints
 * start with an apology and photos of the problem, logistics and payment need the order
 * number (unless an order is already in focus), a request for a person a greeting from that
 * person, anything else a polite "checking for you".
 */
export function genericMovesFor(category: string, hasOrder: boolean): GenericMove[] {
  const askOrder: GenericMove[] = hasOrder ? [] : ['ask_order'];
  switch (category) {
    case 'return':
      return ['agent_apology', 'ask_photos', ...askOrder, 'agent_hold'];
    case 'bad_review':
      return ['agent_apology', 'ask_photos', 'agent_hold'];
    case 'delivery':
    case 'address':
    case 'payment':
      return [...askOrder, 'agent_hold', 'agent_apology'];
    case 'human':
    case 'other':
    case 'greeting':
      // The buyer asked for a person (or was not understood): the person says hello and asks.
      return ['agent_greet', 'agent_hold', ...askOrder];
    default:
      return ['agent_hold', ...askOrder, 'agent_greet'];
  }
}

/** Reason shown next to a suggestion. */
export function suggestionReason(kind: 'current' | 'runner_up' | 'variant' | 'holding' | GenericMove, label: string, confidence?: number): string {
  if (kind === 'holding') return '安抚买家、告知正在处理';
  if (kind in GENERIC_REASONS) return GENERIC_REASONS[kind as GenericMove];
  const pct = confidence === undefined ? '' : `，置信度 ${Math.round(confidence * 100)}%`;
  if (kind === 'current') return `当前意图「${label}」${pct}`;
  if (kind === 'runner_up') return `次选意图「${label}」${pct}`;
  return `「${label}」的另一种说法`;
}

/** Text compared loosely: no whitespace or punctuation, so "亲，好的～" and "亲 好的" are the same. */
function looseText(text: string): string {
  return text.replace(/[\s\p{P}\p{S}]/gu, '');
}

function bigrams(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i + 1 < text.length; i++) {
    const g = text.slice(i, i + 2);
    out.set(g, (out.get(g) ?? 0) + 1);
  }
  return out;
}

/**
 * True when two replies would read as the same sentence to a buyer: equal once punctuation and
 * spaces are ignored, or sharing nearly all their character pairs (Dice ≥ 0.85: the same
 * template with a different time or a changed particle).
 */
export function nearlySameText(a: string, b: string): boolean {
  const x = looseText(a);
  const y = looseText(b);
  if (x === y) return true;
  if (x.length < 2 || y.length < 2) return false;
  const gx = bigrams(x);
  const gy = bigrams(y);
  let shared = 0;
  for (const [g, n] of gx) shared += Math.min(n, gy.get(g) ?? 0);
  return (2 * shared) / (x.length - 1 + (y.length - 1)) >= 0.85;
}

/** Assembles the HandoffInfo. */
export function handoffInfo(reason: HandoffReason, priority: Priority, summary: string, suggestions: Suggestion[], at: Date): HandoffInfo {
  return { reason, priority, summary, suggestions, at: at.toISOString() };
}
