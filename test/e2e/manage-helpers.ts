/**
 * Shared set-up for the script editor's end-to-end tests: a real server on port 0 with the
 * real engine serving a TEMP COPY of the repo's intents/ and templates/ (publishing rewrites
 * files; the repo's own scripts are never touched), booted exactly as main.ts does.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../../src/dialogue/engine';
import { bootScripts, type BootedScripts } from '../../src/scripts/boot';
import { loadDemoShop } from '../../src/shop';
import { createMemoryStore } from '../../src/store';
import { scriptEditorConcern } from '../../src/transport/http-scripts';
import { startServer, TestClient, type Running } from '../transport/harness';

export const ROOT = join(__dirname, '../..');
export const MANAGER = 'manager-tok-1';
export const AGENT = 'agent-tok-1';

export interface ManageServer {
  running: Running;
  scripts: BootedScripts;
  dir: string;
  storiesDir: string;
  api(method: string, path: string, body?: unknown, token?: string | null): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

export async function startManageServer(): Promise<ManageServer> {
  const dir = mkdtempSync(join(tmpdir(), 'manage-e2e-'));
  cpSync(join(ROOT, 'intents'), join(dir, 'intents'), { recursive: true });
  cpSync(join(ROOT, 'templates'), join(dir, 'templates'), { recursive: true });
  // The project's own conversation stories run before every publish, as in production (where
  // they sit in test/conversations; stories/ holds the ones managers save with the scripts).
  const storiesDir = join(dir, 'test', 'conversations');
  mkdirSync(storiesDir, { recursive: true });
  for (const name of readdirSync(join(ROOT, 'test/conversations')).filter((n) => n.endsWith('.yaml'))) {
    cpSync(join(ROOT, 'test/conversations', name), join(storiesDir, name));
  }
  const shop = loadDemoShop(join(ROOT, 'demo/shop'));
  const store = createMemoryStore({});
  const scripts = await bootScripts({
    store,
    scriptsDir: dir,
    storiesDir,
    shopDir: join(ROOT, 'demo/shop'),
    shop,
    shopId: 'demo',
    instanceId: 'e2e',
  });
  const engine = createEngine({ shop, getScripts: scripts.registry.getScripts });
  const running = await startServer({ engine, shop, store, concerns: [scriptEditorConcern(scripts.editor)] });
  return {
    running,
    scripts,
    dir,
    storiesDir,
    async api(method, path, body, token = MANAGER) {
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
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A buyer on a real socket; `ask` sends one message and returns the bot's reply texts. */
export async function openBuyer(server: ManageServer): Promise<{ client: TestClient; ask(text: string): Promise<string> }> {
  const client = await TestClient.open(server.running.wsUrl);
  await client.hello();
  let n = 0;
  return {
    client,
    async ask(text) {
      const id = `m${++n}`;
      client.send({ type: 'message', id, text });
      const ack = await client.next((f) => f.type === 'ack' && f.id === id, 'ack');
      const reply = await client.next((f) => f.type === 'message' && f.from === 'bot' && (f.seq as number) > (ack.seq as number), 'bot reply');
      return String(reply.text);
    },
  };
}
