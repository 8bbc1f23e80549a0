/**
 * The reports page in Chromium at desktop and phone sizes, on a shop day played through the
 * real sockets (reports-helpers.ts): the charts show the real figures (one bar per day, the
 * value labels), the tables carry the same numbers, the CSV button downloads the export, and
 * the bucket toggle redraws per hour. Screenshots to /tmp/shots.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { shopDay } from '../../src/reports/period';
import { reportsConcern } from '../../src/transport/http-reports';
import { launchChromium } from './support/browser';
import { MANAGER, startManageServer } from './manage-helpers';
import { EXPECTED, MANAGER_TOKEN, seedShopDay, startReportServer, type SeededShop } from './reports-helpers';

describe('reports page', () => {
  let shop: SeededShop;
  let browser: Browser;

  beforeAll(async () => {
    shop = await seedShopDay(await startReportServer());
    browser = await launchChromium();
    mkdirSync('/tmp/shots', { recursive: true });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await shop?.s.stop();
  });

  for (const size of [
    { name: 'desktop', width: 1280, height: 800 },
    { name: 'phone', width: 390, height: 844 },
  ]) {
    it(`(${size.name}) draws the real figures and downloads the CSV`, async () => {
      const today = shopDay(shop.now(), 480);
      const page = await browser.newPage({ viewport: { width: size.width, height: size.height }, acceptDownloads: true });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));

      // Without a token the page asks for one; a wrong one is refused.
      await page.goto(`${shop.s.url}/reports`);
      await page.waitForSelector('#login-form');
      await page.fill('#token-input', 'not-a-manager');
      await page.click('#login-form button[type=submit]');
      await page.waitForSelector('#login-error:has-text("令牌无效")');
      await page.fill('#token-input', MANAGER_TOKEN);
      await page.click('#login-form button[type=submit]');
      await page.waitForSelector('#chart-auto svg');
      // The token is not left in the address bar when given there either.
      await page.goto(`${shop.s.url}/reports?token=${MANAGER_TOKEN}`);
      await page.waitForSelector('#chart-auto svg');
      expect(new URL(page.url()).search).toBe('');

      // A week by day: 7 bars, today's at 75 % with its label.
      const bars = page.locator('#chart-auto rect.bar');
      expect(await bars.count()).toBe(7);
      const todayBar = page.locator(`#chart-auto rect.bar[data-key="${today}"]`);
      expect(await todayBar.getAttribute('data-value')).toBe(String(EXPECTED.autoReplyRate));
      expect(Number(await todayBar.getAttribute('height'))).toBeGreaterThan(100);
      if (size.name === 'desktop') expect(await page.locator('#chart-auto .value-label').allTextContents()).toEqual(['75%']);
      // Handoffs stacked by reason, with the Chinese legend.
      expect(await page.locator(`#chart-handoff rect.bar[data-key="${today}"]`).count()).toBe(2);
      expect(await page.locator('#legend-handoff li').allTextContents()).toEqual(['买家要求人工 1', '机器人没听懂 1']);
      // FRT as lines: today's p50 2 min, p90 8 min.
      expect(await page.locator(`#chart-frt circle[data-key="${today}"][data-series="p50"]`).getAttribute('data-value')).toBe('2');
      expect(await page.locator(`#chart-frt circle[data-key="${today}"][data-series="p90"]`).getAttribute('data-value')).toBe('8');
      // Cards and tables.
      const kpis = await page.locator('#kpis .kpi').allInnerTexts();
      expect(kpis.join('\n')).toContain('75%');
      expect(kpis.join('\n')).toContain('2分 / 8分');
      expect(kpis.join('\n')).toContain('3.0 ★');
      expect(await page.locator('#kpis .kpi.warn .kpi-value').allTextContents()).toEqual(['1']);
      expect(await page.locator('#table-confused tbody td.msg').allTextContents()).toEqual([EXPECTED.misunderstood]);
      const totalRow = await page.locator('#table-buckets tfoot tr').innerText();
      expect(totalRow).toContain('合计');
      expect(totalRow).toContain('75%');
      expect(totalRow).toContain('¥35');
      expect(await page.locator('#table-buckets tbody tr').count()).toBe(7);
      await page.screenshot({ path: `/tmp/shots/reports-${size.name}.png`, fullPage: true });
      await page.screenshot({ path: `/tmp/shots/reports-${size.name}-top.png` });

      // CSV download.
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#btn-csv')]);
      expect(download.suggestedFilename()).toMatch(/^客服报表_\d{4}-\d\d-\d\d_\d{4}-\d\d-\d\d_按天\.csv$/);
      const path = await download.path();
      const csv = readFileSync(path);
      expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const lines = csv.toString('utf8').slice(1).trim().split('\r\n');
      expect(lines).toHaveLength(9);
      expect(lines[0]?.startsWith('日期,咨询会话数,买家消息数')).toBe(true);
      expect(lines[8]?.startsWith('合计,3,8,6,75,')).toBe(true);

      // Per hour: today only, 24 slots, the day's messages in the noon hours.
      await page.fill('#from', today);
      await page.fill('#to', today);
      await page.click('.seg button[data-bucket="hour"]');
      await page.waitForFunction(() => document.querySelectorAll('#chart-auto rect.bar').length === 24);
      const hourly = await page
        .locator('#chart-auto rect.bar')
        .evaluateAll((els) => els.filter((e) => e.getAttribute('data-value') !== '').map((e) => e.getAttribute('data-key')));
      expect(hourly).toEqual([`${today} 12:00`]);
      await page.screenshot({ path: `/tmp/shots/reports-${size.name}-hour.png` });

      // Too many days for hours: the server's reason, in Chinese, where a phone shows it too.
      await page.fill('#from', '2026-01-01');
      await page.fill('#to', '2026-01-20');
      await page.click('#btn-refresh');
      await page.waitForSelector('#range-error:not([hidden])');
      expect(await page.locator('#range-error').innerText()).toContain('按小时统计最多 7 天');
      expect(await page.locator('#range-error').isVisible()).toBe(true);

      // A day with nothing: the empty state.
      await page.fill('#from', '2020-01-01');
      await page.fill('#to', '2020-01-01');
      await page.click('#btn-refresh');
      await page.waitForSelector('#empty:not([hidden])');
      expect(await page.locator('#range-error').isHidden()).toBe(true);
      await page.screenshot({ path: `/tmp/shots/reports-${size.name}-empty.png` });
      expect(errors).toEqual([]);
      await page.close();
    });
  }

  it('is linked from the script editor, which passes its manager sign-in along', async () => {
    // The script editor as main.ts serves it, with the reports beside it.
    const editor = await startManageServer();
    reportsConcern()(editor.running.app.context);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      await page.goto(`${editor.running.url}/manage?token=${MANAGER}`);
      await page.waitForSelector('#list-intents li');
      await page.click('#link-reports');
      await page.waitForURL(`${editor.running.url}/reports`);
      // Signed in already; a new shop has no figures yet.
      await page.waitForSelector('#empty:not([hidden])');
      expect(await page.locator('#login').isHidden()).toBe(true);
      await page.click('#link-manage');
      await page.waitForURL(`${editor.running.url}/manage`);
      await page.waitForSelector('#list-intents li');
    } finally {
      await page.close();
      await editor.stop();
    }
  });
});
