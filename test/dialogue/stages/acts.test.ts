/** The acts stage: confirmed drafts stamped and appended, the old state untouched. */
import { stampActs } from '../../../src/dialogue/stages/acts';
import type { ActDraft } from '../../../src/model/acts';
import type { ConversationState } from '../../../src/model/conversation';
import { NOW } from '../fixtures';

const conv: ConversationState = {
  id: 'a1',
  buyerId: 'B001',
  shopId: 'demo',
  status: 'bot',
  slots: {},
  turns: [],
  facts: [],
  createdAt: '',
  updatedAt: '',
};
const remark: ActDraft = { kind: 'remark', orderNumber: 'E1001', text: '不要放购物清单' };

test('no drafts: the same state and nothing added', () => {
  expect(stampActs(conv, undefined, NOW)).toEqual({ conv, added: [] });
  expect(stampActs(conv, [], NOW).conv).toBe(conv);
});

test('drafts are stamped in order, appended to the stored acts, and the input state is not changed', () => {
  const first = stampActs(conv, [remark], NOW);
  expect(first.added).toEqual([{ ...remark, id: 'a1#1', at: NOW.getTime(), conversationId: 'a1', buyerId: 'B001' }]);
  const second = stampActs(first.conv, [remark, remark], NOW);
  expect(second.added.map((a) => a.id)).toEqual(['a1#2', 'a1#3']);
  expect(second.conv.acts?.map((a) => a.id)).toEqual(['a1#1', 'a1#2', 'a1#3']);
  expect(conv.acts).toBeUndefined();
  expect(first.conv.acts).toHaveLength(1);
});
