/**
 * Intent ids in the shop's words, for the people who pick and review corrections (the agent
 * console's picker, the /manage review list). The words match the agent console's own table
 * (src/web/agent.js) and cover every intent the project ships; an intent a manager adds
 * later shows its id until it gets a name here.
 */
import type { Category } from '../nlu/types';

const INTENT_LABELS: ReadonlyMap<string, string> = new Map([
  ['haggle.bargain', '议价'],
  ['address.confirm', '确认地址'],
  ['address.change', '修改地址'],
  ['delivery.ship_time', '催发货'],
  ['delivery.tracking', '查物流/催件'],
  ['delivery.signed_not_received', '已签收未收到'],
  ['delivery.remark', '订单备注'],
  ['return.refund', '退款/退货'],
  ['return.exchange', '换货'],
  ['return.damaged', '破损/质量问题'],
  ['bad_review.complaint', '差评/投诉'],
  ['product.size_color', '尺码颜色'],
  ['product.stock', '库存'],
  ['product.info', '商品咨询'],
  ['payment.cod', '货到付款'],
  ['payment.invoice', '发票'],
  ['payment.pay', '付款'],
  ['payment.price_protect', '价保/补差价'],
  ['human.request', '要求人工'],
  ['human.callback', '留联系方式/回电'],
  ['human.withdraw', '不用人工了'],
  ['greeting.hello', '问候'],
  ['greeting.thanks', '感谢/再见'],
  ['other.fallback', '其他'],
]);

const CATEGORY_LABELS: ReadonlyMap<string, string> = new Map<Category, string>([
  ['haggle', '议价'],
  ['address', '地址'],
  ['delivery', '物流'],
  ['return', '退换'],
  ['bad_review', '差评'],
  ['product', '商品'],
  ['payment', '支付'],
  ['human', '人工'],
  ['greeting', '问候'],
  ['other', '其他'],
]);

/** The intent's Chinese name, or its id when it has none. */
export function intentLabel(id: string): string {
  return INTENT_LABELS.get(id) ?? id;
}

/** The category's Chinese name, or its id. */
export function categoryLabel(category: string): string {
  return CATEGORY_LABELS.get(category) ?? category;
}

export interface IntentChoice {
  id: string;
  label: string;
  category: string;
  categoryLabel: string;
}

/** The intents a correction may name, labelled, in the given order. */
export function intentChoices(intents: readonly { id: string; category: string }[]): IntentChoice[] {
  return intents.map((i) => ({ id: i.id, label: intentLabel(i.id), category: i.category, categoryLabel: categoryLabel(i.category) }));
}
