/**
 * What survives a reload and what an agent sees of a buyer's past (issue 10), in Chromium
 * against the real server, engine and store:
 *  - the buyer's widget still shows 已转人工, who serves them, and their own earlier messages
 *    after the page reloads;
 *  - the agent who takes a buyer's next conversation finds the earlier, closed one in the
 *    contact panel beside the chat and opens its messages read-only.
 */
import { TOKENS, say, agentConsoleInBrowser } from './agent-helpers';
import { TestClient } from '../transport/harness';

describe('handoff across reloads and conversations, in a browser', () => {
  const ctx = agentConsoleInBrowser();

  it('the widget keeps 已转人工, the agent name and the buyer’s own messages across a reload', async () => {
    const agent = await TestClient.open(ctx.s.agentUrl(TOKENS.xiaomei));
    await agent.nextType('queue');
    const page = await ctx.browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${ctx.s.url}/storefront`);
    await page.locator('.kf-launcher').click();
    await page.locator('.kf-panel[data-conn="online"]').waitFor();
    await page.locator('.kf-input').fill('有没有发票');
    await page.locator('.kf-input').press('Enter');
    await page.locator('.kf-bot .kf-bubble').nth(1).waitFor();
    await page.locator('.kf-input').fill('我要人工客服');
    await page.locator('.kf-input').press('Enter');

    const frame = await agent.next((f) => f.type === 'conversation', 'assigned');
    const id = (frame['conversation'] as { id: string }).id;
    await page.locator('.kf-system-text', { hasText: '小美' }).waitFor();
    agent.send({ type: 'message', conversationId: id, text: '亲，我是小美，发票可以开的', id: 'm1' });
    await page.locator('.kf-agent .kf-bubble', { hasText: '发票可以开的' }).waitFor();
    const linesBefore = await page.locator('.kf-system-text').allTextContents();
    expect(linesBefore.some((t) => t.startsWith('已转人工'))).toBe(true);

    await page.reload();
    await page.locator('.kf-launcher').click();
    await page.locator('.kf-panel[data-conn="online"]').waitFor();
    // The handoff lines where they were, the header naming the agent, and the buyer's own words.
    expect(await page.locator('.kf-system-text').allTextContents()).toEqual(linesBefore);
    expect(await page.locator('.kf-status').textContent()).toContain('小美');
    expect(await page.locator('.kf-buyer .kf-bubble').allTextContents()).toEqual(['有没有发票', '我要人工客服']);
    expect(await page.locator('.kf-agent .kf-who').last().textContent()).toContain('小美');
    await page.screenshot({ path: '/tmp/shots/widget-after-reload-phone.png' });
    expect(errors).toEqual([]);
    await page.close();
    await agent.close();
  }, 90_000);

  it('the agent taking a buyer’s next conversation opens the earlier, closed one read-only from the chat', async () => {
    // B001's first conversation: handed to xiaomei and closed.
    const first = await ctx.s.buyer({ buyerId: 'B001' });
    const firstId = String(first.frames.find((f) => f.type === 'welcome')?.['conversationId']);
    const agent = await TestClient.open(ctx.s.agentUrl(TOKENS.xiaomei));
    await say(first, '衣服尺码不对想换');
    await say(first, '转人工');
    await agent.next((f) => f.type === 'conversation' && (f['conversation'] as { id: string }).id === firstId, 'first assigned');
    agent.send({ type: 'message', conversationId: firstId, text: '亲，换货已经登记好了', id: 'x1' });
    await agent.next((f) => f.type === 'ack' && f['id'] === 'x1', 'sent');
    agent.send({ type: 'close', conversationId: firstId, resolution: 'exchanged', id: 'c1' });
    await agent.next((f) => f.type === 'ack' && f['id'] === 'c1', 'closed');
    agent.send({ type: 'presence', status: 'offline', id: 'p1' });
    await agent.next((f) => f.type === 'ack' && f['id'] === 'p1', 'offline');
    await agent.close();
    await first.close();

    // Days later, a new conversation of the same buyer reaches an agent in the console.
    const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${ctx.s.url}/agent`);
    await page.fill('#token-input', TOKENS.ajie);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#conn.ok');
    const second = await ctx.s.buyer({ buyerId: 'B001' });
    const secondId = String(second.frames.find((f) => f.type === 'welcome')?.['conversationId']);
    expect(secondId).not.toBe(firstId);
    await say(second, '转人工');
    await page.waitForSelector(`#mine li[data-id="${secondId}"]`);
    await page.click(`#mine li[data-id="${secondId}"]`);

    // The contact panel beside the chat lists the closed conversation …
    const past = page.locator(`#contact .past-item[data-id="${firstId}"]`);
    await past.waitFor();
    expect(await past.textContent()).toContain('已结束');
    // … and opens its messages read-only: no compose box, no way to send into it.
    await past.click();
    await page.waitForSelector('#record:not([hidden]) #record-history .msg');
    const record = await page.textContent('#record-history');
    expect(record).toContain('衣服尺码不对想换');
    expect(record).toContain('亲，换货已经登记好了');
    expect(await page.locator('#record textarea, #record input[type=text]').count()).toBe(0);
    expect(await page.locator('#record-actions button').count()).toBe(0);
    await page.screenshot({ path: '/tmp/shots/console-earlier-conversation.png' });
    await page.click('#record-close');
    expect(await page.isVisible('#record')).toBe(false);
    await page.close();
    await second.close();
  }, 90_000);
});
