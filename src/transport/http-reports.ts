/**
 * HTTP edge of the reports: the /reports page and its data, for managers.
 *
 *   GET /reports                                          the page (src/web/reports.*)
 *   GET /api/reports?from=YYYY-MM-DD&to=YYYY-MM-DD&bucket=day|hour   JSON (src/reports/aggregate.ts)
 *   GET /api/reports.csv?…                                the same as CSV for Excel (UTF-8 with BOM)
 *
 * Auth as the script editor: a manager token as `Authorization: Bearer <token>` or `?token=`
 * (the CSV link carries it, so a plain download works). No token → 401, any other → 403. A
 * period that cannot be reported (bad date, too long) → 400 with `error.localized` in Chinese.
 */
import type { AppContext, Concern } from '../app';
import { REASON_LABELS } from '../dialogue/handoff';
import { DEFAULT_SLA } from '../handoff/sla';
import { reportCsv } from '../reports/csv';
import { MAX_DAYS, MAX_HOUR_DAYS, parsePeriod, PeriodError, type ReportPeriod } from '../reports/period';
import { ReportSource } from '../reports/source';
import { requireManager } from './http-scripts';
import { sendJson, type RouteContext } from './router';

export interface ReportsOptions {
  /** How long a built report is served again (default 30 s). */
  cacheMs?: number;
  maxConversations?: number;
}

/** The reports routes as an app concern. */
export function reportsConcern(options: ReportsOptions = {}): Concern {
  return (ctx) => registerReportRoutes(ctx, options);
}

export function registerReportRoutes(ctx: AppContext, options: ReportsOptions = {}): void {
  const { router, staticFiles } = ctx;
  const { config, store, clock, shop } = ctx.deps;
  const source = new ReportSource({
    store,
    clock,
    firstResponseMs: DEFAULT_SLA.firstResponseMs,
    resolutionMs: DEFAULT_SLA.logisticsResolutionMs,
    ...(options.cacheMs !== undefined ? { cacheMs: options.cacheMs } : {}),
    ...(options.maxConversations !== undefined ? { maxConversations: options.maxConversations } : {}),
  });

  router.get('/reports', ({ req, res }) => staticFiles.send(req, res, 'reports.html'));
  router.get('/reports.js', ({ req, res }) => staticFiles.send(req, res, 'reports.js'));
  router.get('/reports.css', ({ req, res }) => staticFiles.send(req, res, 'reports.css'));

  /** The period asked for, in the shop's time zone; a refused one is answered here (400) and yields undefined. */
  const periodOf = (c: RouteContext): ReportPeriod | undefined => {
    requireManager(config.managers, c.req, c.url);
    const q = c.url.searchParams;
    try {
      return parsePeriod({ from: q.get('from'), to: q.get('to'), bucket: q.get('bucket') }, shop.policy.utcOffsetMinutes, clock().getTime());
    } catch (err) {
      if (!(err instanceof PeriodError)) throw err;
      sendJson(c.res, 400, { error: { code: 'BAD_FRAME', message: err.message, reason: err.code, localized: err.localized } });
      return undefined;
    }
  };

  router.get('/api/reports', async (c) => {
    const period = periodOf(c);
    if (!period) return;
    const report = await source.report(period);
    sendJson(c.res, 200, {
      ...report,
      labels: { reasons: REASON_LABELS },
      limits: {
        maxDays: MAX_DAYS,
        maxHourDays: MAX_HOUR_DAYS,
        firstResponseMs: DEFAULT_SLA.firstResponseMs,
        resolutionMs: DEFAULT_SLA.logisticsResolutionMs,
      },
    });
  });

  router.get('/api/reports.csv', async (c) => {
    const period = periodOf(c);
    if (!period) return;
    const body = Buffer.from(reportCsv(await source.report(period)), 'utf8');
    const name = `dianxiaoer-report-${period.from}_${period.to}-${period.bucket}.csv`;
    c.res.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-length': body.length,
      'content-disposition': `attachment; filename="${name}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    c.res.end(body);
  });
}
