/**
 * Payment: cash on delivery costs more, so the bot states the higher price and asks the buyer
 * to confirm; an unpaid order gets a reminder with the cut-off ("pay before 16:00, ships
 * today"); invoices are explained from policy.
 */
import { move, shipByFor, type PolicyInput, type PolicyResult } from './policy';

export const COD = 'payment.cod';
export const INVOICE = 'payment.invoice';
export const PAY = 'payment.pay';

/** Confirmed cash on delivery (slots.cod), for the agent and the order remark. */
export interface CodRecord {
  /** The unpaid order it was priced on; unset when priced on the product before ordering. */
  orderNumber?: string;
  price: number;
  codPrice: number;
  at: string;
}

function basePrice(input: PolicyInput): number | undefined {
  if (input.order && input.order.status === 'unpaid') {
    // A COD order's total already includes the surcharge.
    return input.order.cashOnDelivery ? input.order.total - input.shop.policy.codFee : input.order.total;
  }
  return input.product?.listPrice;
}

export function codPolicy(input: PolicyInput): PolicyResult {
  const p = input.shop.policy;
  if (!p.codAvailable) return { moves: [move(input, COD, 'unavailable')] };
  const price = basePrice(input);
  if (price === undefined) return { moves: [move(input, COD, 'unavailable')] };
  const vars = { price, codPrice: price + p.codFee };
  if (input.answer === 'yes') {
    const record: CodRecord = { price, codPrice: price + p.codFee, at: input.now.toISOString() };
    if (input.order && input.order.status === 'unpaid') record.orderNumber = input.order.number;
    return { moves: [move(input, COD, 'confirmed', vars)], slots: { cod: record }, pending: null };
  }
  if (input.answer === 'no') return { ...payPolicy({ ...input, answer: undefined, intent: PAY }), handledAs: PAY };
  return { moves: [move(input, COD, 'confirm', vars)], pending: { owner: COD, kind: 'confirm', choices: [] } };
}

export function invoicePolicy(input: PolicyInput): PolicyResult {
  const inv = input.shop.policy.invoice;
  return { moves: [move(input, INVOICE, 'explain', { invoice: { electronic: inv.electronic, paper: inv.paper, days: inv.daysToIssue } })] };
}

export function payPolicy(input: PolicyInput): PolicyResult {
  const inv = input.shop.policy.invoice;
  const common = { invoice: { electronic: inv.electronic, paper: inv.paper, days: inv.daysToIssue } };
  const { order } = input;
  if (order && order.status === 'unpaid') {
    return { moves: [move(input, PAY, 'remind', { ...common, price: order.total, shipBy: shipByFor(input.now, input.shop).toISOString() })] };
  }
  if (order && order.status !== 'cancelled') return { moves: [move(input, PAY, 'paid', common)] };
  return { moves: [move(input, PAY, 'how_to', common)] };
}
