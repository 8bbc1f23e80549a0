/**
 * The agent console in a real browser (Chromium via playwright-core): log in with the
 * agent's token, receive a handed-off conversation, click a suggested reply, and the buyer's
 * socket receives it. The server runs the real dialogue engine (see agent-helpers.ts). Screenshots of /agent go to /tmp/shots for a human to look at.
 */
import { queuePriority } from '../../src/handoff/priority';
import { HANDOFF_REASON_LABELS, PRIORITY_LABELS } from '../../src/model/labels';
import type { Suggestion } from '../../src/model/conversation';
import { TOKENS, say, agentConsoleInBrowser } from './agent-helpers';

/** Whether the newest message of the open conversation is inside the history's visible area. */
function newestMessageInView(): boolean {
  const history = document.getElementById('history');
  const last = history?.lastElementChild;
  if (!history || !last) return false;
  const box = history.getBoundingClientRect();
  const msg = last.getBoundingClientRect();
  return box.height > 0 && msg.top >= box.top - 1 && msg.bottom <= box.bottom + 1;
}

describe('agent console in a browser', () => {
  const ctx = agentConsoleInBrowser({ env: { METRICS_PUBLIC: 'true' } });

  it('logs in, receives a handed-off chat, and a clicked suggestion reaches the buyer', async () => {
    const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${ctx.s.url}/agent`);
    await page.fill('#token-input', TOKENS.xiaomei);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#conn.ok');
    expect(await page.textContent('#agent-name')).toBe('小美');

    // A demo-shop buyer, so the order card shows their order.
    const buyer = await ctx.s.buyer({ buyerId: 'B002' });
    const conversationId = String(buyer.frames.find((f) => f.type === 'welcome')?.['conversationId']);
    await say(buyer, '东西坏了，我要给差评 <img src=x onerror="window.__pwned=1">');
    await page.waitForSelector('#suggestions .suggestion');
    // The console shows the engine's own ranked suggestions, each with its reason.
    const conv = await ctx.s.store.getConversation(conversationId);
    expect(conv?.status).toBe('agent');
    const expected: Suggestion[] = ctx.s.engine.suggest(conv!);
    expect(expected).toHaveLength(3);
    expect(expected[0]?.templateId).toMatch(/^bad_review\.complaint\//);
    expect(await page.locator('#suggestions .suggestion .stext').allTextContents()).toEqual(expected.map((x) => x.text));
    expect(await page.locator('#suggestions .suggestion .sreason').allTextContents()).toEqual(expected.map((x) => `理由：${x.reason}`));
    const order = ctx.s.shop.ordersByBuyer('B002')[0];
    expect(order).toBeDefined();
    const card = (await page.textContent('#order')) ?? '';
    expect(card).toContain(`订单 ${order!.number}`);
    for (const item of order!.items) expect(card).toContain(item.name);
    // Buyer text is shown as text, never as markup.
    expect(await page.locator('#history img').count()).toBe(0);
    expect(await page.locator('#history').textContent()).toContain('<img src=x onerror=');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.textContent('#intent')).toContain('差评/投诉');
    // The handoff's priority and reason in words, from /labels.js (src/model/labels.ts).
    const { reason } = conv!.handoff!;
    expect(await page.locator('#conv-meta .prio').textContent()).toBe(PRIORITY_LABELS[queuePriority(conv!.handoff!, conv!)]);
    expect(await page.locator('#conv-meta .reason').textContent()).toBe(HANDOFF_REASON_LABELS[reason]);

    // The newest message is in view, not hidden below the suggestions.
    expect(await page.evaluate(newestMessageInView)).toBe(true);
    await page.screenshot({ path: '/tmp/shots/agent-1280x800.png' });

    await page.locator('#suggestions .send-suggestion').first().click();
    const got = await buyer.next((f) => f.type === 'message' && f['from'] === 'agent', 'agent message');
    expect(got['text']).toBe(expected[0]?.text);
    await page.waitForSelector('#history .from-agent');
    // Answered: the first-response countdown is gone from the conversation.
    await page.waitForFunction(() => !document.querySelector('#conv-meta')?.textContent?.includes('首响'));

    // Edit-then-send: the edited text is what the buyer gets.
    await page.locator('#suggestions .edit-suggestion').nth(1).click();
    await page.fill('#compose-text', '亲，麻烦提供一下订单号，我帮您加急处理');
    await page.click('#btn-send');
    expect((await buyer.next((f) => f.type === 'message' && f['from'] === 'agent'))['text']).toBe('亲，麻烦提供一下订单号，我帮您加急处理');
    const metrics = await (await fetch(`${ctx.s.url}/metrics`)).text();
    expect(metrics).toContain(`kefu_suggestions_total{template="${expected[0]?.templateId}",use="sent_as_is"} 1`);
    expect(metrics).toContain(`kefu_suggestions_total{template="${expected[1]?.templateId}",use="edited"} 1`);

    // Phone-sized screen: lists first, tapping a conversation opens it.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.click('.tabs button[data-view=side]');
    expect(await page.isVisible('#history')).toBe(false);
    await page.screenshot({ path: '/tmp/shots/agent-390x844-queue.png' });
    await page.click('#mine .mine-item');
    expect(await page.isVisible('#history')).toBe(true);
    // The reply box and the newest message both fit on the phone screen without scrolling.
    expect(await page.evaluate(newestMessageInView)).toBe(true);
    const compose = await page.locator('#compose-text').boundingBox();
    expect(compose && compose.y + compose.height <= 844).toBe(true);
    await page.screenshot({ path: '/tmp/shots/agent-390x844-chat.png' });
    await page.close();
    await buyer.close();
  }, 60_000);

  it('shows on the order card the new address the buyer confirmed with the bot, to copy into the order', async () => {
    const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${ctx.s.url}/agent`);
    await page.fill('#token-input', TOKENS.xiaomei);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#conn.ok');

    const buyer = await ctx.s.buyer({ buyerId: 'B001' });
    for (const text of ['我要改地址', '收货地址改成上海市浦东新区世纪大道100号', '对的', '我要人工客服']) await say(buyer, text);
    const conversationId = String(buyer.frames.find((f) => f.type === 'welcome')?.['conversationId']);
    // The first test's chat may still be open; pick this buyer's from the agent's list.
    // The list is redrawn as queue and presence frames arrive; a click that lands on an item just
    // replaced is lost, so click until this chat is the open one.
    const item = `#mine .mine-item[data-id="${conversationId}"]`;
    for (let tries = 0; tries < 5; tries++) {
      await page.click(item);
      const opened = await page.waitForSelector(`${item}.current`, { timeout: 5000 }).then(
        () => true,
        () => false,
      );
      if (opened) break;
    }
    await page.waitForSelector('#order .remarks');
    const remarks = (await page.textContent('#order .remarks')) ?? '';
    expect(remarks).toContain('买家确认改地址');
    expect(remarks).toContain('世纪大道100号');
    expect(remarks).toContain('138****5678');
    expect(remarks).not.toContain('13812345678');
    await page.screenshot({ path: '/tmp/shots/agent-order-remarks.png' });
    await page.close();
    await buyer.close();
  }, 60_000);
  it("shows tracking events with the date, in the shop's time zone even from a browser elsewhere", async () => {
    // The agent works from New York; the shop (and its buyers) are on UTC+8.
    const context = await ctx.browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: 'America/New_York' });
    const page = await context.newPage();
    await page.goto(`${ctx.s.url}/agent`);
    await page.fill('#token-input', TOKENS.xiaomei);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#conn.ok');

    const buyer = await ctx.s.buyer({ buyerId: 'B002' });
    await say(buyer, '我要人工客服');
    const conversationId = String(buyer.frames.find((f) => f.type === 'welcome')?.['conversationId']);
    await page.click(`#mine .mine-item[data-id="${conversationId}"]`);
    await page.waitForSelector('#order .events li');
    const shown = (await page.locator('#order .events li').first().textContent()) ?? '';
    const order = ctx.s.shop.ordersByBuyer('B002')[0]!;
    const events = ctx.s.shop.trackingEvents(order.number);
    const latest = events[events.length - 1]!;
    const offset = ctx.s.shop.policy.utcOffsetMinutes;
    const wall = new Date(Date.parse(latest.at) + offset * 60_000);
    const p2 = (n: number) => String(n).padStart(2, '0');
    const expected = `${p2(wall.getUTCMonth() + 1)}-${p2(wall.getUTCDate())} ${p2(wall.getUTCHours())}:${p2(wall.getUTCMinutes())}`;
    expect(shown.startsWith(`${expected} `)).toBe(true);
    expect(shown).toContain(latest.description);
    await page.screenshot({ path: '/tmp/shots/agent-tracking-dates.png' });
    await context.close();
    await buyer.close();
  }, 60_000);
});
