/**
 * The flows: which policy answers each intent. A flow module holds its policy and its routing
 * claims (stages/route.ts orders the claims); this table maps the intents the classifier
 * returns to the policies. An intent a manager adds without code gets {@link genericPolicy}.
 */
import { addressChangePolicy, addressConfirmPolicy } from './address';
import { shipTimePolicy, signedNotReceivedPolicy, trackingPolicy } from './delivery';
import { helloPolicy, thanksPolicy } from './greeting';
import { hagglePolicy } from './haggle';
import { humanPolicy } from './human';
import { codPolicy, invoicePolicy, payPolicy } from './payment';
import { move, type Policy } from './policy';
import { infoPolicy, stockPolicy } from './product';
import { priceProtectPolicy, remarkPolicy } from './remark';
import { damagedPolicy, exchangePolicy, refundPolicy } from './returns';
import { complaintPolicy } from './review';

/** The flow policy per intent id. */
export const POLICIES: Record<string, Policy> = {
  'haggle.bargain': hagglePolicy,
  'address.confirm': addressConfirmPolicy,
  'address.change': addressChangePolicy,
  'delivery.ship_time': shipTimePolicy,
  'delivery.tracking': trackingPolicy,
  'delivery.signed_not_received': signedNotReceivedPolicy,
  'return.refund': refundPolicy,
  'return.exchange': exchangePolicy,
  'return.damaged': damagedPolicy,
  'bad_review.complaint': complaintPolicy,
  'product.size_color': stockPolicy,
  'product.stock': stockPolicy,
  'product.info': infoPolicy,
  'payment.cod': codPolicy,
  'payment.invoice': invoicePolicy,
  'payment.pay': payPolicy,
  'human.request': humanPolicy,
  'delivery.remark': remarkPolicy,
  'payment.price_protect': priceProtectPolicy,
  'greeting.hello': helloPolicy,
  'greeting.thanks': thanksPolicy,
};

/** An intent without a dedicated flow answers with its `reply` move. */
export const genericPolicy: Policy = (input) => ({ moves: [move(input, input.intent, 'reply')] });

/** The policy of an intent (an own entry only: intent ids come from data). */
export function policyFor(intent: string): Policy {
  return (Object.hasOwn(POLICIES, intent) ? POLICIES[intent] : undefined) ?? genericPolicy;
}
