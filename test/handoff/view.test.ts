/**
 * The agent's order card carries what the bot noted on the order during the conversation
 * (a confirmed new address, return and exchange requests), so the person who takes over can
 * carry it into the order system.
 */
import { createEngine } from '../../src/dialogue/engine';
import type { ConversationState } from '../../src/model/conversation';
import { mergeHistory, orderCardFor, queueItemView } from '../../src/handoff/view';
import type { StoredMessage } from '../../src/store/types';
import { demoShop, NOW, shippedBundle } from '../dialogue/fixtures';

const shop = demoShop();
const engine = createEngine({ shop, getScripts: shippedBundle, clock: () => NOW, random: () => 0 });

function talk(buyerId: string, lines: string[]): { conv: ConversationState; replies: string[] } {
  let conv = engine.openConversation({ id: `view-${buyerId}`, buyerId, shopId: 'demo' });
  const replies: string[] = [];
  for (const line of lines) {
    const r = engine.handleMessage(conv, line);
    conv = r.conversation;
    replies.push(...r.replies.map((x) => x.text));
  }
  return { conv, replies };
}

test('a confirmed address change shows on the order card, phone masked, and the bot uses it afterwards', () => {
  const { conv, replies } = talk('B001', ['我要改地址', '收货地址改成上海市浦东新区世纪大道100号', '对的', '帮我核对一下收货地址']);
  const card = orderCardFor(shop, conv)!;
  expect(card.number).toBe('E1001');
  expect(card.address.full).toContain('文三路'); // the order system still has the old one
  expect(card.remarks).toEqual([
    expect.objectContaining({
      kind: 'address_change',
      at: NOW.toISOString(),
      address: { recipient: '王小明', phone: '138****5678', full: '上海市浦东新区世纪大道100号' },
    }), // a municipality's city once
  ]);
  // Asked to confirm the address again, the bot shows the one the buyer just confirmed.
  expect(replies.at(-1)).toContain('世纪大道100号');
  expect(replies.at(-1)).not.toContain('文三路');
});

test('an unconfirmed read-back is not a remark', () => {
  const { conv } = talk('B001', ['我要改地址', '收货地址改成上海市浦东新区世纪大道100号']);
  expect(orderCardFor(shop, conv)!.remarks).toBeUndefined();
});

test('return and exchange requests show on the order card in the order they were made', () => {
  // Each is read back first and shows only once the buyer confirmed it.
  const { conv } = talk('B004', ['尺码小了能换29码吗', '对的', '裤子不太喜欢，我想退货', '确认退货']);
  expect(orderCardFor(shop, conv)!.remarks).toEqual([
    expect.objectContaining({ kind: 'exchange', at: NOW.toISOString(), size: '29', color: '浅蓝' }),
    expect.objectContaining({ kind: 'return', at: NOW.toISOString() }),
  ]);
});

test('a confirmed cash on delivery shows with the price the buyer agreed to', () => {
  const { conv } = talk('B003', ['可以货到付款吗', '确认货到付款']);
  expect(orderCardFor(shop, conv)!.remarks).toEqual([
    expect.objectContaining({ kind: 'cod', at: NOW.toISOString(), codPrice: 480, text: '货到付款 ¥480' }),
  ]);
});

test('the queue preview masks mobile numbers; the history keeps them for the agent who calls', () => {
  const conv: ConversationState = {
    ...engine.openConversation({ id: 'qp', buyerId: 'B008', shopId: 'demo' }),
    status: 'queued',
    turns: [{ at: NOW.toISOString(), text: '快递没到，打我电话13912345678', intent: 'delivery.tracking', category: 'delivery', confidence: 0.9 }],
    handoff: {
      reason: 'explicit_request',
      priority: 'normal',
      summary: '【买家要求人工】 · 最后一句「电话 139 1234 5678」',
      suggestions: [],
      at: NOW.toISOString(),
    },
  };
  const item = queueItemView({ conversationId: 'qp', priority: 'normal', enqueuedAt: NOW.toISOString() }, conv, []);
  expect(item.lastText).toBe('快递没到，打我电话139****5678');
  expect(item.summary).not.toMatch(/1234/);
  const buyerMessage: StoredMessage = { conversationId: 'qp', seq: 1, from: 'buyer', text: '打我电话13912345678', at: NOW.toISOString() };
  const history = mergeHistory([buyerMessage], []);
  expect(history[0]!.text).toContain('13912345678');
});
