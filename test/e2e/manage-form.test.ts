/**
 * The script editor for a manager who does not read YAML, in a real browser at desktop and
 * phone sizes: the form view edits an example and a reply (the variable picker puts a
 * variable at the cursor) and publishes; try-it is a conversation as a chosen demo buyer that
 * shows a handoff; that conversation kept as a story appears in the story list and stops a
 * publish that breaks it, naming it in Chinese with the turn that broke; a new example that
 * the model reads as another intent is flagged before saving. Screenshots go to /tmp/shots.
 */
import { mkdirSync } from 'node:fs';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { MANAGER, startManageServer, type ManageServer } from './manage-helpers';
import { launchChromium } from './support/browser';

const SHOTS = '/tmp/shots';
const THANKS_INTENT = 'intents/greeting.thanks.yaml';
const THANKS = 'templates/greeting.thanks.yaml';
const HUMAN = 'intents/human.request.yaml';

const SIZES = [
  { tag: 'desktop', viewport: { width: 1280, height: 800 }, phone: false },
  { tag: 'phone', viewport: { width: 390, height: 844 }, phone: true },
] as const;

describe.each(SIZES)('/manage for a manager ($tag)', ({ tag, viewport, phone }) => {
  let server: ManageServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await startManageServer();
    browser = await launchChromium();
    mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });
  beforeEach(async () => {
    context = await browser.newContext({
      viewport,
      locale: 'zh-CN',
      ...(phone ? { deviceScaleFactor: 2, isMobile: true, hasTouch: true } : {}),
    });
    context.setDefaultTimeout(30_000);
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${server.running.url}/manage?token=${MANAGER}`);
    await page.locator('#list-intents button.file').first().waitFor();
  });
  afterEach(async () => {
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
    await context.close();
    expect(pageErrors).toEqual([]);
  });

  async function openForm(path: string): Promise<void> {
    await page.locator(`button.file[data-path="${path}"]`).click();
    await page.locator('#file-title', { hasText: path }).waitFor();
    await page.locator('#form-body .field').first().waitFor();
  }

  async function publish(message: string): Promise<void> {
    await page.locator('#btn-publish').click();
    await page.locator('#publish-message').fill(message);
    await page.locator('#publish-go').click();
  }

  it('the form view shows Chinese names, edits an example and a reply with a picked variable, and publishes', async () => {
    // Intents are listed by their Chinese names.
    await page.locator(`button.file[data-path="${THANKS_INTENT}"] .name`, { hasText: '感谢/再见' }).waitFor();
    await openForm(THANKS_INTENT);
    expect(await page.locator('#f-name').inputValue()).toBe('感谢/再见');
    const before = await page.locator('.example-input').count();
    await page.locator('#add-example').click();
    await page.locator('.example-input').nth(before).fill('太感谢亲了');
    await page.locator('#btn-save').click();
    await page.locator('#status.good', { hasText: `已保存草稿：${THANKS_INTENT}` }).waitFor();
    expect((await server.api('GET', `/api/scripts/files/${THANKS_INTENT}`)).body.text).toContain('- 太感谢亲了\n');

    // A reply: typed into a wrapped text box, a variable put at the cursor from the picker.
    await openForm(THANKS);
    expect(await page.locator('fieldset.move legend').first().textContent()).toBe('场景：不客气（welcome）');
    const reply = page.locator('.variant-input').first();
    await reply.fill('不客气亲～欢迎再来');
    await reply.evaluate((ta: HTMLTextAreaElement) => ta.setSelectionRange(5, 5)); // after 不客气亲～
    await page.locator('#var-picker summary').click();
    const shopName = page.locator('#var-picker .var[data-name="shop.name"]');
    expect(await shopName.locator('.var-desc').textContent()).toBe('店铺名称');
    await page.screenshot({ path: `${SHOTS}/manage-form-picker-${tag}.png` });
    await shopName.click();
    expect(await reply.inputValue()).toBe('不客气亲～{{shop.name}}欢迎再来');
    // The preview follows the form.
    await page.locator('#preview-list .bubble', { hasText: '不客气亲～' }).first().waitFor();
    // A mistake shows beside its field: an unknown variable in the second reply.
    const second = page.locator('.variant-input').nth(1);
    const secondText = await second.inputValue();
    await second.fill(secondText + '{{shop.nmae}}');
    const fieldError = page.locator('.variant-row.has-error .field-error');
    await fieldError.waitFor();
    expect(await fieldError.textContent()).toContain('shop.nmae');
    await page.screenshot({ path: `${SHOTS}/manage-form-error-${tag}.png` });
    await second.fill(secondText);
    await fieldError.waitFor({ state: 'detached' });
    await page.locator('#btn-save').click();
    await page.locator('#status.good', { hasText: `已保存草稿：${THANKS}` }).waitFor();
    // Both views edit the same draft: the YAML view shows the form's edit.
    await page.locator('#view-yaml').click();
    await page.locator('#code').waitFor();
    expect(await page.locator('#text').inputValue()).toContain('- 不客气亲～{{shop.name}}欢迎再来');
    await page.locator('#view-form').click();
    await page.locator('.variant-input').first().waitFor();

    await publish('表单改了感谢语');
    await page.locator('#publish-result .good', { hasText: '已发布 v2' }).waitFor({ timeout: 120_000 });
    await page.screenshot({ path: `${SHOTS}/manage-form-published-${tag}.png` });
    const served = server.scripts.registry.current().bundle.files;
    expect(served[THANKS]).toContain('不客气亲～{{shop.name}}欢迎再来');
    expect(served[THANKS_INTENT]).toContain('- 太感谢亲了');
  }, 300_000);

  it('warns before saving an example the model reads as another intent, naming it in Chinese, and still lets it be saved', async () => {
    await openForm(THANKS_INTENT);
    const before = await page.locator('.example-input').count();
    await page.locator('#add-example').click();
    await page.locator('.example-input').nth(before).fill('这件大衣能便宜点吗');
    await page.locator('#btn-save').click();
    const warning = page.locator('#closeness');
    await warning.waitFor();
    expect(await warning.textContent()).toMatch(/「这件大衣能便宜点吗」 更像「议价」（\d+%），不太像「感谢\/再见」/);
    await warning.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/manage-closeness-${tag}.png` });
    // Nothing saved until the manager says so.
    expect((await server.api('GET', `/api/scripts/files/${THANKS_INTENT}`)).body.text).not.toContain('这件大衣能便宜点吗');
    await page.locator('#closeness-save').click();
    await page.locator('#status.good', { hasText: '已保存草稿' }).waitFor();
    expect((await server.api('GET', `/api/scripts/files/${THANKS_INTENT}`)).body.text).toContain('- 这件大衣能便宜点吗');
    await server.api('DELETE', `/api/scripts/draft/${THANKS_INTENT}`);
  }, 120_000);

  it('try-it is a conversation as a chosen buyer showing the handoff; kept as a story, it appears and stops a publish that breaks it', async () => {
    await page.locator('#try-buyer').selectOption('B001');
    expect(await page.locator('#try-orders li').count()).toBeGreaterThan(0);
    for (const say of ['你好', '转人工']) {
      await page.locator('#try-text').fill(say);
      await page.locator('#try-form button').click();
      await page.locator('#try-log .turn .buyer-say', { hasText: say }).waitFor();
    }
    expect(await page.locator('#try-log .turn').count()).toBe(2);
    expect(await page.locator('#try-log .turn').first().locator('.intent strong').textContent()).toBe('问候');
    expect(await page.locator('#try-log .turn').first().locator('.bubble').first().textContent()).toContain('王小明');
    const handoff = page.locator('#try-log .turn').nth(1).locator('.handoff');
    expect(await handoff.textContent()).toBe('转人工客服 · 原因：买家要求人工 · 优先级：普通');
    await page.locator('#try-log').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/manage-try-conversation-${tag}.png` });

    // One click keeps it as a story in the draft.
    const title = `王小明要人工（${tag}）`;
    await page.locator('#story-title').fill(title);
    await page.locator('#try-save-story').click();
    await page.locator('#status.good', { hasText: `已存为对话用例「${title}」` }).waitFor();
    await page.locator('#btn-stories').click();
    const story = page.locator('#stories li.story.mine', { hasText: title });
    await story.locator('summary').click();
    expect(await story.locator('.story-turns li').nth(1).textContent()).toBe(
      '买家：「转人工」机器人应该：按「要求人工」回答；转人工（原因：买家要求人工，优先级：普通）',
    );
    expect(await page.locator('#stories li.story').count()).toBeGreaterThan(50); // the project's stories too
    await page.screenshot({ path: `${SHOTS}/manage-stories-${tag}.png` });
    await page.locator('#stories-close').click();

    // A change that breaks it: people asked for are now handed over as urgent.
    const human = (await server.api('GET', `/api/scripts/files/${HUMAN}`)).body.text as string;
    expect((await server.api('PUT', `/api/scripts/files/${HUMAN}`, { text: human.replace('priority: normal', 'priority: urgent') })).status).toBe(
      200,
    );
    await publish('人工改成紧急');
    const broken = page.locator('#publish-result .broken-story', { hasText: title });
    await broken.waitFor({ timeout: 120_000 }); // every story runs first
    expect(await page.locator('#publish-result .bad').first().textContent()).toContain('发布被拒绝');
    expect(await broken.locator('.step').textContent()).toBe('第 2 句：买家说「转人工」');
    expect(await broken.locator('.expected').textContent()).toBe('应该：按「要求人工」回答；转人工（原因：买家要求人工，优先级：普通）');
    expect(await broken.locator('.got').textContent()).toContain('转人工（原因：买家要求人工，优先级：紧急）');
    await broken.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/manage-publish-refused-${tag}.png` });
    expect(server.scripts.registry.current().bundle.files[HUMAN]).toBe(human); // nothing went out
    await page.locator('#publish-cancel').click();
    await server.api('DELETE', `/api/scripts/draft/${HUMAN}`);

    // Reset starts a new conversation.
    await page.locator('#try-reset').click();
    expect(await page.locator('#try-log .turn').count()).toBe(0);
  }, 300_000);
});
