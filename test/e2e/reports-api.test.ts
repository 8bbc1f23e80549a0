/**
 * The reports API end to end: a shop day played through the real buyer and agent sockets
 * (reports-helpers.ts), then GET /api/reports and /api/reports.csv as a manager.
 */
import { shopDay } from '../../src/reports/period';
import type { SourcedReport } from '../../src/reports/source';
import { EXPECTED, MANAGER_TOKEN, seedShopDay, startReportServer, type SeededShop } from './reports-helpers';
import { TOKENS } from './agent-helpers';

/** A small RFC 4180 reader (quoted fields, doubled quotes, CRLF), enough to check what Excel reads. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

describe('reports API', () => {
  let shop: SeededShop;
  const auth = { authorization: `Bearer ${MANAGER_TOKEN}` };

  beforeAll(async () => {
    shop = await seedShopDay(await startReportServer());
  }, 60_000);
  afterAll(async () => {
    await shop?.s.stop();
  });

  it('needs a manager token', async () => {
    for (const path of ['/api/reports', '/api/reports.csv']) {
      expect((await fetch(`${shop.s.url}${path}`)).status).toBe(401);
      const agent = await fetch(`${shop.s.url}${path}`, { headers: { authorization: `Bearer ${TOKENS.xiaomei}` } });
      expect(agent.status).toBe(403);
    }
    // The page itself is public (it asks for the token); its data is not.
    const page = await fetch(`${shop.s.url}/reports`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('数据报表');
  });

  it('reports the seeded day with the figures worked out by hand', async () => {
    const res = await fetch(`${shop.s.url}/api/reports`, { headers: auth });
    expect(res.status).toBe(200);
    const report = (await res.json()) as SourcedReport & { labels: { reasons: Record<string, string> } };
    const today = shopDay(shop.now(), 480);
    // Default: the shop's last seven days, by day.
    expect(report.to).toBe(today);
    expect(report.buckets).toHaveLength(7);
    expect(report.scanned).toBe(3);
    const t = report.totals;
    expect(t).toMatchObject({
      conversations: 3,
      buyerMessages: EXPECTED.buyerMessages,
      autoAnswered: EXPECTED.autoAnswered,
      autoReplyRate: EXPECTED.autoReplyRate,
      handoffs: EXPECTED.handoffs,
      handoffRate: EXPECTED.handoffRate,
      firstResponse: { count: 2, p50Ms: EXPECTED.p50Ms, p90Ms: EXPECTED.p90Ms },
      sla: { firstResponse: { due: 2, breached: 1 }, afterSale: { due: 0, breached: 0 } },
      csat: { count: 2, average: EXPECTED.csatAverage, scores: [0, 1, 0, 1, 0] },
      suggestions: { offered: 2, sentAsIs: 1, edited: 0, ignored: 1, acceptanceRate: 0.5 },
      deals: { count: 1, averageDiscountRate: 0.0748, averageDiscountYuan: 35, revenue: 433 },
    });
    expect(t.handoffsByReason).toMatchObject({ low_confidence: 1, explicit_request: 1, bad_review: 0 });
    expect(report.misunderstood).toEqual([expect.objectContaining({ text: EXPECTED.misunderstood, count: 2, conversations: 1 })]);
    expect(report.labels.reasons.low_confidence).toBe('机器人没听懂');
    // Everything happened today (shop time): the last bucket holds it all.
    const last = report.buckets[6];
    expect(last).toMatchObject({ key: today, buyerMessages: 8, autoAnswered: 6, handoffs: 2 });
  });

  it('cuts a day into shop-time hours', async () => {
    const today = shopDay(shop.now(), 480);
    const res = await fetch(`${shop.s.url}/api/reports?from=${today}&to=${today}&bucket=hour`, { headers: auth });
    const report = (await res.json()) as { buckets: { key: string; buyerMessages: number }[] };
    expect(report.buckets).toHaveLength(24);
    expect(report.buckets.reduce((s, b) => s + b.buyerMessages, 0)).toBe(8);
    expect(report.buckets[0]?.key).toBe(`${today} 00:00`);
  });

  it('refuses a period it cannot report, in Chinese', async () => {
    const cases: [string, string][] = [
      ['from=2026-02-30&to=2026-03-01', '不是有效日期'],
      ['from=2026-03-02&to=2026-03-01', '开始日期不能晚于结束日期'],
      ['from=2026-01-01&to=2026-06-30', '最多统计 92 天'],
      ['from=2026-03-01&to=2026-03-20&bucket=hour', '按小时统计最多 7 天'],
      ['bucket=week', '按天或按小时'],
    ];
    for (const [q, words] of cases) {
      const res = await fetch(`${shop.s.url}/api/reports?${q}`, { headers: auth });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { code: string; localized: string } };
      expect(body.error.code).toBe('BAD_FRAME');
      expect(body.error.localized).toContain(words);
    }
  });

  it('exports the same figures as CSV with a BOM for Excel', async () => {
    const res = await fetch(`${shop.s.url}/api/reports.csv?token=${MANAGER_TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="dianxiaoer-report-\d{4}-\d\d-\d\d_\d{4}-\d\d-\d\d-day\.csv"$/);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes).slice(1));
    const [head, ...body] = rows;
    expect(head?.[0]).toBe('日期');
    expect(body).toHaveLength(8); // 7 days + 合计
    for (const r of rows) expect(r).toHaveLength(head!.length);
    const total = body[7]!;
    const cell = (name: string): string => total[head!.indexOf(name)] as string;
    expect(total[0]).toBe('合计');
    expect(cell('买家消息数')).toBe('8');
    expect(cell('自动回复率(%)')).toBe('75');
    expect(cell('转人工·机器人没听懂')).toBe('1');
    expect(cell('首次响应P50(秒)')).toBe('120');
    expect(cell('首次响应P90(秒)')).toBe('480');
    expect(cell('首响超时数(>5分钟)')).toBe('1');
    expect(cell('平均评分')).toBe('3');
    expect(cell('推荐采纳率(%)')).toBe('50');
    expect(cell('平均优惠(元)')).toBe('35');
  });
});
