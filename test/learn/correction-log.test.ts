/**
 * The corrections log as a store contract: the same behaviour on the memory store, the
 * memory store with its journal (restart = a new instance on the same directory) and real
 * Redis (a twin instance on the same prefix; restart = a new client). One correction per
 * (conversation, seq), reviewed at most once, also when two instances race.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { appendMark, appendRepick, appendReview, getCorrection, listCorrections } from '../../src/learn/correction-log';
import { correctionId, type CorrectionEvent } from '../../src/learn/corrections';
import { createMemoryStore } from '../../src/store';
import { silentLogger } from '../../src/store/shared';
import type { Store } from '../../src/store/types';
import type { StoreHarness } from '../store/contract';
import { redisHarness } from '../store/redis-harness';

type Mark = Extract<CorrectionEvent, { op: 'mark' }>;

const at = (minute: number): string => new Date(Date.UTC(2026, 11, 5, 8, minute)).toISOString();

function mark(conversationId: string, seq: number, corrected: string, agentId = 'xiaomei', minute = 0): Mark {
  return {
    op: 'mark',
    id: correctionId(conversationId, seq),
    conversationId,
    seq,
    text: `买家的话 ${conversationId}#${seq}`,
    predicted: 'other.fallback',
    confidence: 0.31,
    corrected,
    agentId,
    at: at(minute),
  };
}

function describeCorrectionsContract(name: string, harness: StoreHarness): void {
  describe(`corrections log: ${name}`, () => {
    let store: Store;
    let other: Store;
    beforeEach(async () => {
      store = await harness.open();
      other = harness.twin ? await harness.twin(store) : store;
    });
    afterEach(async () => {
      if (other !== store) await other.close();
      await store.close();
      await harness.cleanup?.();
    });

    it('keeps one correction per (conversation, seq): the first mark stands', async () => {
      expect(await appendMark(store, mark('conv-1', 3, 'human.request'))).toBe(true);
      expect(await appendMark(other, mark('conv-1', 3, 'payment.pay', 'ajie', 1))).toBe(false);
      expect(await appendMark(store, mark('conv-1', 5, 'payment.invoice', 'xiaomei', 2))).toBe(true);
      expect(await appendMark(store, mark('conv-2', 3, 'payment.invoice', 'xiaomei', 3))).toBe(true);
      const all = await listCorrections(store);
      expect(all.map((c) => [c.conversationId, c.seq, c.corrected, c.agentId, c.status])).toEqual([
        ['conv-2', 3, 'payment.invoice', 'xiaomei', 'pending'],
        ['conv-1', 5, 'payment.invoice', 'xiaomei', 'pending'],
        ['conv-1', 3, 'human.request', 'xiaomei', 'pending'],
      ]);
      expect(all[2]).toMatchObject({ text: '买家的话 conv-1#3', predicted: { intent: 'other.fallback', confidence: 0.31 }, at: at(0) });
    });

    it('lets exactly one of two racing instances record the mark', async () => {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => appendMark(i % 2 ? other : store, mark('race', 1, i % 2 ? 'payment.pay' : 'human.request', `a${i}`))),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await listCorrections(other)).toHaveLength(1);
    });

    it('changes the pick while pending; reviews once; nothing changes a reviewed one', async () => {
      const m = mark('conv-1', 2, 'payment.pay');
      await appendMark(store, m);
      await appendRepick(other, { op: 'repick', id: m.id, corrected: 'payment.invoice', agentId: 'ajie', at: at(1) });
      expect(await getCorrection(store, m.id)).toMatchObject({ corrected: 'payment.invoice', agentId: 'ajie', at: at(1), status: 'pending' });

      const reviews = await Promise.all([
        appendReview(store, {
          op: 'accept',
          id: m.id,
          by: 'dianzhang',
          at: at(2),
          intent: 'payment.invoice',
          example: 'x',
          path: 'intents/payment.invoice.yaml',
          added: true,
        }),
        appendReview(other, { op: 'reject', id: m.id, by: 'laoban', at: at(2), reason: '不是' }),
      ]);
      expect(reviews.filter(Boolean)).toHaveLength(1);
      const reviewed = (await getCorrection(other, m.id))!;
      expect(['accepted', 'rejected']).toContain(reviewed.status);
      expect(reviewed.review?.by).toBe(reviews[0] ? 'dianzhang' : 'laoban');

      await appendRepick(store, { op: 'repick', id: m.id, corrected: 'human.request', agentId: 'xiaomei', at: at(3) });
      expect(await getCorrection(store, m.id)).toEqual(reviewed);
    });

    it('keeps rejected ones with who rejected them and why', async () => {
      const m = mark('conv-9', 1, 'greeting.hello');
      await appendMark(store, m);
      expect(await appendReview(store, { op: 'reject', id: m.id, by: 'dianzhang', at: at(5), reason: '买家只是打招呼' })).toBe(true);
      expect(await getCorrection(store, m.id)).toMatchObject({
        status: 'rejected',
        review: { by: 'dianzhang', at: at(5), reason: '买家只是打招呼' },
      });
    });

    it('pages through a long log', async () => {
      for (let i = 1; i <= 620; i++) await appendMark(store, mark('long', i, 'human.request', 'xiaomei', i % 60));
      expect(await listCorrections(store)).toHaveLength(620);
    }, 60_000);

    if (harness.reopen) {
      it('survives a restart', async () => {
        const m = mark('conv-r', 4, 'payment.cod');
        await appendMark(store, m);
        await appendReview(store, {
          op: 'accept',
          id: m.id,
          by: 'dianzhang',
          at: at(9),
          intent: 'payment.cod',
          example: 'e',
          path: 'intents/payment.cod.yaml',
          added: true,
        });
        if (other !== store) {
          await other.close();
          other = store;
        }
        store = await harness.reopen!(store);
        other = store;
        expect(await getCorrection(store, m.id)).toMatchObject({ status: 'accepted', review: { by: 'dianzhang', intent: 'payment.cod' } });
        expect(await appendMark(store, mark('conv-r', 4, 'human.request'))).toBe(false);
      });
    }
  });
}

describeCorrectionsContract('memory', { open: async () => createMemoryStore() });

const dirs: string[] = [];
const dirOf = new WeakMap<object, string>();
const openAt = (dir: string): Store => {
  const s = createMemoryStore({ dataDir: dir, logger: silentLogger });
  dirOf.set(s, dir);
  return s;
};
describeCorrectionsContract('memory with journal', {
  open: async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kefu-learn-'));
    dirs.push(dir);
    return openAt(dir);
  },
  reopen: async (s) => {
    await s.close();
    return openAt(dirOf.get(s)!);
  },
  cleanup: async () => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  },
});

describeCorrectionsContract('redis', redisHarness({ url: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379' }, 'learn'));
