/** Entities a shop agent would read off a message: prices, order and tracking numbers, phones, addresses, sizes. */
import fc from 'fast-check';
import { carrierFromNumber, extractEntities, maskPhone, parseNumeral } from '../../src/nlu/entities';
import type { Entity, EntityKind } from '../../src/nlu/types';

const ofKind = <K extends EntityKind>(text: string, kind: K): Array<Extract<Entity, { kind: K }>> =>
  extractEntities(text).filter((e): e is Extract<Entity, { kind: K }> => e.kind === kind);

describe('prices', () => {
  it.each([
    ['三百八', 380],
    ['三百六十', 360],
    ['3百6', 360],
    ['两百五', 250],
    ['一千二', 1200],
    ['九十九', 99],
    ['1.5k', 1500],
  ])('reads the numeral %s as %d', (text, value) => {
    expect(parseNumeral(text)).toBe(value);
  });

  it.each([
    ['三百八行不行', 380],
    ['３６０能出吗', 360],
    ['三百六十块卖不卖', 360],
    ['3百6成交', 360],
    ['两百五行就拍', 250],
    ['1.5k能出吗', 1500],
    ['360元可以吗', 360],
  ])('finds the offer in %s', (text, value) => {
    const [money] = ofKind(text.normalize('NFKC'), 'money');
    expect(money).toMatchObject({ value, role: 'offer' });
  });

  it('reads 380包邮 as an offer of 380 plus a free-shipping ask', () => {
    expect(ofKind('380包邮', 'money')).toEqual([
      expect.objectContaining({ value: 380, role: 'offer', freeShipping: true, span: { start: 0, end: 5 } }),
    ]);
  });

  it('takes no price from a vague amount (几十块, 一百多, 十来块), only from an exact one', () => {
    for (const text of ['便宜个几十块呗', '好几百呢', '二十几块的东西', '一百多行不行', '便宜十来块', '300多可以吗', '几百块钱'])
      expect([text, ofKind(text, 'money')]).toEqual([text, []]);
    expect(ofKind('便宜个二十块呗', 'money')[0]).toMatchObject({ value: 20, role: 'discount' });
    expect(ofKind('三百块行吗', 'money')[0]).toMatchObject({ value: 300, role: 'offer' });
    expect(ofKind('200来一件行不', 'money')[0]).toMatchObject({ value: 200, role: 'offer' }); // 来 as "give me"
  });

  it('reads 便宜50 as a discount, not a price', () => {
    expect(ofKind('便宜50吧', 'money')[0]).toMatchObject({ value: 50, role: 'discount' });
  });

  it('does not take sizes, counts or dates for prices', () => {
    expect(ofKind('我穿38码，买了2件，12号能到吗', 'money')).toEqual([]);
  });
});

describe('orders, tracking numbers and couriers', () => {
  it('finds an order number after 订单号', () => {
    expect(ofKind('订单号：240512345678 还没发货', 'order')[0]?.value).toBe('240512345678');
  });

  it.each([
    ['SF1234567890123', 'sf'],
    ['YT1234567890123', 'yto'],
    ['JDVA12345678901', undefined],
    ['EA123456789CN', 'ems'],
    ['75123456789012', 'zto'],
  ])('guesses the carrier of %s', (number, carrier) => {
    expect(carrierFromNumber(number)).toBe(carrier);
  });

  it('finds a tracking number with its carrier in a sentence', () => {
    expect(ofKind('顺丰单号SF1234567890123到哪了', 'tracking')[0]).toMatchObject({ value: 'SF1234567890123', carrier: 'sf' });
  });

  it('takes the carrier from a courier named before a plain number', () => {
    expect(ofKind('韵达 快递单号 4312345678901', 'tracking')[0]).toMatchObject({ carrier: 'yunda' });
  });

  it('recognises courier names', () => {
    expect(ofKind('能发顺丰或者京东快递吗', 'courier').map((c) => c.value)).toEqual(['sf', 'jd']);
  });
});

describe('phones and addresses', () => {
  it('finds a mobile number and masks it for logs', () => {
    const [phone] = ofKind('电话138-1234-5678', 'phone');
    expect(phone?.value).toBe('13812345678');
    expect(maskPhone('13812345678')).toBe('138****5678');
  });

  it('splits an address into province, city, district and detail with the recipient', () => {
    const [addr] = ofKind('收件人 张三 13812345678 广东省深圳市南山区科技园路1号', 'address');
    expect(addr).toMatchObject({
      province: '广东省',
      city: '深圳市',
      district: '南山区',
      detail: '科技园路1号',
      recipient: '张三',
      phone: '13812345678',
    });
  });

  it('reads an address pasted as the platform copies it: parts apart, field labels, the phone word', () => {
    const copied = { province: '广东省', city: '深圳市', district: '福田区', recipient: '刘芳', phone: '15812345678' };
    expect(ofKind('刘芳，15812345678，广东省 深圳市 福田区 华强北街道 华强北路1002号赛格广场3楼，518000', 'address')[0]).toMatchObject({
      ...copied,
      detail: '华强北街道华强北路1002号赛格广场3楼',
    });
    expect(ofKind('收货人：刘芳 手机号码：15812345678 所在地区：广东省深圳市福田区 详细地址：华强北路1002号赛格广场3楼', 'address')[0]).toMatchObject(
      {
        ...copied,
        detail: '华强北路1002号赛格广场3楼',
      },
    );
    expect(ofKind('地址改成北京市朝阳区建国路88号SOHO现代城C座1203 手机13912345678', 'address')[0]).toMatchObject({
      detail: '建国路88号SOHO现代城C座1203',
      phone: '13912345678',
    });
  });

  it('reads a size letter after a colour before a stock question, and not 多大码 as a size', () => {
    expect(ofKind('黑色M有吗', 'size')[0]).toMatchObject({ value: 'M' });
    expect(ofKind('我穿多大码', 'size')).toEqual([]);
  });

  it('keeps 杭州市 whole as the city', () => {
    expect(ofKind('地址改成浙江省杭州市西湖区文三路100号', 'address')[0]).toMatchObject({ city: '杭州市', district: '西湖区' });
  });

  it('does not call a province named in passing an address', () => {
    expect(ofKind('发广东几天到', 'address')).toEqual([]);
  });
});

describe('sizes and colours', () => {
  it('finds sizes and colours in a product question', () => {
    const found = extractEntities('有没有38码黑色的，或者XL');
    expect(found.filter((e) => e.kind === 'size').map((e) => e.text)).toEqual(['38码', 'XL']);
    expect(found.filter((e) => e.kind === 'color').map((e) => e.text)).toEqual(['黑色']);
  });
});

describe('robustness', () => {
  it('never throws and keeps spans inside the text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        for (const e of extractEntities(s)) {
          expect(e.span.start).toBeGreaterThanOrEqual(0);
          expect(e.span.end).toBeLessThanOrEqual(s.length);
          expect(s.slice(e.span.start, e.span.end)).toBe(e.text);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on digit-and-numeral soup', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...'0123456789一二两三百千万kw块元包邮便宜.订单号SFX码色省市区路号'.split('')), { maxLength: 60 }),
        (chars) => {
          const s = chars.join('');
          for (const e of extractEntities(s)) expect(s.slice(e.span.start, e.span.end)).toBe(e.text);
        },
      ),
      { numRuns: 500 },
    );
  });
});
