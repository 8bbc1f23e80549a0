import { declinedFlow } from '../../src/dialogue/decline';

describe('a message that only declines an act', () => {
  it.each([
    ['我不是要退款', 'return.refund'],
    ['我没说要退货 我就问问', 'return.refund'],
    ['没要退款啊', 'return.refund'],
    ['不退了', 'return.refund'],
    ['不用改地址了', 'address.change'],
    ['地址不用改了', 'address.change'],
    ['先不换了', 'return.exchange'],
    ['算了不用改地址了', 'address.change'],
  ])('%s declines %s', (text, flow) => {
    expect(declinedFlow(text)).toBe(flow);
  });

  it.each([
    '不想要了 退款吧', // wanting a refund
    '不要换货了，直接退款', // declines one act, asks for another
    '不用退货运费吗', // a question
    '我不是要退款，我想问什么时候发货', // more than a decline
    '不给退吗', // a complaint
    '不要了', // no act named
    '先别发货 我地址可能要改', // an address change coming
    '不要换颜色', // something else than the act
  ])('%s is not (only) a decline', (text) => {
    expect(declinedFlow(text)).toBeUndefined();
  });
});
