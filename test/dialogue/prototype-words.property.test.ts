/**
 * Property (issue 15): a buyer's words are never looked up on a plain object. Every built-in
 * property name (`constructor`, `__proto__`, `toString` …) sent in every flow of the real
 * engine — fresh, after a clarifying question, while bargaining, during an address read-back
 * and confirmation, an exchange's size question, after a refund and a tracking question —
 * gets a normal bot reply: no exception, no 【系统出错】 handoff, no leaked function text.
 */
import fc from 'fast-check';
import { createEngine } from '../../src/dialogue/engine';
import type { ConversationState } from '../../src/model/conversation';
import { demoShop, NOW, shippedBundle } from './fixtures';

const shop = demoShop();
const engine = createEngine({ shop, getScripts: () => shippedBundle(), clock: () => NOW, random: () => 0 });

/** Built-in names a lookup on `{}`, `[]` or a function would find. */
const NAMES = [
  ...new Set([
    ...Object.getOwnPropertyNames(Object.prototype),
    ...Object.getOwnPropertyNames(Array.prototype),
    ...Object.getOwnPropertyNames(Function.prototype),
    ...Object.getOwnPropertyNames(String.prototype),
    '__proto__',
    'constructor',
    'prototype',
  ]),
].filter((n) => n.length > 0);

interface Flow {
  name: string;
  buyer: string;
  says: string[];
  /** The state the prefix must reach, so the flow really is exercised. */
  reached: (conv: ConversationState) => boolean;
}

const FLOWS: Flow[] = [
  { name: 'fresh conversation', buyer: 'B001', says: [], reached: () => true },
  { name: 'after a clarifying question', buyer: 'B001', says: ['那个'], reached: (c) => c.slots.clarify !== undefined },
  { name: 'while bargaining', buyer: 'B001', says: ['能便宜点吗'], reached: (c) => c.slots.haggle !== undefined },
  {
    name: 'address read-back',
    buyer: 'B001',
    says: ['我要改地址', '收货地址改成上海市浦东新区世纪大道100号'],
    reached: (c) => c.slots.pending?.kind === 'read_back',
  },
  { name: 'address confirmation', buyer: 'B001', says: ['帮我核对一下收货地址'], reached: (c) => c.slots.pending !== undefined },
  { name: 'exchange size question', buyer: 'B001', says: ['我要换货'], reached: (c) => c.slots.pending !== undefined },
  {
    name: 'after a refund request',
    buyer: 'B001',
    says: ['我要退货'],
    reached: (c) => c.slots.pending?.owner === 'return.refund',
  },
  { name: 'after a delivery question', buyer: 'B002', says: ['快递到哪了'], reached: (c) => c.turns.length >= 1 },
];

/** Each flow's state once its prefix has been said. */
const prefixes = new Map<string, ConversationState>();
function stateAfter(flow: Flow): ConversationState {
  let conv = prefixes.get(flow.name);
  if (!conv) {
    conv = engine.openConversation({ id: `c-${flow.name}`, buyerId: flow.buyer, shopId: 'demo', productId: 'P001' });
    for (const say of flow.says) conv = engine.handleMessage(conv, say).conversation;
    prefixes.set(flow.name, conv);
  }
  return structuredClone(conv);
}

function expectNormalReply(flow: Flow, text: string): void {
  const conv = stateAfter(flow);
  const r = engine.handleMessage(conv, text);
  const where = `${flow.name}: ${JSON.stringify(text)}`;
  expect({ where, replies: r.replies.length > 0 }).toEqual({ where, replies: true });
  expect({ where, handoff: r.handoff?.reason }).not.toEqual({ where, handoff: 'error' });
  for (const reply of r.replies) {
    expect({ where, text: reply.text }).not.toEqual({ where, text: expect.stringMatching(/function|\[object|native code|undefined|NaN/) });
  }
  // The new state is plain data (it is stored as JSON).
  expect(JSON.parse(JSON.stringify(r.conversation))).toEqual(r.conversation);
}

describe('built-in property names as buyer text', () => {
  it.each(FLOWS.map((f) => [f.name, f] as const))('the prefix of "%s" reaches its state', (_name, flow) => {
    expect(flow.reached(stateAfter(flow))).toBe(true);
  });

  it.each(FLOWS.map((f) => [f.name, f] as const))('every built-in name gets a normal reply %s', (_name, flow) => {
    for (const name of NAMES) expectNormalReply(flow, name);
  });

  it('names inside short sentences and with spacing get normal replies in every flow', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FLOWS),
        fc.constantFrom(...NAMES),
        fc.constantFrom('', ' ', '亲 ', '请问'),
        fc.constantFrom('', ' ', '吗', '？', '!'),
        (flow, name, before, after) => expectNormalReply(flow, `${before}${name}${after}`),
      ),
      { numRuns: 150 },
    );
  });
});
