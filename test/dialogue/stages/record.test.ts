/** The record stage: stored states made safe, closed conversations reopened, the turn recorded. */
import { loadState, recordTurn, reopenIfClosed } from '../../../src/dialogue/stages/record';
import type { ConversationState } from '../../../src/model/conversation';
import { demoShop, NOW, understood } from '../fixtures';

const shop = demoShop();
const base = (over: Partial<ConversationState> = {}): ConversationState => ({
  id: 'k',
  buyerId: 'B004',
  shopId: 'demo',
  status: 'bot',
  slots: {},
  turns: [],
  facts: [],
  createdAt: NOW.toISOString(),
  updatedAt: NOW.toISOString(),
  ...over,
});

describe('loadState', () => {
  it('loads a state stored without slots, turns or facts', () => {
    const stored = JSON.parse('{"id":"k","buyerId":"B004","shopId":"demo","status":"bot","createdAt":"x","updatedAt":"x"}') as ConversationState;
    expect(loadState(stored)).toMatchObject({ slots: {}, turns: [], facts: [] });
  });

  it('drops a malformed value of a known slot, keeps keys it does not know, and never changes its input', () => {
    const stored = JSON.parse(
      '{"id":"k","buyerId":"B004","shopId":"demo","status":"bot","createdAt":"x","updatedAt":"x","turns":[],"facts":[],' +
        '"slots":{"haggle":{"rounds":1},"wantedSize":"M","fromANewerVersion":{"a":1}}}',
    ) as ConversationState;
    const before = JSON.stringify(stored);
    const conv = loadState(stored);
    expect(conv.slots).toEqual({ wantedSize: 'M', fromANewerVersion: { a: 1 } });
    expect(JSON.stringify(stored)).toBe(before);
    conv.turns.push({ at: 'x', text: 'y', intent: 'z', category: 'other', confidence: 1 });
    expect(stored.turns).toEqual([]);
  });
});

describe('reopenIfClosed', () => {
  it('gives a closed conversation back to the bot without its old question', () => {
    const closed = base({
      status: 'closed',
      closedResolution: 'resolved',
      handoff: { reason: 'explicit_request', priority: 'normal', summary: '', suggestions: [], at: 'x' },
      slots: { pending: { owner: 'payment.cod', kind: 'confirm', choices: [] }, clarify: { asked: 1, choices: {} }, wantedSize: 'L' },
    });
    const open = reopenIfClosed(closed);
    expect(open.status).toBe('bot');
    expect(open.handoff).toBeUndefined();
    expect(open.closedResolution).toBeUndefined();
    expect(open.slots).toEqual({ wantedSize: 'L' });
    expect(closed.status).toBe('closed');
    const queued = base({ status: 'queued' });
    expect(reopenIfClosed(queued)).toBe(queued);
  });
});

describe('recordTurn', () => {
  it('appends the turn (capped), keeps the latest fact of each kind and stamps the time', () => {
    const u = understood('delivery.tracking', [{ kind: 'courier', text: '顺丰', span: { start: 0, end: 2 }, value: 'SF' }]);
    let conv = base();
    for (let i = 0; i < 4; i++) conv = recordTurn({ conv, u, text: `t${i}`, now: NOW, shop, maxTurns: 3 });
    expect(conv.turns.map((t) => t.text)).toEqual(['t1', 't2', 't3']);
    expect(conv.facts).toHaveLength(1);
    expect(conv.updatedAt).toBe(NOW.toISOString());
  });

  it("moves the order in focus to an own order number typed now, never to a stranger's", () => {
    const own = understood('delivery.tracking', [{ kind: 'order', text: 'E0880', span: { start: 0, end: 5 }, value: 'E0880' }]);
    const foreign = understood('delivery.tracking', [{ kind: 'order', text: 'E1001', span: { start: 0, end: 5 }, value: 'E1001' }]);
    const start = base({ orderId: 'E1004' });
    expect(recordTurn({ conv: start, u: own, text: 'E0880', now: NOW, shop, maxTurns: 50 }).orderId).toBe('E0880');
    expect(recordTurn({ conv: start, u: foreign, text: 'E1001', now: NOW, shop, maxTurns: 50 }).orderId).toBe('E1004');
    expect(recordTurn({ conv: base(), u: foreign, text: 'E1001', now: NOW, shop, maxTurns: 50 }).orderId).toBe(shop.ordersByBuyer('B004')[0]!.number);
  });
});
