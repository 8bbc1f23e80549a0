/**
 * The store contract: behaviours every Store implementation must show. Each *.test.ts in this
 * folder calls `describeStoreContract` with a harness for one implementation (memory, memory
 * with journal, Redis, Redis Cluster).
 */
import type { ConversationState } from '../../src/model/conversation';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repairHandoffInvariant } from '../../src/store/handoff-state';
import { applyRetention, archiveDir, type ArchivedConversation } from '../../src/store/retention';
import type { OutboxAct, Store, Timer } from '../../src/store/types';

export interface StoreHarness {
  /** A fresh, empty store. */
  open(): Promise<Store>;
  /**
   * A second live instance on the same data (another process on the same Redis). Absent for
   * the memory store, whose state belongs to one process.
   */
  twin?(store: Store): Promise<Store>;
  /** Closes `store` and opens a new instance on the same data: a process restart. */
  reopen?(store: Store): Promise<Store>;
  /** Called after each test with every store the test opened. */
  cleanup?(): Promise<void>;
  /**
   * Writes conversations the way code before the handoff invariant did (the state alone, no
   * queue or assignment change) and returns the store to read them with (the same one, or a
   * restarted one). Absent where no such old data can exist (pure memory).
   */
  writeLegacy?(store: Store, convs: ConversationState[]): Promise<Store>;
}

/**
 * What breaks the handoff invariant in `store`, in words: queued iff in the queue, with an
 * agent iff that agent (and nobody else) holds it. Empty when it holds.
 */
export async function invariantProblems(store: Store, ids: readonly string[], agents: readonly string[]): Promise<string[]> {
  const problems: string[] = [];
  const queued = new Set((await store.listQueue()).map((e) => e.conversationId));
  const held = new Map<string, string[]>();
  for (const agent of agents) for (const id of await store.listAssignments(agent)) held.set(id, [...(held.get(id) ?? []), agent]);
  for (const id of ids) {
    const conv = await store.getConversation(id);
    if (!conv) continue;
    if ((conv.status === 'queued') !== queued.has(id)) problems.push(`${id}: ${conv.status}, ${queued.has(id) ? 'in' : 'not in'} the queue`);
    const holders = held.get(id) ?? [];
    const want = conv.status === 'agent' && conv.assignedAgent ? [conv.assignedAgent] : [];
    if (holders.join() !== want.join()) problems.push(`${id}: ${conv.status} (${conv.assignedAgent ?? '-'}), held by [${holders.join()}]`);
  }
  return problems;
}

export function conversation(id: string, overrides: Partial<ConversationState> = {}): ConversationState {
  const at = '2024-05-01T08:00:00.000Z';
  return {
    id,
    buyerId: `buyer-${id}`,
    shopId: 'demo',
    status: 'bot',
    slots: { wantedSize: 'M' },
    turns: [{ at, text: '你好', intent: 'greeting.hello', category: 'greeting', confidence: 0.9 }],
    facts: [],
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}

const at = (minute: number): string => new Date(Date.UTC(2024, 4, 1, 8, minute)).toISOString();

/** Subscribes and records what arrives; `waitFor(n)` resolves once n messages have arrived. */
async function listen(store: Store, channel: string) {
  const seen: unknown[] = [];
  let wake: () => void = () => {};
  const unsubscribe = await store.subscribe(channel, (m) => {
    seen.push(m);
    wake();
  });
  const waitFor = (n: number): Promise<void> =>
    new Promise((resolve) => {
      const check = (): void => (seen.length >= n ? resolve() : void (wake = check));
      check();
    });
  return { seen, unsubscribe, waitFor };
}

export function describeStoreContract(name: string, harness: StoreHarness): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    let other: Store; // twin when the implementation has one, else the same store

    beforeEach(async () => {
      store = await harness.open();
      other = harness.twin ? await harness.twin(store) : store;
    });

    afterEach(async () => {
      if (other !== store) await other.close();
      await store.close();
      await harness.cleanup?.();
    });

    describe('message log', () => {
      it('numbers messages 1, 2, 3 … per conversation and returns them in order', async () => {
        const a1 = await store.appendMessage('c1', { from: 'buyer', text: '在吗', at: at(0) });
        const b1 = await store.appendMessage('c2', { from: 'buyer', text: '你好', at: at(0) });
        const a2 = await store.appendMessage('c1', { from: 'bot', text: '亲，在的', at: at(1), meta: { intent: 'greeting.hello' } });
        expect([a1.seq, a2.seq, b1.seq]).toEqual([1, 2, 1]);
        const all = await store.messagesAfter('c1', 0);
        expect(all.map((m) => [m.seq, m.from, m.text])).toEqual([
          [1, 'buyer', '在吗'],
          [2, 'bot', '亲，在的'],
        ]);
        expect(all[1]).toMatchObject({ conversationId: 'c1', meta: { intent: 'greeting.hello' }, at: at(1) });
      });

      it('assigns gap-free, unique seqs to concurrent appends from two instances', async () => {
        const appends = Array.from({ length: 40 }, (_, i) =>
          (i % 2 ? other : store).appendMessage('race', { from: 'buyer', text: `m${i}`, clientId: `k${i}`, at: at(0) }),
        );
        const stored = await Promise.all(appends);
        expect(stored.map((m) => m.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
        const log = await store.messagesAfter('race', 0);
        expect(log.map((m) => m.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
        // Each seq carries the text that was appended with it.
        for (const m of stored) expect(log[m.seq - 1]?.text).toBe(m.text);
      });

      it('treats a repeated clientId as the same message, even when the repeats race', async () => {
        await store.appendMessage('c1', { from: 'buyer', text: 'first', clientId: 'x0', at: at(0) });
        const repeats = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            (i % 2 ? other : store).appendMessage('c1', { from: 'buyer', text: 'dup', clientId: 'x1', at: at(1) }),
          ),
        );
        expect(new Set(repeats.map((m) => m.seq))).toEqual(new Set([2]));
        const again = await store.appendMessage('c1', { from: 'buyer', text: 'changed text', clientId: 'x1', at: at(2) });
        expect(again).toMatchObject({ seq: 2, text: 'dup' });
        // The same clientId in another conversation is a different message.
        expect((await store.appendMessage('c2', { from: 'buyer', text: 'dup', clientId: 'x1', at: at(1) })).seq).toBe(1);
        expect((await store.messagesAfter('c1', 0)).map((m) => m.text)).toEqual(['first', 'dup']);
      });

      it('returns what came after a seq, with a limit, and nothing for unknown conversations', async () => {
        for (let i = 1; i <= 5; i++) await store.appendMessage('c1', { from: 'bot', text: `r${i}`, at: at(i) });
        expect((await store.messagesAfter('c1', 2)).map((m) => m.seq)).toEqual([3, 4, 5]);
        expect((await store.messagesAfter('c1', 1, 2)).map((m) => m.seq)).toEqual([2, 3]);
        expect(await store.messagesAfter('c1', 5)).toEqual([]);
        expect(await store.messagesAfter('nobody', 0)).toEqual([]);
      });

      it('knows the last seq: 0 when empty, what the last append got, and one less than the next', async () => {
        expect(await store.lastSeq('c1')).toBe(0);
        await store.appendMessage('c1', { from: 'buyer', text: '在吗', clientId: 'q1', at: at(0) });
        const stored = await Promise.all(
          Array.from({ length: 6 }, (_, i) => (i % 2 ? other : store).appendMessage('c1', { from: 'bot', text: `r${i}`, at: at(i + 1) })),
        );
        const highest = Math.max(...stored.map((m) => m.seq));
        expect(highest).toBe(7);
        expect(await store.lastSeq('c1')).toBe(highest);
        expect(await other.lastSeq('c1')).toBe(highest);
        // A repeated clientId stores nothing, so the last seq stays.
        await other.appendMessage('c1', { from: 'buyer', text: '在吗', clientId: 'q1', at: at(9) });
        expect(await store.lastSeq('c1')).toBe(highest);
        expect((await store.appendMessage('c1', { from: 'buyer', text: '好的', at: at(9) })).seq).toBe(highest + 1);
        expect(await other.lastSeq('c1')).toBe(highest + 1);
        // Other conversations are counted on their own.
        expect(await store.lastSeq('c2')).toBe(0);
      });
    });

    describe('conversations and buyer sessions', () => {
      it('saves, reads back and lists conversations by status', async () => {
        await store.saveConversation(conversation('a'));
        await store.saveConversation(conversation('b', { status: 'queued' }));
        await store.saveConversation(conversation('c', { status: 'queued' }));
        await store.saveConversation(conversation('a', { status: 'closed', closedResolution: 'resolved' }));
        expect(await other.getConversation('a')).toEqual(conversation('a', { status: 'closed', closedResolution: 'resolved' }));
        expect(await store.getConversation('zzz')).toBeNull();
        expect((await store.listConversations({ status: 'queued' })).map((c) => c.id).sort()).toEqual(['b', 'c']);
        expect((await store.listConversations()).map((c) => c.id).sort()).toEqual(['a', 'b', 'c']);
        expect(await store.listConversations({ status: 'agent' })).toEqual([]);
      });

      it('a returned conversation, message or saved state cannot change the store: a copy, or frozen (writes throw)', async () => {
        const saved = conversation('a');
        await store.saveConversation(saved);
        const tryWrite = (write: () => void): void => {
          try {
            write();
          } catch (err) {
            expect(err).toBeInstanceOf(TypeError); // frozen: strict mode refuses the write
          }
        };
        tryWrite(() => (saved.status = 'agent'));
        const got = await store.getConversation('a');
        tryWrite(() => (got!.status = 'agent'));
        tryWrite(() => (got!.slots.wantedSize = 'changed'));
        tryWrite(() => got!.turns.push(got!.turns[0]!));
        const msg = await store.appendMessage('a', { from: 'buyer', text: '在吗', at: at(1) });
        tryWrite(() => (msg.text = 'changed'));
        const [listed] = await store.messagesAfter('a', 0);
        tryWrite(() => (listed!.text = 'changed'));
        const [inList] = await store.listConversations();
        tryWrite(() => (inList!.slots.wantedSize = 'changed'));
        expect(await other.getConversation('a')).toEqual(conversation('a'));
        expect((await other.messagesAfter('a', 0)).map((m) => m.text)).toEqual(['在吗']);
      });

      it('keeps one session per buyer', async () => {
        await store.saveBuyerSession({ buyerId: 'b1', resumeToken: 't1', conversationId: 'c1' });
        await store.saveBuyerSession({ buyerId: 'b1', resumeToken: 't2', conversationId: 'c2' });
        expect(await other.getBuyerSession('b1')).toEqual({ buyerId: 'b1', resumeToken: 't2', conversationId: 'c2' });
        expect(await store.getBuyerSession('b2')).toBeNull();
      });
    });

    describe('a turn committed as one write', () => {
      const turn = (n: number, text: string) => ({ at: at(n), text, intent: 'product.material', category: 'product' as const, confidence: 0.8 });

      it('stores the new state and the replies after the messages before them, and returns the replies', async () => {
        await store.saveConversation(conversation('t'));
        await store.appendMessage('t', { from: 'buyer', text: '什么面料', clientId: 'q1', at: at(1) });
        const next = conversation('t', {
          slots: { wantedSize: 'L' },
          turns: [...conversation('t').turns, turn(1, '什么面料')],
          updatedAt: at(1),
        });
        const replies = await store.commitTurn({
          conversation: next,
          messages: [
            { from: 'bot', text: '亲，是羊毛的', at: at(1), meta: { replyTo: 1 } },
            { from: 'bot', text: '还有别的想了解吗', at: at(1), meta: { replyTo: 1 } },
          ],
        });
        expect(replies.map((m) => [m.seq, m.text, m.conversationId])).toEqual([
          [2, '亲，是羊毛的', 't'],
          [3, '还有别的想了解吗', 't'],
        ]);
        expect(await other.getConversation('t')).toEqual(next);
        expect((await other.messagesAfter('t', 0)).map((m) => m.seq)).toEqual([1, 2, 3]);
        expect(await other.lastSeq('t')).toBe(3);
        // A turn with no reply stores the state alone; a new conversation may start with one.
        expect(await store.commitTurn({ conversation: { ...next, updatedAt: at(2) }, messages: [] })).toEqual([]);
        expect((await store.getConversation('t'))?.updatedAt).toBe(at(2));
        const greeted = await store.commitTurn({ conversation: conversation('fresh'), messages: [{ from: 'bot', text: '亲，在的', at: at(0) }] });
        expect(greeted.map((m) => m.seq)).toEqual([1]);
        expect(await store.getConversation('fresh')).toEqual(conversation('fresh'));
      });

      it('keeps the handoff invariant like saveConversation', async () => {
        await store.commitTurn({ conversation: conversation('h'), messages: [] });
        const queued = conversation('h', {
          status: 'queued',
          handoff: { reason: 'explicit_request', priority: 'high', summary: '要人工', suggestions: [], at: at(3) },
        });
        await store.commitTurn({ conversation: queued, messages: [{ from: 'bot', text: '亲，马上为您转人工', at: at(3) }] });
        expect((await store.listQueue()).map((e) => [e.conversationId, e.priority])).toEqual([['h', 'high']]);
        expect((await store.listConversations({ status: 'queued' })).map((c) => c.id)).toEqual(['h']);
        await store.commitTurn({ conversation: conversation('h', { status: 'closed' }), messages: [] });
        expect(await store.listQueue()).toEqual([]);
        expect(await invariantProblems(store, ['h'], [])).toEqual([]);
      });

      it('survives a restart turn by turn: fields added, changed and removed, lists that move on', async () => {
        if (!harness.reopen) return;
        let conv = conversation('r', { orderId: 'O-1' });
        await store.saveConversation(conv);
        for (let i = 1; i <= 8; i++) {
          const turns = [...conv.turns, turn(i, `问题${i}`)].slice(-3);
          conv = {
            ...conv,
            turns,
            slots: { ...conv.slots, [`s${i % 3}`]: i },
            facts: [{ kind: 'color', value: `c${i}`, text: `c${i}` }] as never,
            updatedAt: at(i),
          };
          if (i === 4) delete conv.orderId;
          if (i === 6) conv = { ...conv, productId: 'P-9' };
          await store.commitTurn({ conversation: conv, messages: [{ from: 'bot', text: `回答${i}`, at: at(i) }] });
        }
        if (other !== store) await other.close();
        store = await harness.reopen(store);
        other = store;
        expect(await store.getConversation('r')).toEqual(conv);
        expect((await store.messagesAfter('r', 0)).map((m) => m.text)).toEqual(Array.from({ length: 8 }, (_, i) => `回答${i + 1}`));
      });
    });

    describe('session life cycle (sweepIdle)', () => {
      it('removes silent anonymous sessions past their TTL and closes idle bot conversations, sparing the rest', async () => {
        const long = '2024-05-01T08:00:00.000Z';
        const fresh = new Date().toISOString();
        const open = async (id: string, buyerId: string, overrides: Partial<ConversationState>, buyerWrote: boolean, at = long) => {
          await store.saveConversation(conversation(id, { turns: [], createdAt: at, updatedAt: at, ...overrides }));
          await store.saveBuyerSession({ buyerId, resumeToken: 't', conversationId: id });
          await store.appendMessage(id, { from: 'bot', text: '亲，在的～', at });
          if (buyerWrote) await store.appendMessage(id, { from: 'buyer', text: '在吗', clientId: 'q', at });
        };
        await open('silent', 'buyer-silent', { buyerId: 'buyer-silent' }, false);
        await open('wrote', 'buyer-wrote', { buyerId: 'buyer-wrote', turns: conversation('x').turns }, true);
        await open('signed', 'shop:s1', { buyerId: 's1' }, false, fresh);
        await open('new', 'buyer-new', { buyerId: 'buyer-new' }, false, fresh);
        await open(
          'queued',
          'buyer-queued',
          {
            buyerId: 'buyer-queued',
            status: 'queued',
            handoff: { reason: 'explicit_request', priority: 'normal', summary: '', suggestions: [], at: long },
          },
          false,
        );
        const sweep = store.sweepIdle!.bind(store);
        expect(await sweep({ anonSessionTtlMs: 60_000, idleConversationMs: 86_400_000 })).toEqual({ removed: 1, closed: 1 });
        expect(await other.getConversation('silent')).toBeNull();
        expect(await other.getBuyerSession('buyer-silent')).toBeNull();
        expect(await other.messagesAfter('silent', 0)).toEqual([]);
        expect(await other.getConversation('wrote')).toMatchObject({ status: 'closed', closedResolution: 'idle' });
        expect(await other.getConversation('signed')).toMatchObject({ status: 'bot' });
        expect(await other.getConversation('new')).toMatchObject({ status: 'bot' });
        expect(await other.getConversation('queued')).toMatchObject({ status: 'queued' });
        expect((await other.listConversations()).map((c) => c.id).sort()).toEqual(['new', 'queued', 'signed', 'wrote']);
        expect(await sweep({ anonSessionTtlMs: 60_000, idleConversationMs: 86_400_000 })).toEqual({ removed: 0, closed: 0 });
      });
    });

    describe('retention: closed conversations archived, then removed', () => {
      const day = (d: number, h = 8): string => new Date(Date.UTC(2024, 4, d, h)).toISOString();
      const NOW = Date.UTC(2024, 7, 1); // 1 Aug 2024: 30 days back is 2 Jul
      let dataDir: string;
      beforeEach(() => (dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kefu-retention-'))));
      afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

      const seed = async (): Promise<void> => {
        // old-a, old-b: closed in May; recent: closed yesterday; open: old but still with the bot.
        for (const [id, status, updated] of [
          ['old-a', 'closed', day(3)],
          ['old-b', 'closed', day(4, 23)],
          ['recent', 'closed', new Date(NOW - 86_400_000).toISOString()],
          ['open', 'bot', day(3)],
        ] as const) {
          await store.saveConversation(
            conversation(id, { status, updatedAt: updated, closedResolution: status === 'closed' ? 'resolved' : undefined }),
          );
          await store.saveBuyerSession({ buyerId: `buyer-${id}`, resumeToken: 't', conversationId: id });
          await store.appendMessage(id, { from: 'buyer', text: '在吗', clientId: `${id}-1`, at: updated });
        }
        await store.appendMessage('old-b', { from: 'bot', text: '亲，在的', at: day(4, 23) });
        await store.addOutboxAct({
          id: 'act-old-a',
          kind: 'deal',
          conversationId: 'old-a',
          buyerId: 'buyer-old-a',
          at: day(3),
          payload: {},
          state: 'accepted',
          attempts: 1,
          nextAttemptAt: 0,
          updatedAt: day(3),
        });
      };

      it('writes each old closed conversation with its messages to the archive file of its day, then removes it', async () => {
        await seed();
        const result = await applyRetention(store, { dataDir, retentionDays: 30, now: () => NOW });
        expect(result).toMatchObject({ archived: 2, removed: 2 });
        const files = fs.readdirSync(archiveDir(dataDir)).sort();
        expect(files).toEqual(['2024-05-03.jsonl', '2024-05-04.jsonl']);
        const lines = (file: string): ArchivedConversation[] =>
          fs
            .readFileSync(path.join(archiveDir(dataDir), file), 'utf8')
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l) as ArchivedConversation);
        const [b] = lines('2024-05-04.jsonl');
        expect(b?.conversation).toMatchObject({ id: 'old-b', status: 'closed' });
        expect(b?.messages.map((m) => [m.seq, m.text])).toEqual([
          [1, '在吗'],
          [2, '亲，在的'],
        ]);
        expect(lines('2024-05-03.jsonl').map((l) => l.conversation.id)).toEqual(['old-a']);

        for (const s of [store, other]) {
          expect(await s.getConversation('old-a')).toBeNull();
          expect(await s.messagesAfter('old-b', 0)).toEqual([]);
          expect(await s.lastSeq('old-b')).toBe(0);
          expect(await s.getBuyerSession('buyer-old-a')).toBeNull();
          expect(await s.listOutboxActs('old-a')).toEqual([]);
          expect(await s.getOutboxAct('act-old-a')).toBeNull();
          expect((await s.listConversations()).map((c) => c.id).sort()).toEqual(['open', 'recent']);
          expect((await s.listConversations({ status: 'closed' })).map((c) => c.id)).toEqual(['recent']);
          expect(await s.getBuyerSession('buyer-recent')).not.toBeNull();
        }
        // A second run finds nothing more and writes nothing twice.
        expect(await applyRetention(store, { dataDir, retentionDays: 30, now: () => NOW })).toMatchObject({ archived: 0, removed: 0 });
        expect(lines('2024-05-03.jsonl')).toHaveLength(1);
        // 0 days: keep everything.
        expect(await applyRetention(store, { dataDir, retentionDays: 0, now: () => NOW + 1e12 })).toMatchObject({ archived: 0, removed: 0 });
        expect(await store.getConversation('recent')).not.toBeNull();
      });

      it('removes only conversations that are closed and quiet for long enough when the removal runs', async () => {
        await seed();
        // A buyer came back to old-a (reopened) after it was listed.
        await store.saveConversation(conversation('old-a', { status: 'bot', updatedAt: day(3) }));
        expect(await store.removeConversations(['old-a', 'old-b', 'recent', 'open', 'nobody'], { closedBefore: day(10) })).toEqual(['old-b']);
        expect(await store.getConversation('old-a')).not.toBeNull();
        expect(await store.getConversation('recent')).not.toBeNull();
        expect(await store.getConversation('open')).not.toBeNull();
        // A conversation in the queue or with an agent is not closed: it stays where it is.
        await store.saveConversation(
          conversation('q', {
            status: 'queued',
            updatedAt: day(1),
            handoff: { reason: 'explicit_request', priority: 'normal', summary: '', suggestions: [], at: day(1) },
          }),
        );
        expect(await store.removeConversations(['q'])).toEqual([]);
        expect((await store.listQueue()).map((e) => e.conversationId)).toEqual(['q']);
      });

      if (harness.reopen) {
        it('stays removed after a restart', async () => {
          await seed();
          await applyRetention(store, { dataDir, retentionDays: 30, now: () => NOW });
          if (other !== store) await other.close();
          store = await harness.reopen!(store);
          other = store;
          expect(await store.getConversation('old-a')).toBeNull();
          expect(await store.messagesAfter('old-b', 0)).toEqual([]);
          expect((await store.listConversations()).map((c) => c.id).sort()).toEqual(['open', 'recent']);
        });
      }
    });

    describe('handoff queue', () => {
      it('orders urgent before high before normal, then oldest first', async () => {
        await store.enqueue({ conversationId: 'n-old', priority: 'normal', enqueuedAt: at(1) });
        await store.enqueue({ conversationId: 'h-new', priority: 'high', enqueuedAt: at(9) });
        await store.enqueue({ conversationId: 'u', priority: 'urgent', enqueuedAt: at(10), reason: 'bad_review' });
        await store.enqueue({ conversationId: 'h-old', priority: 'high', enqueuedAt: at(2) });
        await store.enqueue({ conversationId: 'n-new', priority: 'normal', enqueuedAt: at(5) });
        const queue = await other.listQueue();
        expect(queue.map((e) => e.conversationId)).toEqual(['u', 'h-old', 'h-new', 'n-old', 'n-new']);
        expect(queue[0]).toEqual({ conversationId: 'u', priority: 'urgent', enqueuedAt: at(10), reason: 'bad_review' });
      });

      it('re-prioritises on a second enqueue and removes entries', async () => {
        await store.enqueue({ conversationId: 'a', priority: 'normal', enqueuedAt: at(1) });
        await store.enqueue({ conversationId: 'b', priority: 'normal', enqueuedAt: at(2) });
        await store.enqueue({ conversationId: 'b', priority: 'urgent', enqueuedAt: at(2) });
        expect((await store.listQueue()).map((e) => `${e.conversationId}:${e.priority}`)).toEqual(['b:urgent', 'a:normal']);
        expect(await store.removeFromQueue('b')).toBe(true);
        expect(await store.removeFromQueue('b')).toBe(false);
        expect((await store.listQueue()).map((e) => e.conversationId)).toEqual(['a']);
      });

      it('getQueueEntry reads one entry while it is queued, and null once removed, claimed or never queued', async () => {
        await store.enqueue({ conversationId: 'a', priority: 'normal', enqueuedAt: at(1), reason: 'human_request' });
        await store.enqueue({ conversationId: 'b', priority: 'high', enqueuedAt: at(2) });
        expect(await other.getQueueEntry('a')).toEqual({ conversationId: 'a', priority: 'normal', enqueuedAt: at(1), reason: 'human_request' });
        await store.enqueue({ conversationId: 'a', priority: 'urgent', enqueuedAt: at(1), reason: 'human_request' });
        expect((await other.getQueueEntry('a'))?.priority).toBe('urgent');
        expect(await store.removeFromQueue('a')).toBe(true);
        expect(await other.getQueueEntry('a')).toBeNull();
        expect((await store.claimNext('xiaomei', 3, 'b'))?.conversationId).toBe('b');
        expect(await other.getQueueEntry('b')).toBeNull();
        expect(await store.getQueueEntry('never')).toBeNull();
      });

      it('queueHead is the first of listQueue, null when the queue is empty', async () => {
        expect(await other.queueHead()).toBeNull();
        await store.enqueue({ conversationId: 'n-old', priority: 'normal', enqueuedAt: at(1) });
        expect((await other.queueHead())?.conversationId).toBe('n-old');
        await store.enqueue({ conversationId: 'n-b', priority: 'normal', enqueuedAt: at(0) });
        await store.enqueue({ conversationId: 'n-a', priority: 'normal', enqueuedAt: at(0) });
        expect(await other.queueHead()).toEqual((await other.listQueue())[0]);
        expect((await other.queueHead())?.conversationId).toBe('n-a');
        await store.enqueue({ conversationId: 'h', priority: 'high', enqueuedAt: at(9) });
        expect(await other.queueHead()).toEqual({ conversationId: 'h', priority: 'high', enqueuedAt: at(9) });
        expect(await store.removeFromQueue('h')).toBe(true);
        expect((await other.queueHead())?.conversationId).toBe('n-a');
        for (const id of ['n-a', 'n-b', 'n-old']) await store.removeFromQueue(id);
        expect(await other.queueHead()).toBeNull();
      });

      it('queuePosition is the place in listQueue order (priority, then time, then id), null when not queued', async () => {
        await store.enqueue({ conversationId: 'n-old', priority: 'normal', enqueuedAt: at(1) });
        await store.enqueue({ conversationId: 'h-new', priority: 'high', enqueuedAt: at(9) });
        await store.enqueue({ conversationId: 'u', priority: 'urgent', enqueuedAt: at(10) });
        await store.enqueue({ conversationId: 'n-b', priority: 'normal', enqueuedAt: at(5) });
        await store.enqueue({ conversationId: 'n-a', priority: 'normal', enqueuedAt: at(5) });
        const order = (await other.listQueue()).map((e) => e.conversationId);
        expect(order).toEqual(['u', 'h-new', 'n-old', 'n-a', 'n-b']);
        for (const [i, id] of order.entries()) expect(await other.queuePosition(id)).toBe(i);
        expect(await other.queuePosition('never')).toBeNull();
        await store.enqueue({ conversationId: 'n-b', priority: 'urgent', enqueuedAt: at(5) });
        expect(await other.queuePosition('n-b')).toBe(0);
        expect(await other.queuePosition('u')).toBe(1);
        expect(await store.removeFromQueue('u')).toBe(true);
        expect(await other.queuePosition('u')).toBeNull();
        expect(await other.queuePosition('n-a')).toBe(3);
      });

      it('claimNext gives the head of the queue to the agent and records the assignment', async () => {
        await store.enqueue({ conversationId: 'n', priority: 'normal', enqueuedAt: at(1) });
        await store.enqueue({ conversationId: 'h', priority: 'high', enqueuedAt: at(3) });
        expect(await store.claimNext('xiaomei', 3)).toEqual({ conversationId: 'h', priority: 'high', enqueuedAt: at(3) });
        expect(await other.listAssignments('xiaomei')).toEqual(['h']);
        expect((await store.listQueue()).map((e) => e.conversationId)).toEqual(['n']);
        // Picking a named conversation; one that is not queued gives nothing.
        expect(await store.claimNext('ajie', 3, 'gone')).toBeNull();
        expect((await store.claimNext('ajie', 3, 'n'))?.conversationId).toBe('n');
        expect(await store.claimNext('ajie', 3)).toBeNull();
      });

      it('20 concurrent claims on 5 queued conversations: each conversation goes to exactly one agent', async () => {
        for (let i = 0; i < 5; i++) await store.enqueue({ conversationId: `q${i}`, priority: 'normal', enqueuedAt: at(i) });
        const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? other : store).claimNext(`agent${i}`, 1)));
        const won = claims.flatMap((c, i) => (c ? [{ agent: `agent${i}`, conv: c.conversationId }] : []));
        expect(won.map((w) => w.conv).sort()).toEqual(['q0', 'q1', 'q2', 'q3', 'q4']);
        expect(await store.listQueue()).toEqual([]);
        for (const w of won) expect(await store.listAssignments(w.agent)).toEqual([w.conv]);
      });

      it('20 concurrent claims by one agent never exceed its capacity', async () => {
        for (let i = 0; i < 5; i++) await store.enqueue({ conversationId: `q${i}`, priority: 'normal', enqueuedAt: at(i) });
        await store.assign('xiaomei', 'older-chat');
        const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? other : store).claimNext('xiaomei', 3)));
        expect(claims.filter((c) => c !== null)).toHaveLength(2);
        expect(await store.listAssignments('xiaomei')).toHaveLength(3);
        expect(await store.listQueue()).toHaveLength(3);
        expect(await store.claimNext('xiaomei', 3)).toBeNull();
      });

      it('a claim repeated with its call id (a resend) returns the first claim and takes nothing more', async () => {
        await store.enqueue({ conversationId: 'a', priority: 'normal', enqueuedAt: at(1) });
        await store.enqueue({ conversationId: 'b', priority: 'normal', enqueuedAt: at(2) });
        const first = await store.claimNext('xiaomei', 5, undefined, { callId: 'claim-1' });
        const again = await other.claimNext('xiaomei', 5, undefined, { callId: 'claim-1' });
        expect(first?.conversationId).toBe('a');
        expect(again).toEqual(first);
        expect((await store.listQueue()).map((e) => e.conversationId)).toEqual(['b']);
        expect(await store.listAssignments('xiaomei')).toEqual(['a']);
        // Another call id is another claim.
        expect((await store.claimNext('xiaomei', 5, undefined, { callId: 'claim-2' }))?.conversationId).toBe('b');
        // A call that found nothing is not remembered: run again, it claims what is there now.
        expect(await store.claimNext('ajie', 5, undefined, { callId: 'claim-3' })).toBeNull();
        await store.enqueue({ conversationId: 'c', priority: 'normal', enqueuedAt: at(3) });
        expect((await other.claimNext('ajie', 5, undefined, { callId: 'claim-3' }))?.conversationId).toBe('c');
      });
    });

    describe('handoff invariant: queued iff in the queue, agent iff held', () => {
      const ids = ['a', 'b', 'c'];
      const agents = ['xiaomei', 'ajie'];
      const handoff = { reason: 'explicit_request' as const, priority: 'high' as const, summary: '转人工', suggestions: [], at: at(4) };

      it('saving a conversation as queued puts it in the queue (with its handoff priority), saving it otherwise takes it out', async () => {
        await store.saveConversation(conversation('a', { status: 'queued', handoff }));
        expect(await other.listQueue()).toEqual([{ conversationId: 'a', priority: 'high', enqueuedAt: at(4), reason: 'explicit_request' }]);
        expect(await invariantProblems(other, ids, agents)).toEqual([]);
        await store.saveConversation(conversation('a', { status: 'closed' }));
        expect(await other.listQueue()).toEqual([]);
        await store.saveConversation(conversation('a', { status: 'queued' }));
        await store.saveConversation(conversation('a', { status: 'bot' }));
        expect(await other.listQueue()).toEqual([]);
        expect(await invariantProblems(other, ids, agents)).toEqual([]);
      });

      it('a queued conversation that is saved again keeps its place and priority', async () => {
        await store.saveConversation(conversation('a', { status: 'queued', handoff }));
        await store.enqueue({ conversationId: 'a', priority: 'urgent', enqueuedAt: at(4), reason: 'bad_review' });
        await store.saveConversation(conversation('a', { status: 'queued', handoff, updatedAt: at(9) }));
        expect(await other.listQueue()).toEqual([{ conversationId: 'a', priority: 'urgent', enqueuedAt: at(4), reason: 'bad_review' }]);
      });

      it('claimNext hands the conversation to the agent in the same step that takes its entry', async () => {
        await store.saveConversation(conversation('a', { status: 'queued', handoff }));
        expect((await store.claimNext('xiaomei', 3))?.conversationId).toBe('a');
        const conv = await other.getConversation('a');
        expect([conv?.status, conv?.assignedAgent]).toEqual(['agent', 'xiaomei']);
        expect(await invariantProblems(other, ids, agents)).toEqual([]);
      });

      it('closing, returning or moving a held conversation moves its assignment with it', async () => {
        await store.saveConversation(conversation('a', { status: 'queued', handoff }));
        await store.claimNext('xiaomei', 3, 'a');
        await store.saveConversation(conversation('a', { status: 'agent', assignedAgent: 'ajie', handoff }));
        expect(await other.listAssignments('xiaomei')).toEqual([]);
        expect(await other.listAssignments('ajie')).toEqual(['a']);
        await store.saveConversation(conversation('a', { status: 'closed', closedResolution: 'resolved' }));
        expect(await other.listAssignments('ajie')).toEqual([]);
        expect(await invariantProblems(other, ids, agents)).toEqual([]);
      });

      it('a conversation that is not queued never enters the queue; taking a queued one out brings it back to the bot', async () => {
        await store.saveConversation(conversation('a', { status: 'closed' }));
        await store.enqueue({ conversationId: 'a', priority: 'normal', enqueuedAt: at(1) });
        expect(await other.listQueue()).toEqual([]);
        await store.saveConversation(conversation('b', { status: 'queued', handoff }));
        expect(await store.removeFromQueue('b')).toBe(true);
        expect((await other.getConversation('b'))?.status).toBe('bot');
        expect(await invariantProblems(other, ids, agents)).toEqual([]);
      });

      it('an agent letting go of a conversation without closing it puts it back in the queue', async () => {
        await store.saveConversation(conversation('a', { status: 'queued', handoff }));
        await store.claimNext('xiaomei', 3, 'a');
        await store.unassign('xiaomei', 'a');
        expect((await other.getConversation('a'))?.status).toBe('queued');
        expect((await other.listQueue()).map((e) => e.conversationId)).toEqual(['a']);
        await store.assign('ajie', 'a');
        const conv = await other.getConversation('a');
        expect([conv?.status, conv?.assignedAgent]).toEqual(['agent', 'ajie']);
        expect(await invariantProblems(other, ids, agents)).toEqual([]);
      });

      it('refuses a conversation with an agent that names no agent', async () => {
        await expect(store.saveConversation(conversation('a', { status: 'agent' }))).rejects.toThrow(/assignedAgent/);
        expect(await other.getConversation('a')).toBeNull();
      });

      it('holds under concurrent claims, saves and requeues from two instances', async () => {
        for (const id of ids) await store.saveConversation(conversation(id, { status: 'queued', handoff }));
        await Promise.all([
          store.claimNext('xiaomei', 2),
          other.claimNext('ajie', 2),
          store.claimNext('xiaomei', 2),
          other.saveConversation(conversation('c', { status: 'bot' })),
        ]);
        expect(await invariantProblems(other, ids, agents)).toEqual([]);
        for (const agent of agents) for (const id of await other.listAssignments(agent)) await (agent === 'ajie' ? store : other).unassign(agent, id);
        expect(await invariantProblems(store, ids, agents)).toEqual([]);
        expect((await store.listQueue()).length).toBe(2);
      });

      if (harness.writeLegacy) {
        const writeLegacy = harness.writeLegacy;
        it('the start-up sweep repairs and reports conversations older code left broken', async () => {
          if (other !== store) await other.close();
          store = await writeLegacy(store, [
            conversation('a', { status: 'queued', handoff }),
            conversation('b', { status: 'agent' }),
            conversation('c', { status: 'agent', assignedAgent: 'ajie' }),
          ]);
          other = store;
          const warned: unknown[] = [];
          const repairs = await repairHandoffInvariant(store, agents, (fields) => warned.push(fields));
          expect(repairs.map((r) => r.conversationId).sort()).toEqual(['a', 'b', 'c']);
          expect(warned).toHaveLength(repairs.length);
          expect(await invariantProblems(store, ids, agents)).toEqual([]);
          expect((await store.listQueue()).map((e) => e.conversationId).sort()).toEqual(['a', 'b']);
          expect(await store.listAssignments('ajie')).toEqual(['c']);
          expect(await repairHandoffInvariant(store, agents, () => {})).toEqual([]);
        });
      }
    });

    describe('agents', () => {
      it('keeps presence per agent', async () => {
        await store.setPresence({ agentId: 'xiaomei', status: 'online', since: at(0) });
        await store.setPresence({ agentId: 'ajie', status: 'online', since: at(0) });
        await store.setPresence({ agentId: 'xiaomei', status: 'away', since: at(30) });
        expect(await other.getPresence('xiaomei')).toEqual({ agentId: 'xiaomei', status: 'away', since: at(30) });
        expect(await store.getPresence('nobody')).toBeNull();
        expect((await store.listPresence()).map((p) => `${p.agentId}:${p.status}`).sort()).toEqual(['ajie:online', 'xiaomei:away']);
      });

      it('tracks which conversations an agent holds', async () => {
        await store.assign('xiaomei', 'c2');
        await store.assign('xiaomei', 'c1');
        await store.assign('xiaomei', 'c1');
        await store.assign('ajie', 'c3');
        expect(await other.listAssignments('xiaomei')).toEqual(['c1', 'c2']);
        await store.unassign('xiaomei', 'c2');
        await store.unassign('xiaomei', 'never-had');
        expect(await store.listAssignments('xiaomei')).toEqual(['c1']);
        expect(await store.listAssignments('ajie')).toEqual(['c3']);
        expect(await store.listAssignments('nobody')).toEqual([]);
      });

      it('renews a presence lease without ever shortening it, and says whether the agent had one', async () => {
        expect(await store.renewPresenceLease('xiaomei', 10_000)).toBe(false);
        expect(await other.renewPresenceLease('xiaomei', 9_000)).toBe(true);
        expect(await store.listPresenceLeases()).toEqual([{ agentId: 'xiaomei', expiresAt: 10_000 }]);
        expect(await other.renewPresenceLease('xiaomei', 20_000)).toBe(true);
        await store.renewPresenceLease('ajie', 15_000);
        expect((await other.listPresenceLeases()).sort((x, y) => x.expiresAt - y.expiresAt)).toEqual([
          { agentId: 'ajie', expiresAt: 15_000 },
          { agentId: 'xiaomei', expiresAt: 20_000 },
        ]);
      });

      it('each expired lease is taken by exactly one caller, which finds the agent marked offline', async () => {
        await store.setPresence({ agentId: 'xiaomei', status: 'online', since: at(0) });
        await store.setPresence({ agentId: 'ajie', status: 'away', since: at(1) });
        await store.setPresence({ agentId: 'lily', status: 'online', since: at(2) });
        await store.setPresence({ agentId: 'dawei', status: 'offline', since: at(3) });
        await store.renewPresenceLease('xiaomei', 1000);
        await store.renewPresenceLease('ajie', 1500);
        await store.renewPresenceLease('dawei', 1200);
        await store.renewPresenceLease('lily', 5000);
        const now = 2000;
        const taken = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? other : store).takeExpiredLeases(now)));
        expect(
          taken
            .flat()
            .map((l) => l.agentId)
            .sort(),
        ).toEqual(['ajie', 'dawei', 'xiaomei']);
        expect(taken.flat().find((l) => l.agentId === 'ajie')).toEqual({ agentId: 'ajie', expiresAt: 1500 });
        const since = new Date(now).toISOString();
        expect(await other.getPresence('xiaomei')).toEqual({ agentId: 'xiaomei', status: 'offline', since });
        expect(await other.getPresence('ajie')).toEqual({ agentId: 'ajie', status: 'offline', since });
        // Already offline: left as it was; a live lease: untouched.
        expect(await other.getPresence('dawei')).toEqual({ agentId: 'dawei', status: 'offline', since: at(3) });
        expect(await other.getPresence('lily')).toEqual({ agentId: 'lily', status: 'online', since: at(2) });
        expect(await store.listPresenceLeases()).toEqual([{ agentId: 'lily', expiresAt: 5000 }]);
        expect(await store.takeExpiredLeases(now)).toEqual([]);
        // The agent's console comes back: a new lease, not a renewal.
        expect(await store.renewPresenceLease('xiaomei', 40_000)).toBe(false);
      });

      it('an expiry repeated with its call id (a resend) returns the first result and takes nothing more', async () => {
        await store.renewPresenceLease('xiaomei', 1000);
        const first = await store.takeExpiredLeases(2000, 100, { callId: 'expire-1' });
        await store.renewPresenceLease('ajie', 1500);
        expect(await other.takeExpiredLeases(2000, 100, { callId: 'expire-1' })).toEqual(first);
        expect(first).toEqual([{ agentId: 'xiaomei', expiresAt: 1000 }]);
        expect(await store.listPresenceLeases()).toEqual([{ agentId: 'ajie', expiresAt: 1500 }]);
        expect(await store.takeExpiredLeases(2000, 100, { callId: 'expire-2' })).toEqual([{ agentId: 'ajie', expiresAt: 1500 }]);
      });
    });

    describe('SLA timers', () => {
      it('each due timer is taken exactly once, even by concurrent callers', async () => {
        const due: Timer[] = Array.from({ length: 12 }, (_, i) => ({
          key: `first-response:c${i}`,
          dueAt: 1000 + i,
          payload: { conversationId: `c${i}` },
        }));
        const later: Timer = { key: 'after-sale:c99', dueAt: 5000, payload: { conversationId: 'c99' } };
        for (const t of [...due, later]) await store.setTimer(t);
        const taken = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? other : store).takeDueTimers(2000, 5)));
        const more = await store.takeDueTimers(2000);
        const keys = [...taken.flat(), ...more].map((t) => t.key);
        expect(keys.sort()).toEqual(due.map((t) => t.key).sort());
        expect(taken.flat().find((t) => t.key === 'first-response:c3')).toEqual(due[3]);
        expect(await store.listTimers()).toEqual([later]);
        expect(await store.takeDueTimers(2000)).toEqual([]);
      });

      it('re-setting a timer moves it; clearing removes it', async () => {
        await store.setTimer({ key: 'k1', dueAt: 100, payload: {} });
        await store.setTimer({ key: 'k2', dueAt: 100, payload: {} });
        await store.setTimer({ key: 'k1', dueAt: 900, payload: { moved: true } });
        await store.clearTimer('k2');
        await store.clearTimer('never-set');
        expect(await store.takeDueTimers(500)).toEqual([]);
        expect(await store.listTimers()).toEqual([{ key: 'k1', dueAt: 900, payload: { moved: true } }]);
        expect((await other.takeDueTimers(900)).map((t) => t.key)).toEqual(['k1']);
      });

      it('reads timers by key without listing them all', async () => {
        await store.setTimer({ key: 'k1', dueAt: 100, payload: { n: 1 } });
        await store.setTimer({ key: 'k2', dueAt: 50, payload: { n: 2 } });
        await store.setTimer({ key: 'k3', dueAt: 10, payload: {} });
        expect(await other.getTimers(['k2', 'missing', 'k1'])).toEqual([
          { key: 'k2', dueAt: 50, payload: { n: 2 } },
          { key: 'k1', dueAt: 100, payload: { n: 1 } },
        ]);
        expect(await store.getTimers([])).toEqual([]);
        await store.clearTimer('k2');
        expect(await store.getTimers(['k2'])).toEqual([]);
      });

      it('a take repeated with its call id (a resend) returns the first timers and takes no others', async () => {
        const t1: Timer = { key: 'first-response:a', dueAt: 100, payload: { conversationId: 'a', note: '亲，稍等' } };
        const t2: Timer = { key: 'first-response:b', dueAt: 200, payload: { conversationId: 'b' } };
        await store.setTimer(t1);
        await store.setTimer(t2);
        const first = await store.takeDueTimers(150, 10, { callId: 'sweep-1' });
        const again = await other.takeDueTimers(500, 10, { callId: 'sweep-1' });
        expect(first).toEqual([t1]);
        expect(again).toEqual([t1]);
        expect(await store.listTimers()).toEqual([t2]);
        expect(await store.takeDueTimers(500, 10, { callId: 'sweep-2' })).toEqual([t2]);
        // Nothing taken: nothing remembered.
        expect(await store.takeDueTimers(500, 10, { callId: 'sweep-3' })).toEqual([]);
        await store.setTimer({ key: 'k', dueAt: 400, payload: {} });
        expect(await other.takeDueTimers(500, 10, { callId: 'sweep-3' })).toEqual([{ key: 'k', dueAt: 400, payload: {} }]);
      });

      it('returns due timers oldest first, up to the limit', async () => {
        for (const [key, dueAt] of [
          ['b', 20],
          ['a', 10],
          ['c', 30],
        ] as const)
          await store.setTimer({ key, dueAt, payload: {} });
        expect((await store.takeDueTimers(100, 2)).map((t) => t.key)).toEqual(['a', 'b']);
        expect((await store.takeDueTimers(100, 2)).map((t) => t.key)).toEqual(['c']);
      });
    });

    describe('script versions and audit', () => {
      it('numbers versions, lists newest first and remembers the active one', async () => {
        const v1 = await store.saveScriptVersion({ author: 'manager', at: at(0), files: { 'intents/greeting.hello.yaml': 'id: greeting.hello\n' } });
        const v2 = await other.saveScriptVersion({
          author: 'manager',
          at: at(5),
          message: 'more examples',
          files: { 'intents/dictionary.txt': '包邮 10 n\n' },
        });
        expect([v1.version, v2.version]).toEqual([1, 2]);
        expect((await store.listScriptVersions()).map((v) => v.version)).toEqual([2, 1]);
        expect(await other.getScriptVersion(1)).toEqual(v1);
        expect(await store.getScriptVersion(3)).toBeNull();
        expect(await store.getActiveScriptVersion()).toBeNull();
        await store.setActiveScriptVersion(2);
        expect(await other.getActiveScriptVersion()).toBe(2);
        await expect(store.setActiveScriptVersion(7)).rejects.toMatchObject({ code: 'NOT_FOUND' });
        expect(await store.getActiveScriptVersion()).toBe(2);
      });

      it('concurrent saves get distinct version numbers', async () => {
        const saved = await Promise.all(
          Array.from({ length: 6 }, (_, i) => (i % 2 ? other : store).saveScriptVersion({ author: `m${i}`, at: at(i), files: {} })),
        );
        expect(saved.map((v) => v.version).sort()).toEqual([1, 2, 3, 4, 5, 6]);
      });

      it('keeps the audit trail newest first', async () => {
        await store.appendAudit({ at: at(0), who: 'boss', action: 'publish', detail: 'v1' });
        await store.appendAudit({ at: at(1), who: 'boss', action: 'rollback' });
        await store.appendAudit({ at: at(2), who: 'lily', action: 'publish', detail: 'v3' });
        expect((await other.listAudit()).map((a) => a.action)).toEqual(['publish', 'rollback', 'publish']);
        expect(await store.listAudit(2)).toEqual([
          { at: at(2), who: 'lily', action: 'publish', detail: 'v3' },
          { at: at(1), who: 'boss', action: 'rollback' },
        ]);
      });
    });

    describe('script drafts', () => {
      it('shares one draft entry per path between instances; a later save replaces it', async () => {
        expect(await store.getDrafts()).toEqual({});
        await store.saveDraft('templates/greeting.hello.yaml', { text: 'v1', author: 'boss', at: at(0) });
        await other.saveDraft('intents/old.yaml', { text: null, author: 'lily', at: at(1) });
        await other.saveDraft('templates/greeting.hello.yaml', { text: 'v2', author: 'lily', at: at(2) });
        expect(await store.getDrafts()).toEqual({
          'templates/greeting.hello.yaml': { text: 'v2', author: 'lily', at: at(2) },
          'intents/old.yaml': { text: null, author: 'lily', at: at(1) },
        });
      });

      it('discards one path or the whole draft', async () => {
        await store.saveDraft('intents/a.yaml', { text: 'a', author: 'boss', at: at(0) });
        await store.saveDraft('intents/b.yaml', { text: 'b', author: 'boss', at: at(0) });
        await other.deleteDraft('intents/a.yaml');
        await other.deleteDraft('intents/missing.yaml');
        expect(Object.keys(await store.getDrafts())).toEqual(['intents/b.yaml']);
        await store.saveDraft('intents/c.yaml', { text: 'c', author: 'boss', at: at(1) });
        await other.deleteDraft();
        expect(await store.getDrafts()).toEqual({});
      });

      it('hands out copies: changing a returned draft does not change the store', async () => {
        const entry = { text: 'x', author: 'boss', at: at(0) };
        await store.saveDraft('intents/a.yaml', entry);
        entry.text = 'changed after saving';
        const read = await store.getDrafts();
        const got = read['intents/a.yaml'];
        if (got) got.text = 'changed after reading';
        expect((await store.getDrafts())['intents/a.yaml']?.text).toBe('x');
      });
    });

    describe('rate limiter', () => {
      it('allows `limit` hits per window per key, then refuses until the window ends', async () => {
        const results = [];
        for (let i = 0; i < 4; i++) results.push(await (i % 2 ? other : store).hit('buyer:b1', 400, 3));
        expect(results).toEqual([
          { allowed: true, count: 1 },
          { allowed: true, count: 2 },
          { allowed: true, count: 3 },
          { allowed: false, count: 4 },
        ]);
        expect(await store.hit('buyer:b2', 400, 3)).toEqual({ allowed: true, count: 1 });
        // A new window starts once the old one has passed: poll until it does.
        let next = await store.hit('buyer:b1', 400, 3);
        while (!next.allowed) {
          await new Promise((r) => setTimeout(r, 50));
          next = await store.hit('buyer:b1', 400, 3);
        }
        expect(next).toEqual({ allowed: true, count: 1 });
      });

      it('firstSeen: true once per key (on every instance), false while remembered, true again after its time', async () => {
        const [a, b] = await Promise.all([store.firstSeen('webhook:sig:s1', 400), other.firstSeen('webhook:sig:s1', 400)]);
        expect([a, b].sort()).toEqual([false, true]);
        expect(await other.firstSeen('webhook:sig:s1', 400)).toBe(false);
        expect(await store.firstSeen('webhook:sig:s2', 400)).toBe(true);
        let again = await store.firstSeen('webhook:sig:s1', 400);
        while (!again) {
          await new Promise((r) => setTimeout(r, 50));
          again = await store.firstSeen('webhook:sig:s1', 400);
        }
        expect(await store.firstSeen('webhook:sig:s1', 400)).toBe(false);
      });

      if (harness.reopen) {
        it('firstSeen remembers a key across a restart (a replay after it is still refused)', async () => {
          expect(await store.firstSeen('webhook:image:b1:m1', 60_000)).toBe(true);
          store = await harness.reopen!(store);
          expect(await store.firstSeen('webhook:image:b1:m1', 60_000)).toBe(false);
          expect(await store.firstSeen('webhook:image:b1:m2', 60_000)).toBe(true);
        });
      }
    });

    describe('bus', () => {
      it('delivers published messages to every subscriber, this instance included, until it unsubscribes', async () => {
        const remote = await listen(other, 'conv:c1');
        const local = await listen(store, 'conv:c1');
        const frame = { type: 'message', seq: 3, text: '亲，已为您转接' };
        await store.publish('conv:c1', frame);
        await Promise.all([remote.waitFor(1), local.waitFor(1)]);
        expect(remote.seen).toEqual([frame]);
        expect(local.seen).toEqual([frame]);

        await remote.unsubscribe();
        const sentinel = await listen(other, 'sentinel');
        await store.publish('conv:c1', 'after');
        // Published later on the same connection, so it arrives after 'after' would have.
        await store.publish('sentinel', 1);
        await Promise.all([sentinel.waitFor(1), local.waitFor(2)]);
        expect(remote.seen).toEqual([frame]);
        expect(local.seen).toEqual([frame, 'after']);
        await local.unsubscribe();
        await sentinel.unsubscribe();
      });
    });

    describe('locks', () => {
      it('lets one holder at a time run, across instances', async () => {
        let inside = 0;
        let maxInside = 0;
        const order: number[] = [];
        await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            (i % 2 ? other : store).withLock('turn:c1', 5000, async () => {
              inside += 1;
              maxInside = Math.max(maxInside, inside);
              await new Promise((r) => setTimeout(r, 5));
              order.push(i);
              inside -= 1;
            }),
          ),
        );
        expect(maxInside).toBe(1);
        expect(order.sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      });

      it('releases the lock when the holder throws, and passes the result through', async () => {
        await expect(store.withLock('k', 5000, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
        expect(await other.withLock('k', 5000, async () => 42)).toBe(42);
      });
    });

    it('reports healthy', () => {
      expect(store.health()).toEqual({ status: 'ok' });
    });

    describe('acts outbox', () => {
      const act = (id: string, overrides: Partial<OutboxAct> = {}): OutboxAct => ({
        id,
        kind: 'deal',
        conversationId: 'c1',
        buyerId: 'B002',
        at: at(0),
        payload: { price: 390 },
        state: 'sent',
        attempts: 0,
        nextAttemptAt: 1000,
        updatedAt: at(0),
        ...overrides,
      });

      it('adds an act once per id, lists a conversation in order, and serves due acts earliest first', async () => {
        expect(await store.addOutboxAct(act('a1', { nextAttemptAt: 3000 }))).toBe(true);
        expect(await other.addOutboxAct(act('a1', { payload: { price: 1 } }))).toBe(false);
        expect(await store.addOutboxAct(act('a2', { nextAttemptAt: 2000, orderNumber: 'E1002' }))).toBe(true);
        expect(await store.addOutboxAct(act('b1', { conversationId: 'c2', nextAttemptAt: 9000 }))).toBe(true);
        expect((await other.getOutboxAct('a1'))?.payload).toEqual({ price: 390 });
        expect(await store.getOutboxAct('nope')).toBeNull();
        expect((await other.listOutboxActs('c1')).map((a) => a.id)).toEqual(['a1', 'a2']);
        expect((await store.dueOutboxActs(5000)).map((a) => a.id)).toEqual(['a2', 'a1']);
        expect((await store.dueOutboxActs(5000, 1)).map((a) => a.id)).toEqual(['a2']);
        expect(await store.dueOutboxActs(1999)).toEqual([]);
      });

      it('updates state: an answered act is no longer due; a retried one is due at its new time', async () => {
        await store.addOutboxAct(act('a1'));
        await store.addOutboxAct(act('a2'));
        await other.updateOutboxAct(act('a1', { state: 'accepted', attempts: 1, updatedAt: at(1) }));
        await other.updateOutboxAct(act('a2', { attempts: 1, nextAttemptAt: 4000, lastError: 'shop down' }));
        await other.updateOutboxAct(act('ghost', { state: 'accepted' }));
        expect(await store.getOutboxAct('ghost')).toBeNull();
        expect((await store.getOutboxAct('a1'))?.state).toBe('accepted');
        expect(await store.dueOutboxActs(3000)).toEqual([]);
        expect(await store.dueOutboxActs(4000)).toEqual([act('a2', { attempts: 1, nextAttemptAt: 4000, lastError: 'shop down' })]);
        await store.updateOutboxAct(act('a2', { state: 'refused', reason: 'already_shipped', attempts: 2 }));
        expect(await store.dueOutboxActs(10_000)).toEqual([]);
        expect((await store.listOutboxActs('c1')).map((a) => [a.id, a.state])).toEqual([
          ['a1', 'accepted'],
          ['a2', 'refused'],
        ]);
      });

      if (harness.reopen) {
        const reopen = harness.reopen;
        it('keeps the outbox across a restart', async () => {
          await store.addOutboxAct(act('a1'));
          await store.addOutboxAct(act('a2'));
          await store.updateOutboxAct(act('a2', { state: 'accepted', attempts: 1 }));
          if (other !== store) await other.close();
          store = await reopen(store);
          other = store;
          expect((await store.dueOutboxActs(1000)).map((a) => a.id)).toEqual(['a1']);
          expect((await store.getOutboxAct('a2'))?.state).toBe('accepted');
          expect(await store.addOutboxAct(act('a1'))).toBe(false);
        });
      }
    });

    if (harness.reopen) {
      const reopen = harness.reopen;
      it('keeps everything durable across a restart', async () => {
        await store.saveConversation(conversation('a', { status: 'queued' }));
        await store.saveBuyerSession({ buyerId: 'b1', resumeToken: 't1', conversationId: 'a' });
        await store.appendMessage('a', { from: 'buyer', text: '我要退货', clientId: 'm1', at: at(0) });
        await store.appendMessage('a', { from: 'bot', text: '亲，已为您转人工', at: at(1) });
        await store.enqueue({ conversationId: 'a', priority: 'high', enqueuedAt: at(1) });
        await store.enqueue({ conversationId: 'b', priority: 'normal', enqueuedAt: at(0) });
        await store.claimNext('ajie', 2, 'b');
        await store.setPresence({ agentId: 'ajie', status: 'online', since: at(0) });
        await store.renewPresenceLease('ajie', 4321);
        await store.renewPresenceLease('gone', 1);
        await store.takeExpiredLeases(2);
        await store.setTimer({ key: 'first-response:a', dueAt: 1234, payload: { conversationId: 'a' } });
        await store.setTimer({ key: 'gone', dueAt: 1, payload: {} });
        await store.clearTimer('gone');
        await store.saveScriptVersion({ author: 'boss', at: at(0), files: { 'templates/x.yaml': 'a: b\n' } });
        await store.setActiveScriptVersion(1);
        await store.appendAudit({ at: at(0), who: 'boss', action: 'publish' });
        await store.saveDraft('templates/x.yaml', { text: 'a: c\n', author: 'boss', at: at(1) });
        await store.saveDraft('intents/gone.yaml', { text: null, author: 'lily', at: at(2) });
        await store.saveDraft('intents/dropped.yaml', { text: 'x', author: 'lily', at: at(2) });
        await store.deleteDraft('intents/dropped.yaml');

        if (other !== store) await other.close();
        store = await reopen(store);
        other = store;

        expect(await store.getConversation('a')).toEqual(conversation('a', { status: 'queued' }));
        expect(await store.getBuyerSession('b1')).toEqual({ buyerId: 'b1', resumeToken: 't1', conversationId: 'a' });
        expect((await store.messagesAfter('a', 0)).map((m) => m.text)).toEqual(['我要退货', '亲，已为您转人工']);
        expect(await store.lastSeq('a')).toBe(2);
        // seq continues and clientId dedupe still holds after the restart
        expect((await store.appendMessage('a', { from: 'buyer', text: '我要退货', clientId: 'm1', at: at(2) })).seq).toBe(1);
        expect((await store.appendMessage('a', { from: 'buyer', text: '在吗', at: at(3) })).seq).toBe(3);
        expect(await store.listQueue()).toEqual([{ conversationId: 'a', priority: 'high', enqueuedAt: at(1) }]);
        expect(await store.listAssignments('ajie')).toEqual(['b']);
        expect(await store.getPresence('ajie')).toEqual({ agentId: 'ajie', status: 'online', since: at(0) });
        expect(await store.listPresenceLeases()).toEqual([{ agentId: 'ajie', expiresAt: 4321 }]);
        expect(await store.listTimers()).toEqual([{ key: 'first-response:a', dueAt: 1234, payload: { conversationId: 'a' } }]);
        expect((await store.getScriptVersion(1))?.files).toEqual({ 'templates/x.yaml': 'a: b\n' });
        expect(await store.getActiveScriptVersion()).toBe(1);
        expect((await store.saveScriptVersion({ author: 'boss', at: at(9), files: {} })).version).toBe(2);
        expect(await store.listAudit()).toEqual([{ at: at(0), who: 'boss', action: 'publish' }]);
        expect(await store.getDrafts()).toEqual({
          'templates/x.yaml': { text: 'a: c\n', author: 'boss', at: at(1) },
          'intents/gone.yaml': { text: null, author: 'lily', at: at(2) },
        });
      });
    }
  });
}
