/**
 * The console's queue follows row events (issue 14), in Chromium against the real server: a
 * handoff adds its row, the buyer writing again updates it, a colleague given it removes it,
 * rows keep routing order (urgent before older normal), and a reload starts from the whole
 * queue again. Real server, engine and store (see agent-helpers.ts).
 */
import { TOKENS, say, agentConsoleInBrowser } from './agent-helpers';
import { TestClient } from '../transport/harness';

describe('console queue from incremental events, in a browser', () => {
  // One chat each: a colleague coming online takes the head of the queue and nothing more.
  const ctx = agentConsoleInBrowser({ maxChats: 1 });

  it('adds, updates, orders and removes rows as the queue changes, and a reload shows the same queue', async () => {
    const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    const frames: string[] = [];
    page.on('websocket', (ws) => ws.on('framereceived', (f) => frames.push(String(f.payload))));
    await page.goto(`${ctx.s.url}/agent`);
    await page.fill('#token-input', TOKENS.xiaomei);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#conn.ok');
    // Away: nothing is assigned to this console, everything waits in the queue it shows.
    await page.selectOption('#presence', 'away');
    await page.waitForFunction(() => (document.querySelector('#presence') as HTMLSelectElement).value === 'away');
    await new Promise((r) => setTimeout(r, 300));

    const plain = await ctx.s.buyer();
    const plainId = String(plain.frames.find((f) => f.type === 'welcome')?.['conversationId']);
    await say(plain, '转人工');
    await page.waitForSelector(`#queue li[data-id="${plainId}"]`);
    // Away, the console does not offer a pick the server would refuse.
    const pick = page.locator(`#queue li[data-id="${plainId}"] button`, { hasText: '接入' });
    expect(await pick.isDisabled()).toBe(true);
    expect(await pick.getAttribute('title')).toContain('离开中');

    await say(plain, '我想问下发货时间');
    await page.waitForFunction((id) => document.querySelector(`#queue li[data-id="${id}"] .last`)?.textContent?.includes('发货时间'), plainId, {
      timeout: 15_000,
    });

    const angry = await ctx.s.buyer();
    const angryId = String(angry.frames.find((f) => f.type === 'welcome')?.['conversationId']);
    await say(angry, '你们服务太差了，问题根本没解决，我要投诉！');
    await page.waitForSelector(`#queue li[data-id="${angryId}"]`);
    // Routing order: the complaint (urgent) before the older ordinary request.
    const order = await page.locator('#queue li.item').evaluateAll((lis) => lis.map((li) => (li as HTMLElement).dataset['id']));
    expect(order).toEqual([angryId, plainId]);
    expect(await page.textContent('#queue-count')).toBe('2');

    // A colleague comes online and routing gives them the head, the complaint: its row goes, the other stays.
    const ajie = await TestClient.open(ctx.s.agentUrl(TOKENS.ajie));
    await ajie.next((f) => f.type === 'conversation' && (f['conversation'] as { id: string }).id === angryId, 'complaint assigned');
    await page.waitForSelector(`#queue li[data-id="${angryId}"]`, { state: 'detached' });
    expect(await page.locator('#queue li.item').count()).toBe(1);

    // The queue went out as row changes, never as the whole queue after the first one.
    const queueFrames = frames
      .map((p) => JSON.parse(p) as { type: string; op?: string })
      .filter((f) => f.type === 'queue' || f.type === 'queue_item');
    expect(queueFrames[0]?.type).toBe('queue');
    expect(queueFrames.slice(1).filter((f) => f.type === 'queue')).toEqual([]);
    expect(queueFrames.filter((f) => f.type === 'queue_item').map((f) => f.op)).toEqual(expect.arrayContaining(['added', 'updated', 'removed']));

    await page.reload();
    await page.waitForSelector('#conn.ok');
    await page.waitForSelector(`#queue li[data-id="${plainId}"]`);
    expect(await page.locator('#queue li.item').count()).toBe(1);
    // Still away after the reload: the pick stays disabled once the console knows it.
    await page.waitForFunction(
      (id) => (document.querySelector(`#queue li[data-id="${id}"] button`) as HTMLButtonElement | null)?.disabled === true,
      plainId,
    );
    await page.screenshot({ path: '/tmp/shots/console-queue-events.png' });
    await page.close();
    await Promise.all([plain.close(), angry.close(), ajie.close()]);
  }, 90_000);
});
