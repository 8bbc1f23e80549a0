/**
 * Tags and the buyer's rating at close, end to end: an agent tags the open chat in the
 * console (Chromium), the tag is searchable and counted; the agent closes the chat and the
 * widget (Chromium, as the buyer) asks for 1-5 stars and a line, which is recorded once, shown
 * to agents and counted in the metrics. Desktop and phone sizes. Screenshots to /tmp/shots.
 */
import { readCsat } from '../../src/annotations/csat';
import type { SearchHit } from '../../src/search/conversation-search';
import { TestClient, type Frame } from '../transport/harness';
import { TOKENS, agentConsoleInBrowser } from './agent-helpers';

describe('tags and CSAT', () => {
  const ctx = agentConsoleInBrowser();

  const sizes = [
    { name: 'desktop', width: 1280, height: 800, tag: '催发货', score: 4, comment: '客服很耐心' },
    { name: 'phone', width: 390, height: 844, tag: '质量问题', score: 2, comment: '' },
  ];
  for (const size of sizes) {
    it(`(${size.name}) the agent tags the chat, closes it, and the buyer rates it in the widget`, async () => {
      const viewport = { width: size.width, height: size.height };
      // The buyer on the storefront, in the widget.
      const shopPage = await ctx.browser.newPage({ viewport });
      await shopPage.goto(`${ctx.s.url}/storefront`);
      await shopPage.locator('.kf-launcher').click();
      await shopPage.locator('.kf-panel[data-conn="online"]').waitFor();

      // The agent in the console.
      const ajieWs = await TestClient.open(ctx.s.agentUrl(TOKENS.ajie));
      await ajieWs.nextType('hello');
      const page = await ctx.browser.newPage({ viewport });
      await page.goto(`${ctx.s.url}/agent`);
      await page.fill('#token-input', TOKENS.xiaomei);
      await page.click('#login-form button[type=submit]');
      await page.waitForSelector('#conn.ok');
      // Only the console's agent takes chats in this test.
      ajieWs.send({ type: 'presence', status: 'offline', id: 'off' });
      await ajieWs.next((f: Frame) => f.type === 'ack' && f['id'] === 'off');

      await shopPage.locator('.kf-input').fill('我要人工客服');
      await shopPage.locator('.kf-input').press('Enter');
      await page.waitForSelector('#mine .item');
      const id = await page.locator('#mine .item').first().getAttribute('data-id');
      expect(id).toBeTruthy();
      if (size.name === 'phone') await page.click(`#mine .item[data-id="${id}"]`);

      // Tag it.
      await page.fill('#tag-input', size.tag);
      await page.press('#tag-input', 'Enter');
      await page.waitForSelector(`#conv-tags .tag[data-tag="${size.tag}"]`);
      await page.fill('#tag-input', '临时');
      await page.press('#tag-input', 'Enter');
      await page.waitForSelector('#conv-tags .tag[data-tag="临时"]');
      await page.click('#conv-tags .tag[data-tag="临时"] .tag-remove');
      await page.waitForSelector('#conv-tags .tag[data-tag="临时"]', { state: 'detached' });
      await page.screenshot({ path: `/tmp/shots/agent-tags-${size.name}.png` });
      const headers = { authorization: `Bearer ${TOKENS.ajie}` };
      const search = async (tag: string): Promise<SearchHit[]> =>
        ((await (await fetch(`${ctx.s.url}/api/agent/search?tag=${encodeURIComponent(tag)}`, { headers })).json()) as { results: SearchHit[] })
          .results;
      expect((await search(size.tag)).map((h) => [h.id, h.tags])).toEqual([[id, [size.tag]]]);
      expect(await search('临时')).toEqual([]);
      expect(await ctx.s.console.metrics.render()).toContain(`kefu_conversation_tags_total{tag="${size.tag}"} 1`);
      const refused = await fetch(`${ctx.s.url}/api/agent/conversations/${id}/tags`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ tag: '<b>太长太长太长太长太长了</b>' }),
      });
      expect(refused.status).toBe(400);

      // Not closed yet: the rating is refused.
      const session = await shopPage.evaluate(() => {
        const key = Object.keys(localStorage).find((k) => k.startsWith('kefu:'))!;
        return JSON.parse(localStorage.getItem(key)!) as { buyerId: string; resumeToken: string; conversationId: string };
      });
      const rate = (body: Record<string, unknown>) =>
        fetch(`${ctx.s.url}/api/csat`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ ...session, ...body }) });
      expect((await rate({ score: 5 })).status).toBe(409);

      // Close: the widget asks for the rating.
      await page.click('#btn-close');
      await shopPage.locator('.kf-csat .kf-star').first().waitFor();
      expect(await shopPage.locator('.kf-csat-send').isDisabled()).toBe(true);
      await shopPage.locator(`.kf-csat .kf-star[data-score="${size.score}"]`).click();
      if (size.comment) await shopPage.locator('.kf-csat-comment').fill(size.comment);
      await shopPage.screenshot({ path: `/tmp/shots/widget-csat-${size.name}.png` });
      await shopPage.locator('.kf-csat-send').click();
      await shopPage.locator('.kf-csat-thanks').waitFor();
      expect(await readCsat(ctx.s.store, id!)).toMatchObject({ score: size.score, ...(size.comment ? { comment: size.comment } : {}) });
      expect(await ctx.s.console.metrics.render()).toContain(`kefu_csat_answers_total{score="${size.score}"} 1`);

      // Once only; a wrong token or a stranger's conversation is refused.
      expect(await (await rate({ score: 1 })).json()).toEqual({ recorded: false, score: size.score });
      expect((await rate({ score: 1, resumeToken: 'not-the-token' })).status).toBe(401);
      expect((await rate({ score: 9 })).status).toBe(400);

      // Agents see the rating with the chat.
      const [hit] = await search(size.tag);
      expect(hit?.csat).toMatchObject({ score: size.score });
      if (size.name === 'phone') await page.click('.tabs button[data-view=side]');
      await page.fill('#search-q', '');
      await page.click('#btn-filters');
      await page.fill('#search-tag', size.tag);
      await page.click('#btn-search');
      await page.waitForSelector(`#search-results .result[data-id="${id}"] .badge.csat`);
      expect(await page.textContent(`#search-results .result[data-id="${id}"] .badge.csat`)).toBe(
        `评价 ${'★'.repeat(size.score)}${'☆'.repeat(5 - size.score)}`,
      );
      await page.screenshot({ path: `/tmp/shots/agent-csat-${size.name}.png` });
      await Promise.all([page.close(), shopPage.close(), ajieWs.close()]);
    }, 90_000);
  }
});
