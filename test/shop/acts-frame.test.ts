/**
 * The agent sees the acts sent to the shop: the conversation frame lists them with their
 * state, and a state change reaches a connected console as an `acts` frame over the Bus.
 */
import type { ConversationState } from '../../src/model/conversation';
import { createAgentRegistry } from '../../src/handoff/agents';
import { createHandoff } from '../../src/handoff/compose';
import { createMetrics } from '../../src/metrics';
import { ActDelivery } from '../../src/shop/outbox';
import { createMemoryStore } from '../../src/store';
import { conversationChannel, parseConversationEvent } from '../../src/conversation/events';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

it('lists the conversation acts with their state in the conversation frame and publishes changes', async () => {
  const store = createMemoryStore();
  const at = '2026-12-05T06:00:00.000Z';
  const before: ConversationState = {
    id: 'c1',
    buyerId: 'B001',
    shopId: 'demo',
    status: 'agent',
    assignedAgent: 'xiaomei',
    slots: {},
    turns: [],
    facts: [],
    createdAt: at,
    updatedAt: at,
  };
  const after = { ...before, acts: [{ id: 'act-1', kind: 'remark', at, orderNumber: 'E1001', remark: '送到前台' }] } as unknown as ConversationState;
  await store.saveConversation(after);
  const service = createHandoff({
    store,
    agents: createAgentRegistry([{ id: 'xiaomei', token: 'tok-xiaomei-123456', maxChats: 3 }]),
    conversations: { postMessage: (id, m) => store.appendMessage(id, m), setHandoffStatus: async () => undefined },
    metrics: createMetrics({ defaultMetrics: false }),
  });
  expect((await service.views.conversationFrame('c1'))?.conversation.acts).toBeUndefined();

  const events: unknown[] = [];
  let wake = (): void => undefined;
  await store.subscribe(conversationChannel('c1'), (e) => {
    events.push(parseConversationEvent(e));
    wake();
  });
  const eventCount = async (n: number): Promise<void> => {
    while (events.length < n) await new Promise<void>((r) => (wake = r));
  };
  const delivery = new ActDelivery({
    store,
    adapter: { sendAct: async () => ({ status: 'refused', reason: 'already_shipped' }) },
    logger: quiet,
    publish: (conversationId, acts) => store.publish(conversationChannel(conversationId), { kind: 'acts', conversationId, acts }),
  });
  await delivery.enqueueFromTurn(before, after);
  expect((await service.views.conversationFrame('c1'))?.conversation.acts).toEqual([
    expect.objectContaining({ id: 'act-1', kind: 'remark', orderNumber: 'E1001', state: 'sent', payload: { remark: '送到前台' } }),
  ]);
  await delivery.deliverDue();
  expect((await service.views.conversationFrame('c1'))?.conversation.acts).toEqual([
    expect.objectContaining({ id: 'act-1', state: 'refused', reason: 'already_shipped' }),
  ]);
  await eventCount(2);
  expect(events.map((e) => (e as { acts: { state: string }[] }).acts.map((a) => a.state))).toEqual([['sent'], ['refused']]);
  await store.close();
});
