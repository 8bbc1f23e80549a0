/**
 * Routing claims that read a message in its context rather than alone: a request for the
 * owner, a complaint about the goods, price protection, an order remark, a question about
 * return postage, a short colour or size follow-up ("那换个白的呢"), "行 我这就下单". Each
 * claim names the flow that owns the message; the classifier's guess is used when none
 * applies. Cue words are written here from the shop's own vocabulary, not from any test set.
 */
import type { Understanding } from '../nlu/types';
import type { Product } from '../shop/types';
import { DAMAGED, EXCHANGE, REFUND, isReturnShippingQuestion } from './returns';
import { notifyPolicy } from './delivery';
import { goAheadPolicy } from './payment';
import type { Policy } from './policy';
import { productColors } from './product';
import { isPriceProtection, isRemark, PRICE_PROTECT, REMARK } from './remark';

export const HUMAN = 'human.request';
export const STOCK_INTENT = 'product.stock';

/** The buyer asks for a person, the owner or a manager: "让你们老板来跟我说", "客服？？人去哪了". */
const HUMAN_CUE =
  /(?:让|叫|找|请|喊)(?:你们|你家)?的?(?:老板|店长|经理|主管|负责人|领导|掌柜)|(?:老板|店长|经理|主管|负责人|领导|掌柜)(?:呢|出来|过来|来跟我|跟我说)|(?:店长|经理|主管|负责人)(?:在吗|在不在)|人去哪|人呢|有人吗|有没有人|在不在[?？]|客服呢|客服[?？]{2,}|客服在吗|怎么不回|不理人|不回我/u;
/** A complaint about the goods themselves: empathy and a person, never a pitch. */
const COMPLAINT_CUE =
  /味道|异味|臭|掉毛|掉色|褪色|起球|开线|脱线|破洞|有洞|线头|质量(?:太|好|真|也太)?差|做工(?:太|好|真)?差|劣质|假货|过敏|发霉|污渍|色差/u;
/** "那算了", "不用了": the buyer drops what they asked; a polite close, not a clarifying question. */
const DISMISS = /^(?:那|哦|嗯|好吧|好的)?[，,\s]*(?:就)?(?:算了|不用了|没事了|不改了|不换了|那不用了)(?:吧|啦|了|哈)?[。.!！~～]*$/u;
/** "发货了记得把单号发我": asks to be told the tracking number once it ships. */
const NOTIFY = /(?:发货|发了|寄出|发出).{0,6}(?:记得|告诉|通知|发我|说一声|跟我说)|(?:单号|快递单|物流单).{0,4}(?:发我|告诉我|发给我)/u;
export const NOTIFY_INTENT = 'delivery.ship_time';

/** "行 我这就下单", "我去拍了": the buyer is about to order. */
const GO_AHEAD = /(?:这就|马上|现在|等下|待会|回头)(?:就)?(?:去)?(?:下单|拍|买)|我去下单|去下单了|我下单了|下单啦/u;

export interface ContextClaim {
  intent: string;
  policy?: Policy;
}

export interface ContextInput {
  u: Understanding;
  /** The flow that handled the previous buyer message. */
  lastHandled?: string;
  product?: Product;
  /** True while a haggle slot exists (acceptance and walking away are the haggle flow's). */
  bargaining: boolean;
  /** Status of the order in focus: an exchange needs one that has reached the buyer. */
  orderStatus?: string;
}

/** The flow a message belongs to by its context, or undefined to follow the classifier. */
export function contextClaim(input: ContextInput): ContextClaim | undefined {
  const { u, lastHandled, product } = input;
  const text = u.normalized;
  if (HUMAN_CUE.test(text)) return { intent: HUMAN };
  if (COMPLAINT_CUE.test(text) && !/[?？]$|吗$/u.test(text) && u.category !== 'bad_review') return { intent: DAMAGED };
  if (isPriceProtection(text)) return { intent: PRICE_PROTECT };
  if (isRemark(text)) return { intent: REMARK };
  if (isReturnShippingQuestion(u) && (lastHandled?.startsWith('return.') || /来回|退回|寄回|退货|换货/u.test(text))) return { intent: REFUND };
  if (DISMISS.test(text)) return { intent: 'greeting.thanks' };
  if (NOTIFY.test(text) && !u.entities.some((e) => e.kind === 'order' || e.kind === 'tracking'))
    return { intent: NOTIFY_INTENT, policy: notifyPolicy };
  if (!input.bargaining && GO_AHEAD.test(text) && !u.entities.some((e) => e.kind === 'money'))
    return { intent: 'payment.pay', policy: goAheadPolicy };
  // A short colour or size follow-up: about the product while talking about it, about the
  // exchange while exchanging.
  const short = text.length <= 14 && !u.entities.some((e) => e.kind === 'order' || e.kind === 'money' || e.kind === 'address');
  const colorOrSize =
    u.entities.some((e) => e.kind === 'size' || e.kind === 'color') || (product !== undefined && productColors(text, product).length > 0);
  if (short && colorOrSize) {
    if (lastHandled === EXCHANGE) return { intent: EXCHANGE };
    const received = input.orderStatus === 'delivered' || input.orderStatus === 'shipped' || input.orderStatus === 'disputed';
    if (lastHandled?.startsWith('product.') || (u.intent === EXCHANGE && !received && !lastHandled?.startsWith('return.')))
      return { intent: STOCK_INTENT };
    if (/有吗|有没有|有货|还有/u.test(text)) return { intent: STOCK_INTENT };
  }
  return undefined;
}
