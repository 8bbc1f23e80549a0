/**
 * A hello flood on the embedded store (issue 15): anonymous sessions that never send a message
 * expire after ANON_SESSION_TTL_MS, are removed from memory and, after compaction, from the
 * journal too; a buyer who wrote keeps their conversation. Real server, real sockets, a real
 * journal in a temp directory.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDemoShop } from '../../src/shop';
import { createMemoryStore } from '../../src/store';
import { startServer, TestClient, type Running } from './harness';
import { createScriptedEngine } from './scripted-engine';

const shop = loadDemoShop('demo/shop');
const HELLOS = 300;

describe('hello flood on the embedded store', () => {
  let dir: string;
  let server: Running;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kefu-hello-flood-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('removes expired anonymous sessions from memory and the journal, keeping the buyer who wrote', async () => {
    const store = createMemoryStore({ dataDir: dir, fsync: 'never' });
    server = await startServer({
      engine: createScriptedEngine(),
      shop,
      store,
      env: { ANON_SESSION_TTL_MS: '1000', NEW_SESSIONS_PER_IP: '100000', MAX_CONNECTIONS_PER_IP: '1000' },
    });
    const talker = await TestClient.open(server.wsUrl);
    const talked = await talker.hello();
    talker.send({ type: 'message', id: 'm1', text: '在吗' });
    await talker.next((f) => f['text'] === '收到：在吗');
    await talker.close();

    // Each hello opens a conversation of its own. (Not counted in the store here: with a 1 s
    // TTL on a loaded machine the sweeper may already be removing the first ones.)
    const opened = new Set<unknown>();
    for (let i = 0; i < HELLOS; i++) {
      const c = await TestClient.open(server.wsUrl);
      opened.add((await c.hello())['conversationId']);
      await c.close();
    }
    expect(opened.size).toBe(HELLOS);
    expect(opened.has(talked['conversationId'])).toBe(false);
    const journalBefore = fs.statSync(path.join(dir, 'journal.jsonl')).size;

    // The sweeper logs what it removed; wait for it to have removed every silent session.
    for (;;) {
      const removed = server.logs.filter((l) => typeof l['removed'] === 'number').reduce((n, l) => n + Number(l['removed']), 0);
      if (removed >= HELLOS) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const left = await store.listConversations();
    expect(left.map((c) => c.id)).toEqual([talked['conversationId']]);
    await server.stop();
    await store.close();

    // Reopened: the replay applies the removals, and start-up compaction drops them from the file.
    const reopened = createMemoryStore({ dataDir: dir, fsync: 'never' });
    try {
      expect((await reopened.listConversations()).map((c) => c.id)).toEqual([talked['conversationId']]);
      expect(await reopened.getBuyerSession(String(talked['buyerId']))).not.toBeNull();
      expect((await reopened.messagesAfter(String(talked['conversationId']), 0)).map((m) => m.text)).toContain('在吗');
      const journalAfter = fs.statSync(path.join(dir, 'journal.jsonl')).size;
      expect(journalAfter * 20).toBeLessThan(journalBefore);
    } finally {
      await reopened.close();
    }
  });
});
