/** Engine behaviour around the flows: failures, queued conversations, clock, clarifying questions. */
import { createEngine } from '../../src/dialogue/engine';
import type { ConversationState } from '../../src/model/conversation';
import type { ScriptBundle } from '../../src/scripts/bundle';
import { demoShop, NOW, scriptedBundle, shippedBundle, understood } from './fixtures';

const shop = demoShop();

function engineWith(bundle: ScriptBundle, now = NOW) {
  return createEngine({ shop, getScripts: () => bundle, clock: () => now, random: () => 0 });
}

test('a stage that throws gives a polite holding reply and an error handoff', () => {
  const bundle = scriptedBundle(() => {
    throw new Error('classifier exploded');
  });
  const engine = engineWith(bundle);
  const conv = engine.openConversation({ id: 'e', buyerId: 'B002', shopId: 'demo' });
  const r = engine.handleMessage(conv, '我的快递呢');
  expect(r.replies).toHaveLength(1);
  expect(r.replies[0]!.text).toMatch(/亲/);
  expect(r.handoff).toMatchObject({ reason: 'error' });
  expect(r.handoff!.summary).toContain('classifier exploded');
  expect(r.conversation.status).toBe('queued');
  expect(r.conversation.turns.at(-1)!.text).toBe('我的快递呢');
});

test('a template that needs a variable the situation lacks is an error handoff, not a hole', () => {
  const base = shippedBundle();
  const broken: ScriptBundle = {
    ...base,
    understand: () => understood('product.info'),
    templates: { ...base.templates, 'product.info': base.templates['system.missing'] ?? base.templates['product.info']! },
  };
  // Swap in a template that uses order.number: a new buyer has no order.
  const file = broken.templates['product.info']!;
  const variant = base.templates['delivery.ship_time']!.moves['will_ship']!.variants[0]!;
  broken.templates['product.info'] = { ...file, moves: { describe: { variants: [variant], quickReplies: [] } } };
  const engine = engineWith(broken);
  const r = engine.handleMessage(engine.openConversation({ id: 't', buyerId: 'B008', shopId: 'demo' }), '面料');
  expect(r.handoff?.reason).toBe('error');
  expect(r.replies[0]!.text).not.toContain('undefined');
});

test('while queued or with an agent the bot stays silent and refreshes suggestions', () => {
  const engine = engineWith(scriptedBundle(() => understood('delivery.tracking')));
  const conv: ConversationState = { ...engine.openConversation({ id: 'q', buyerId: 'B002', shopId: 'demo' }), status: 'agent' };
  const r = engine.handleMessage(conv, '到哪了');
  expect(r.replies).toEqual([]);
  expect(r.handoff?.suggestions.length).toBe(3);
  expect(r.handoff!.suggestions[0]!.text).toContain('中通快递');
  expect(engine.suggest(r.conversation)[0]!.text).toContain('中通快递');
});

test('suggestions are ranked: current intent first, each with a reason', () => {
  const u = understood('return.refund');
  u.ranking = [
    { intent: 'return.refund', category: 'return', confidence: 0.6 },
    { intent: 'return.exchange', category: 'return', confidence: 0.3 },
    { intent: 'delivery.tracking', category: 'delivery', confidence: 0.1 },
  ];
  const engine = engineWith(scriptedBundle(() => u));
  const r = engine.handleMessage(engine.openConversation({ id: 's', buyerId: 'B005', shopId: 'demo' }), '退货');
  expect(r.handoff?.reason).toBe('policy_limit');
  const s = r.handoff!.suggestions;
  expect(s).toHaveLength(3);
  expect(s[0]!.reason).toContain('当前意图');
  expect(s[1]!.reason).toContain('次选意图');
  expect(s[0]!.templateId).toMatch(/^return\.refund\//);
  expect(s[1]!.templateId).toMatch(/^return\.exchange\//);
});

test('the greeting follows the injected clock and names a returning buyer', () => {
  const evening = new Date('2025-03-10T21:00:00+08:00');
  const engine = engineWith(shippedBundle(), evening);
  expect(engine.greet(engine.openConversation({ id: 'g', buyerId: 'B002', shopId: 'demo' }))[0]!.text).toMatch(/晚上好.*李娜/);
  const morning = engineWith(shippedBundle());
  const opening = morning.greet(morning.openConversation({ id: 'g', buyerId: 'B008', shopId: 'demo' }));
  expect(opening).toHaveLength(1); // no unpaid order: the greeting alone
  const text = opening[0]!.text;
  expect(text).toContain('早上好');
  expect(text).not.toContain('周婷');
});

test('a clarifying question offers quick replies; choosing one answers that intent', () => {
  const unclear = understood('other.fallback', [], 0.2);
  unclear.ranking = [
    { intent: 'delivery.tracking', category: 'delivery', confidence: 0.2 },
    { intent: 'return.refund', category: 'return', confidence: 0.15 },
  ];
  const script = [unclear, understood('other.fallback', [], 0.3)];
  let i = 0;
  const engine = engineWith(scriptedBundle(() => script[i++]!));
  const r1 = engine.handleMessage(engine.openConversation({ id: 'c', buyerId: 'B002', shopId: 'demo' }), '那个');
  expect(r1.handoff).toBeUndefined();
  const quick = r1.replies[0]!.quickReplies!;
  expect(quick).toContain('查物流');
  const r2 = engine.handleMessage(r1.conversation, '查物流');
  expect(r2.replies[0]!.intent).toBe('delivery.tracking');
  expect(r2.replies[0]!.text).toContain('中通快递');
});

test('opening with a product puts it in focus; without one the featured product', () => {
  const engine = engineWith(shippedBundle());
  expect(engine.openConversation({ id: 'a', buyerId: 'B008', shopId: 'demo', productId: 'P200' }).productId).toBe('P200');
  expect(engine.openConversation({ id: 'b', buyerId: 'B008', shopId: 'demo' }).productId).toBe('P100');
  expect(engine.openConversation({ id: 'c', buyerId: 'B002', shopId: 'demo' }).orderId).toBe('E1002');
});

test('a closed conversation reopens with the bot', () => {
  const engine = engineWith(scriptedBundle(() => understood('greeting.hello')));
  const conv: ConversationState = { ...engine.openConversation({ id: 'x', buyerId: 'B008', shopId: 'demo' }), status: 'closed' };
  const r = engine.handleMessage(conv, '你好');
  expect(r.conversation.status).toBe('bot');
  expect(r.replies).toHaveLength(1);
});

test('handleMessage does not mutate the state it is given', () => {
  const engine = engineWith(scriptedBundle(() => understood('greeting.hello')));
  const conv = engine.openConversation({ id: 'm', buyerId: 'B008', shopId: 'demo' });
  const before = JSON.stringify(conv);
  engine.handleMessage(conv, '你好');
  expect(JSON.stringify(conv)).toBe(before);
});

test('a buyer with an unpaid order is greeted, then reminded to pay with the cut-off', () => {
  const engine = engineWith(shippedBundle());
  const opening = engine.greet(engine.openConversation({ id: 'u', buyerId: 'B003', shopId: 'demo' }));
  expect(opening.map((r) => r.intent)).toEqual(['greeting.hello', 'payment.pay']);
  expect(opening[0]!.text).toContain('早上好');
  // Monday 10:00, before the 16:00 cut-off: paid now, it ships today.
  expect(opening[1]!.text).toMatch(/今天 16:00/);
  expect(opening[1]!.category).toBe('payment');
});

describe('clarifying question wording and choices', () => {
  function ask(ranking: { intent: string; category: string; confidence: number }[]) {
    const unclear = understood('other.fallback', [], 0.2);
    unclear.ranking = ranking.map((r) => ({ ...r, category: r.category as never }));
    const engine = engineWith(scriptedBundle(() => unclear));
    return engine.handleMessage(engine.openConversation({ id: 'cq', buyerId: 'B008', shopId: 'demo' }), '那个').replies[0]!;
  }

  test('one likely topic is asked about directly, not as "which one of"', () => {
    const reply = ask([
      { intent: 'other.fallback', category: 'other', confidence: 0.4 },
      { intent: 'delivery.tracking', category: 'delivery', confidence: 0.3 },
      { intent: 'payment.invoice', category: 'payment', confidence: 0.05 },
    ]);
    expect(reply.text).toContain('您是想问查物流吗？');
    expect(reply.text).not.toContain('哪一个');
    expect(reply.quickReplies).toEqual(['查物流', '转人工']);
  });

  test('several topics are listed as spoken Chinese: A、B还是C', () => {
    const reply = ask([
      { intent: 'delivery.tracking', category: 'delivery', confidence: 0.3 },
      { intent: 'return.refund', category: 'return', confidence: 0.25 },
      { intent: 'payment.invoice', category: 'payment', confidence: 0.2 },
    ]);
    expect(reply.text).toContain('您是想问查物流、退货退款还是开发票呢？');
    expect(reply.text).not.toContain('/');
  });

  test('topics the classifier barely considered are not offered: the buyer is asked to rephrase', () => {
    // What "<script>alert(1)</script>" gets from the shipped classifier.
    const reply = ask([
      { intent: 'other.fallback', category: 'other', confidence: 0.16 },
      { intent: 'payment.invoice', category: 'payment', confidence: 0.07 },
      { intent: 'product.info', category: 'product', confidence: 0.068 },
    ]);
    expect(reply.text).toContain('能再说详细一点吗');
    expect(reply.text).not.toMatch(/开发票|商品详情/);
    expect(reply.quickReplies).toEqual(['转人工']);
  });
});

describe('agent suggestions', () => {
  test('none repeats what the bot just said, and a near-zero runner-up is never one of them', () => {
    // "我要投诉你们" as the shipped classifier ranks it.
    const u = understood('bad_review.complaint', [], 0.99);
    u.ranking = [
      { intent: 'bad_review.complaint', category: 'bad_review', confidence: 0.99 },
      { intent: 'other.fallback', category: 'other', confidence: 0.003 },
      { intent: 'greeting.thanks', category: 'greeting', confidence: 0.001 },
    ];
    const engine = engineWith(scriptedBundle(() => u));
    const r = engine.handleMessage(engine.openConversation({ id: 'sg', buyerId: 'B004', shopId: 'demo' }), '我要投诉你们');
    const s = r.handoff!.suggestions;
    expect(s).toHaveLength(3);
    for (const said of r.replies) expect(s.map((x) => x.text)).not.toContain(said.text);
    expect(s[0]!.templateId).toMatch(/^bad_review\.complaint\//);
    expect(s[0]!.reason).toContain('当前意图');
    expect(s.map((x) => x.templateId).join(' ')).not.toMatch(/greeting|other\.fallback/);
    for (const x of s) expect(x.reason.length).toBeGreaterThan(0);
  });

  test('an address change is not followed by an invoice answer at 1%: generic help fills the third', () => {
    const u = understood('address.change', [], 0.98);
    u.ranking = [
      { intent: 'address.change', category: 'address', confidence: 0.98 },
      { intent: 'payment.invoice', category: 'payment', confidence: 0.01 },
      { intent: 'address.confirm', category: 'address', confidence: 0.005 },
    ];
    const engine = engineWith(scriptedBundle(() => u));
    const conv: ConversationState = { ...engine.openConversation({ id: 'ad', buyerId: 'B002', shopId: 'demo' }), status: 'agent' };
    const s = engine.handleMessage(conv, '帮我改一下地址').handoff!.suggestions;
    expect(s).toHaveLength(3);
    expect(s.map((x) => x.templateId).join(' ')).not.toMatch(/payment\.invoice|address\.confirm/);
    expect(s.some((x) => x.templateId?.startsWith('system/'))).toBe(true);
  });

  test('after-sale without an order on file asks for photos or the order number, each with its reason', () => {
    const u = understood('return.damaged', [], 0.9);
    const engine = engineWith(scriptedBundle(() => u));
    const conv: ConversationState = { ...engine.openConversation({ id: 'dm', buyerId: 'B008', shopId: 'demo' }), status: 'agent' };
    const s = engine.handleMessage(conv, '衣服破了').handoff!.suggestions;
    expect(s).toHaveLength(3);
    const generic = s.filter((x) => /^system\/(ask_photos|agent_apology|ask_order)#/.test(x.templateId ?? ''));
    expect(generic.length).toBeGreaterThan(0);
    for (const g of generic) expect(g.reason).toMatch(/致歉|拍照|订单号/);
  });
});

test('asking for a person: the person greets and asks, rather than "transferring you to a person"', () => {
  const engine = engineWith(scriptedBundle(() => understood('human.request')));
  const s = engine.handleMessage(engine.openConversation({ id: 'hu', buyerId: 'B002', shopId: 'demo' }), '我要人工客服').handoff!.suggestions;
  expect(s).toHaveLength(3);
  expect(s[0]!.templateId).toMatch(/^system\/agent_greet#/);
  expect(s.map((x) => x.templateId).join(' ')).not.toMatch(/human\.request|system\/handoff/);
});

describe('the bot does not say the same sentence twice in a row', () => {
  test('the greeting and the reply to "你好" are different sentences', () => {
    const engine = engineWith(scriptedBundle(() => understood('greeting.hello')));
    const conv = engine.openConversation({ id: 'hi', buyerId: 'B008', shopId: 'demo' });
    const greeting = engine.greet(conv)[0]!.text;
    const reply = engine.handleMessage(conv, '你好').replies[0]!.text;
    expect(reply).not.toBe(greeting);
  });

  test('a move with several variants never repeats the previous reply, whatever the random start', () => {
    for (const start of [0, 0.3, 0.6, 0.99]) {
      const engine = createEngine({
        shop,
        getScripts: () => scriptedBundle(() => understood('greeting.hello')),
        clock: () => NOW,
        random: () => start,
      });
      let conv = engine.openConversation({ id: `r${start}`, buyerId: 'B008', shopId: 'demo' });
      let previous = engine.greet(conv)[0]!.text;
      for (let i = 0; i < 4; i++) {
        const r = engine.handleMessage(conv, '你好');
        expect(r.replies[0]!.text).not.toBe(previous);
        previous = r.replies[0]!.text;
        conv = r.conversation;
      }
    }
  });
});

test('the handoff summary masks a phone number in the last message', () => {
  const engine = engineWith(scriptedBundle(() => understood('human.request')));
  const r = engine.handleMessage(engine.openConversation({ id: 'ph', buyerId: 'B008', shopId: 'demo' }), '转人工，打我电话13912345678');
  expect(r.handoff!.summary).toContain('139****5678');
  expect(r.handoff!.summary).not.toContain('13912345678');
  // The conversation itself keeps what the buyer wrote (the agent may need to call).
  expect(r.conversation.turns.at(-1)!.text).toContain('13912345678');
});

test('a side question keeps the read-back open; scripts without the reminder keep it open silently', () => {
  const base = shippedBundle();
  const { still_open: _s, ...systemMoves } = base.templates['system']!.moves;
  const older: ScriptBundle = { ...base, templates: { ...base.templates, system: { ...base.templates['system']!, moves: systemMoves } } };
  for (const [bundle, reminded] of [
    [base, true],
    [older, false],
  ] as const) {
    const engine = engineWith(bundle);
    const r1 = engine.handleMessage(
      engine.openConversation({ id: 'so', buyerId: 'B001', shopId: 'demo' }),
      '改地址 王小明 13812345678 浙江省杭州市滨江区江南大道588号',
    );
    const r2 = engine.handleMessage(r1.conversation, '什么时候发货');
    expect(r2.replies.some((r) => r.templateId?.startsWith('system/still_open#'))).toBe(reminded);
    expect(r2.acts).toBeUndefined();
    const r3 = engine.handleMessage(r2.conversation, '对');
    expect(r3.acts?.map((a) => a.kind)).toEqual(['address_change']);
  }
});

test("an optional move the shop's scripts lack is answered as before it existed (its fallback)", () => {
  const base = shippedBundle();
  const { courier: _c, ...shipMoves } = base.templates['delivery.ship_time']!.moves;
  const older: ScriptBundle = {
    ...base,
    templates: { ...base.templates, 'delivery.ship_time': { ...base.templates['delivery.ship_time']!, moves: shipMoves } },
  };
  const ask = (bundle: ScriptBundle) => {
    const engine = engineWith(bundle);
    return engine.handleMessage(engine.openConversation({ id: 'c', buyerId: 'B001', shopId: 'demo' }), '发什么快递').replies[0]!;
  };
  expect(ask(base).templateId).toMatch(/^delivery\.ship_time\/courier#/);
  expect(ask(older).templateId).toMatch(/^delivery\.ship_time\/will_ship#/);
});

test('fallbacks chain: without the return-address move the policy answers, without that the postage', () => {
  const base = shippedBundle();
  const refund = base.templates['return.refund']!;
  const without = (...names: string[]): ScriptBundle => ({
    ...base,
    templates: {
      ...base.templates,
      'return.refund': { ...refund, moves: Object.fromEntries(Object.entries(refund.moves).filter(([m]) => !names.includes(m))) },
    },
  });
  const ask = (bundle: ScriptBundle) => {
    const engine = engineWith(bundle);
    return engine.handleMessage(engine.openConversation({ id: 'c', buyerId: 'B004', shopId: 'demo' }), '退货地址是哪里').replies[0]!;
  };
  expect(ask(base).templateId).toMatch(/^return\.refund\/return_address#/);
  expect(ask(without('return_address')).templateId).toMatch(/^return\.refund\/policy#/);
  expect(ask(without('return_address', 'policy')).templateId).toMatch(/^return\.refund\/shipping_fee#/);
});

describe('handoff replies outside business hours (demo shop: 09:00-23:00)', () => {
  const NIGHT = new Date('2025-03-10T02:00:00+08:00');

  it('the greeting: no "晚上好" nor "客服在线" at 02:00, and when people are back', () => {
    const night = engineWith(shippedBundle(), NIGHT);
    const [g] = night.greet(night.openConversation({ id: 'g1', buyerId: 'B002', shopId: 'demo' }));
    expect(g!.templateId).toMatch(/^greeting\.hello\/evening_after_hours#/);
    expect(g!.text).toContain('李娜');
    expect(g!.text).toMatch(/今天 09:00/);
    expect(g!.text).not.toMatch(/晚上好|客服在线/);
    // The buyer's first "你好" gets another sentence than the greeting (the opening's seed follows the clock too).
    const conv = night.openConversation({ id: 'g1b', buyerId: 'B002', shopId: 'demo' });
    const [opening] = night.greet(conv);
    const hello = night.handleMessage(conv, '你好');
    expect(hello.replies[0]!.text).not.toBe(opening!.text);
    // 07:00, before opening: a morning greeting that says a person comes at 09:00.
    const early = engineWith(shippedBundle(), new Date('2025-03-10T07:00:00+08:00'));
    const [m] = early.greet(early.openConversation({ id: 'g2', buyerId: 'B008', shopId: 'demo' }));
    expect(m!.text).toMatch(/早上好.*今天 09:00/);
    // 21:00, within hours: the evening line as before.
    const evening = engineWith(shippedBundle(), new Date('2025-03-10T21:00:00+08:00'));
    const [e] = evening.greet(evening.openConversation({ id: 'g3', buyerId: 'B008', shopId: 'demo' }));
    expect(e!.templateId).toMatch(/^greeting\.hello\/evening#/);
  });

  it('after-sale replies that need a person say when, not "马上" (shipped scripts, classifier included)', () => {
    const cases: [string, RegExp][] = [
      ['东西收到是坏的', /^return\.damaged\/apologise_after_hours#/],
      ['我要改地址', /^address\.change\/shipped_after_hours#/], // B002's order E1002 has shipped
    ];
    for (const [text, template] of cases) {
      const day = engineWith(shippedBundle());
      const d = day.handleMessage(day.openConversation({ id: 'd', buyerId: 'B002', shopId: 'demo' }), text);
      expect(d.replies[0]!.templateId).toMatch(new RegExp(template.source.replace('_after_hours', '')));
      const night = engineWith(shippedBundle(), NIGHT);
      const n = night.handleMessage(night.openConversation({ id: 'n', buyerId: 'B002', shopId: 'demo' }), text);
      expect(n.replies[0]!.templateId).toMatch(template);
      expect(n.replies.map((r) => r.text).join('')).not.toContain('马上');
      expect(n.replies[0]!.text).toContain('上班后');
    }
  });

  it('asking for a person: "马上" within hours, passed on without that promise outside them', () => {
    const day = engineWith(shippedBundle());
    const r = day.handleMessage(day.openConversation({ id: 'h1', buyerId: 'B002', shopId: 'demo' }), '转人工');
    expect(r.replies[0]!.templateId).toMatch(/^human\.request\/transfer#/);
    expect(r.replies[0]!.text).toContain('马上');

    const night = engineWith(shippedBundle(), NIGHT);
    const n = night.handleMessage(night.openConversation({ id: 'h2', buyerId: 'B002', shopId: 'demo' }), '转人工');
    expect(n.handoff).toMatchObject({ reason: 'explicit_request' });
    expect(n.replies[0]!.templateId).toMatch(/^human\.request\/transfer_after_hours#/);
    expect(n.replies.map((x) => x.text).join('')).not.toContain('马上');
  });

  it("the engine's own handoff notice too; scripts without the after-hours moves say the usual ones", () => {
    // Damaged goods (a person decides): the flow's reply, then the engine's notice.
    const damaged = () => understood('return.damaged');
    const day = engineWith(scriptedBundle(damaged));
    const d = day.handleMessage(day.openConversation({ id: 'h3', buyerId: 'B005', shopId: 'demo' }), '破了');
    expect(d.handoff).toMatchObject({ reason: 'after_sale' });
    expect(d.replies.at(-1)!.templateId).toMatch(/^system\/handoff(_urgent)?#/);
    const night = engineWith(scriptedBundle(damaged), NIGHT);
    const n = night.handleMessage(night.openConversation({ id: 'h3', buyerId: 'B005', shopId: 'demo' }), '破了');
    expect(n.handoff).toMatchObject({ reason: 'after_sale' });
    expect(n.replies.at(-1)!.templateId).toMatch(/^system\/handoff_after_hours#/);
    // A refund past the window: the flow's reply already says a colleague looks into it (and, at night, when).
    const refund = () => understood('return.refund');
    const late = engineWith(scriptedBundle(refund), NIGHT).handleMessage(
      engineWith(scriptedBundle(refund), NIGHT).openConversation({ id: 'h4', buyerId: 'B005', shopId: 'demo' }),
      '退货',
    );
    expect(late.handoff).toMatchObject({ reason: 'policy_limit' });
    expect(late.replies.map((r) => r.templateId)).toEqual([expect.stringMatching(/^return\.refund\/outside_after_hours#/)]);

    // A shop's scripts from before these moves existed: the usual lines, never an error.
    const base = shippedBundle();
    const { transfer_after_hours: _t, ...humanMoves } = base.templates['human.request']!.moves;
    const { handoff_after_hours: _h, ...systemMoves } = base.templates['system']!.moves;
    const older: ScriptBundle = {
      ...base,
      templates: {
        ...base.templates,
        'human.request': { ...base.templates['human.request']!, moves: humanMoves },
        system: { ...base.templates['system']!, moves: systemMoves },
      },
    };
    // The holding reply after a failure, too.
    const failing = engineWith(
      scriptedBundle(() => {
        throw new Error('classifier exploded');
      }),
      NIGHT,
    );
    const f = failing.handleMessage(failing.openConversation({ id: 'h5', buyerId: 'B002', shopId: 'demo' }), '我的快递呢');
    expect(f.replies[0]!.templateId).toMatch(/^system\/error_after_hours#/);
    const old = engineWith(older, NIGHT);
    const o = old.handleMessage(old.openConversation({ id: 'h4', buyerId: 'B002', shopId: 'demo' }), '转人工');
    expect(o.handoff).toMatchObject({ reason: 'explicit_request' });
    expect(o.replies[0]!.templateId).toMatch(/^human\.request\/transfer#/);
  });
});
