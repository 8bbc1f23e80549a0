/**
 * Types shared by the understanding stages (normalize → segment → entities → classify)
 * and by everything downstream that reads an Understanding.
 */

/** The ten fixed categories. Every intent belongs to exactly one; evaluation is per category. */
export const CATEGORIES = ['haggle', 'address', 'delivery', 'return', 'bad_review', 'product', 'payment', 'human', 'greeting', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];

export function isCategory(value: unknown): value is Category {
  return typeof value === 'string' && (CATEGORIES as readonly string[]).includes(value);
}

/** Character offsets into the normalized text, end exclusive. */
export interface Span {
  start: number;
  end: number;
}

interface EntityBase {
  /** The matched text as it appears in the normalized text. */
  text: string;
  span: Span;
}

/** A price the buyer names (an offer), or a discount they ask for (便宜50). */
export interface MoneyEntity extends EntityBase {
  kind: 'money';
  /** Yuan. */
  value: number;
  role: 'offer' | 'discount';
  /** "380包邮": the buyer also asks for free shipping. */
  freeShipping: boolean;
}
export interface OrderEntity extends EntityBase {
  kind: 'order';
  value: string;
}
export interface TrackingEntity extends EntityBase {
  kind: 'tracking';
  value: string;
  /** Carrier id such as 'sf', 'yto', 'zto', 'yunda', 'sto', 'jd', 'ems'; absent when unknown. */
  carrier?: string;
}
export interface CourierEntity extends EntityBase {
  kind: 'courier';
  /** Carrier id, e.g. 'sf' for 顺丰. */
  value: string;
}
export interface PhoneEntity extends EntityBase {
  kind: 'phone';
  value: string;
}
export interface AddressEntity extends EntityBase {
  kind: 'address';
  province?: string;
  city?: string;
  district?: string;
  /** Street, building, room. */
  detail?: string;
  recipient?: string;
  phone?: string;
}
export interface SizeEntity extends EntityBase {
  kind: 'size';
  value: string;
}
export interface ColorEntity extends EntityBase {
  kind: 'color';
  value: string;
}
export type Entity = MoneyEntity | OrderEntity | TrackingEntity | CourierEntity | PhoneEntity | AddressEntity | SizeEntity | ColorEntity;
export type EntityKind = Entity['kind'];

export interface NormalizeFlags {
  /** UTF-8 shown as GBK was detected and repaired. */
  mojibakeRepaired: boolean;
  /** Looks like garbage that could not be repaired: confidence is capped low. */
  garbled: boolean;
  /** Input was longer than the cap and was cut. */
  truncated: boolean;
  /** Traditional characters were converted. */
  traditional: boolean;
  /** Number of platform emoticon codes replaced by the neutral token. */
  emoticons: number;
}

export interface Normalized {
  /** The raw input, unchanged. */
  raw: string;
  /** The cleaned text every later stage reads. */
  text: string;
  flags: NormalizeFlags;
}

export interface IntentScore {
  intent: string;
  category: Category;
  /** 0..1 */
  confidence: number;
}

/** What an understanding leads to: act on it, ask once with the likely intents, or hand to a person (calibration.ts). */
export type NluAction = 'answer' | 'clarify' | 'handoff';

/**
 * What the conversation knows when a message arrives; short fragments ("那多久", "黑色的呢")
 * are read in its light. Every field is optional.
 */
export interface UnderstandContext {
  /** What the bot asked and is waiting for: an intent id or a category (e.g. 'address.confirm', 'return'). */
  pendingQuestion?: string;
  /** The intent (or category) of the flow in progress, e.g. 'return.refund'. */
  activeFlow?: string;
  /**
   * The bot's last move as `intent/move` (a template id's first part, e.g. 'haggle.bargain/concession',
   * 'payment.pay/list_price'), `intent:move`, or an intent id: a fragment after it leans to that
   * intent, and after a price a bare "行" accepts it (haggle).
   */
  lastBotMove?: string;
  /** An order the conversation is about: a bare fragment ("还没到") leans to where it is. */
  orderInFocus?: string;
  /** A product the conversation is about: a bare fragment ("多大") leans to a product question. */
  productInFocus?: string;
}

/** The single value `understand(text)` returns. */
export interface Understanding {
  raw: string;
  normalized: string;
  /** jieba words of `normalized`: only when asked for (`understand(model, text, context, { words: true })`). */
  tokens?: string[];
  intent: string;
  category: Category;
  confidence: number;
  /** Best first, at most three. */
  ranking: IntentScore[];
  entities: Entity[];
  flags: NormalizeFlags;
  /** Calibrated probability that `category` is right (fitted on held-out data; absent on hand-built values). */
  probability?: number;
  /** answer | clarify | handoff, from `probability` and the thresholds chosen on held-out data. */
  action?: NluAction;
  /** When `action` is clarify: the 2–3 likely intents (distinct categories, not other) to offer as quick replies. */
  options?: IntentScore[];
  /** The context changed the reading of a short fragment. */
  usedContext?: boolean;
}
