/**
 * A buyer's photo from the widget reaches the agent console, in real Chromium at desktop and
 * phone sizes: the buyer says the item is damaged, picks a photo with the widget's camera
 * button, sees it in the chat with the bot's acknowledgement; the agent (online, so the
 * handed-over chat is theirs) sees the thumbnail, opens it full size, and sends an image back.
 * Screenshots go to /tmp/shots for a human to look at.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { filesConcern } from '../../src/files/http-files';
import { agentConsoleFor } from './agent-helpers';
import { startServer, type Running } from '../transport/harness';
import { realEngine } from './real-engine';
import { launchChromium } from './support/browser';

const SHOTS = '/tmp/shots';
const TOKEN = 'agent-tok-photo';

jest.setTimeout(120_000);

/** A PNG the browser draws (a box with a "tear"), so the screenshot shows a real picture. */
async function drawnPng(page: Page, label: string): Promise<Buffer> {
  const dataUrl = await page.evaluate((text) => {
    const c = document.createElement('canvas');
    c.width = 320;
    c.height = 240;
    const g = c.getContext('2d')!;
    g.fillStyle = '#c8a27a';
    g.fillRect(0, 0, 320, 240);
    g.strokeStyle = '#3b2a1a';
    g.lineWidth = 6;
    g.beginPath();
    g.moveTo(120, 40);
    g.lineTo(160, 120);
    g.lineTo(140, 200);
    g.stroke();
    g.fillStyle = '#fff';
    g.font = '28px sans-serif';
    g.fillText(text, 20, 40);
    return c.toDataURL('image/png');
  }, label);
  return Buffer.from(dataUrl.split(',')[1] ?? '', 'base64');
}

describe('photos between the widget and the agent console', () => {
  let server: Running;
  let browser: Browser;
  let dataDir: string;

  // A fresh server per screen size: one agent, one conversation, nothing left from the other run.
  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'h13-photo-'));
    const { engine, shop } = realEngine();
    const setup = agentConsoleFor(engine);
    server = await startServer({
      engine: setup.engine,
      shop,
      env: { AGENT_TOKENS: `xiaomei:${TOKEN}:20`, LOG_LEVEL: 'warn', DATA_DIR: dataDir },
      concerns: [filesConcern()],
    });
    await setup.attach(server, shop, engine).ready;
  }, 60_000);
  afterEach(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  beforeAll(async () => {
    browser = await launchChromium();
    mkdirSync(SHOTS, { recursive: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  for (const size of [
    { name: 'desktop', width: 1280, height: 800, mobile: false },
    { name: 'phone', width: 390, height: 844, mobile: true },
  ]) {
    it(`sends a photo from the widget to the console and back (${size.name})`, async () => {
      const viewport = { width: size.width, height: size.height };
      const agentCtx = await browser.newContext({ viewport, isMobile: size.mobile, hasTouch: size.mobile, locale: 'zh-CN' });
      const buyerCtx = await browser.newContext({ viewport, isMobile: size.mobile, hasTouch: size.mobile, locale: 'zh-CN' });
      const errors: string[] = [];
      try {
        const agent = await agentCtx.newPage();
        agent.on('pageerror', (e) => errors.push(e.message));
        await agent.goto(`${server.url}/agent`);
        await agent.fill('#token-input', TOKEN);
        await agent.click('#login-form button[type=submit]');
        await agent.waitForSelector('#conn.ok');

        const buyer = await buyerCtx.newPage();
        buyer.on('pageerror', (e) => errors.push(e.message));
        await buyer.goto(`${server.url}/storefront`);
        await buyer.locator('.kf-launcher').click();
        await buyer.locator('.kf-panel[data-conn="online"]').waitFor();
        await buyer.locator('.kf-bot .kf-bubble').first().waitFor();
        await buyer.locator('.kf-input').fill('收到的大衣破了个洞');
        await buyer.locator('.kf-input').press('Enter');
        const botBefore = await buyer.locator('.kf-bot .kf-bubble').count();
        await buyer
          .locator('.kf-bot .kf-bubble')
          .nth(botBefore)
          .waitFor()
          .catch(() => undefined);
        await buyer.waitForFunction(
          (n) => (document.getElementById('kefu-widget')?.shadowRoot?.querySelectorAll('.kf-bot .kf-bubble').length ?? 0) > n,
          botBefore - 1,
        );

        const photo = await drawnPng(buyer, `破损 ${size.name}`);
        // The camera button is a label around a file input that asks for the camera on phones.
        const picker = buyer.locator('.kf-photo-input');
        expect(await picker.getAttribute('accept')).toBe('image/*');
        expect(await picker.getAttribute('capture')).not.toBeNull();
        await picker.setInputFiles({ name: 'IMG_0001.png', mimeType: 'image/png', buffer: photo });
        const thumb = buyer.locator('.kf-buyer .kf-photo-thumb').last();
        await thumb.waitFor();
        await buyer.waitForFunction(() => {
          const img = document.getElementById('kefu-widget')?.shadowRoot?.querySelector('.kf-buyer .kf-photo-thumb') as HTMLImageElement | null;
          return Boolean(img && img.complete && img.naturalWidth === 320);
        });
        // The bot acknowledges it (photo_asked) and a colleague takes over.
        await buyer.locator('.kf-bot .kf-bubble', { hasText: '照片' }).last().waitFor();
        await buyer.screenshot({ path: `${SHOTS}/photo-widget-${size.name}.png` });

        // The agent console: the handed-over chat is assigned to the online agent, with the thumbnail.
        if (size.mobile) {
          // Phone layout: open the conversation from the "mine" list if it is not shown yet.
          const item = agent.locator('#mine li').first();
          await item.waitFor();
          if (!(await agent.locator('#conv').isVisible())) await item.click();
        }
        const agentThumb = agent.locator('#history .photo-thumb').last();
        await agentThumb.waitFor();
        await agent.waitForFunction(() => {
          const imgs = document.querySelectorAll('#history .photo-thumb');
          const img = imgs[imgs.length - 1] as HTMLImageElement | undefined;
          return Boolean(img && img.complete && img.naturalWidth === 320);
        });
        await agentThumb.scrollIntoViewIfNeeded();
        await agent.screenshot({ path: `${SHOTS}/photo-console-${size.name}.png` });

        // A click opens it full size.
        const [full] = await Promise.all([agentCtx.waitForEvent('page'), agentThumb.click()]);
        await full.waitForLoadState();
        expect(full.url()).toMatch(/^blob:/);
        await full.close();

        // The agent sends an image back; the buyer sees it.
        const reply = await drawnPng(agent, '换新 ✓');
        await agent.locator('#btn-photo input[type=file]').setInputFiles({ name: 'reply.png', mimeType: 'image/png', buffer: reply });
        await buyer.locator('.kf-agent .kf-photo-thumb').waitFor();
        await buyer.waitForFunction(() => {
          const img = document.getElementById('kefu-widget')?.shadowRoot?.querySelector('.kf-agent .kf-photo-thumb') as HTMLImageElement | null;
          return Boolean(img && img.complete && img.naturalWidth === 320);
        });
        await buyer.screenshot({ path: `${SHOTS}/photo-widget-agent-reply-${size.name}.png` });
        expect(errors).toEqual([]);
      } finally {
        await agentCtx.close();
        await buyerCtx.close();
      }
    });
  }
});
