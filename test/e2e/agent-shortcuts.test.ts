/**
 * Keyboard shortcuts in the agent console (Chromium, desktop and phone): "?" shows the list,
 * Alt+J moves to the next chat (an unread one first), Alt+1/2/3 takes a suggestion into the
 * reply box, Alt+T transfers (back to the queue by default), Alt+W closes.
 */
import type { TestClient } from '../transport/harness';
import { TOKENS, say, agentConsoleInBrowser } from './agent-helpers';

const welcome = (b: TestClient) => String(b.frames.find((f) => f.type === 'welcome')?.['conversationId']);

describe('agent console keyboard shortcuts', () => {
  const ctx = agentConsoleInBrowser();

  for (const size of [
    { name: 'desktop', width: 1280, height: 800, token: TOKENS.xiaomei },
    { name: 'phone', width: 390, height: 844, token: TOKENS.ajie },
  ]) {
    it(`(${size.name}) help, next chat, accept a suggestion, transfer and close from the keyboard`, async () => {
      const page = await ctx.browser.newPage({ viewport: { width: size.width, height: size.height } });
      await page.goto(`${ctx.s.url}/agent`);
      await page.fill('#token-input', size.token);
      await page.click('#login-form button[type=submit]');
      await page.waitForSelector('#conn.ok');

      await page.keyboard.press('?');
      await page.waitForSelector('#keys-help:not([hidden])');
      const help = (await page.textContent('#keys-help')) ?? '';
      for (const k of ['Alt + J', 'Alt + 1 / 2 / 3', 'Alt + W', 'Alt + T']) expect(help).toContain(k);
      await page.screenshot({ path: `/tmp/shots/agent-keys-${size.name}.png` });
      await page.keyboard.press('Escape');
      await page.waitForSelector('#keys-help', { state: 'hidden' });

      const a = await ctx.s.buyer({ buyerId: 'B002' });
      await say(a, '东西坏了，我要给差评');
      await page.waitForSelector(`#mine .item[data-id="${welcome(a)}"]`);
      const b = await ctx.s.buyer();
      await say(b, '转人工');
      await page.waitForSelector(`#mine .item[data-id="${welcome(b)}"]`);
      if (size.name === 'phone') await page.click(`#mine .item[data-id="${welcome(a)}"]`);
      // The first chat is open; the second has an unread message.
      await say(b, '在吗？');
      await page.waitForSelector(`#mine .item[data-id="${welcome(b)}"] .unread`, { state: 'attached' });
      await page.keyboard.press('Alt+KeyJ');
      await page.waitForSelector(`#mine .item.current[data-id="${welcome(b)}"]`, { state: 'attached' });
      await page.keyboard.press('Alt+KeyK');
      await page.waitForSelector(`#mine .item.current[data-id="${welcome(a)}"]`, { state: 'attached' });

      // Alt+2 takes the second suggestion into the box; Enter sends it.
      await page.waitForSelector('#suggestions .suggestion');
      const second = (await page.locator('#suggestions .suggestion .stext').nth(1).textContent()) ?? '';
      await page.keyboard.press('Alt+Digit2');
      expect(await page.inputValue('#compose-text')).toBe(second);
      await page.press('#compose-text', 'Enter');
      expect((await a.next((f) => f.type === 'message' && f['from'] === 'agent'))['text']).toBe(second);

      // Alt+T: back to the queue (the default target); Alt+W closes the other one.
      await page.keyboard.press('Alt+KeyT');
      await a.next((f) => f.type === 'handoff' && f['status'] === 'queued', 'back in the queue');
      await page.waitForSelector(`#mine .item[data-id="${welcome(a)}"]`, { state: 'detached' });
      await page.waitForSelector(`#mine .item.current[data-id="${welcome(b)}"]`, { state: 'attached' });
      await page.keyboard.press('Alt+KeyW');
      await b.next((f) => f.type === 'handoff' && f['status'] === 'closed', 'closed');
      expect((await ctx.s.store.getConversation(welcome(b)))?.status).toBe('closed');
      // The queued chat comes back to this agent, the only one online: close it and go
      // offline, so the next size starts clean.
      await page.waitForSelector(`#mine .item[data-id="${welcome(a)}"]`, { state: 'attached' });
      const holder = (await ctx.s.store.getConversation(welcome(a)))?.assignedAgent;
      expect(holder).toBeDefined();
      await ctx.s.console.handoff.actions.close(holder!, welcome(a), 'resolved');
      await page.selectOption('#presence', 'offline');
      await page.waitForFunction(() => document.querySelector('#agents .agent.st-online') === null);
      await Promise.all([a.close(), b.close(), page.close()]);
    }, 90_000);
  }
});
