/** Unit tests of the stages added for context: routing claims, acceptance, question parts, acts. */
import { appendActs, actsForOrder, describeAct, latestAct, type ActDraft } from '../../src/model/acts';
import { choiceIndex, isAcceptance } from '../../src/dialogue/answers';
import type { ClaimInput } from '../../src/dialogue/claims';
import { route } from '../../src/dialogue/stages/route';
import { isWalkAway, quantityOf, type HaggleSlot } from '../../src/dialogue/haggle';
import { productColors } from '../../src/dialogue/product';
import { questionParts } from '../../src/dialogue/questions';
import { isPriceProtection, isRemark, remarkNote, remarkText } from '../../src/dialogue/remark';
import { invoiceDetails } from '../../src/dialogue/payment';
import type { ConversationState } from '../../src/model/conversation';
import type { Slots } from '../../src/model/slots';
import { demoShop, understood } from './fixtures';

const shop = demoShop();
const said = (text: string, intent = 'other.fallback') => ({ ...understood(intent), raw: text, normalized: text });

describe('route claims by context', () => {
  const haggling: HaggleSlot = { productId: 'P100', price: 468, rounds: 1, offers: [], counters: [], freeShipping: true, final: false, pushes: 0 };
  /** The claim that takes `text` (classified as `intent`) in a conversation of buyer B001. */
  function claimFor(text: string, intent = 'other.fallback', extra: Partial<ClaimInput> & { slots?: Slots } = {}) {
    const { slots, ...rest } = extra;
    const conv: ConversationState = {
      id: 'c',
      buyerId: 'B001',
      shopId: 'demo',
      status: 'bot',
      slots: slots ?? {},
      turns: [],
      facts: [],
      createdAt: '',
      updatedAt: '',
    };
    return route({ conv, u: said(text, intent), text, shop, clarifyBelow: 0.35, ...rest });
  }

  it('sends a request for the owner or a vanished agent to a person', () => {
    for (const t of ['让你们老板来跟我说', '叫你们经理出来', '客服？？人去哪了', '人呢'])
      expect(claimFor(t)).toMatchObject({ intent: 'human.request', claim: 'human.cue' });
    expect(claimFor('便宜点吧老板').claim).toBe('clarify.unclear');
  });

  it('reads a complaint about the goods as an after-sale problem, not a product question', () => {
    expect(claimFor('这毛衣一直掉毛还有股味道', 'product.info')).toMatchObject({ intent: 'return.damaged', claim: 'damaged.complaint' });
  });

  it('reads price protection and gift notes as what they are', () => {
    expect(claimFor('买了两天就降价了 能补差价吗', 'return.refund').intent).toBe('payment.price_protect');
    expect(claimFor('是送人的，包裹里别放购物清单', 'delivery.tracking').intent).toBe('delivery.remark');
  });

  it('takes a short colour follow-up as a stock question after product talk, as an exchange while exchanging', () => {
    const hoodie = shop.product('P200')!;
    expect(claimFor('那换个白的呢', 'return.exchange', { lastHandled: 'product.size_color', product: hoodie })).toMatchObject({
      intent: 'product.stock',
      claim: 'stock.followUp',
    });
    expect(
      claimFor('那换个白的呢', 'return.exchange', { lastHandled: 'return.exchange', product: hoodie, order: shop.order('E1004')! }),
    ).toMatchObject({
      intent: 'return.exchange',
      claim: 'exchange.followUp',
    });
  });

  it('reads "行 我这就下单" as going ahead when nothing is being bargained, as acceptance while bargaining', () => {
    expect(claimFor('行 我这就下单')).toMatchObject({ intent: 'payment.pay', claim: 'pay.goAhead' });
    expect(claimFor('行 我这就下单', 'other.fallback', { slots: { haggle: haggling } })).toMatchObject({
      intent: 'haggle.bargain',
      answer: 'yes',
      claim: 'haggle.accept',
    });
  });
});

describe('bargaining words', () => {
  it('accepts in the buyer own words, but not with a number, a question or a push', () => {
    for (const t of ['那就按你说的吧', '行 我去拍', '好 就这个价', '可以 下单了', 'OK拍了']) expect(isAcceptance(said(t))).toBe(true);
    for (const t of ['400行吗', '领的满减券能用吗', '还能再便宜点吗', '太贵了 不要了', '再少二十呗']) expect(isAcceptance(said(t))).toBe(false);
  });

  it('knows walking away and the quantity in an offer', () => {
    expect(isWalkAway('太贵了 不要了')).toBe(true);
    expect(isWalkAway('我再对比一下别家吧')).toBe(true);
    expect(isWalkAway('380算了吧')).toBe(false);
    expect(quantityOf('三件一百五 顺丰包邮')).toBe(3);
    expect(quantityOf('两条180')).toBe(2);
    expect(quantityOf('150包邮')).toBe(1);
  });
});

describe('facts from the catalogue', () => {
  it('matches colour words to the catalogue names', () => {
    const jeans = shop.product('P300')!;
    expect(productColors('蓝色有吗', jeans, '蓝色')).toEqual(['浅蓝', '深蓝']);
    expect(productColors('要深蓝的', jeans)).toEqual(['深蓝']);
    expect(productColors('那白的呢', shop.product('P200')!)).toEqual(['白色']);
    expect(productColors('有红色吗', jeans, '红色')).toEqual([]);
  });
});

describe('questions and remarks', () => {
  it('cuts a message into its questions', () => {
    expect(questionParts('有M码吗？什么时候发货')).toEqual(['有M码吗', '什么时候发货']);
    expect(questionParts('这件多少钱，可以货到付款吗')).toEqual(['这件多少钱', '可以货到付款吗']);
    expect(questionParts('裤子小了，能换29码吗')).toEqual([]);
  });

  it('reads a remark and keeps only the note', () => {
    expect(isRemark('帮我备注一下不要放购物清单')).toBe(true);
    expect(remarkText('帮我备注一下不要放购物清单')).toBe('不要放购物清单');
    // Nothing said yet: no note (the bot asks what to write).
    for (const t of ['备注一下', '帮我备注下', '我要备注', '加个备注吧', '留言']) expect([t, remarkNote(t)]).toEqual([t, undefined]);
    expect(remarkNote('备注：周末不在家')).toBe('周末不在家');
    // Only the note: not the other request before it, the fillers, nor the 下 of 下周六.
    expect(remarkNote('帮我改下地址到杭州市西湖区文二路88号 再备注一下不要放快递柜')).toBe('不要放快递柜');
    expect(remarkNote('嗯嗯 另外帮我备注别放快递柜')).toBe('别放快递柜');
    expect(remarkNote('可以备注下周六之后再发吗 我出差')).toBe('下周六之后再发 我出差');
    expect(isPriceProtection('你们有价保吗')).toBe(true);
    expect(isPriceProtection('多少钱')).toBe(false);
  });
});

describe('acts', () => {
  const conv = { id: 'c1', buyerId: 'B001', acts: [] } as unknown as ConversationState;
  const deal: ActDraft = {
    kind: 'deal',
    productId: 'P100',
    productName: '双面羊毛大衣',
    price: 404,
    listPrice: 468,
    quantity: 1,
    freeShipping: true,
  };
  const remark: ActDraft = { kind: 'remark', orderNumber: 'E1001', text: '不要放购物清单' };

  it('stamps ids in order and never changes the list it was given', () => {
    const first = appendActs(conv, [deal], new Date(1000));
    expect(first.added[0]).toMatchObject({ id: 'c1#1', at: 1000, conversationId: 'c1', buyerId: 'B001', kind: 'deal', price: 404 });
    const next = appendActs({ ...conv, acts: first.all }, [remark], new Date(2000));
    expect(next.all.map((a) => a.id)).toEqual(['c1#1', 'c1#2']);
    expect(conv.acts).toEqual([]);
    expect(JSON.parse(JSON.stringify(next.all))).toEqual(next.all);
  });

  it('finds the acts of an order (deals apply to the order in focus) and describes them', () => {
    const all = appendActs(conv, [deal, remark], new Date(1000)).all;
    const withActs = { ...conv, acts: all };
    expect(actsForOrder(withActs, 'E1001').map((a) => a.kind)).toEqual(['deal', 'remark']);
    expect(actsForOrder(withActs, 'E2000').map((a) => a.kind)).toEqual(['deal']);
    expect(latestAct(withActs, 'remark')?.text).toBe('不要放购物清单');
    expect(describeAct(all[0]!)).toBe('成交 双面羊毛大衣 ¥404 包邮');
  });
});

describe('quick replies typed rather than tapped', () => {
  it('match in Traditional characters, full-width or other punctuation, and nothing else', () => {
    const choices = ['对，就换这个', '不对，换别的'];
    expect(choiceIndex(choices, '对，就换这个', '对,就换这个')).toBe(0);
    expect(choiceIndex(choices, '對，就換這個', '对,就换这个')).toBe(0);
    expect(choiceIndex(choices, '不對 換別的', '不对 换别的')).toBe(1);
    expect(choiceIndex(choices, '对', '对')).toBe(-1);
    expect(choiceIndex(choices, '', '')).toBe(-1);
  });
});

describe('invoice details', () => {
  it('reads the title, the tax id and an email, with or without their cue words', () => {
    expect(invoiceDetails('开发票 抬头是杭州某某科技有限公司 税号91330100MA2B3C4D5E')).toEqual({
      title: '杭州某某科技有限公司',
      taxId: '91330100MA2B3C4D5E',
    });
    expect(invoiceDetails('杭州某某科技有限公司 91330100MA2B3C4D5E 邮箱 abc@example.com')).toEqual({
      title: '杭州某某科技有限公司',
      taxId: '91330100MA2B3C4D5E',
      email: 'abc@example.com',
    });
    expect(invoiceDetails('开个人发票')).toEqual({ title: '个人' });
  });

  it('finds none in a question about invoices, an order or a tracking number', () => {
    for (const t of ['能开发票吗', '开发票需要什么', '订单E1001开发票', '中通75312345678901到哪了', '13812345678'])
      expect([t, invoiceDetails(t)]).toEqual([t, undefined]);
  });
});
