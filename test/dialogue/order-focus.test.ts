/**
 * Order focus and the small readers the order flows use: typed order numbers (own vs someone
 * else's), address corrections merged into a pending read-back, relative exchange sizes and
 * plain price questions.
 */
import { correctAddress, isPhoneChange } from '../../src/dialogue/address';
import { namedProduct, orderFlowAfter, typedOrder, withTypedOrderNumbers } from '../../src/dialogue/focus';
import { isPriceQuestion } from '../../src/dialogue/payment';
import { sizeAnswer, sizesInOrder } from '../../src/dialogue/returns';
import type { Address } from '../../src/shop/types';
import { demoShop, shippedBundle } from './fixtures';

const shop = demoShop();
const understand = (text: string) => {
  const u = shippedBundle().understand(text);
  return { ...u, entities: withTypedOrderNumbers(u) };
};

describe('the product a message names', () => {
  test('one product named by what it is moves the focus; none or several leave it', () => {
    expect(namedProduct(shop, '那卫衣呢')?.name).toBe('加绒连帽卫衣');
    expect(namedProduct(shop, '围巾多少钱')?.name).toBe('羊绒围巾');
    expect(namedProduct(shop, '有没有t恤')?.name).toBe('纯棉圆领T恤');
    expect(namedProduct(shop, '这件大衣配什么围巾好看')).toBeUndefined(); // two named
    expect(namedProduct(shop, '是羊绒的吗')).toBeUndefined(); // a material, not a product
    expect(namedProduct(shop, '多少钱')).toBeUndefined();
  });
});

describe('typed order numbers', () => {
  test('a shop order number is read as an order, a tracking number is not', () => {
    expect(
      understand('帮我查下订单E1002到哪了')
        .entities.filter((e) => e.kind === 'order')
        .map((e) => e.text),
    ).toEqual(['E1002']);
    expect(understand('顺丰单号SF1402345678901').entities.some((e) => e.kind === 'order')).toBe(false);
  });

  test('the buyer’s own order is in focus; another buyer’s or an unknown one is only a number', () => {
    expect(typedOrder(understand('E1002到哪了'), shop, 'B002')).toMatchObject({ kind: 'own', order: { number: 'E1002' } });
    expect(typedOrder(understand('E1002到哪了'), shop, 'B008')).toEqual({ kind: 'unknown', number: 'E1002' });
    expect(typedOrder(understand('E9999到哪了'), shop, 'B008')).toEqual({ kind: 'unknown', number: 'E9999' });
    expect(typedOrder(understand('我的快递到哪了'), shop, 'B002')).toBeUndefined();
    // The buyer's own tracking number typed bare is their order, not a stranger's.
    expect(typedOrder(understand('75312345678901'), shop, 'B002')).toMatchObject({ kind: 'own', order: { number: 'E1002' } });
  });

  test('a bare order number continues the order question asked last, else asks where it is', () => {
    expect(orderFlowAfter('return.refund')).toBe('return.refund');
    expect(orderFlowAfter('greeting.hello')).toBe('delivery.tracking');
    expect(orderFlowAfter(undefined)).toBe('delivery.tracking');
  });
});

describe('address corrections', () => {
  const pending: Address = {
    recipient: '王小明',
    phone: '13812345678',
    province: '上海市',
    city: '上海市',
    district: '浦东新区',
    detail: '世纪大道100号',
  };

  test('one unit of the street replaces the same unit, the rest stays', () => {
    expect(correctAddress(understand('不对，是101号'), pending)).toEqual({ ...pending, detail: '世纪大道101号' });
    const block: Address = { ...pending, detail: '望京西路 48 号院 3 号楼 1102' };
    expect(correctAddress(understand('是5号楼'), block)?.detail).toBe('望京西路 48 号院 5号楼 1102');
  });

  test('a new phone or recipient changes only that', () => {
    expect(correctAddress(understand('不对，电话是13911112222'), pending)).toEqual({ ...pending, phone: '13911112222' });
    expect(correctAddress(understand('收件人改成李四'), pending)).toEqual({ ...pending, recipient: '李四' });
  });

  test('a message that corrects nothing is not a correction', () => {
    expect(correctAddress(understand('什么时候发货'), pending)).toBeUndefined();
  });

  test('a new phone number is recognised as a change of contact', () => {
    expect(isPhoneChange(understand('我电话换了，新号码13712345678'))).toBe(true);
    expect(isPhoneChange(understand('13712345678'))).toBe(false);
  });
});

describe('exchange sizes and price questions', () => {
  test('sizes run small to large, letters and numbers', () => {
    expect(sizesInOrder(shop.product('P300')!)).toEqual(['27', '28', '29', '30']);
    expect(sizesInOrder(shop.product('P100')!)).toEqual(['S', 'M', 'L', 'XL']);
  });

  test('a bare size reply is matched against the product’s sizes', () => {
    expect(sizeAnswer(understand('换29'), shop.product('P300'))).toBe('29');
    expect(sizeAnswer(understand('29'), shop.product('P300'))).toBe('29');
    expect(sizeAnswer(understand('换31'), shop.product('P300'))).toBeUndefined();
  });

  test('多少钱 alone asks the price; a bargaining message does not', () => {
    for (const t of ['多少钱', '这件多少钱', '现在什么价格？']) expect(isPriceQuestion(understand(t))).toBe(true);
    for (const t of ['能便宜点吗', '多少钱能卖', '300行吗', '运费多少钱']) expect(isPriceQuestion(understand(t))).toBe(false);
  });
});
