#!/usr/bin/env node
/**
 * Part of tools/smoke-dist.sh: the production build's minified widget in headless Chromium.
 * Opens <base>/storefront, opens the chat, waits for the greeting, asks a question and waits
 * for the answer; fails on any page error. Usage: node tools/smoke-browser.js http://127.0.0.1:PORT
 * Browser: CHROMIUM_PATH, default /usr/bin/chromium.
 */
const { chromium } = require('playwright-core');

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

async function main() {
  const base = process.argv[2];
  if (!base) throw new Error('usage: node tools/smoke-browser.js <base url>');
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: ARGS });
  try {
    const page = await browser.newPage({ locale: 'zh-CN' });
    page.setDefaultTimeout(90_000);
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/storefront`);
    await page.locator('.kf-launcher').click();
    await page.locator('.kf-panel[data-conn="online"]').waitFor();
    await page.locator('.kf-bot .kf-bubble').first().waitFor();
    await page.locator('.kf-input').fill('能开发票吗');
    await page.locator('.kf-input').press('Enter');
    await page.locator('.kf-bot .kf-bubble').nth(1).waitFor();
    if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);
    console.log('smoke: the minified widget opened a chat and got an answer in Chromium');
  } finally {
    await browser.close();
  }
}

main().catch((err) => {
  console.error(`smoke-browser: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
