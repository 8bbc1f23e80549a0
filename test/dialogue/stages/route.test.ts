/** The route stage: the flows' claims, tried in one documented order. */
import * as address from '../../../src/dialogue/address';
import * as answers from '../../../src/dialogue/answers';
import { claim, type ClaimInput } from '../../../src/dialogue/claims';
import * as clarify from '../../../src/dialogue/clarify';
import * as decline from '../../../src/dialogue/decline';
import * as delivery from '../../../src/dialogue/delivery';
import * as focus from '../../../src/dialogue/focus';
import * as greeting from '../../../src/dialogue/greeting';
import * as haggle from '../../../src/dialogue/haggle';
import * as human from '../../../src/dialogue/human';
import * as payment from '../../../src/dialogue/payment';
import * as product from '../../../src/dialogue/product';
import * as remark from '../../../src/dialogue/remark';
import * as returns from '../../../src/dialogue/returns';
import { route, ROUTE_ORDER } from '../../../src/dialogue/stages/route';
import type { ConversationState } from '../../../src/model/conversation';
import type { Slots } from '../../../src/model/slots';
import { demoShop, offerEntity, understood } from '../fixtures';

const shop = demoShop();
const said = (text: string, intent = 'other.fallback', confidence = 0.95) => ({ ...understood(intent, [], confidence), raw: text, normalized: text });

function input(text: string, intent = 'other.fallback', slots: Slots = {}, extra: Partial<ClaimInput> = {}): ClaimInput {
  const conv: ConversationState = {
    id: 'r',
    buyerId: 'B008',
    shopId: 'demo',
    status: 'bot',
    slots,
    turns: [],
    facts: [],
    createdAt: '',
    updatedAt: '',
  };
  return { conv, u: said(text, intent), text, shop, clarifyBelow: 0.35, ...(slots.pending ? { pending: slots.pending } : {}), ...extra };
}

const haggling: NonNullable<Slots['haggle']> = {
  productId: 'P100',
  price: 433,
  rounds: 2,
  offers: [300],
  counters: [433],
  freeShipping: true,
  final: false,
  pushes: 0,
};

describe('the route order', () => {
  it('lists every claim every flow declares, once, under unique names', () => {
    const modules = { address, answers, clarify, decline, delivery, focus, greeting, haggle, human, payment, product, remark, returns };
    const declared = Object.values(modules).flatMap((m) => Object.values(m.claims));
    expect(new Set(ROUTE_ORDER).size).toBe(ROUTE_ORDER.length);
    expect([...ROUTE_ORDER].sort((a, b) => a.name.localeCompare(b.name))).toEqual([...declared].sort((a, b) => a.name.localeCompare(b.name)));
    expect(new Set(ROUTE_ORDER.map((c) => c.name)).size).toBe(ROUTE_ORDER.length);
  });

  it('tries a clarifying choice first and the unclear fallback last', () => {
    expect(ROUTE_ORDER[0]?.name).toBe('clarify.choice');
    expect(ROUTE_ORDER[ROUTE_ORDER.length - 1]?.name).toBe('clarify.unclear');
  });

  it('takes the first claim that applies, else the classifier intent', () => {
    const never = claim('test.never', () => undefined);
    const always = claim('test.always', () => ({ intent: 'payment.invoice' }));
    const second = claim('test.second', () => ({ intent: 'product.info' }));
    expect(route(input('开发票'), [never, always, second])).toMatchObject({ intent: 'payment.invoice', claim: 'test.always', clarify: false });
    expect(route(input('开发票', 'payment.invoice'), [never])).toMatchObject({ intent: 'payment.invoice', clarify: false });
    expect(route(input('开发票', 'payment.invoice'), [never]).claim).toBeUndefined();
  });
});

describe('claims in their order', () => {
  it('a clarifying choice wins over everything else the text could mean', () => {
    const r = route(input('查物流', 'other.fallback', { clarify: { asked: 1, choices: { 查物流: 'delivery.tracking' } } }));
    expect(r).toMatchObject({ intent: 'delivery.tracking', claim: 'clarify.choice' });
    // Only the buyer's own words: an inherited property is no choice.
    expect(route(input('constructor', 'other.fallback', { clarify: { asked: 1, choices: {} } })).claim).toBe('clarify.unclear');
  });

  it('an answer to the pending question goes to its owner, before any cue word', () => {
    const pending = { owner: 'delivery.remark', kind: 'read_back', choices: ['对的', '不对'] };
    expect(route(input('对的', 'other.fallback', { pending }))).toMatchObject({ intent: 'delivery.remark', answer: 'yes', claim: 'pending.answer' });
    expect(route(input('不对', 'other.fallback', { pending }))).toMatchObject({ intent: 'delivery.remark', answer: 'no' });
  });

  it('a correction of the address read back amends it', () => {
    const a = shop.buyer('B006')!.address;
    const pending = { owner: 'address.change', kind: 'read_back', choices: [], data: { address: a } };
    const r = route(input('不对，是101号', 'address.change', { pending }));
    expect(r).toMatchObject({ intent: 'address.change', claim: 'address.correction', pending });
    // A plain "no" is the answer, not a correction.
    expect(route(input('不对', 'address.change', { pending }))).toMatchObject({ answer: 'no', claim: 'pending.answer' });
  });

  it('while bargaining a bare number is an offer, added to the understanding without changing it', () => {
    const i = input('400', 'other.fallback', { haggle: haggling });
    const r = route(i);
    expect(r).toMatchObject({ intent: 'haggle.bargain', claim: 'haggle.bareOffer' });
    expect(r.u.entities).toEqual([expect.objectContaining({ kind: 'money', value: 400 })]);
    expect(i.u.entities).toEqual([]);
  });

  it('after a deal a price question is answered as one; while bargaining it stays with the bargain', () => {
    const dealt = { ...haggling, deal: 433 };
    expect(route(input('多少钱', 'haggle.bargain', { haggle: dealt }))).toMatchObject({ intent: 'payment.pay', claim: 'pay.priceQuestion' });
    expect(route(input('多少钱', 'haggle.bargain', { haggle: haggling })).claim).toBeUndefined();
  });

  it('a price with a bargaining intent is the bargain; a person-cue beats the bargain', () => {
    const u = { ...said('380行吗', 'haggle.bargain'), entities: [offerEntity(380)] };
    expect(route({ ...input('380行吗', 'haggle.bargain', { haggle: haggling }), u }).claim).toBe('haggle.money');
    expect(route(input('叫你们老板出来', 'haggle.bargain', { haggle: haggling })).claim).toBe('human.cue');
  });

  it('an unclear message asks, a confident one keeps its intent', () => {
    expect(route({ ...input('嗯嗯那个'), u: said('嗯嗯那个', 'product.info', 0.2) })).toMatchObject({ intent: 'other.fallback', clarify: true });
    expect(route({ ...input('面料是什么'), u: said('面料是什么', 'product.info', 0.9) })).toMatchObject({ intent: 'product.info', clarify: false });
  });
});
