/**
 * The report aggregation on conversations built by hand, every figure worked out by hand in
 * the comments (shop time is UTC+8: the shop's 2026-12-01 starts at 2026-11-30T16:00Z).
 */
import type { DealAct } from '../../src/model/acts';
import type { ConversationState, HandoffInfo } from '../../src/model/conversation';
import type { HandoffEvent } from '../../src/handoff/history';
import type { StoredMessage } from '../../src/store/types';
import { buildReport, buyerOutcomes, handoffEpisodes, messageKey, percentile, type ConversationRecord } from '../../src/reports/aggregate';
import { parsePeriod } from '../../src/reports/period';

const OFFSET = 480;

/** A conversation built line by line: `b` buyer, `r` bot reply to the previous buyer line, `a` agent. */
function conv(
  id: string,
  lines: (
    | [kind: 'b', at: string, text: string]
    | [kind: 'r', at: string, meta?: Record<string, unknown>]
    | [kind: 'a', at: string, meta?: Record<string, unknown>]
  )[],
  extra: {
    history?: HandoffEvent[];
    handoff?: HandoffInfo;
    status?: ConversationState['status'];
    deals?: DealAct[];
    csat?: [number, string];
    updatedAt?: string;
  } = {},
): ConversationRecord {
  const messages: StoredMessage[] = [];
  let lastBuyer = 0;
  for (const line of lines) {
    const seq = messages.length + 1;
    if (line[0] === 'b') {
      lastBuyer = seq;
      messages.push({ conversationId: id, seq, from: 'buyer', text: line[2], at: line[1] });
    } else if (line[0] === 'r') {
      messages.push({
        conversationId: id,
        seq,
        from: 'bot',
        text: '亲～',
        at: line[1],
        meta: { intent: 'x', category: 'product', ...line[2], replyTo: lastBuyer },
      });
    } else {
      messages.push({
        conversationId: id,
        seq,
        from: 'agent',
        agentId: 'xiaomei',
        text: '亲，我来帮您',
        at: line[1],
        ...(line[2] ? { meta: line[2] } : {}),
      });
    }
  }
  const first = messages[0]?.at ?? '2026-12-01T00:00:00.000Z';
  const conversation: ConversationState = {
    id,
    buyerId: `buyer-${id}`,
    shopId: 'demo',
    status: extra.status ?? 'bot',
    slots: {},
    turns: [],
    facts: [],
    acts: extra.deals ?? [],
    createdAt: first,
    updatedAt: extra.updatedAt ?? messages[messages.length - 1]?.at ?? first,
    ...(extra.handoff ? { handoff: extra.handoff } : {}),
  };
  return {
    conversation,
    messages,
    history: extra.history ?? [],
    ...(extra.csat ? { csat: { score: extra.csat[0], at: extra.csat[1] } } : {}),
  };
}

function deal(id: string, at: string, price: number, listPrice: number, quantity: number): DealAct {
  return {
    kind: 'deal',
    id: `${id}#1`,
    at: Date.parse(at),
    conversationId: id,
    buyerId: `buyer-${id}`,
    productId: 'P100',
    productName: '双面羊毛大衣',
    price,
    listPrice,
    quantity,
    freeShipping: true,
  };
}

// Day 1 (2026-12-01 shop time). A: three bot answers and a deal, then a person (reply after 3 min, CSAT 5).
const A = conv(
  'A',
  [
    ['b', '2026-12-01T02:00:00.000Z', '你好'],
    ['r', '2026-12-01T02:00:00.050Z'],
    ['b', '2026-12-01T02:01:00.000Z', '这件大衣能便宜点吗'],
    ['r', '2026-12-01T02:01:00.050Z', { category: 'haggle' }],
    ['b', '2026-12-01T02:02:00.000Z', '好的'],
    ['r', '2026-12-01T02:02:00.050Z', { category: 'haggle' }],
    ['b', '2026-12-01T02:05:00.000Z', '我要人工'],
    ['r', '2026-12-01T02:05:00.050Z', { category: 'human' }],
    ['b', '2026-12-01T02:06:00.000Z', '在吗'], // while queued: with a person, though the bot says where they stand
    ['r', '2026-12-01T02:06:00.050Z', { category: 'greeting' }],
    ['a', '2026-12-01T02:08:00.100Z', { suggestion: { use: 'sent_as_is', index: 0, offered: 3 } }], // FRT 180 000 ms
    ['a', '2026-12-01T02:09:00.000Z', { suggestion: { use: 'ignored', offered: 3 } }],
  ],
  {
    status: 'closed',
    history: [
      { kind: 'queued', at: '2026-12-01T02:05:00.100Z', reason: 'explicit_request', priority: 'normal' },
      { kind: 'closed', at: '2026-12-01T02:10:00.000Z', agentId: 'xiaomei', resolution: 'resolved' },
    ],
    deals: [deal('A', '2026-12-01T02:02:00.040Z', 90, 100, 2)],
    csat: [5, '2026-12-01T02:11:00.000Z'],
  },
);

// Day 1. B: not understood twice (a clarifying question, then a low-confidence handoff); reply after 10 min (breach).
const B = conv(
  'B',
  [
    ['b', '2026-12-01T06:00:00.000Z', 'ASDF 乱码'],
    ['r', '2026-12-01T06:00:00.050Z', { intent: 'other.fallback', category: 'other', templateId: 'system/clarify#1' }],
    ['b', '2026-12-01T06:01:00.000Z', 'asdf乱码！'],
    ['r', '2026-12-01T06:01:00.040Z', { category: 'other', templateId: 'system/handoff#1' }],
    ['a', '2026-12-01T06:11:00.050Z', { suggestion: { use: 'edited', index: 1, offered: 3 } }], // FRT 600 000 ms
  ],
  {
    history: [
      { kind: 'queued', at: '2026-12-01T06:01:00.050Z', reason: 'low_confidence', priority: 'normal' },
      { kind: 'returned', at: '2026-12-01T06:20:00.000Z', agentId: 'xiaomei' },
    ],
  },
);

// Day 1. F: one message, answered by the bot.
const F = conv('F', [
  ['b', '2026-12-01T08:00:00.000Z', '有现货吗'],
  ['r', '2026-12-01T08:00:00.050Z'],
]);

// Day 2. C: an after-sale handoff nobody answered; at `now` (59 h later) both clocks ran out. A deal the same day.
const C = conv(
  'C',
  [
    ['b', '2026-12-02T01:00:00.000Z', '快递显示签收了但我没收到'],
    ['r', '2026-12-02T01:00:00.005Z', { intent: 'delivery.signed_not_received', category: 'delivery' }],
  ],
  {
    status: 'queued',
    history: [{ kind: 'queued', at: '2026-12-02T01:00:00.010Z', reason: 'after_sale', priority: 'high' }],
    deals: [deal('C', '2026-12-02T00:30:00.000Z', 433, 468, 1)],
  },
);

// Day 2. D: stored before the handoff history existed: only conv.handoff (bad review), closed; reply after 4 min; CSAT 2.
const D = conv(
  'D',
  [
    ['b', '2026-12-02T03:00:00.000Z', '质量太差了，我要给差评'],
    ['r', '2026-12-02T03:00:00.050Z', { category: 'bad_review' }],
    ['a', '2026-12-02T03:04:00.100Z'], // FRT 240 000 ms
  ],
  {
    status: 'closed',
    updatedAt: '2026-12-02T03:30:00.000Z',
    handoff: { reason: 'bad_review', priority: 'urgent', summary: '差评', suggestions: [], at: '2026-12-02T03:00:00.100Z' },
    csat: [2, '2026-12-02T03:31:00.000Z'],
  },
);

// Outside the period: the evening before (shop time 23:59) and day 3.
const E = conv('E', [
  ['b', '2026-11-30T15:59:59.000Z', '你好'],
  ['r', '2026-11-30T15:59:59.050Z'],
  ['b', '2026-12-03T02:00:00.000Z', '你好'],
  ['r', '2026-12-03T02:00:00.050Z'],
]);

const NOW = Date.parse('2026-12-04T12:00:00.000Z');
const days = parsePeriod({ from: '2026-12-01', to: '2026-12-02', bucket: 'day' }, OFFSET, NOW);

describe('reading one conversation', () => {
  it('tells apart bot answers, the message that handed off and messages while with a person', () => {
    expect([...buyerOutcomes(A).entries()]).toEqual([
      [1, 'auto'],
      [3, 'auto'],
      [5, 'auto'],
      [7, 'handed_off'],
      [9, 'with_person'],
    ]);
  });

  it('finds each handoff with its start, end, first agent reply and whether it is after-sale', () => {
    expect(handoffEpisodes(A)).toEqual([
      {
        startMs: Date.parse('2026-12-01T02:05:00.100Z'),
        reason: 'explicit_request',
        endMs: Date.parse('2026-12-01T02:10:00.000Z'),
        endKind: 'closed',
        firstAgentMs: Date.parse('2026-12-01T02:08:00.100Z'),
        triggerSeq: 7,
        afterSale: false,
      },
    ]);
    // Started by a delivery question: after-sale.
    expect(handoffEpisodes(C)[0]).toMatchObject({ reason: 'after_sale', afterSale: true, triggerSeq: 1 });
    expect(handoffEpisodes(C)[0]?.endMs).toBeUndefined();
    // Older data: the current handoff, ended by the close (updatedAt).
    expect(handoffEpisodes(D)).toEqual([
      expect.objectContaining({ reason: 'bad_review', endKind: 'closed', endMs: Date.parse('2026-12-02T03:30:00.000Z'), triggerSeq: 1 }),
    ]);
  });

  it('after the bot takes over again, its answers are auto replies once more', () => {
    const back = conv(
      'G',
      [
        ['b', '2026-12-01T01:00:00.000Z', '我要人工'],
        ['r', '2026-12-01T01:00:00.010Z', { category: 'human' }],
        ['b', '2026-12-01T01:30:00.000Z', '还在吗'],
        ['b', '2026-12-01T03:00:00.000Z', '什么时候发货'],
        ['r', '2026-12-01T03:00:00.010Z', { category: 'delivery' }],
      ],
      {
        history: [
          { kind: 'queued', at: '2026-12-01T01:00:00.020Z', reason: 'explicit_request' },
          { kind: 'returned', at: '2026-12-01T02:00:00.000Z' },
        ],
      },
    );
    expect([...buyerOutcomes(back).values()]).toEqual(['handed_off', 'with_person', 'auto']);
  });

  it('groups messages by their normalized text', () => {
    expect(messageKey('ASDF 乱码')).toBe(messageKey('asdf乱码！'));
    expect(messageKey('發貨')).toBe(messageKey('发货'));
    expect(messageKey('？？')).not.toBe('');
  });

  it('takes nearest-rank percentiles', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([10], 90)).toBe(10);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 90)).toBe(4);
  });
});

describe('buildReport per day', () => {
  const report = buildReport([A, B, F, C, D, E], { period: days, now: NOW });
  const [day1, day2] = report.buckets;

  it('has one bucket per shop day, keyed in shop time', () => {
    expect(report.buckets.map((b) => [b.key, b.start])).toEqual([
      ['2026-12-01', '2026-11-30T16:00:00.000Z'],
      ['2026-12-02', '2026-12-01T16:00:00.000Z'],
    ]);
    expect(report).toMatchObject({
      from: '2026-12-01',
      to: '2026-12-02',
      bucket: 'day',
      utcOffsetMinutes: 480,
      generatedAt: '2026-12-04T12:00:00.000Z',
    });
  });

  it('counts buyer messages and bot answers (auto-reply rate)', () => {
    // Day 1: A 5 messages (3 auto), B 2 (1 auto: the clarifying question), F 1 (auto) → 5/8.
    expect(day1).toMatchObject({ conversations: 3, buyerMessages: 8, autoAnswered: 5, autoReplyRate: 0.625 });
    // Day 2: C and D each handed off at once → 0/2. E is outside the period.
    expect(day2).toMatchObject({ conversations: 2, buyerMessages: 2, autoAnswered: 0, autoReplyRate: 0 });
    expect(report.totals).toMatchObject({ conversations: 5, buyerMessages: 10, autoAnswered: 5, autoReplyRate: 0.5 });
  });

  it('counts handoffs by reason and the handoff rate per conversation', () => {
    expect(day1?.handoffs).toBe(2);
    expect(day1?.handoffsByReason).toMatchObject({ explicit_request: 1, low_confidence: 1, after_sale: 0, bad_review: 0 });
    expect(day1?.handoffRate).toBe(0.6667); // 2 of 3 conversations
    expect(day2?.handoffsByReason).toMatchObject({ after_sale: 1, bad_review: 1, explicit_request: 0 });
    expect(day2?.handoffRate).toBe(1);
    expect(report.totals.handoffs).toBe(4);
    expect(report.totals.handoffRate).toBe(0.8);
  });

  it('measures the first agent response (p50/p90)', () => {
    // Day 1: [180 s, 600 s] → p50 = 1st, p90 = 2nd. Day 2: D's 240 s (C has no reply).
    expect(day1?.firstResponse).toEqual({ count: 2, p50Ms: 180_000, p90Ms: 600_000 });
    expect(day2?.firstResponse).toEqual({ count: 1, p50Ms: 240_000, p90Ms: 240_000 });
    // Both days: [180, 240, 600] s → p50 = 2nd of 3, p90 = 3rd.
    expect(report.totals.firstResponse).toEqual({ count: 3, p50Ms: 240_000, p90Ms: 600_000 });
  });

  it('counts SLA breaches: first response over 5 min, after-sale open past 48 h', () => {
    // Day 1: A met (3 min), B breached (10 min). Day 2: D met (4 min), C never answered (breached).
    expect(day1?.sla).toEqual({ firstResponse: { due: 2, breached: 1 }, afterSale: { due: 0, breached: 0 } });
    // C: after-sale, still open 59 h after the handoff.
    expect(day2?.sla).toEqual({ firstResponse: { due: 2, breached: 1 }, afterSale: { due: 1, breached: 1 } });
    expect(report.totals.sla).toEqual({ firstResponse: { due: 4, breached: 2 }, afterSale: { due: 1, breached: 1 } });
  });

  it('averages CSAT by the day it was given', () => {
    expect(day1?.csat).toEqual({ count: 1, average: 5, scores: [0, 0, 0, 0, 1] });
    expect(day2?.csat).toEqual({ count: 1, average: 2, scores: [0, 1, 0, 0, 0] });
    expect(report.totals.csat).toEqual({ count: 2, average: 3.5, scores: [0, 1, 0, 0, 1] });
  });

  it('counts suggestion use by agent message', () => {
    // A: sent as is + ignored, B: edited → 2 of 3 accepted.
    expect(day1?.suggestions).toEqual({ offered: 3, sentAsIs: 1, edited: 1, ignored: 1, acceptanceRate: 0.6667 });
    expect(day2?.suggestions).toEqual({ offered: 0, sentAsIs: 0, edited: 0, ignored: 0, acceptanceRate: null });
  });

  it('counts deals with their average discount', () => {
    // A: ¥90 of ¥100 ×2 → 10 % and ¥10 off, ¥180. C: ¥433 of ¥468 → 35/468 = 7.48 %, ¥35 off.
    expect(day1?.deals).toEqual({ count: 1, averageDiscountRate: 0.1, averageDiscountYuan: 10, revenue: 180 });
    expect(day2?.deals).toEqual({ count: 1, averageDiscountRate: 0.0748, averageDiscountYuan: 35, revenue: 433 });
    // (0.1 + 0.074786) / 2 = 0.087393; (10 + 35) / 2 = 22.5.
    expect(report.totals.deals).toEqual({ count: 2, averageDiscountRate: 0.0874, averageDiscountYuan: 22.5, revenue: 613 });
  });

  it('lists the messages the bot did not understand, grouped', () => {
    expect(report.misunderstood).toEqual([{ text: 'ASDF 乱码', count: 2, conversations: 1, lastAt: '2026-12-01T06:01:00.000Z' }]);
  });

  it('has no rates where there is nothing to divide', () => {
    const empty = buildReport([], { period: days, now: NOW });
    expect(empty.totals).toMatchObject({
      buyerMessages: 0,
      autoReplyRate: null,
      handoffRate: null,
      firstResponse: { count: 0, p50Ms: null, p90Ms: null },
    });
    expect(empty.totals.csat.average).toBeNull();
    expect(empty.totals.deals.averageDiscountRate).toBeNull();
    expect(empty.misunderstood).toEqual([]);
  });
});

describe('buildReport per hour and pending clocks', () => {
  it('puts events in shop-time hours', () => {
    const hours = parsePeriod({ from: '2026-12-01', to: '2026-12-01', bucket: 'hour' }, OFFSET, NOW);
    const report = buildReport([A, B, F], { period: hours, now: NOW });
    expect(report.buckets).toHaveLength(24);
    const busy = report.buckets.filter((b) => b.buyerMessages > 0).map((b) => [b.key, b.buyerMessages, b.autoAnswered, b.handoffs]);
    // A at 10:00 shop time (02:00Z), B at 14:00, F at 16:00.
    expect(busy).toEqual([
      ['2026-12-01 10:00', 5, 3, 1],
      ['2026-12-01 14:00', 2, 1, 1],
      ['2026-12-01 16:00', 1, 1, 0],
    ]);
  });

  it('does not count a handoff whose clock has not run out yet', () => {
    const early = Date.parse('2026-12-02T01:03:00.000Z'); // 3 min after C's handoff
    const report = buildReport([C], { period: days, now: early });
    expect(report.totals.sla).toEqual({ firstResponse: { due: 0, breached: 0 }, afterSale: { due: 0, breached: 0 } });
    // Resolved in time: closed 47 h later.
    const closed: ConversationRecord = {
      ...C,
      messages: [...C.messages, { conversationId: 'C', seq: 3, from: 'agent', text: '亲', at: '2026-12-02T01:02:00.000Z' }],
      history: [...C.history, { kind: 'closed', at: '2026-12-04T00:00:00.010Z' }],
    };
    expect(buildReport([closed], { period: days, now: NOW }).totals.sla).toEqual({
      firstResponse: { due: 1, breached: 0 },
      afterSale: { due: 1, breached: 0 },
    });
  });
});
