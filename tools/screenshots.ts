/**
 * Screenshots of the three pages as their users see them, at desktop (1366x900) and phone
 * (390x844) sizes, for a person to look at (nothing here asserts). Start a server first
 * (`DATA_DIR=$(mktemp -d) PORT=3111 npx tsx src/main.ts`) and pass the links it prints:
 *
 *   npx tsx tools/screenshots.ts <storefront url> <agent console url> <script editor url> [out dir]
 *
 * It chats in the storefront as the demo buyer B002, asks for a person so the agent console
 * has a handed-off conversation with an order card, and breaks a template in the editor to
 * show a validation error (the draft is never saved). PNGs go to /tmp/shots by default.
 */
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SIZES: Record<'desktop' | 'phone', BrowserContextOptions> = {
  desktop: { viewport: { width: 1366, height: 900 }, locale: 'zh-CN' },
  phone: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN' },
};

async function say(page: Page, text: string): Promise<void> {
  const before = await page.locator('.kf-bot .kf-bubble, .kf-system-text').count();
  await page.locator('.kf-input').fill(text);
  await page.locator('.kf-input').press('Enter');
  await page.locator('.kf-bot .kf-bubble, .kf-system-text').nth(before).waitFor();
}

async function storefront(browser: Browser, url: string, out: string): Promise<void> {
  for (const [size, view] of Object.entries(SIZES)) {
    const context = await browser.newContext(view);
    const page = await context.newPage();
    await page.goto(url);
    await page.locator('#product-name').filter({ hasNotText: '热卖新品' }).waitFor();
    await page.locator('.kf-launcher').waitFor();
    await page.screenshot({ path: `${out}/storefront-closed-${size}.png` });
    await page.locator('.kf-launcher').click();
    await page.locator('.kf-panel[data-conn="online"]').waitFor();
    await page.locator('.kf-bot .kf-bubble').first().waitFor();
    await say(page, '这件大衣能便宜点吗');
    await say(page, '三百五包邮行不行');
    await page.screenshot({ path: `${out}/storefront-chat-${size}.png` });
    await context.close();
  }
}

/** A demo buyer with an order asks for a person; both sizes of the console then show it. */
async function agentConsole(browser: Browser, storefrontUrl: string, agentUrl: string, out: string): Promise<void> {
  const buyerContext = await browser.newContext(SIZES.phone);
  const buyer = await buyerContext.newPage();
  const url = new URL(storefrontUrl);
  url.searchParams.set('buyer', 'B002');
  await buyer.goto(url.href);
  await buyer.locator('.kf-panel[data-conn="online"]').waitFor();
  await buyer.locator('.kf-bot .kf-bubble').first().waitFor();
  await say(buyer, '我的快递到哪了');
  await say(buyer, '东西收到是坏的，我要给差评 <b>太差了</b>');
  await buyer.locator('.kf-system-text', { hasText: '已转人工客服' }).first().waitFor();
  await buyer.screenshot({ path: `${out}/storefront-handoff-phone.png` });

  for (const [size, view] of Object.entries(SIZES)) {
    const context = await browser.newContext(view);
    const page = await context.newPage();
    await page.goto(agentUrl);
    await page.locator('#conn.ok').waitFor();
    if (size === 'phone') {
      await page.screenshot({ path: `${out}/agent-lists-${size}.png` });
      await page.locator('#mine .mine-item').first().click();
    }
    await page.locator('#suggestions .suggestion').first().waitFor();
    await page.screenshot({ path: `${out}/agent-chat-${size}.png` });
    await context.close();
  }
  await buyerContext.close();
}

async function scriptEditor(browser: Browser, url: string, out: string): Promise<void> {
  for (const [size, view] of Object.entries(SIZES)) {
    const context = await browser.newContext(view);
    const page = await context.newPage();
    await page.goto(url);
    const file = 'templates/haggle.bargain.yaml';
    await page.locator(`button.file[data-path="${file}"]`).click();
    await page.locator('#file-title', { hasText: file }).waitFor();
    await page.locator('#preview-list .bubble').first().waitFor();
    await page.screenshot({ path: `${out}/manage-template-${size}.png` });
    const lines = (await page.locator('#text').inputValue()).split('\n');
    const at = lines.findIndex((l) => /^\s*- /.test(l));
    lines[at] = `${lines[at]}{{#if shop.name}}`;
    await page.locator('#text').fill(lines.join('\n'));
    // Jump to the broken line, as a manager would from the error list.
    await page.locator('#errors li .link').first().click();
    await page.locator('#gutter .ln.bad').waitFor();
    await page.screenshot({ path: `${out}/manage-error-${size}.png` });
    if (size === 'phone') await page.screenshot({ path: `${out}/manage-error-${size}-full.png`, fullPage: true });
    await context.close();
  }
}

async function main(): Promise<void> {
  const [storefrontUrl, agentUrl, manageUrl, out = '/tmp/shots'] = process.argv.slice(2);
  if (!storefrontUrl || !agentUrl || !manageUrl) {
    console.error('usage: npx tsx tools/screenshots.ts <storefront url> <agent console url> <script editor url> [out dir]');
    process.exit(2);
  }
  mkdirSync(out, { recursive: true });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: ARGS });
  try {
    await storefront(browser, storefrontUrl, out);
    await agentConsole(browser, storefrontUrl, agentUrl, out);
    await scriptEditor(browser, manageUrl, out);
  } finally {
    await browser.close();
  }
  console.log(`screenshots in ${out}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
