/**
 * The agent console on a phone (Chromium at 390 wide): when the on-screen keyboard takes the
 * lower part of the screen (the visual viewport shrinks; simulated by shrinking the window),
 * the newest message and the reply box both stay visible, and the reply box grows with the
 * text and shrinks back after sending. Screenshots to /tmp/shots.
 */
import { type Page } from 'playwright-core';
import { TOKENS, say, agentConsoleInBrowser } from './agent-helpers';

function newestMessageInView(): boolean {
  const history = document.getElementById('history');
  const last = history?.lastElementChild;
  if (!history || !last) return false;
  const box = history.getBoundingClientRect();
  const msg = last.getBoundingClientRect();
  return (
    box.height > 0 && msg.top >= box.top - 1 && msg.bottom <= box.bottom + 1 && msg.bottom <= (window.visualViewport?.height ?? window.innerHeight)
  );
}

async function composeBottom(page: Page): Promise<number> {
  const b = await page.locator('#compose-text').boundingBox();
  return b ? b.y + b.height : Infinity;
}

describe('agent console on a phone', () => {
  const ctx = agentConsoleInBrowser();

  it('keeps the newest message and the reply box in view with the keyboard up, and the box grows with the text', async () => {
    const page = await ctx.browser.newPage({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
    await page.goto(`${ctx.s.url}/agent`);
    await page.fill('#token-input', TOKENS.xiaomei);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#conn.ok');
    const buyer = await ctx.s.buyer({ buyerId: 'B001' });
    const id = String(buyer.frames.find((f) => f.type === 'welcome')?.['conversationId']);
    for (const text of ['你好', '我的卫衣发货了吗', '什么时候能到', '我要人工客服']) await say(buyer, text);
    await page.click(`#mine .item[data-id="${id}"]`);
    await say(buyer, '最后一句：麻烦快点');
    await page.waitForFunction(() => document.querySelector('#history')?.lastElementChild?.textContent?.includes('最后一句'));

    // The keyboard opens: the visible area is 844 - 384 tall.
    await page.tap('#compose-text');
    await page.setViewportSize({ width: 390, height: 460 });
    await page.waitForSelector('body.kbd-open');
    await page.waitForFunction(newestMessageInView);
    expect(await composeBottom(page)).toBeLessThanOrEqual(460);
    const oneLine = (await page.locator('#compose-text').boundingBox())!.height;

    // Several lines: the box grows, the newest message and the box stay in view.
    await page.keyboard.type('亲，您好');
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Shift+Enter');
      await page.keyboard.type(`第${i + 2}行说明`);
    }
    const grown = (await page.locator('#compose-text').boundingBox())!.height;
    expect(grown).toBeGreaterThan(oneLine);
    expect(grown).toBeLessThanOrEqual(Math.round(460 / 3) + 2);
    expect(await composeBottom(page)).toBeLessThanOrEqual(460);
    expect(await page.evaluate(newestMessageInView)).toBe(true);
    await page.screenshot({ path: '/tmp/shots/agent-phone-keyboard.png' });

    // Sent: the box is back to one line and the reply is the newest message, in view.
    await page.keyboard.press('Enter');
    expect(String((await buyer.next((f) => f.type === 'message' && f['from'] === 'agent'))['text'])).toContain('第5行说明');
    await page.waitForFunction(() => document.querySelector('#history')?.lastElementChild?.classList.contains('from-agent'));
    await page.waitForFunction((h) => (document.getElementById('compose-text')?.getBoundingClientRect().height ?? 999) <= h + 1, oneLine);
    await page.waitForFunction(newestMessageInView);

    // The keyboard closes: the full console is back.
    await page.locator('#compose-text').blur();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForSelector('body:not(.kbd-open)');
    expect(await page.isVisible('.top')).toBe(true);
    await page.screenshot({ path: '/tmp/shots/agent-phone-keyboard-closed.png' });
    await page.close();
    await buyer.close();
  }, 90_000);
});
