/**
 * Intents in the shop's words, for the people who pick and review corrections (the agent
 * console's picker, the /manage review list): each intent's `name` from its file
 * (intents/*.yaml, edited in the script editor), or its id when it has none.
 */
import type { Category } from '../nlu/types';

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
export function intentChoices(intents: readonly { id: string; name?: string; category: string }[]): IntentChoice[] {
  return intents.map((i) => ({ id: i.id, label: i.name ?? i.id, category: i.category, categoryLabel: categoryLabel(i.category) }));
}
