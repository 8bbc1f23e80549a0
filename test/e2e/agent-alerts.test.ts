/**
 * Not missing anything, in Chromium: the console asks for notification permission from a
 * button (granted and refused), shows a desktop notification and rings for a new chat and a
 * new buyer message, counts unread messages in the tab title, and names the chat in the
 * 首响已超时 warning. Notification and AudioContext are the browser's own, watched through
 * an init script that records what the page asked them to do.
 */
import { type BrowserContext, type Page } from 'playwright-core';
import { visitorLabel } from '../../src/search/visitor-label';
import { TOKENS, say, agentConsoleInBrowser } from './agent-helpers';

interface Watched {
  notes: { title: string; body: string }[];
  tones: number;
}

/** Records every Notification created and every tone started, then lets the real ones run. */
function watchAlerts(): void {
  const w = window as unknown as { __alerts: Watched; Notification: typeof Notification; AudioContext: typeof AudioContext };
  w.__alerts = { notes: [], tones: 0 };
  const Real = w.Notification;
  class Watching extends Real {
    constructor(title: string, options?: NotificationOptions) {
      super(title, options);
      w.__alerts.notes.push({ title, body: options?.body ?? '' });
    }
  }
  w.Notification = Watching;
  const create = w.AudioContext.prototype.createOscillator;
  w.AudioContext.prototype.createOscillator = function (this: AudioContext) {
    w.__alerts.tones += 1;
    return create.call(this);
  };
}

const alerts = (page: Page): Promise<Watched> => page.evaluate(() => (window as unknown as { __alerts: Watched }).__alerts);

describe('agent console alerts', () => {
  const ctx = agentConsoleInBrowser();

  async function open(size: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page }> {
    const context = await ctx.browser.newContext({ viewport: size });
    await context.addInitScript(watchAlerts);
    const page = await context.newPage();
    await page.goto(`${ctx.s.url}/agent`);
    await page.fill('#token-input', TOKENS.xiaomei);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#conn.ok');
    return { context, page };
  }

  it('refused permission is shown as blocked, with the button disabled', async () => {
    const { context, page } = await open({ width: 390, height: 844 });
    expect(await page.textContent('#btn-notify')).toBe('开启桌面通知');
    await page.click('#btn-notify');
    await page.waitForSelector('#btn-notify[data-permission=denied]');
    expect(await page.textContent('#btn-notify')).toBe('桌面通知被浏览器阻止');
    expect(await page.isDisabled('#btn-notify')).toBe(true);
    await page.screenshot({ path: '/tmp/shots/agent-alerts-denied-phone.png' });
    await context.close();
  }, 60_000);

  it('granted: notifies and rings for a new chat and a new message, counts unread in the title, names the chat on an SLA breach', async () => {
    const { context, page } = await open({ width: 1280, height: 800 });
    expect(await page.title()).toBe('客服工作台');
    await context.grantPermissions(['notifications'], { origin: ctx.s.url });
    await page.click('#btn-notify');
    await page.waitForSelector('#btn-notify[data-permission=granted]');
    expect(await page.textContent('#btn-notify')).toBe('桌面通知已开启');

    // A first chat: it opens at once (nothing else open), so it rings and notifies but is not unread.
    const first = await ctx.s.buyer({ buyerId: 'B001' });
    const firstId = String(first.frames.find((f) => f.type === 'welcome')?.['conversationId']);
    await say(first, '我要人工客服');
    await page.waitForSelector(`#mine .item[data-id="${firstId}"]`);
    await page.waitForFunction(() => (window as unknown as { __alerts: Watched }).__alerts.notes.length >= 1);
    let seen = await alerts(page);
    expect(seen.notes[0]).toEqual({ title: '新会话：王小明', body: '我要人工客服' });
    expect(seen.tones).toBeGreaterThan(0);
    expect(await page.title()).toBe('客服工作台');

    // A second chat while the first is open: unread 1; its next message: unread 2.
    const second = await ctx.s.buyer();
    const secondId = String(second.frames.find((f) => f.type === 'welcome')?.['conversationId']);
    const label = visitorLabel(String(second.frames.find((f) => f.type === 'welcome')?.['buyerId']));
    await say(second, '转人工');
    await page.waitForFunction(() => document.title === '(1) 客服工作台');
    const tonesBefore = (await alerts(page)).tones;
    await say(second, '我手机13755550123，在吗');
    await page.waitForFunction(() => document.title === '(2) 客服工作台');
    seen = await alerts(page);
    expect(seen.notes.map((n) => n.title)).toEqual(['新会话：王小明', `新会话：${label}`, `新消息：${label}`]);
    // On the desktop (maybe over a locked screen) the number is masked.
    expect(seen.notes[2]?.body).toBe('我手机137****0123，在吗');
    expect(seen.tones).toBeGreaterThan(tonesBefore);
    // A message in the chat being read neither rings nor counts.
    await say(first, '在吗');
    await page.waitForFunction(() => document.querySelector('#history')?.textContent?.includes('在吗'));
    expect((await alerts(page)).notes).toHaveLength(3);
    expect(await page.title()).toBe('(2) 客服工作台');
    await page.screenshot({ path: '/tmp/shots/agent-alerts-1280x800.png' });

    // Reading the second chat clears its count.
    await page.click(`#mine .item[data-id="${secondId}"]`);
    await page.waitForFunction(() => document.title === '客服工作台');

    // Muted: a new message still counts but does not ring.
    await page.click('#btn-mute');
    expect(await page.textContent('#btn-mute')).toBe('提示音：关');
    const tonesMuted = (await alerts(page)).tones;
    await say(first, '还有一个问题');
    await page.waitForFunction(() => document.title === '(1) 客服工作台');
    expect((await alerts(page)).tones).toBe(tonesMuted);

    // The first-response clock runs out: the warning says whose chat it is.
    await ctx.s.console.handoff.sweeper.sweep(Date.now() + 6 * 60_000);
    await page.waitForFunction(() => /首响 已超时/.test(document.getElementById('toast')?.textContent ?? ''));
    const toast = (await page.textContent('#toast')) ?? '';
    expect(toast === '王小明：首响 已超时！' || toast === `${label}：首响 已超时！`).toBe(true);
    await page.screenshot({ path: '/tmp/shots/agent-alerts-breach-1280x800.png' });
    await Promise.all([first.close(), second.close(), context.close()]);
  }, 60_000);
});
