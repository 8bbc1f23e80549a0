/** The handoff history log on the memory store and on real Redis (two instances recording the same event). */
import { Redis } from 'ioredis';
import { handoffHistoryLogId, readHandoffHistory, recordHandoffEvent } from '../../src/handoff/history';
import { createMemoryStore, createRedisStore } from '../../src/store';
import { silentLogger } from '../../src/store/shared';
import type { Store } from '../../src/store/types';
import { deleteKeysUnder, uniquePrefix } from '../store/redis-harness';

const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function recordsOnce(a: Store, b: Store): Promise<void> {
  const queued = { kind: 'queued' as const, at: '2026-12-01T02:05:00.100Z', reason: 'bad_review' as const, priority: 'urgent' as const };
  // Every instance's handoff service sees the queued event: the log keeps it once.
  await Promise.all([recordHandoffEvent(a, 'c1', queued), recordHandoffEvent(b, 'c1', queued)]);
  await recordHandoffEvent(a, 'c1', { kind: 'closed', at: '2026-12-01T02:30:00.000Z', agentId: 'xiaomei', resolution: 'refunded' });
  expect(await readHandoffHistory(b, 'c1')).toEqual([
    queued,
    { kind: 'closed', at: '2026-12-01T02:30:00.000Z', agentId: 'xiaomei', resolution: 'refunded' },
  ]);
  // A second handoff later is a new entry; junk in the log is skipped.
  await recordHandoffEvent(b, 'c1', { kind: 'queued', at: '2026-12-02T08:00:00.000Z', reason: 'explicit_request' });
  await a.appendMessage(handoffHistoryLogId('c1'), { from: 'system', text: 'something else', at: '2026-12-02T08:00:01.000Z' });
  expect((await readHandoffHistory(a, 'c1')).map((e) => [e.kind, e.reason])).toEqual([
    ['queued', 'bad_review'],
    ['closed', undefined],
    ['queued', 'explicit_request'],
  ]);
  expect(await readHandoffHistory(a, 'other')).toEqual([]);
}

it('memory store: records each event once and reads them back in order', async () => {
  const store = createMemoryStore({});
  try {
    await recordsOnce(store, store);
  } finally {
    await store.close();
  }
});

it('Redis: two instances record the same event once', async () => {
  const prefix = uniquePrefix('history');
  const a = createRedisStore({ url, prefix, logger: silentLogger });
  const b = createRedisStore({ url, prefix, logger: silentLogger });
  const admin = new Redis(url);
  try {
    await Promise.all([a.ready(), b.ready()]);
    await recordsOnce(a, b);
  } finally {
    await Promise.all([a.close(), b.close()]);
    await deleteKeysUnder(admin, prefix);
    await admin.quit();
  }
});
