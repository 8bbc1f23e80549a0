/** The suggest stage: three ranked suggestions for a person, never what the bot just said; the handoff summary. */
import { handoffFor, suggestions } from '../../../src/dialogue/stages/suggest';
import type { ConversationState } from '../../../src/model/conversation';
import type { LastTurn } from '../../../src/model/slots';
import { demoShop, NOW, shippedBundle, understood } from '../fixtures';

const shop = demoShop();
const bundle = shippedBundle();
const conv = (over: Partial<ConversationState> = {}): ConversationState => ({
  id: 's',
  buyerId: 'B002',
  shopId: 'demo',
  status: 'bot',
  orderId: 'E1002',
  slots: {},
  turns: [],
  facts: [],
  createdAt: '',
  updatedAt: '',
  ...over,
});
const last: LastTurn = { text: '我的快递到哪了', handled: 'delivery.tracking', u: understood('delivery.tracking') };
const base = { bundle, shop, now: NOW, utcOffsetMinutes: 480 };

test('no suggestions before a buyer turn', () => {
  expect(suggestions({ ...base, conv: conv(), last: undefined })).toEqual([]);
});

test('three suggestions, the handled intent first, each with a reason', () => {
  const out = suggestions({ ...base, conv: conv(), last });
  expect(out).toHaveLength(3);
  expect(out[0]!.text).toContain('中通快递');
  expect(out[0]!.reason).toContain('当前意图');
  expect(new Set(out.map((s) => s.text)).size).toBe(3);
});

test('none repeats what the bot just said', () => {
  const first = suggestions({ ...base, conv: conv(), last })[0]!;
  const out = suggestions({ ...base, conv: conv({ slots: { botSaid: [{ text: first.text, templateId: first.templateId! }] } }), last });
  expect(out.map((s) => s.text)).not.toContain(first.text);
});

test('the handoff carries the reason, the order and the buyer in its summary', () => {
  const info = handoffFor({
    ...base,
    conv: conv(),
    last,
    request: { reason: 'overdue_delivery', priority: 'high', note: '已超时' },
    confidence: 0.9,
  });
  expect(info).toMatchObject({ reason: 'overdue_delivery', priority: 'high', at: NOW.toISOString() });
  expect(info.summary).toContain('E1002');
  expect(info.summary).toContain('李娜');
  expect(info.summary).toContain('已超时');
  expect(info.suggestions).toHaveLength(3);
});
