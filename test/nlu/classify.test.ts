/**
 * The whole understanding pipeline on phrases we wrote (not in intents/ and not buyer data):
 * each core intent is recognised, entities come along, and broken input stays harmless.
 * The model is trained once for the file.
 */
import fc from 'fast-check';
import { join } from 'node:path';
import { GARBLED_CONFIDENCE, trainModel, understand, type NluModel } from '../../src/nlu';
import { loadIntentsDir } from '../../src/nlu/load';

let model: NluModel;

beforeAll(() => {
  const { intents, dictionary, errors } = loadIntentsDir(join(__dirname, '..', '..', 'intents'));
  expect(errors).toEqual([]);
  model = trainModel(intents, dictionary);
});

const asMojibake = (text: string): string => new TextDecoder('gbk').decode(Buffer.from(text, 'utf8'));

describe('core intents', () => {
  it.each([
    ['老板能不能再便宜二十', 'haggle.bargain'],
    ['三百二包邮卖不卖', 'haggle.bargain'],
    ['有店铺优惠劵可以领吗', 'haggle.bargain'],
    ['這個價格再優惠點吧', 'haggle.bargain'],
    ['收货地址填错了，能帮我改成新地址吗', 'address.change'],
    ['我的电话换号了，订单上的手机号帮我改一下', 'address.change'],
    ['收件人：刘洋，广东省广州市越秀区中山五路10号', 'address.confirm'],
    ['拍下两天了怎么还没发出', 'delivery.ship_time'],
    ['今天付款的话明天能发吗', 'delivery.ship_time'],
    ['我的包裹在路上走了好几天还没到，查查', 'delivery.tracking'],
    ['快递停在中转站三天不动了', 'delivery.tracking'],
    ['物流说已经签收了，可我家里谁都没收到', 'delivery.signed_not_received'],
    ['衣服不喜欢，我想退了，怎么操作', 'return.refund'],
    ['买完第二天就降价了，能给我价保吗', 'return.refund'],
    ['退款申请好几天了钱还没回来', 'return.refund'],
    ['鞋码小了，给我换个大一号的', 'return.exchange'],
    ['打开盒子发现杯子碎了', 'return.damaged'],
    ['我买的白色，寄来的是黑色，发错货了', 'return.damaged'],
    ['再不给我处理我就去给差评', 'bad_review.complaint'],
    ['你们这客服态度也太差了，我要投诉', 'bad_review.complaint'],
  ])('%s → %s', (text, intent) => {
    expect(understand(model, text).intent).toBe(intent);
  });
});

describe('other intents', () => {
  it.each([
    ['麻烦转个人工', 'human'],
    ['亲在吗', 'greeting'],
    ['好的，谢谢啦', 'greeting'],
    ['能给我开张增值税专票不', 'payment'],
    ['这件外套是什么面料', 'product'],
  ])('%s → %s', (text, category) => {
    expect(understand(model, text).category).toBe(category);
  });
});

describe('understanding as one value', () => {
  it('carries entities with the intent', () => {
    const u = understand(model, '380包邮行吗');
    expect(u.category).toBe('haggle');
    expect(u.entities).toEqual([expect.objectContaining({ kind: 'money', value: 380, freeShipping: true })]);
  });

  it('ranks at most three intents, best first, with the top one as the answer', () => {
    const u = understand(model, '快递到哪了');
    expect(u.ranking.length).toBeGreaterThan(0);
    expect(u.ranking.length).toBeLessThanOrEqual(3);
    expect(u.ranking[0]).toEqual({ intent: u.intent, category: u.category, confidence: u.confidence });
    const confidences = u.ranking.map((r) => r.confidence);
    expect([...confidences].sort((a, b) => b - a)).toEqual(confidences);
  });

  it('classifies a repaired mojibake line like its clean twin', () => {
    for (const clean of ['地址写错了帮我改一下', '收到的东西坏了要退货', '能便宜点吗']) {
      const broken = understand(model, asMojibake(clean));
      expect(broken.flags.mojibakeRepaired).toBe(true);
      expect(broken.intent).toBe(understand(model, clean).intent);
    }
  });

  it("understands mojibake whose lost last byte was shown as '?'", () => {
    const u = understand(model, '鎴戞兂閫€璐?');
    expect(u.normalized).toBe('我想退货');
    expect(u.flags.garbled).toBe(false);
    expect(u.category).toBe('return');
    expect(u.confidence).toBeGreaterThan(GARBLED_CONFIDENCE);
  });

  it('treats Traditional like Simplified', () => {
    expect(understand(model, '東西壞了要退貨').intent).toBe(understand(model, '东西坏了要退货').intent);
  });

  it('gives garbage the fallback intent with low confidence', () => {
    const u = understand(model, '鍞鍚庨渶瑕佸仛浠涔鍞鍚庨');
    expect(u.flags.garbled).toBe(true);
    expect(u.intent).toBe('other.fallback');
    expect(u.confidence).toBeLessThanOrEqual(GARBLED_CONFIDENCE);
  });

  it('truncates over-long input and flags it instead of failing', () => {
    const u = understand(model, '什么时候发货'.repeat(400));
    expect(u.flags.truncated).toBe(true);
    expect(u.category).toBe('delivery');
  });

  it('lets a bad-review threat win over the problem it is about (labelling rule 1)', () => {
    expect(understand(model, '东西坏了，不给我换我就给差评').intent).toBe('bad_review.complaint');
    expect(understand(model, '再不发货我就去投诉你们').intent).toBe('bad_review.complaint');
  });

  it('takes a bare price offer as bargaining, without any price word', () => {
    expect(understand(model, '二百八行不行').intent).toBe('haggle.bargain');
  });

  it('lets the question win over a greeting in the same message', () => {
    expect(understand(model, '你好 在吗 我那个包裹走到哪里了').category).toBe('delivery');
  });

  it('reads price protection as a refund, not bargaining, unless a bad review is threatened', () => {
    expect(understand(model, '刚买完就便宜了四十，价保能申请吗').category).toBe('return');
    expect(understand(model, '降了五十块，把差价退给我，退差价怎么操作').category).toBe('return');
    expect(understand(model, '不给我退差价我就去写差评').category).toBe('bad_review');
  });

  it('reads an address next to a delivery question as delivery, and keeps an explicit change as address', () => {
    expect(understand(model, '我在浙江省宁波市鄞州区天童南路8号，快递大概几天能到').category).toBe('delivery');
    expect(understand(model, '快递还没发的话，地址改成宁波市鄞州区天童南路8号').category).toBe('address');
  });

  it('lets a refund win over delivery when both are asked (labelling rule 3)', () => {
    expect(understand(model, '快递一直不动，我不想等了直接退款吧').category).toBe('return');
  });

  it('keeps a courier sending the parcel back to its station as delivery, not a buyer return', () => {
    expect(understand(model, '包裹被退回站点了，麻烦明天重新派送一下').category).toBe('delivery');
    expect(understand(model, '快递退回来了，我不要了，钱退给我').category).toBe('return');
  });

  it('reads a changed address or phone asked with 更换/换个 as an address change, not an exchange', () => {
    expect(understand(model, '麻烦给我更换一下订单的收货地址').category).toBe('address');
    expect(understand(model, '订单的联系电话换个号码').category).toBe('address');
  });

  it('reads waiting for a promotion as bargaining, not price protection', () => {
    expect(understand(model, '听说下周有降价活动，到时候能再便宜点吗').category).toBe('haggle');
  });

  it('reads the invoice form fields as an invoice question, not an address', () => {
    expect(understand(model, '开票信息 地址电话：南京市鼓楼区中山北路30号 025-83001234').category).toBe('payment');
  });

  it('recognises coupon typos as bargaining', () => {
    expect(understand(model, '店里还有没有能用的优惠卷').category).toBe('haggle');
  });

  it('does not raise a bad-review escalation for a neutral question', () => {
    expect(understand(model, '你们这个是什么材质的').category).not.toBe('bad_review');
  });

  it('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        const u = understand(model, s);
        expect(u.confidence).toBeGreaterThanOrEqual(0);
        expect(u.confidence).toBeLessThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });
});

describe('reject option', () => {
  // Five intents that share no character with the probe, so the model can only guess (~0.2 each).
  const tiny = [
    ['other.fallback', 'other', ['啊', '哦哦']],
    ['delivery.tracking', 'delivery', ['快递到哪了', '物流不动了']],
    ['return.refund', 'return', ['我要退款', '退款还没到']],
    ['haggle.bargain', 'haggle', ['便宜点', '能优惠吗']],
    ['product.info', 'product', ['什么材质', '是正品吗']],
  ] as const;
  const intentDefs = tiny.map(([id, category, examples]) => ({
    id,
    category,
    description: id,
    examples: [...examples],
    keywords: id === 'delivery.tracking' ? ['快递'] : [],
    requiresKeyword: false,
    entityCues: [],
    decisiveKeywords: [],
    yieldsTo: [],
    holdsWith: [],
  }));

  it('reads a weak guess with no cue word or entity as other, and keeps it when a cue word supports it', () => {
    const small = trainModel(intentDefs, '');
    const vague = understand(small, '今天星期几');
    expect(vague.intent).toBe('other.fallback');
    expect(vague.confidence).toBeLessThan(0.3);
    const cued = understand(small, '今天星期几快递');
    expect(cued.intent).toBe('delivery.tracking');
  });
});
