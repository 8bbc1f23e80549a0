/**
 * Agent console correctness in a real browser (Chromium via playwright-core, issue 10): the
 * suggestions after an angry buyer's 在吗 are still the complaint's, typing shows on the other
 * side both ways, and the close-reason picker starts fresh for every conversation. Real
 * server, engine and store (see agent-helpers.ts).
 */
import { TOKENS, say, agentConsoleInBrowser } from './agent-helpers';

const COMPLAINT = '你们服务太差了，问题根本没解决，我要投诉！';

describe('agent console (issue 10) in a browser', () => {
  const ctx = agentConsoleInBrowser();

  it('suggestions survive a 在吗, typing shows both ways, and the close-reason picker resets per conversation', async () => {
    const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${ctx.s.url}/agent`);
    await page.fill('#token-input', TOKENS.xiaomei);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#conn.ok');

    const angry = await ctx.s.buyer();
    const angryId = String(angry.frames.find((f) => f.type === 'welcome')?.['conversationId']);
    await say(angry, COMPLAINT);
    await page.waitForSelector('#suggestions .suggestion');
    const before = await page.locator('#suggestions .suggestion .stext').allTextContents();
    expect(before).toHaveLength(3);

    await say(angry, '在吗');
    await page.waitForFunction(() => document.querySelector('#history')?.textContent?.includes('在吗'));
    // The turn frame of 在吗 has arrived once the understanding panel no longer shows the complaint.
    await page.waitForFunction(() => !(document.querySelector('#intent')?.textContent ?? '差评').includes('差评'));
    const greetings = ctx.s.engine.suggest({ ...(await ctx.s.store.getConversation(angryId))!, turns: [], slots: {} }).map((x) => x.text);
    const after = await page.locator('#suggestions .suggestion .stext').allTextContents();
    expect(after).toEqual(before);
    for (const text of after) expect(text).not.toMatch(/^亲，您好，我是人工客服/);
    expect(after.filter((t) => greetings.includes(t) && !before.includes(t))).toEqual([]);

    // Buyer → agent: the console shows 买家正在输入….
    expect(await page.isVisible('#buyer-typing')).toBe(false);
    angry.send({ type: 'typing' });
    await page.waitForSelector('#buyer-typing', { state: 'visible' });
    // Agent → buyer: typing in the compose box reaches the buyer's socket.
    await page.locator('#compose-text').pressSequentially('亲');
    expect(await angry.next((f) => f.type === 'typing' && f['from'] === 'agent', 'agent typing')).toMatchObject({ from: 'agent' });

    // Close-reason picker: chosen for one conversation, fresh for the next.
    await page.selectOption('#resolution', 'spam');
    const plain = await ctx.s.buyer();
    const plainId = String(plain.frames.find((f) => f.type === 'welcome')?.['conversationId']);
    await say(plain, '转人工');
    await page.waitForSelector(`#mine li[data-id="${plainId}"]`);
    await page.click(`#mine li[data-id="${plainId}"]`);
    await page.waitForFunction((id) => document.querySelector('#mine li.current')?.getAttribute('data-id') === id, plainId);
    expect(await page.inputValue('#resolution')).toBe('resolved');
    await page.selectOption('#resolution', 'refunded');
    await page.click(`#mine li[data-id="${angryId}"]`);
    await page.waitForFunction((id) => document.querySelector('#mine li.current')?.getAttribute('data-id') === id, angryId);
    expect(await page.inputValue('#resolution')).toBe('resolved');

    await page.close();
    await Promise.all([angry.close(), plain.close()]);
  }, 90_000);
});
