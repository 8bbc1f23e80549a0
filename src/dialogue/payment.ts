/**
 * Payment: cash on delivery costs more, so the bot states the higher price and asks the buyer
 * to confirm; an unpaid order gets a reminder with the cut-off ("pay before 16:00, ships
 * today"); invoices are explained from policy.
 */
import type { Understanding } from '../nlu/types';
import type { ActDraft } from '../model/acts';
import type { CodRecord } from '../model/slots';
import { claim } from './claims';
import { move, shipByFor, type PolicyInput, type PolicyResult } from './policy';

export const COD = 'payment.cod';
export const INVOICE = 'payment.invoice';
export const PAY = 'payment.pay';

export type { CodRecord } from '../model/slots';

function basePrice(input: PolicyInput): number | undefined {
  if (input.order && input.order.status === 'unpaid') {
    // A COD order's total already includes the surcharge.
    return input.order.cashOnDelivery ? input.order.total - input.shop.policy.codFee : input.order.total;
  }
  return input.product?.listPrice;
}

/** The buyer's own order named ("我这单", "订单改成到付"), not a purchase still to come. */
const ABOUT_MY_ORDER = /这单|这个单|我的单|订单|我那单|已经买|已经拍|拍下的|买的|改成|换成|改为/u;

export function codPolicy(input: PolicyInput): PolicyResult {
  const p = input.shop.policy;
  if (!p.codAvailable) return { moves: [move(input, COD, 'unavailable')] };
  // "我这单能改成货到付款吗" on an order paid online: nothing to pay on delivery (scripts
  // without the move say the order is paid).
  const order = input.order;
  if (order && order.status !== 'unpaid' && order.status !== 'cancelled' && !order.cashOnDelivery && ABOUT_MY_ORDER.test(input.u.normalized)) {
    return { moves: [{ ...move(input, COD, 'paid_online'), fallback: move(input, PAY, 'paid') }], pending: null };
  }
  const price = basePrice(input);
  if (price === undefined) return { moves: [move(input, COD, 'unavailable')] };
  const vars = { price, codPrice: price + p.codFee };
  // The order already is cash on delivery: say so, nothing to confirm.
  if (input.order?.cashOnDelivery && input.order.status === 'unpaid') {
    return { moves: [move(input, COD, 'already', { ...vars, codPrice: input.order.total })], pending: null };
  }
  if (input.answer === 'yes') {
    const record: CodRecord = { price, codPrice: price + p.codFee, at: input.now.toISOString() };
    if (input.order && input.order.status === 'unpaid') record.orderNumber = input.order.number;
    const act: ActDraft = {
      kind: 'cod',
      price,
      codPrice: price + p.codFee,
      ...(record.orderNumber !== undefined ? { orderNumber: record.orderNumber } : {}),
      ...(input.product && record.orderNumber === undefined ? { productId: input.product.id } : {}),
    };
    return { moves: [move(input, COD, 'confirmed', vars)], slots: { cod: record }, acts: [act], pending: null };
  }
  if (input.answer === 'no') return { ...payPolicy({ ...input, answer: undefined, intent: PAY }), handledAs: PAY };
  return { moves: [move(input, COD, 'confirm', vars)], pending: { owner: COD, kind: 'confirm', choices: [] } };
}

/** What a buyer sends for an invoice: the title (抬头), the tax id (税号), an email. */
export interface InvoiceDetails {
  title?: string;
  taxId?: string;
  email?: string;
}

const TITLE_RE = /抬头(?:是|为|写|开)?[:：\s]*([^\s,，。；;:：]{2,40}?)(?=$|[\s,，。；;]|税号|纳税|信用代码|邮箱)/u;
const TAX_CUED_RE = /(?:税号|纳税人识别号|识别号|信用代码)(?:是|为)?[:：\s]*([0-9A-Za-z]{15,20})(?![0-9A-Za-z])/u;
/** A unified social credit code on its own: 18 characters, digits and capitals, at least one letter. */
const TAX_BARE_RE = /(?<![0-9A-Za-z])(?=[0-9A-Z]*[A-Z])[0-9][0-9A-Z]{17}(?![0-9A-Za-z])/u;
/** A company or organisation name without the 抬头 cue ("杭州某某科技有限公司"). */
const ORG_RE = /[\u4e00-\u9fffA-Za-z0-9（）()]{2,40}?(?:股份有限公司|有限责任公司|有限公司|公司|工作室|事务所|研究院|学院|大学|医院|商行)/u;
const EMAIL_RE = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/u;

/** The invoice details in a message; undefined when it has neither a title nor a tax id. */
export function invoiceDetails(text: string): InvoiceDetails | undefined {
  const title = TITLE_RE.exec(text)?.[1] ?? ORG_RE.exec(text)?.[0] ?? (/个人/u.test(text) && /发票|抬头/u.test(text) ? '个人' : undefined);
  const taxId = (TAX_CUED_RE.exec(text)?.[1] ?? TAX_BARE_RE.exec(text)?.[0])?.toUpperCase();
  const email = EMAIL_RE.exec(text)?.[0];
  if (title === undefined && taxId === undefined) return undefined;
  return { ...(title !== undefined ? { title } : {}), ...(taxId !== undefined ? { taxId } : {}), ...(email !== undefined ? { email } : {}) };
}

/**
 * Invoices: how they are issued; once the buyer sends the title or tax id, they are passed
 * to a person who issues it (the bot cannot), with the details in the handoff note. Scripts
 * without the "received" move explain instead, as before it existed.
 */
export function invoicePolicy(input: PolicyInput): PolicyResult {
  const inv = input.shop.policy.invoice;
  const invoice = { electronic: inv.electronic, paper: inv.paper, days: inv.daysToIssue };
  const explain = move(input, INVOICE, 'explain', { invoice });
  const details = invoiceDetails(input.u.normalized);
  if (!details) return { moves: [explain] };
  const parts = [details.title && `抬头 ${details.title}`, details.taxId && `税号 ${details.taxId}`, details.email && `邮箱 ${details.email}`];
  const note = `开票信息：${parts.filter(Boolean).join('；')}`;
  return {
    moves: [{ ...move(input, INVOICE, 'received', { invoice, ...details }), fallback: explain }],
    handoff: { reason: 'policy_limit', priority: 'normal', note, announced: true },
  };
}

/** "怎么付款", "能用花呗吗": how to pay, whatever the order's state. */
const HOW_TO_PAY =
  /(?:怎么|如何|怎样)(?:付|支付|买单)|用什么(?:付|支付)|(?:能|可以|支持)(?:用)?(?:花呗|信用卡|微信|支付宝|银行卡)|(?:花呗|信用卡|微信|支付宝).{0,4}(?:吗|么)/u;

export function payPolicy(input: PolicyInput): PolicyResult {
  const inv = input.shop.policy.invoice;
  const common = { invoice: { electronic: inv.electronic, paper: inv.paper, days: inv.daysToIssue } };
  const { order } = input;
  if (input.unknownOrder !== undefined) return { moves: [move(input, PAY, 'not_found', common)] };
  if (HOW_TO_PAY.test(input.u.normalized) && !input.order?.cashOnDelivery) return { moves: [move(input, PAY, 'how_to', common)] };
  if (order && order.status === 'unpaid' && order.cashOnDelivery) {
    // Cash on delivery: never asked to pay first; it ships and is paid to the courier.
    const shipBy = shipByFor(new Date(order.createdAt), input.shop);
    return {
      moves: [
        move(input, PAY, 'cod_order', {
          ...common,
          price: order.total,
          shipBy: (shipBy > input.now ? shipBy : shipByFor(input.now, input.shop)).toISOString(),
        }),
      ],
    };
  }
  if (order && order.status === 'unpaid') {
    return { moves: [move(input, PAY, 'remind', { ...common, price: order.total, shipBy: shipByFor(input.now, input.shop).toISOString() })] };
  }
  if (order && order.status !== 'cancelled') return { moves: [move(input, PAY, 'paid', common)] };
  return { moves: [move(input, PAY, 'how_to', common)] };
}

/**
 * "多少钱" on its own: a plain price question, not an opening bid. Anything with a bargaining
 * word (便宜, 优惠, 少点 …) or a number in it is left to the bargaining flow.
 */
const PRICE_QUESTION =
  /^(?:请问|那|亲)?(?:这个|这件|这款|这条|这|它|那个|那件)?(?:衣服|裤子|大衣|外套|商品|宝贝)?(?:现在|一共|总共|要|需要)?(?:多少钱|几多钱|多少|什么价格?|啥价格?|价格是?多少|价钱是?多少|怎么卖|卖多少钱?)(?:一件|啊|呀|呢|哦|啦|吗)*[？?～~。!！]*$/u;

/** Whether the message only asks the price. */
export function isPriceQuestion(u: Understanding): boolean {
  return PRICE_QUESTION.test(u.normalized.trim());
}

/**
 * A plain price question. On a product page (the buyer opened the chat from one) it is about
 * that product: its list price, without starting to bargain. Elsewhere, a buyer with an unpaid
 * order in focus means that order: its total and how to pay. Otherwise the product in focus.
 */
export function pricePolicy(input: PolicyInput): PolicyResult {
  const onProductPage = input.conv.slots.productPage === true;
  const { order, product } = input;
  if (order && order.status === 'unpaid' && !onProductPage) {
    const vars = { price: order.total, shipBy: shipByFor(input.now, input.shop).toISOString(), cashOnDelivery: order.cashOnDelivery === true };
    return { moves: [move(input, PAY, 'order_total', vars)], handledAs: PAY };
  }
  if (product) return { moves: [move(input, PAY, 'list_price', { price: product.listPrice })], handledAs: PAY };
  return { ...payPolicy({ ...input, intent: PAY }), handledAs: PAY };
}

/** "行 我这就下单": the buyer is about to order; what happens next (pay before the cut-off, it ships). */
export function goAheadPolicy(input: PolicyInput): PolicyResult {
  return { moves: [move(input, PAY, 'go_ahead', { shipBy: shipByFor(input.now, input.shop).toISOString() })], handledAs: PAY };
}

/** "行 我这就下单", "我去拍了": the buyer is about to order. */
const GO_AHEAD = /(?:这就|马上|现在|等下|待会|回头)(?:就)?(?:去)?(?:下单|拍|买)|我去下单|去下单了|我下单了|下单啦/u;

/** Paying online rather than on delivery, in the buyer's words ("不要了 我直接付款", "在线付吧"). */
const PAY_ONLINE = /在线付|在线支付|网上付|直接付|直接支付|先付|现在付|马上付|我付款|我去付|付款吧|拍下付|线上付/u;

/** Routing claims of payment (see stages/route.ts for their order). */
export const claims = {
  /** The title or tax id sent after the bot explained invoices (the classifier sees only a company name and a code). */
  invoiceDetails: claim('invoice.details', ({ lastHandled, u }) =>
    lastHandled === INVOICE && invoiceDetails(u.normalized) ? { intent: INVOICE } : undefined,
  ),
  /** Cash on delivery waiting for a yes, and the buyer says they will pay online: that is a no. */
  codDeclined: claim('cod.declined', ({ pending, u }) =>
    pending?.owner === COD && PAY_ONLINE.test(u.normalized) && !/到付|货到/u.test(u.normalized) ? { intent: COD, answer: 'no', pending } : undefined,
  ),
  /** "行 我这就下单" when nothing is being bargained (then it accepts the price): what happens next. */
  goAhead: claim('pay.goAhead', ({ conv, u }) =>
    conv.slots.haggle === undefined && GO_AHEAD.test(u.normalized) && !u.entities.some((e) => e.kind === 'money')
      ? { intent: PAY, policy: goAheadPolicy }
      : undefined,
  ),
  /** "多少钱" alone, unless a bargain is under way: the price (list price, or the unpaid order's total), not a bid. */
  priceQuestion: claim('pay.priceQuestion', ({ conv, u }) => {
    const haggle = conv.slots.haggle;
    return isPriceQuestion(u) && (haggle === undefined || haggle.deal !== undefined) ? { intent: PAY, policy: pricePolicy } : undefined;
  }),
};
