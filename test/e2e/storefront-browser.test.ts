/**
 * The storefront widget in a real browser (Debian chromium via playwright-core) against the
 * real server, engine and store: ask a question and see the bot's answer, markup typed by a
 * buyer shows as text, the conversation survives a reload, a handoff shows 已转人工客服, a
 * visitor who picks a demo buyer gets that buyer's own parcel tracked, on a phone the chat
 * launcher never sits on the shop's buttons, and the layout at desktop and phone sizes is
 * saved to /tmp/shots for a person to look at.
 */
import { mkdirSync } from 'node:fs';
import { type Browser, type Page } from 'playwright-core';
import { startServer, type Running } from '../transport/harness';
import { realEngine } from './real-engine';
import { launchChromium } from './support/browser';

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN' } as const;
const SHOTS = '/tmp/shots';

describe('storefront widget in Chromium', () => {
  let server: Running;
  let browser: Browser;

  beforeAll(async () => {
    const { engine, shop } = realEngine();
    server = await startServer({ engine, shop, env: { LOG_LEVEL: 'warn' } });
    browser = await launchChromium();
    mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function openChat(page: Page): Promise<void> {
    await page.goto(`${server.url}/storefront`);
    await page.locator('.kf-launcher').click();
    await page.locator('.kf-panel[data-conn="online"]').waitFor();
    await page.locator('.kf-bot .kf-bubble').first().waitFor(); // the greeting
  }

  async function say(page: Page, text: string): Promise<void> {
    await page.locator('.kf-input').fill(text);
    await page.locator('.kf-input').press('Enter');
  }

  it('answers a typed question, shows markup as text, keeps the conversation across a reload', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await openChat(page);
    await page.locator('#product-name').filter({ hasNotText: '热卖新品' }).waitFor();

    await say(page, '能开发票吗');
    await page.locator('.kf-buyer[data-state="sent"]').first().waitFor();
    const reply = page.locator('.kf-bot .kf-bubble').nth(1);
    await reply.waitFor();
    expect(await reply.textContent()).toMatch(/发票/);

    const attack = '<img src=x onerror="window.__pwned=1">在吗';
    await say(page, attack);
    const bubble = page.locator('.kf-buyer .kf-bubble').last();
    await page.locator('.kf-bot .kf-bubble').nth(2).waitFor();
    expect(await bubble.textContent()).toBe(attack);
    expect(await page.locator('.kf-messages img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

    await page.screenshot({ path: `${SHOTS}/storefront-desktop.png` });

    const before = await page.locator('.kf-msg').count();
    await page.reload();
    await page.locator('.kf-launcher').click();
    await page.locator('.kf-panel[data-conn="online"]').waitFor();
    expect(await page.locator('.kf-msg').count()).toBe(before);
    expect(await page.locator('.kf-buyer .kf-bubble').last().textContent()).toBe(attack);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('keeps an over-long message in the box and says how much too long, instead of cutting it', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const page = await context.newPage();
    await openChat(page);
    const long = '这件衣服'.repeat(150); // 600 characters, the server's limit is 500
    await say(page, long);
    await page.locator('.kf-notice:not([hidden])').waitFor();
    expect(await page.locator('.kf-notice').textContent()).toContain('600/500');
    expect(await page.locator('.kf-input').inputValue()).toBe(long); // nothing lost
    expect(await page.locator('.kf-buyer').count()).toBe(0); // nothing sent
    // Shortened, it goes out.
    await page.locator('.kf-input').fill(long.slice(0, 40));
    await page.locator('.kf-input').press('Enter');
    await page.locator('.kf-buyer[data-state="sent"]').first().waitFor();
    await context.close();
  });

  it('shows 已转人工客服 when the bot hands off, on a phone-sized screen', async () => {
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    await page.goto(`${server.url}/storefront`);
    await page.screenshot({ path: `${SHOTS}/storefront-phone-closed.png` });
    await page.locator('.kf-launcher').click();
    await page.locator('.kf-panel[data-conn="online"]').waitFor();
    await page.locator('.kf-bot .kf-bubble').first().waitFor();
    // The panel fills the phone screen.
    const box = await page.locator('.kf-panel').boundingBox();
    expect(box?.width).toBe(390);

    await say(page, '能便宜点吗');
    await page.locator('.kf-bot .kf-bubble').nth(1).waitFor();
    await page.screenshot({ path: `${SHOTS}/storefront-phone.png` });
    await say(page, '转人工');
    await page.locator('.kf-system-text', { hasText: '已转人工客服' }).waitFor();
    await page.locator('.kf-banner', { hasText: '已转人工客服' }).waitFor();
    await page.screenshot({ path: `${SHOTS}/storefront-phone-handoff.png` });
    await context.close();
  });

  /** Texts of the page elements matching `selector` that the chat launcher's box overlaps. */
  function coveredByLauncher(selector: string): string[] {
    const launcher = document.getElementById('kefu-widget')?.shadowRoot?.querySelector('.kf-launcher');
    const l = launcher?.getBoundingClientRect();
    if (!l || l.width === 0) return ['(no launcher on screen)'];
    const covered = Array.from(document.querySelectorAll(selector)).filter((e) => {
      const r = e.getBoundingClientRect();
      return r.width > 0 && r.left < l.right && r.right > l.left && r.top < l.bottom && r.bottom > l.top;
    });
    return covered.map((e) => (e.textContent ?? '').trim() || e.tagName);
  }

  /** Waits for the launcher to settle clear of `selector`; returns what it still covers. */
  async function coveredAfterSettling(page: Page, selector: string): Promise<string[]> {
    await page
      .waitForFunction(
        (sel) => {
          const launcher = document.getElementById('kefu-widget')?.shadowRoot?.querySelector('.kf-launcher');
          const l = launcher?.getBoundingClientRect();
          if (!l || l.width === 0) return false;
          return Array.from(document.querySelectorAll(sel)).every((e) => {
            const r = e.getBoundingClientRect();
            return !(r.width > 0 && r.left < l.right && r.right > l.left && r.top < l.bottom && r.bottom > l.top);
          });
        },
        selector,
        { timeout: 10_000 },
      )
      .catch(() => undefined); // the assertion below says what is covered
    return page.evaluate(coveredByLauncher, selector);
  }

  it("keeps the chat launcher off the shop's buttons on a phone, and leaves room for it at the end of the page", async () => {
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${server.url}/storefront`);
    await page.locator('#product-name').filter({ hasNotText: '热卖新品' }).waitFor();
    const launcher = page.locator('.kf-launcher');
    await launcher.waitFor();
    // The page fills in parts (product, demo buyers, the chat's greeting) after it shows; measure
    // once nothing is loading any more, or a later change of height moves what we measured.
    await page.waitForLoadState('networkidle');

    // As the page first shows: the buy buttons sit near the bottom of the screen.
    expect(await coveredAfterSettling(page, '.actions .btn')).toEqual([]);
    const box = await launcher.boundingBox();
    expect(box && box.x >= 0 && box.y >= 0 && box.x + box.width <= 390 && box.y + box.height <= 844).toBe(true);
    await page.screenshot({ path: `${SHOTS}/storefront-phone-launcher.png` });

    // Scrolled to the end: the last lines of the page can be read beside the launcher.
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    expect(await coveredAfterSettling(page, '.actions .btn, .promises li')).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/storefront-phone-launcher-end.png` });

    // A shop page with its own fixed bar of buttons at the bottom (common on phones), added while
    // the page is scrolled to its end.
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await page.evaluate(() => {
      const bar = document.createElement('div');
      bar.id = 'shop-bottom-bar';
      bar.style.cssText = 'position:fixed;left:0;right:0;bottom:0;height:56px;display:flex;background:#fff;z-index:10';
      for (const label of ['加入购物车', '立即购买']) {
        const b = document.createElement('button');
        b.textContent = label;
        b.style.cssText = 'flex:1;margin:6px;border:0;border-radius:20px;background:#ff5000;color:#fff';
        bar.appendChild(b);
      }
      document.body.appendChild(bar);
    });
    expect(await coveredAfterSettling(page, '#shop-bottom-bar button')).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/storefront-phone-launcher-shop-bar.png` });

    // Where it moved to, it still opens the chat.
    await launcher.tap();
    await page.locator('.kf-panel[data-conn="online"]').waitFor();
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it.each([
    ['desktop', { viewport: { width: 1280, height: 800 } }],
    ['phone', { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }],
  ] as const)('lets a visitor chat as a demo buyer and tracks her parcel (%s)', async (size, view) => {
    const lina = server.app.context.deps.shop.buyer('B002');
    const order = server.app.context.deps.shop.ordersByBuyer('B002')[0];
    const courier = server.app.context.deps.shop.courierName(order?.shipment?.carrier ?? '');
    expect(lina && order?.shipment).toBeTruthy();
    const context = await browser.newContext({ ...view, locale: 'zh-CN' });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${server.url}/storefront`);
    const switcher = page.locator('#demo-buyer');
    await page.locator('#demo-bar:not([hidden])').waitFor();
    await page.screenshot({ path: `${SHOTS}/storefront-demo-buyers-${size}.png` });
    await Promise.all([page.waitForURL(/buyer=B002/), switcher.selectOption('B002')]);

    // The page reloads as 李娜: the chat opens, greets her by name and knows her order.
    await page.locator('.kf-panel[data-conn="online"]').waitFor();
    expect(await switcher.inputValue()).toBe('B002');
    await page.locator('.kf-bot .kf-bubble', { hasText: lina!.name }).first().waitFor();
    // The phone run finds the conversation the desktop run left: count what is there already.
    const before = await page.locator('.kf-bot .kf-bubble').count();
    await say(page, '我的快递到哪了');
    const reply = page.locator('.kf-bot .kf-bubble').nth(before);
    await reply.waitFor();
    const text = (await reply.textContent()) ?? '';
    expect(text).toContain(courier);
    expect(text).toContain(order!.shipment!.trackingNumber);
    await page.screenshot({ path: `${SHOTS}/storefront-as-buyer-${size}.png` });

    // Back to anonymous: a different conversation, without her messages.
    await Promise.all([page.waitForURL((u) => !u.searchParams.has('buyer')), switcher.selectOption('')]);
    await page.locator('.kf-launcher').click();
    await page.locator('.kf-panel[data-conn="online"]').waitFor();
    await page.locator('.kf-bot .kf-bubble').first().waitFor();
    expect(await page.locator('.kf-messages').textContent()).not.toContain(order!.shipment!.trackingNumber);
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
