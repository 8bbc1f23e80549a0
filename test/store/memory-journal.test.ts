/**
 * The store contract on the memory store journaling to a temp data directory, where a
 * "restart" is a new store instance on the same directory.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createMemoryStore } from '../../src/store';
import { silentLogger } from '../../src/store/shared';
import { describeStoreContract } from './contract';

const dirs: string[] = [];
const dirOf = new WeakMap<object, string>();

function openAt(dir: string) {
  const store = createMemoryStore({ dataDir: dir, logger: silentLogger });
  dirOf.set(store, dir);
  return store;
}

describeStoreContract('memory with journal', {
  open: async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kefu-journal-'));
    dirs.push(dir);
    return openAt(dir);
  },
  reopen: async (store) => {
    await store.close();
    return openAt(dirOf.get(store)!);
  },
  writeLegacy: async (store, convs) => {
    // Older code journaled a conversation alone, whatever its status said about the queue.
    await store.close();
    const dir = dirOf.get(store)!;
    fs.appendFileSync(path.join(dir, 'journal.jsonl'), convs.map((v) => `${JSON.stringify({ t: 'conv', v })}\n`).join(''));
    return openAt(dir);
  },
  cleanup: async () => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  },
});

describe('memory with journal: a message is visible before it is durable (onStored)', () => {
  it('calls onStored at once with the stored message, resolves only after the journal write; a turn written meanwhile is journaled after it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kefu-journal-'));
    dirs.push(dir);
    const store = openAt(dir);
    const at = '2026-12-05T10:00:00.000Z';
    let early: unknown;
    let durable = false;
    const appended = store.appendMessage('c1', { from: 'buyer', text: '在吗', clientId: 'k1', at }, { onStored: (m) => (early = m) });
    void appended.then(() => (durable = true));
    // Synchronously: the message has its seq and reads see it, before any journal write finished.
    expect(early).toMatchObject({ conversationId: 'c1', seq: 1, text: '在吗' });
    expect(await store.lastSeq('c1')).toBe(1);
    expect(durable).toBe(false);
    // A bot turn started now goes to the journal after the message, in order.
    const replies = await store.commitTurn({
      conversation: { id: 'c1', buyerId: 'b1', shopId: 's', status: 'bot', slots: {}, turns: [], facts: [], acts: [], createdAt: at, updatedAt: at },
      messages: [{ from: 'bot', text: '亲，在的', at }],
    });
    expect(durable).toBe(true);
    expect(await appended).toEqual(early);
    expect(replies.map((m) => m.seq)).toEqual([2]);
    // A repeated client id reports the earlier message (the caller starts no second turn).
    let again: unknown;
    await store.appendMessage('c1', { from: 'buyer', text: '在吗', clientId: 'k1', at }, { onStored: (m) => (again = m) });
    expect(again).toEqual(early);
    await store.close();
    // Both lines are in the journal, the message first.
    const reopened = openAt(dir);
    expect((await reopened.messagesAfter('c1', 0)).map((m) => `${m.seq}:${m.from}`)).toEqual(['1:buyer', '2:bot']);
    await reopened.close();
  });
});
