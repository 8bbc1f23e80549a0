/**
 * Finding conversations in the agent console: the search API over the real store (closed
 * chats included, phones masked, views and filters), the visitor label of anonymous buyers,
 * and the console in Chromium: search finds a closed chat, its record opens read-only with the
 * buyer's contact panel (past chats and orders), at desktop and phone sizes. Screenshots go
 * to /tmp/shots.
 */
import { mkdirSync } from 'node:fs';
import { type Browser, type Page } from 'playwright-core';
import { visitorLabel } from '../../src/search/visitor-label';
import type { SearchHit } from '../../src/search/conversation-search';
import { TestClient, type Frame } from '../transport/harness';
import { TOKENS, say, startAgentServer, type AgentServer } from './agent-helpers';
import { launchChromium } from './support/browser';

const isConv = (id: string) => (f: Frame) => f.type === 'conversation' && (f['conversation'] as { id: string }).id === id;

function welcomeOf(b: TestClient): string {
  return String(b.frames.find((f) => f.type === 'welcome')?.['conversationId']);
}

describe('finding conversations', () => {
  let s: AgentServer;
  let browser: Browser;
  let closedId: string;
  let anonId: string;
  let anonBuyerId: string;

  async function search(params: Record<string, string>, token = TOKENS.ajie): Promise<SearchHit[]> {
    const r = await fetch(`${s.url}/api/agent/search?${new URLSearchParams(params)}`, { headers: { authorization: `Bearer ${token}` } });
    expect(r.status).toBe(200);
    return ((await r.json()) as { results: SearchHit[] }).results;
  }

  beforeAll(async () => {
    s = await startAgentServer();
    browser = await launchChromium();
    mkdirSync('/tmp/shots', { recursive: true });

    // 王小明 (B001) talks to xiaomei, who answers and closes the chat.
    const xiaomei = await TestClient.open(s.agentUrl(TOKENS.xiaomei));
    await xiaomei.nextType('hello');
    const known = await s.buyer({ buyerId: 'B001' });
    closedId = welcomeOf(known);
    await say(known, '我的卫衣什么时候发货，急用');
    await say(known, '转人工');
    await xiaomei.next(isConv(closedId), 'B001 conversation');
    xiaomei.send({ type: 'message', conversationId: closedId, text: '亲，今天下午就安排发出哈', id: 'a1' });
    await xiaomei.next((f) => f.type === 'ack' && f['id'] === 'a1');
    xiaomei.send({ type: 'close', conversationId: closedId, resolution: 'resolved', id: 'c1' });
    await xiaomei.next((f) => f.type === 'released' && f['conversationId'] === closedId);
    xiaomei.send({ type: 'presence', status: 'offline', id: 'p1' });
    await xiaomei.next((f) => f.type === 'ack' && f['id'] === 'p1');
    await xiaomei.close();

    // An anonymous visitor leaves a phone number and waits in the queue (nobody online).
    const anon = await s.buyer();
    anonId = welcomeOf(anon);
    anonBuyerId = String(anon.frames.find((f) => f.type === 'welcome')?.['buyerId']);
    await say(anon, '我手机13755550123，快递一直不动');
    await say(anon, '我要人工');
    await anon.next((f) => f.type === 'handoff' && f['status'] === 'queued', 'queued');
    await Promise.all([known.close(), anon.close()]);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await s?.stop();
  });

  it('finds a closed chat by buyer name, order number, phone and words, and filters by view, agent and date', async () => {
    const byName = await search({ q: '王小明', view: 'closed' });
    expect(byName.map((h) => h.id)).toEqual([closedId]);
    expect(byName[0]).toMatchObject({
      status: 'closed',
      resolution: 'resolved',
      label: '王小明',
      known: true,
      matchedBy: 'buyer',
      agents: ['xiaomei'],
    });

    const order = s.shop.ordersByBuyer('B001')[0]!.number;
    expect((await search({ q: order })).map((h) => [h.id, h.matchedBy])).toEqual([[closedId, 'order']]);

    // A phone on the buyer's orders: found, and shown masked.
    const byPhone = await search({ q: '13812345678' });
    expect(byPhone.map((h) => h.id)).toEqual([closedId]);
    expect(byPhone[0]?.snippet).toBe('手机 138****5678');
    expect(JSON.stringify(byPhone)).not.toContain('13812345678');

    // A phone the visitor typed: found, masked in the snippet and the last message.
    const typed = await search({ q: '13755550123' });
    expect(typed.map((h) => h.id)).toEqual([anonId]);
    expect(JSON.stringify(typed)).not.toContain('13755550123');
    expect(typed[0]?.snippet).toContain('137****0123');

    const byWords = await search({ q: '下午就安排' });
    expect(byWords.map((h) => [h.id, h.matchedBy])).toEqual([[closedId, 'text']]);
    expect(byWords[0]?.snippet).toContain('今天下午就安排发出');

    // Views and filters.
    expect((await search({ view: 'queued' })).map((h) => h.id)).toEqual([anonId]);
    expect((await search({ view: 'open' })).map((h) => h.id)).toEqual([anonId]);
    expect((await search({ view: 'mine' }, TOKENS.xiaomei)).map((h) => h.id)).toEqual([]);
    expect((await search({ agent: 'xiaomei' })).map((h) => h.id)).toEqual([closedId]);
    expect((await search({ agent: 'ajie' })).map((h) => h.id)).toEqual([]);
    expect((await search({ view: 'all', intent: 'delivery.ship_time' })).map((h) => h.id)).toEqual([closedId]);
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    expect((await search({ q: '王小明', from: today, to: today })).map((h) => h.id)).toEqual([closedId]);
    expect(await search({ q: '王小明', to: '2020-01-01' })).toEqual([]);

    // The anonymous buyer by their readable label.
    const label = visitorLabel(anonBuyerId);
    expect(label).toMatch(/^访客#[0-9A-F]{4}$/);
    const byLabel = await search({ q: label });
    expect(byLabel.map((h) => [h.id, h.label, h.known])).toEqual([[anonId, label, false]]);
    expect((await search({ q: label.slice(3) })).map((h) => h.id)).toEqual([anonId]);

    // Bad input is refused with a clear error; no token is refused.
    const bad = await fetch(`${s.url}/api/agent/search?view=everything&from=yesterday`, { headers: { authorization: `Bearer ${TOKENS.ajie}` } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/view.*from|from.*view/s);
    expect((await fetch(`${s.url}/api/agent/search?q=x`)).status).toBe(401);
  });

  it('gives the record of a closed chat with masked phones, and the contact panel with past chats and orders', async () => {
    const headers = { authorization: `Bearer ${TOKENS.ajie}` };
    const rec = (await (await fetch(`${s.url}/api/agent/history/${closedId}`, { headers })).json()) as {
      conversation: { status: string; label: string; history: { from: string; text: string }[] };
      held: boolean;
    };
    expect(rec.held).toBe(false);
    expect(rec.conversation).toMatchObject({ status: 'closed', label: '王小明' });
    expect(rec.conversation.history.map((h) => h.text)).toContain('亲，今天下午就安排发出哈');
    const anonRec = await (await fetch(`${s.url}/api/agent/history/${anonId}`, { headers })).text();
    expect(anonRec).not.toContain('13755550123');
    expect(anonRec).toContain('137****0123');

    const contact = (await (await fetch(`${s.url}/api/agent/contacts/${closedId}`, { headers })).json()) as {
      label: string;
      conversations: { id: string }[];
      orders: { number: string; address: string }[];
    };
    expect(contact.label).toBe('王小明');
    expect(contact.conversations.map((c) => c.id)).toEqual([closedId]);
    expect(contact.orders.map((o) => o.number)).toEqual(s.shop.ordersByBuyer('B001').map((o) => o.number));
    expect(JSON.stringify(contact)).not.toContain('13812345678');
    expect((await fetch(`${s.url}/api/agent/contacts/nope`, { headers })).status).toBe(404);
  });

  async function login(page: Page, token: string): Promise<void> {
    await page.goto(`${s.url}/agent`);
    await page.fill('#token-input', token);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#conn.ok');
  }

  for (const size of [
    { name: 'desktop', width: 1280, height: 800 },
    { name: 'phone', width: 390, height: 844 },
  ]) {
    it(`in Chromium (${size.name}): search finds the closed chat and opens its record with the contact panel`, async () => {
      const page = await browser.newPage({ viewport: { width: size.width, height: size.height } });
      await login(page, TOKENS.ajie);
      // The waiting visitor (routed to ajie once online) shows under their readable label, the
      // same the server searches by.
      await page.waitForSelector(`#mine .item[data-id="${anonId}"]`);
      expect(await page.textContent(`#mine .item[data-id="${anonId}"] .name`)).toBe(visitorLabel(anonBuyerId));
      if (size.name === 'desktop') expect(await page.textContent('#conv-title')).toBe(visitorLabel(anonBuyerId));

      await page.fill('#search-q', '王小明');
      await page.selectOption('#search-view', 'closed');
      await page.click('#btn-search');
      await page.waitForSelector(`#search-results .result[data-id="${closedId}"]`);
      expect(await page.locator('#search-results .result').count()).toBe(1);
      const row = (await page.textContent(`#search-results .result[data-id="${closedId}"]`)) ?? '';
      expect(row).toContain('已结束·已解决');
      await page.screenshot({ path: `/tmp/shots/agent-search-${size.name}.png` });

      await page.click(`#search-results .result[data-id="${closedId}"]`);
      await page.waitForSelector('#record:not([hidden]) #record-history .msg');
      expect(await page.textContent('#record-title')).toBe('王小明');
      expect(await page.textContent('#record-history')).toContain('亲，今天下午就安排发出哈');
      const order = s.shop.ordersByBuyer('B001')[0]!.number;
      expect(await page.textContent('#record-contact')).toContain(order);
      await page.screenshot({ path: `/tmp/shots/agent-record-${size.name}.png` });
      await page.keyboard.press('Escape');
      await page.waitForSelector('#record', { state: 'hidden' });

      // A phone search shows the number masked, and the filters narrow by agent.
      await page.fill('#search-q', '13755550123');
      await page.selectOption('#search-view', 'all');
      await page.click('#btn-search');
      await page.waitForSelector(`#search-results .result[data-id="${anonId}"]`);
      expect(await page.textContent('#search-results')).toContain('137****0123');
      expect(await page.textContent('#search-results')).not.toContain('13755550123');
      await page.fill('#search-q', '');
      await page.click('#btn-filters');
      await page.selectOption('#search-agent', 'xiaomei');
      await page.click('#btn-search');
      await page.waitForFunction(() => document.getElementById('search-status')?.textContent === '找到 1 个会话');
      expect(await page.locator('#search-results .result').getAttribute('data-id')).toBe(closedId);
      await page.close();
    }, 60_000);
  }
});
