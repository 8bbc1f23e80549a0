/**
 * The script editor page in a real browser (Debian chromium via playwright-core): a manager
 * edits a reply template in /manage, sees the error in Chinese beside the broken line, fixes
 * it, tries a phrase, publishes, and a buyer in the demo storefront gets the new reply. The
 * preview follows what is typed before it is saved; two managers saving the same file get
 * a clear conflict instead of one edit silently lost. Screenshots at desktop and phone sizes
 * go to /tmp/shots for a person to look at.
 */
import { mkdirSync } from 'node:fs';
import { type Browser, type Page } from 'playwright-core';
import { MANAGER, startManageServer, type ManageServer } from './manage-helpers';
import { launchChromium } from './support/browser';

const SHOTS = '/tmp/shots';
const THANKS = 'templates/greeting.thanks.yaml';
// Markup in a reply must show as text everywhere (editor preview, try-it, storefront).
const NEW_REPLY = '新版：不客气亲<b>～</b>下次见';

describe('/manage in Chromium', () => {
  let server: ManageServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startManageServer();
    browser = await launchChromium();
    mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Opens a file in the YAML view (intents and templates open in the form view by default). */
  async function openFile(page: Page, path: string): Promise<void> {
    await page.locator(`button.file[data-path="${path}"]`).click();
    await page.locator('#file-title', { hasText: path }).waitFor();
    if (await page.locator('#view-toggle').isVisible()) {
      await page.locator('#view-yaml').click();
      await page.locator('#code').waitFor();
    }
  }

  it('edit a template with errors shown beside the line, try it, publish, and the storefront buyer gets the new reply', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    context.setDefaultTimeout(30_000);
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${server.running.url}/manage?token=${MANAGER}`);
    await page.locator('#list-intents button.file').first().waitFor();
    expect(page.url()).not.toContain('token='); // kept out of the address bar
    expect(await page.locator('#list-intents button.file').count()).toBeGreaterThanOrEqual(20);

    await openFile(page, THANKS);
    await page.locator('#preview-list .bubble').first().waitFor();
    const original = await page.locator('#text').inputValue();
    expect(original).toContain('welcome:');

    // Break it: an unclosed {{#if}} on line 5 → the gutter marks line 5 and the note says why.
    const lines = original.split('\n');
    const variantLine = lines.findIndex((l) => /^\s*- /.test(l));
    const broken = [...lines];
    broken[variantLine] = `    - 不客气{{#if shop.name}}亲`;
    await page.locator('#text').fill(broken.join('\n'));
    const note = page.locator(`#notes .note[data-line="${variantLine + 1}"]`);
    await note.waitFor();
    expect(await note.textContent()).toContain('模板写法有误');
    expect(await page.locator('#gutter .ln.bad').textContent()).toBe(String(variantLine + 1));
    await page.screenshot({ path: `${SHOTS}/manage-error-desktop.png` });

    // Saving a broken file is refused with the reason.
    await page.locator('#btn-save').click();
    await page.locator('#status.bad').waitFor();
    expect(await page.locator('#status').textContent()).toContain('未保存');
    expect(await page.locator('#status').textContent()).toContain(`${THANKS} 第 ${variantLine + 1} 行`);

    // Fix it: every variant becomes the new reply.
    const fixed = lines.map((l) => (/^\s*- /.test(l) ? l.replace(/- .*$/, `- ${NEW_REPLY}`) : l)).join('\n');
    await page.locator('#text').fill(fixed);
    await page.locator('#notes .note').first().waitFor({ state: 'detached' });
    await page.locator('#btn-save').click();
    await page.locator('#status.good', { hasText: '已保存草稿' }).waitFor();
    await page.locator(`button.file[data-path="${THANKS}"] .badge`).waitFor();

    // Try a phrase: the intent and the reply a buyer would get from the draft.
    await page.locator('#try-text').fill('好的谢谢');
    await page.locator('#try-form button').click();
    await page.locator('#try-log .intent strong', { hasText: '感谢/再见' }).waitFor();
    expect(await page.locator('#try-log .bubble').first().textContent()).toBe(NEW_REPLY);
    expect(await page.locator('#try-log b').count()).toBe(0);
    await page.screenshot({ path: `${SHOTS}/manage-desktop.png` });

    // Publish.
    await page.locator('#btn-publish').click();
    await page.locator('#publish-message').fill('感谢语换新');
    await page.locator('#publish-go').click();
    await page.locator('#publish-result .good', { hasText: '已发布 v2' }).waitFor();
    await page.screenshot({ path: `${SHOTS}/manage-published-desktop.png` });
    await page.locator('#publish-cancel').click();

    // A buyer in the demo storefront now gets the new reply.
    const shopPage = await context.newPage();
    await shopPage.goto(`${server.running.url}/storefront`);
    await shopPage.locator('.kf-launcher').click();
    await shopPage.locator('.kf-panel[data-conn="online"]').waitFor();
    await shopPage.locator('.kf-bot .kf-bubble').first().waitFor();
    await shopPage.locator('.kf-input').fill('好的谢谢');
    await shopPage.locator('.kf-input').press('Enter');
    const reply = shopPage.locator('.kf-bot .kf-bubble', { hasText: '新版' });
    await reply.waitFor();
    expect(await reply.textContent()).toBe(NEW_REPLY);
    expect(await shopPage.locator('.kf-messages b').count()).toBe(0);

    // History shows v2 by boss with its diff; roll back to v1.
    await page.locator('#btn-history').click();
    await page.locator('#versions li.active .ver', { hasText: 'v2' }).waitFor();
    await page.locator('#versions .ver', { hasText: 'v2' }).click();
    await page.locator('#diff .dl.add').first().waitFor();
    expect(await page.locator('#diff .dl.add .tx').first().textContent()).toContain(NEW_REPLY);
    await page.screenshot({ path: `${SHOTS}/manage-history-desktop.png` });
    page.once('dialog', (d) => void d.accept());
    await page.locator('#versions li', { hasText: 'v1' }).locator('button', { hasText: '回滚' }).click();
    await page.locator('#versions li.active .ver', { hasText: 'v3' }).waitFor();
    await page.locator('#history-close').click();

    const botBubbles = shopPage.locator('.kf-bot .kf-bubble');
    const seen = await botBubbles.count();
    await shopPage.locator('.kf-input').fill('好的谢谢');
    await shopPage.locator('.kf-input').press('Enter');
    await botBubbles.nth(seen).waitFor();
    expect(await botBubbles.nth(seen).textContent()).not.toContain('新版');
    await shopPage.screenshot({ path: `${SHOTS}/manage-storefront-after-rollback.png` });
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 120_000);

  it('the preview follows what is typed, and a broken template shows the Chinese error beside its line', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    context.setDefaultTimeout(30_000);
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${server.running.url}/manage?token=${MANAGER}`);
    await openFile(page, THANKS);
    await page.locator('#preview-list .bubble').first().waitFor();
    const text = await page.locator('#text').inputValue();
    const lines = text.split('\n');
    const variantLine = lines.findIndex((l) => /^\s*- /.test(l)); // 0-based
    const lineNo = variantLine + 1;

    // Put the cursor at the end of the first reply and type, as a manager would.
    const end = lines.slice(0, lineNo).join('\n').length;
    await page.locator('#text').evaluate((ta: HTMLTextAreaElement, at: number) => ta.setSelectionRange(at, at), end);
    await page.locator('#text').focus();
    await page.keyboard.type('下次见');
    const typed = page.locator('#preview-list .bubble', { hasText: '祝您购物愉快！下次见' });
    await typed.waitFor();
    expect(await page.locator('#preview-note').textContent()).toContain('未保存');

    // A block left open: the note beside that line says so in Chinese, the preview pauses.
    await page.keyboard.type('{{#if buyer.returning}}，老朋友');
    const note = page.locator(`#notes .note[data-line="${lineNo}"]`);
    await note.waitFor();
    expect(await note.textContent()).toBe('模板写法有误：{{ 没有配对的 }}，或者 {{#if …}} 少了结尾的 {{/if}}');
    expect(await page.locator('#gutter .ln.bad').textContent()).toBe(String(lineNo));
    await page.locator('#preview-list .paused', { hasText: `预览暂停：${THANKS} 第 ${lineNo} 行` }).waitFor();
    expect(await page.locator('#errors li').first().textContent()).toContain('少了结尾的 {{/if}}');
    await page.screenshot({ path: `${SHOTS}/manage-typing-error-desktop.png` });

    // Closing the block: the error goes and the preview shows the sample buyer's reply.
    await page.keyboard.type('{{/if}}');
    await page.locator('#preview-list .bubble', { hasText: '祝您购物愉快！下次见，老朋友' }).waitFor();
    await note.waitFor({ state: 'detached' });
    await page.screenshot({ path: `${SHOTS}/manage-typing-preview-desktop.png` });

    // Nothing was saved by any of it.
    const served = await server.api('GET', `/api/scripts/files/${THANKS}`);
    expect(served.body).toMatchObject({ draft: false, text });
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("a save over another manager's newer save is stopped with the difference shown, keeping the text", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    context.setDefaultTimeout(30_000);
    const page = await context.newPage();
    await page.goto(`${server.running.url}/manage?token=${MANAGER}`);
    await openFile(page, THANKS);
    const text = await page.locator('#text').inputValue();

    // Meanwhile someone else saves the same file through the API.
    const other = text.replace('祝您购物愉快！', '祝您购物愉快！（同事改的）');
    const opened = await server.api('GET', `/api/scripts/files/${THANKS}`);
    expect((await server.api('PUT', `/api/scripts/files/${THANKS}`, { text: other, revision: opened.body.revision })).status).toBe(200);

    const mine = text.replace('祝您购物愉快！', '祝您购物愉快！（我改的）');
    await page.locator('#text').fill(mine);
    await page.locator('#btn-save').click();
    await page.locator('#conflict').waitFor();
    expect(await page.locator('#conflict-text').textContent()).toContain('在你打开之后已被 boss 修改并保存');
    expect(await page.locator('#conflict-diff .dl.del .tx').first().textContent()).toContain('（同事改的）');
    expect(await page.locator('#conflict-diff .dl.add .tx').first().textContent()).toContain('（我改的）');
    expect(await page.locator('#text').inputValue()).toBe(mine); // nothing lost
    expect((await server.api('GET', `/api/scripts/files/${THANKS}`)).body.text).toBe(other);
    await page.screenshot({ path: `${SHOTS}/manage-conflict-desktop.png` });

    // Choosing to overwrite saves this version on purpose.
    page.once('dialog', (d) => void d.accept());
    await page.locator('#conflict-overwrite').click();
    await page.locator('#status.good', { hasText: '已保存草稿' }).waitFor();
    expect(await page.locator('#conflict').isHidden()).toBe(true);
    expect((await server.api('GET', `/api/scripts/files/${THANKS}`)).body.text).toBe(mine);
    await server.api('DELETE', `/api/scripts/draft/${THANKS}`);
    await context.close();
  });

  it('is usable on a phone-sized screen', async () => {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: 'zh-CN',
    });
    const page = await context.newPage();
    await page.goto(`${server.running.url}/manage?token=${MANAGER}`);
    await page.locator('#list-intents button.file').first().waitFor();
    await openFile(page, 'intents/haggle.bargain.yaml');
    await page.screenshot({ path: `${SHOTS}/manage-phone.png` });
    // A long file scrolls inside the editor box, its line numbers along with it.
    const scrolled = await page.evaluate(() => {
      const text = document.getElementById('text') as HTMLTextAreaElement;
      text.scrollTop = text.scrollHeight;
      text.dispatchEvent(new Event('scroll'));
      const box = document.getElementById('code')!.getBoundingClientRect();
      const last = document.querySelector('#gutter .ln:last-child')!.getBoundingClientRect();
      return { textScrolled: text.scrollTop > 0, lastLineNumberShown: last.top >= box.top && last.bottom <= box.bottom + 1 };
    });
    expect(scrolled).toEqual({ textScrolled: true, lastLineNumberShown: true });
    await page.locator('#try-text').fill('能便宜点吗');
    await page.locator('#try-form button').tap();
    await page.locator('#try-log .bubble').first().waitFor();
    await page.locator('#try-log').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/manage-phone-try.png` });
    // Nothing wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await context.close();
  });

  it('asks for a token and refuses an agent token', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${server.running.url}/manage`);
    await page.locator('#login').waitFor();
    await page.locator('#token-input').fill('agent-tok-1');
    await page.locator('#login-form button').click();
    await page.locator('#login-error', { hasText: '没有话术管理权限' }).waitFor();
    await page.screenshot({ path: `${SHOTS}/manage-login.png` });
    await context.close();
  });
});
