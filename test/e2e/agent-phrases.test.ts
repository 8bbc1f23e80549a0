/**
 * Quick phrases end to end: the manager writes them in the script files
 * (templates/quick_phrases.yaml) through the normal draft → validate → publish path, a bad
 * variable is refused with the line and a Chinese message; in the agent console (Chromium,
 * desktop and phone) the agent types "/code", picks the phrase, its variables are filled from
 * the open chat, the buyer gets it, and the metrics count it. Suggestions show the intent they
 * come from in Chinese. The server serves a TEMP COPY of intents/ and templates/.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { createEngine } from '../../src/dialogue/engine';
import { bootScripts, type BootedScripts } from '../../src/scripts/boot';
import { loadDemoShop } from '../../src/shop';
import { createMemoryStore } from '../../src/store';
import { createMetrics } from '../../src/metrics';
import { agentConsoleFor, type AgentConsole } from './agent-helpers';
import { quickPhrasesConcern } from '../../src/transport/http-phrases';
import { scriptEditorConcern } from '../../src/transport/http-scripts';
import { startServer, TestClient, type Running } from '../transport/harness';
import { say, TOKENS } from './agent-helpers';
import { launchChromium } from './support/browser';

const ROOT = join(__dirname, '../..');
const MANAGER = 'manager-tok-1';
const PATH = 'templates/quick_phrases.yaml';

describe('quick phrases', () => {
  let dir: string;
  let scripts: BootedScripts;
  let agentConsole: AgentConsole;
  let running: Running;
  let browser: Browser;

  async function api(method: string, path: string, body?: unknown, token = MANAGER): Promise<{ status: number; body: any }> {
    const res = await fetch(running.url + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'phrases-e2e-'));
    cpSync(join(ROOT, 'intents'), join(dir, 'intents'), { recursive: true });
    cpSync(join(ROOT, 'templates'), join(dir, 'templates'), { recursive: true });
    const storiesDir = join(dir, 'stories');
    mkdirSync(storiesDir);
    for (const name of readdirSync(join(ROOT, 'test/conversations')).filter((n) => n.endsWith('.yaml'))) {
      cpSync(join(ROOT, 'test/conversations', name), join(storiesDir, name));
    }
    const shop = loadDemoShop(join(ROOT, 'demo/shop'));
    const store = createMemoryStore({});
    scripts = await bootScripts({ store, scriptsDir: dir, storiesDir, shopDir: join(ROOT, 'demo/shop'), shop, shopId: 'demo', instanceId: 'e2e' });
    const metrics = createMetrics();
    const bot = createEngine({ shop, getScripts: scripts.registry.getScripts });
    const setup = agentConsoleFor(bot, { metrics });
    running = await startServer({
      engine: setup.engine,
      shop,
      store,
      env: { AGENT_TOKENS: `xiaomei:${TOKENS.xiaomei}:5,ajie:${TOKENS.ajie}:5`, LOG_LEVEL: 'warn' },
      concerns: [
        scriptEditorConcern(scripts.editor),
        quickPhrasesConcern({ phrases: () => scripts.registry.getScripts().quickPhrases ?? [], metrics }),
      ],
    });
    agentConsole = setup.attach(running, shop, bot);
    await agentConsole.ready;
    browser = await launchChromium();
    mkdirSync('/tmp/shots', { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await running?.app.close();
    await scripts?.sync.stop();
    await running?.store.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('are manager data: listed in /manage, a bad variable is refused at its line, a good edit is published', async () => {
    const listed = (await api('GET', '/api/scripts/templates')).body.templates as { id: string; path: string; variants: number }[];
    expect(listed.find((t) => t.path === PATH)).toMatchObject({ id: 'quick_phrases', variants: 6 });
    const served = (await api('GET', `/api/agent/quick-phrases`, undefined, TOKENS.ajie)).body;
    expect(served.phrases.map((p: { code: string }) => p.code)).toEqual(['hi', 'wait', 'order', 'ship', 'sorry', 'bye']);
    expect(Object.keys(served.variables)).toEqual(['buyerName', 'agentName', 'orderNumber']);
    expect((await api('GET', `/api/agent/quick-phrases`, undefined, 'nobody')).status).toBe(401);

    const original = (await api('GET', `/api/scripts/files/${PATH}`)).body.text as string;
    const bad = `${original}  - code: thanks\n    title: 感谢\n    text: 谢谢{{buyer}}的支持～\n`;
    const checked = (await api('POST', '/api/scripts/validate', { path: PATH, text: bad })).body.errors as {
      code: string;
      line: number;
      localized: string;
    }[];
    expect(checked).toEqual([expect.objectContaining({ code: 'QUICK_PHRASE_VARIABLE', line: bad.split('\n').length - 3 })]);
    expect(checked[0]?.localized).toContain('没有“buyer”这个变量');

    const good = `${original}  - code: thanks\n    title: 感谢\n    text: 谢谢{{buyerName}}的支持，我是{{agentName}}，有事随时找我～\n`;
    expect((await api('PUT', `/api/scripts/files/${PATH}`, { text: good })).status).toBe(200);
    const pub = await api('POST', '/api/scripts/publish', { message: '新增感谢短语' });
    expect(pub.status).toBe(200);
    const after = (await api('GET', `/api/agent/quick-phrases`, undefined, TOKENS.ajie)).body;
    expect(after.phrases.map((p: { code: string }) => p.code)).toContain('thanks');
  }, 120_000);

  async function login(page: Page, token: string): Promise<void> {
    await page.goto(`${running.url}/agent`);
    await page.fill('#token-input', token);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#conn.ok');
  }

  for (const size of [
    { name: 'desktop', width: 1280, height: 800, token: TOKENS.xiaomei, agentName: '小美' },
    { name: 'phone', width: 390, height: 844, token: TOKENS.ajie, agentName: '阿杰' },
  ]) {
    it(`in Chromium (${size.name}): "/thanks" inserts the phrase with its variables, the buyer gets it, and it is counted`, async () => {
      const page = await browser.newPage({ viewport: { width: size.width, height: size.height } });
      await login(page, size.token);
      await page.waitForSelector('#phrases .phrase[data-code=thanks]', { state: 'attached' });
      const buyer = await TestClient.open(running.wsUrl);
      const resumeToken = `tok-B001-${size.name}`;
      await running.store.saveBuyerSession({ buyerId: 'B001', resumeToken, conversationId: `gone-${size.name}` });
      await buyer.hello({ buyerId: 'B001', resumeToken });
      const id = String(buyer.frames.find((f) => f.type === 'welcome')?.['conversationId']);
      await say(buyer, '东西坏了，我要给差评');
      await page.waitForSelector(`#mine .item[data-id="${id}"]`);
      if (size.name === 'phone') await page.click(`#mine .item[data-id="${id}"]`);
      await page.waitForSelector('#suggestions .suggestion .sintent');
      // Suggestions say which intent they answer, in Chinese, not an id.
      const intents = await page.locator('#suggestions .sintent').allTextContents();
      expect(intents[0]).toBe('差评/投诉');
      for (const t of intents) expect(t).not.toMatch(/[a-z_]+\.[a-z_]+/);

      await page.click('#compose-text');
      await page.keyboard.type('/than');
      await page.waitForSelector('#phrase-menu:not([hidden]) .phrase-option[data-code=thanks]');
      await page.screenshot({ path: `/tmp/shots/agent-phrases-menu-${size.name}.png` });
      await page.keyboard.press('Enter');
      const expected = `谢谢王小明的支持，我是${size.agentName}，有事随时找我～`;
      expect(await page.inputValue('#compose-text')).toBe(expected);
      expect(await page.isHidden('#phrase-menu')).toBe(true);
      const counted = page.waitForResponse((r) => r.url().endsWith('/api/agent/quick-phrases/thanks/uses') && r.status() === 200);
      await page.keyboard.press('Enter');
      await counted;
      const got = await buyer.next((f) => f.type === 'message' && f['from'] === 'agent', 'agent message');
      expect(got['text']).toBe(expected);
      const metricLine = `kefu_quick_phrases_total{code="thanks",use="sent_as_is"} ${size.name === 'desktop' ? 1 : 2}`;
      expect(await agentConsole.metrics.render()).toContain(metricLine);

      // A phrase clicked beside the suggestions, then edited: counted as edited.
      await page.click('#phrases .phrase[data-code=wait]');
      await page.keyboard.type('（马上好）');
      const edited = page.waitForResponse((r) => r.url().endsWith('/api/agent/quick-phrases/wait/uses') && r.status() === 200);
      await page.keyboard.press('Enter');
      await edited;
      expect(
        String((await buyer.next((f) => f.type === 'message' && f['from'] === 'agent' && String(f['text']).includes('马上好')))['text']),
      ).toContain('请稍等');
      expect(await agentConsole.metrics.render()).toContain(`kefu_quick_phrases_total{code="wait",use="edited"} ${size.name === 'desktop' ? 1 : 2}`);
      await page.screenshot({ path: `/tmp/shots/agent-phrases-${size.name}.png` });
      await page.close();
      await buyer.close();
    }, 90_000);
  }
});
