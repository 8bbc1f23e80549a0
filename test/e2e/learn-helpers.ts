/**
 * A server with everything learning from the shop touches, booted as main.ts does: the real
 * engine reading the script registry, the agent console, the script editor over a TEMP COPY
 * of the repo's intents/ and templates/ (publishing rewrites files; the repo's own scripts are
 * never touched), the project's stories run before every publish, and the learning routes.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../../src/dialogue/engine';
import { bootScripts, type BootedScripts } from '../../src/scripts/boot';
import { loadDemoShop } from '../../src/shop';
import { createMemoryStore } from '../../src/store';
import type { Store } from '../../src/store/types';
import { createMetrics } from '../../src/metrics';
import { agentConsoleFor, type AgentConsole } from './agent-helpers';
import { learnConcern } from '../../src/transport/http-learn';
import { scriptEditorConcern } from '../../src/transport/http-scripts';
import { startServer, TestClient, type Running } from '../transport/harness';

export const ROOT = join(__dirname, '../..');
export const TOKENS = { xiaomei: 'agent-tok-xiaomei', ajie: 'agent-tok-ajie', manager: 'manager-tok-dianzhang' };

export interface LearnServer extends Running {
  scripts: BootedScripts;
  console: AgentConsole;
  dir: string;
  agentUrl(token: string): string;
  /** JSON request with a token (null: none). */
  api(method: string, path: string, body?: unknown, token?: string | null): Promise<{ status: number; body: any }>;
}

export async function startLearnServer(opts: { store?: Store } = {}): Promise<LearnServer> {
  const dir = mkdtempSync(join(tmpdir(), 'learn-e2e-'));
  cpSync(join(ROOT, 'intents'), join(dir, 'intents'), { recursive: true });
  cpSync(join(ROOT, 'templates'), join(dir, 'templates'), { recursive: true });
  const storiesDir = join(dir, 'stories');
  mkdirSync(storiesDir);
  for (const name of readdirSync(join(ROOT, 'test/conversations')).filter((n) => n.endsWith('.yaml'))) {
    cpSync(join(ROOT, 'test/conversations', name), join(storiesDir, name));
  }
  const shop = loadDemoShop(join(ROOT, 'demo/shop'));
  const store = opts.store ?? createMemoryStore({});
  const scripts = await bootScripts({
    store,
    scriptsDir: dir,
    storiesDir,
    shopDir: join(ROOT, 'demo/shop'),
    shop,
    shopId: 'demo',
    instanceId: 'learn',
  });
  const metrics = createMetrics();
  const bot = createEngine({ shop, getScripts: scripts.registry.getScripts });
  const consoleSetup = agentConsoleFor(bot, { sweepIntervalMs: 0, disconnectGraceMs: 60_000, metrics });
  const engine = consoleSetup.engine;
  const running = await startServer({
    engine,
    shop,
    store,
    env: {
      AGENT_TOKENS: `xiaomei:${TOKENS.xiaomei}:5,ajie:${TOKENS.ajie}:5`,
      MANAGER_TOKENS: `dianzhang:${TOKENS.manager}`,
      LOG_LEVEL: 'warn',
      AWAY_GRACE_MS: '0',
    },
    concerns: [scriptEditorConcern(scripts.editor), learnConcern({ editor: scripts.editor, scripts: scripts.registry.getScripts, metrics })],
  });
  const agentConsole = consoleSetup.attach(running, shop, bot);
  await agentConsole.ready;
  const wsBase = running.url.replace('http', 'ws');
  return {
    ...running,
    scripts,
    console: agentConsole,
    dir,
    agentUrl: (token) => `${wsBase}/ws/agent?token=${encodeURIComponent(token)}`,
    async api(method, path, body, token = TOKENS.manager) {
      const headers: Record<string, string> = {};
      if (token !== null) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(running.url + path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    async stop() {
      await running.app.close();
      await scripts.sync.stop();
      if (!opts.store) await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A buyer on a real socket who says `text` and waits until the message is stored; returns its seq. */
export async function buyerSays(server: Running, text: string): Promise<{ client: TestClient; conversationId: string; seq: number }> {
  const client = await TestClient.open(server.wsUrl);
  const welcome = await client.hello();
  const id = `m-${Math.random().toString(36).slice(2)}`;
  client.send({ type: 'message', id, text });
  const ack = await client.next((f) => f.type === 'ack' && f['id'] === id, 'ack');
  return { client, conversationId: String(welcome['conversationId']), seq: Number(ack['seq']) };
}
