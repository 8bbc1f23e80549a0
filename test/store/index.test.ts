/** createStore picks the implementation from config, the way main.ts calls it. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import pino from 'pino';
import { createMemoryStore, createStore } from '../../src/store';
import { deleteKeysUnder, uniquePrefix } from './redis-harness';
import { Redis } from 'ioredis';

it('uses the embedded store journaling to the data directory when no Redis is configured', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kefu-create-'));
  try {
    const store = createStore({ dataDir: path.join(dir, 'data'), logger: pino({ level: 'silent' }) });
    expect(store.kind).toBe('memory');
    // Capabilities, not the backend's name, drive start-up decisions (main.ts, scripts/boot.ts).
    expect(store.capabilities).toEqual({ sharedAcrossInstances: false, durable: true, remote: false });
    const inMemoryOnly = createMemoryStore({});
    expect(inMemoryOnly.capabilities.durable).toBe(false);
    await inMemoryOnly.close();
    await store.appendMessage('c1', { from: 'buyer', text: 'hi', at: new Date(0).toISOString() });
    await store.close();
    expect(fs.existsSync(path.join(dir, 'data', 'journal.jsonl'))).toBe(true);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

it('uses Redis when REDIS_URL is set, with the configured prefix', async () => {
  const prefix = uniquePrefix('create');
  const store = createStore({ redisUrl: 'redis://127.0.0.1:6379', redisPrefix: `${prefix}:` });
  const admin = new Redis('redis://127.0.0.1:6379');
  try {
    expect(store.kind).toBe('redis');
    expect(store.capabilities).toEqual({ sharedAcrossInstances: true, durable: true, remote: true });
    await store.appendMessage('c1', { from: 'buyer', text: 'hi', at: new Date(0).toISOString() });
    expect(await admin.exists(`${prefix}:{conv:c1}:log`)).toBe(1);
  } finally {
    await store.close();
    await deleteKeysUnder(admin, prefix);
    await admin.quit();
  }
});
