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
