/**
 * The route stage: which flow handles this turn. Flows declare their claims beside their
 * policies; this stage tries them in the order below and takes the first that applies, else
 * the classifier's intent. The order is the routing policy, read top to bottom:
 *
 * 1. A choice: the buyer picked one of the clarifying question's quick replies.
 * 2. An act declined and nothing else ("我不是要退款", "算了不用改地址了", "还是原来那个吧"
 *    while changing the address: nothing changes, even while the bot waits on that act's question), another item named for the return or
 *    exchange under way ("不是裤子 是围巾"), else an answer to the pending
 *    question: a size for the exchange, yes or no, paying online instead of on delivery, the
 *    remark's new text, a correction of the address being read back.
 * 3. Cue words that decide the topic whatever the classifier says: when people are back ("客服几点
 *    上班": the hours, no handoff), a person or the owner, a review revised ("差评我改成好评了":
 *    thanks), a
 *    complaint about the goods, price protection, a remark, where a return is sent, a refund
 *    under way, return postage, "算了", "发货了告诉我",
 *    "什么时候到货" from a buyer whose order is on its way (the parcel, not a restock), "发什么快递",
 *    "能合并发货吗" (a person),
 *    an invoice's title or tax id after invoices were explained,
 *    "我这就下单", a short colour or size follow-up (the exchange's, else the product's), "那卫衣呢"
 *    after a product or price question (the same question about the product named), a height
 *    or weight ("110斤", or "100" right after size advice: never a price).
 * 4. The bargain under way: acceptance, walking away, a bare number as an offer, a price.
 * 5. Entities a flow accepts on their own: the awaited address, a new phone, "多少钱" alone, a
 *    bare order number.
 * 6. Unclear (low confidence): ask a clarifying question.
 */
import type { Understanding } from '../../nlu/types';
import * as address from '../address';
import * as answers from '../answers';
import type { Claim, ClaimInput, Routed } from '../claims';
import * as clarify from '../clarify';
import * as decline from '../decline';
import * as delivery from '../delivery';
import * as focus from '../focus';
import * as greeting from '../greeting';
import * as haggle from '../haggle';
import * as human from '../human';
import * as payment from '../payment';
import * as product from '../product';
import * as remark from '../remark';
import * as returns from '../returns';

/** Every claim, in the order tried (see the module comment). */
export const ROUTE_ORDER: readonly Claim[] = [
  // 1. a clarifying choice
  clarify.claims.choice,
  // 2. the pending question (a decline first: "不用改了" cancels, where "不对" asks again)
  decline.claims.declined,
  decline.claims.revertAddress,
  returns.claims.otherItem,
  returns.claims.exchangeSize,
  answers.claims.pendingAnswer,
  payment.claims.codDeclined,
  remark.claims.text,
  address.claims.correction,
  // 3. cue words in context
  human.claims.hours,
  human.claims.cue,
  greeting.claims.reviewRevised,
  returns.claims.complaint,
  remark.claims.priceProtect,
  remark.claims.remark,
  returns.claims.returnAddress,
  returns.claims.progress,
  returns.claims.shippingQuestion,
  greeting.claims.dismiss,
  delivery.claims.notify,
  delivery.claims.arrival,
  delivery.claims.courier,
  delivery.claims.merge,
  payment.claims.invoiceDetails,
  payment.claims.goAhead,
  returns.claims.followUp,
  product.claims.followUp,
  product.claims.anotherProduct,
  product.claims.body,
  // 4. the bargain under way
  haggle.claims.accept,
  haggle.claims.walkAway,
  haggle.claims.walkAwayUnstarted,
  haggle.claims.bareOffer,
  haggle.claims.money,
  // 5. entities a flow accepts alone
  address.claims.awaited,
  address.claims.phoneChange,
  payment.claims.priceQuestion,
  focus.claims.bareNumber,
  // 6. unclear
  clarify.claims.unclear,
];

/** The route of a turn: the flow, and the understanding with any entities read in context. */
export interface RouteOutput extends Omit<Routed, 'entities' | 'clarify'> {
  clarify: boolean;
  /** The claim that took the turn; undefined when the classifier's intent stands. */
  claim?: string;
  u: Understanding;
}

/** Routes one turn through `order` (default {@link ROUTE_ORDER}). */
export function route(input: ClaimInput, order: readonly Claim[] = ROUTE_ORDER): RouteOutput {
  for (const c of order) {
    const taken = c.take(input);
    if (!taken) continue;
    const { entities, clarify: ask, ...rest } = taken;
    const u = entities && entities.length > 0 ? { ...input.u, entities: [...input.u.entities, ...entities] } : input.u;
    return { ...rest, clarify: ask === true, claim: c.name, u };
  }
  return { intent: input.u.intent, clarify: false, u: input.u };
}
