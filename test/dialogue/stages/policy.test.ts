/** The policy stage: the routed flow runs, its decisions become the new state, other questions are answered too. */
import { applyResult, decideHandoff, pendingAfter, runPolicy } from '../../../src/dialogue/stages/policy';
import { route } from '../../../src/dialogue/stages/route';
import { labelsOf } from '../../../src/dialogue/stages/suggest';
import type { ConversationState } from '../../../src/model/conversation';
import { demoShop, NOW, shippedBundle, understood } from '../fixtures';

const shop = demoShop();
const conv = (over: Partial<ConversationState> = {}): ConversationState => ({
  id: 'p',
  buyerId: 'B001',
  shopId: 'demo',
  status: 'bot',
  orderId: 'E1001',
  productId: 'P100',
  slots: {},
  turns: [],
  facts: [],
  createdAt: '',
  updatedAt: '',
  ...over,
});

function run(state: ConversationState, text: string) {
  const bundle = shippedBundle();
  const u = bundle.understand(text);
  const routed = route({ conv: state, u, text, shop, clarifyBelow: 0.35, ...(state.slots.pending ? { pending: state.slots.pending } : {}) });
  return runPolicy({ conv: state, u: routed.u, text, routed, shop, bundle, labels: labelsOf(bundle), now: NOW });
}

describe('runPolicy', () => {
  it('runs the routed flow and returns the new state without changing the old one', () => {
    const before = conv();
    const out = run(before, '帮我备注一下不要放购物清单');
    expect(out.handled).toBe('delivery.remark');
    expect(out.result.pending).toMatchObject({ owner: 'delivery.remark', kind: 'read_back', data: { remark: '不要放购物清单' } });
    expect(out.moves.map((m) => `${m.intent}/${m.move}`)).toEqual(['delivery.remark/read_back']);
    expect(before.slots).toEqual({});
  });

  it('answers a second question in the same message after the first', () => {
    const out = run(conv({ orderId: 'E1001' }), '有M码吗？可以开发票吗');
    expect(out.extraCount).toBeGreaterThan(0);
    const intents = [out.handled, ...out.moves.slice(out.mainCount, out.mainCount + out.extraCount).map((m) => m.intent)];
    expect(intents).toEqual(expect.arrayContaining(['payment.invoice', 'product.size_color']));
  });

  it('answers in the order asked when the turn is handled as the later question', () => {
    // The whole message reads most like the invoice question, asked second.
    const out = run(conv({ orderId: 'E1001' }), '什么时候发货？还有能开发票吗');
    expect(out.handled).toBe('payment.invoice');
    expect(out.leadCount).toBe(1);
    expect(out.moves[out.mainCount]!.intent).toBe('delivery.ship_time');
  });

  it('keeps the question the bot waited on open after a side question, and reminds the buyer with its quick replies', () => {
    const waiting = { owner: 'address.change', kind: 'read_back', choices: ['对的，就改这个', '不对，重新填'], data: {} };
    const side = run(conv({ orderId: 'E1001', slots: { pending: waiting } }), '什么时候发货');
    expect(side.handled).toBe('delivery.ship_time');
    expect(side.stillOpen).toEqual({ ...waiting, reminded: true });
    // Once only: a second side question closes it (a later "好的" about something else never confirms it).
    expect(run(conv({ orderId: 'E1001', slots: { pending: { ...waiting, reminded: true } } }), '什么时候发货').stillOpen).toBeUndefined();
    expect(side.moves.at(-1)).toMatchObject({ intent: 'system', move: 'still_open', quickReplies: waiting.choices, vars: { topic: '修改地址' } });
    // A turn that hands off, or asks its own question, closes it.
    expect(run(conv({ orderId: 'E1001', slots: { pending: waiting } }), '转人工').stillOpen).toBeUndefined();
    expect(run(conv({ orderId: 'E1001', slots: { pending: waiting } }), '帮我备注一下不要放购物清单').stillOpen).toBeUndefined();
    // Nothing was waiting: nothing to remind.
    expect(run(conv({ orderId: 'E1001' }), '什么时候发货').stillOpen).toBeUndefined();
  });

  it('adds the handoff notice after the answers when a person must take over, unless the flow announced it', () => {
    const out = run(conv(), '收到的裤子破了个洞');
    expect(out.handoff).toBeDefined();
    expect(out.moves[out.moves.length - 1]).toMatchObject({ intent: 'system' });
    // The complaint's apology already says a person is taking it over.
    const complaint = run(conv(), '我要投诉你们！！！');
    expect(complaint.handoff).toMatchObject({ reason: 'bad_review', announced: true });
    expect(complaint.moves.every((m) => m.intent !== 'system')).toBe(true);
    const human = run(conv(), '转人工');
    expect(human.handoff).toMatchObject({ reason: 'explicit_request', announced: true });
    expect(human.moves.every((m) => m.intent !== 'system')).toBe(true);
  });
});

describe('applyResult', () => {
  it('applies slot updates whole, deletes undefined ones, clears the old question and clarification, turns to the product', () => {
    const state = conv({
      slots: { pending: { owner: 'x', kind: 'y', choices: [] }, clarify: { asked: 1, choices: {} }, awaitingAddress: true, wantedSize: 'M' },
    });
    const next = applyResult(state, { moves: [], slots: { awaitingAddress: undefined, wantedSize: 'L' }, productId: 'P200' }, false);
    expect(next.slots).toEqual({ wantedSize: 'L' });
    expect(next.productId).toBe('P200');
    expect(state.slots.awaitingAddress).toBe(true);
    expect(applyResult(state, { moves: [] }, true).slots.clarify).toEqual({ asked: 1, choices: {} });
  });
});

describe('pendingAfter', () => {
  const reply = { text: 'x', intent: 'payment.cod', category: 'payment' as const, quickReplies: ['确认货到付款', '我还是在线付'] };
  it('remembers the question with the quick replies shown when the flow named none', () => {
    const result = { moves: [], pending: { owner: 'payment.cod', kind: 'confirm', choices: [] } };
    expect(pendingAfter(result, [reply], false)?.choices).toEqual(['确认货到付款', '我还是在线付']);
    expect(pendingAfter({ ...result, pending: { ...result.pending, choices: ['好'] } }, [reply], false)?.choices).toEqual(['好']);
  });
  it('forgets it when a person takes over or the flow asked nothing', () => {
    expect(pendingAfter({ moves: [], pending: { owner: 'a', kind: 'b', choices: [] } }, [reply], true)).toBeUndefined();
    expect(pendingAfter({ moves: [] }, [reply], false)).toBeUndefined();
  });
});

describe('decideHandoff', () => {
  const bundle = shippedBundle();
  it('an angry after-sale message goes to a person with high priority; an angry product question does not', () => {
    expect(decideHandoff(bundle, 'delivery.tracking', understood('delivery.tracking'), '到底什么时候到？？？', { moves: [] })).toEqual({
      reason: 'angry_tone',
      priority: 'high',
    });
    expect(decideHandoff(bundle, 'product.info', understood('product.info'), '什么面料？？？', { moves: [] })).toBeUndefined();
  });
  it("keeps the flow's own request", () => {
    const h = { reason: 'after_sale' as const, priority: 'high' as const, note: 'n' };
    expect(decideHandoff(bundle, 'return.damaged', understood('return.damaged'), '坏了', { moves: [], handoff: h })).toMatchObject(h);
  });
});
