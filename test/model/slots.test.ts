/** Typed slots: read safely from stored states, updated whole. */
import { readSlots, SLOT_KEYS, withoutSlots, withSlots, type Slots } from '../../src/model/slots';

const haggle: NonNullable<Slots['haggle']> = {
  productId: 'P100',
  price: 468,
  rounds: 0,
  offers: [],
  counters: [],
  freeShipping: true,
  final: false,
  pushes: 0,
};

describe('readSlots', () => {
  it('reads nothing from a missing or non-object value', () => {
    for (const raw of [undefined, null, 'x', 3, [1, 2]]) expect(readSlots(raw)).toEqual({});
  });

  it('keeps well-formed values, drops malformed ones of known keys, keeps unknown keys', () => {
    const raw = {
      haggle,
      pending: { owner: 'payment.cod', kind: 'confirm', choices: ['好'] },
      wantedSize: 42,
      body: { heightCm: '170' },
      botSaid: [{ text: 'x' }, 'y'],
      somethingNewer: { v: 2 },
    };
    expect(readSlots(raw)).toEqual({ haggle, pending: raw.pending, somethingNewer: { v: 2 } });
  });

  it('reads back everything the engine writes', () => {
    const slots: Slots = {
      haggle: { ...haggle, deal: 400, gift: '袜子', quantity: 2 },
      pending: {
        owner: 'address.change',
        kind: 'read_back',
        choices: [],
        data: { address: { recipient: 'a', phone: '1', province: 'p', city: 'c', district: 'd', detail: 'x' } },
      },
      clarify: { asked: 1, choices: { 查物流: 'delivery.tracking' } },
      botSaid: [{ text: 'a', templateId: 't#1' }],
      variants: { 'a/b': 2 },
      productPage: true,
      awaitingAddress: true,
      returnRequests: [{ orderNumber: 'E1', kind: 'exchange', at: 'x', size: 'L' }],
      cod: { price: 1, codPrice: 2, at: 'x' },
      body: { heightCm: 170 },
      wantedSize: 'L',
      wantedColors: ['白色'],
      callback: { at: 'x', phone: '13800000000' },
      waitToldFor: 'x',
      noAgentToldFor: 'y',
    };
    expect(readSlots(JSON.parse(JSON.stringify(slots)))).toEqual(slots);
  });

  it('knows every key of the type', () => {
    expect(SLOT_KEYS).toContain('haggle');
    expect(SLOT_KEYS).toContain('callback');
  });
});

describe('withSlots / withoutSlots', () => {
  it('replace values whole, delete on undefined, never change the input', () => {
    const slots: Slots = { wantedSize: 'M', awaitingAddress: true };
    expect(withSlots(slots, { wantedSize: 'L', awaitingAddress: undefined })).toEqual({ wantedSize: 'L' });
    expect(withoutSlots(slots, 'wantedSize')).toEqual({ awaitingAddress: true });
    expect(slots).toEqual({ wantedSize: 'M', awaitingAddress: true });
  });
});
