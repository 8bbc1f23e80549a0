/**
 * What every template may use. The engine fills these variables; a template that names
 * anything else is rejected when the scripts load (with file and line), so a typo can never
 * become an empty hole in a buyer's reply. This catalogue is also the documentation managers
 * read (templates/README.md is generated from it by `npx tsx src/replies/variables.ts`).
 *
 * Variables marked optional may be absent in some situations: wrap them in {{#if …}}.
 * Rendering is strict, so an absent variable used outside {{#if}} is a render error and the
 * conversation goes to a person rather than the buyer seeing a hole.
 */

export interface VariableDoc {
  description: string;
  optional?: boolean;
}
export type VariableSet = Record<string, VariableDoc>;

/** Available to every template. */
export const COMMON_VARIABLES: VariableSet = {
  'shop.name': { description: 'Shop name' },
  'shop.cutoff': { description: 'Ship cut-off time of day, e.g. "16:00": paid before it ships the same day' },
  'shop.returnDays': { description: 'No-reason return window in days (7)' },
  'shop.afterSaleHours': { description: 'Hours within which after-sale logistics problems are resolved (48)' },
  'shop.codFee': { description: 'Cash-on-delivery surcharge (yuan), use {{money shop.codFee}}' },
  'shop.freeShippingFrom': { description: 'Order total from which shipping is free (yuan)' },
  'shop.shippingFee': { description: 'Shipping fee below that total (yuan)' },
  buyer: { description: 'The buyer (object)' },
  'buyer.name': { description: 'Buyer name on file' },
  'buyer.returning': { description: 'true when the buyer has bought here before' },
  product: { description: 'Product in focus (object)', optional: true },
  'product.name': { description: 'Product name', optional: true },
  'product.price': { description: 'List price (yuan)', optional: true },
  'product.sizes': { description: 'Sizes offered, joined with "/"', optional: true },
  'product.colors': { description: 'Colours offered, joined with "/"', optional: true },
  'product.description': { description: 'Material, fit, care', optional: true },
  order: { description: 'Order in focus (object), use {{orderSummary order}}', optional: true },
  'order.number': { description: 'Order number', optional: true },
  'order.total': { description: 'Order total (yuan)', optional: true },
  'order.address': { description: 'Delivery address on the order (object), use {{address order.address}}', optional: true },
  now: { description: 'Current time (ISO), for {{when now}}' },
  askedOrder: { description: 'Order number the buyer typed that is not on their account (only in not_found moves)', optional: true },
};

const ADDRESS_VARIABLES: VariableSet = {
  address: { description: 'Address being confirmed (object), use {{address address}}', optional: true },
  newAddress: { description: 'New address the buyer sent, read back for confirmation (object)', optional: true },
  carrier: { description: 'Courier name when already shipped', optional: true },
  trackingNumber: { description: 'Tracking number when already shipped', optional: true },
  askPhone: { description: 'true when the buyer is changing the phone but sent no whole mobile number (ask_new asks for it)', optional: true },
  askNumber: { description: 'true when the new address has a street but no house number (ask_new asks for it)', optional: true },
  street: { description: 'The street the buyer sent without a number, when askNumber', optional: true },
};

const DELIVERY_VARIABLES: VariableSet = {
  shipBy: { description: 'When the order ships (ISO), use {{when shipBy}} → 今天 16:00', optional: true },
  carrier: { description: 'Courier name', optional: true },
  trackingNumber: { description: 'Tracking number', optional: true },
  'event.at': { description: 'Time of the latest tracking event (ISO)', optional: true },
  'event.description': { description: 'Latest tracking event as the courier reports it', optional: true },
  shippedAt: { description: 'When it shipped (ISO)', optional: true },
  deliveredAt: { description: 'When it was signed for (ISO)', optional: true },
  daysInTransit: { description: 'Days since shipping', optional: true },
  remark: { description: 'The remark for the warehouse, as read back (delivery.remark)', optional: true },
  defaultCourier: { description: 'The courier the shop ships with (delivery.ship_time courier)', optional: true },
  courier: { description: 'Another courier the buyer asked for (delivery.ship_time courier)', optional: true },
  askedDefault: { description: "true when the buyer asked for the shop's own courier (delivery.ship_time courier)", optional: true },
};

const RETURN_VARIABLES: VariableSet = {
  deliveredAt: { description: 'When the order was signed for (ISO)', optional: true },
  daysSinceDelivery: { description: 'Days since delivery', optional: true },
  daysLeft: { description: 'Days left in the return window', optional: true },
  shopPaysShipping: { description: 'true when the shop pays the return shipping', optional: true },
  size: { description: 'Size the buyer wants instead (exchange)', optional: true },
  color: { description: 'Colour the buyer wants instead (exchange)', optional: true },
  inStock: { description: 'true when the wanted size/colour is in stock', optional: true },
  availableSizes: { description: 'Sizes in stock for an exchange, joined with "/"', optional: true },
  availableColors: { description: 'Colours in stock in the wanted size (exchange out_of_stock), joined with "/"', optional: true },
  orderedSize: { description: 'Size on the order (exchange)', optional: true },
  noNextSize: { description: 'true when there is no size one up/down from the ordered one (exchange)', optional: true },
  quality: { description: 'true when the return or exchange is for a quality problem (the shop pays the postage both ways)', optional: true },
  amount: { description: 'Amount refunded (yuan), in confirm and recorded moves', optional: true },
  late: { description: 'true when the buyer says the refund is late or the item was already sent back (progress: a person checks)', optional: true },
  returnTracking: { description: 'The tracking number of the parcel the buyer sent back, when they gave one (progress)', optional: true },
  item: { description: "The item of the buyer's order (object)", optional: true },
  'item.name': { description: "Name of the ordered item (the buyer's order, not the product on the page)", optional: true },
  'item.color': { description: 'Colour ordered', optional: true },
  'item.size': { description: 'Size ordered', optional: true },
  'item.quantity': { description: 'Pieces ordered', optional: true },
  'item.price': { description: 'Unit price paid (yuan)', optional: true },
};

const PRODUCT_VARIABLES: VariableSet = {
  size: { description: 'Size asked about', optional: true },
  color: { description: 'Colour asked about', optional: true },
  stock: { description: 'Pieces in stock for that size/colour', optional: true },
  lowStock: { description: 'true when only a few pieces (5 or fewer) are left in that size/colour', optional: true },
  wantedQuantity: { description: 'Pieces the buyer asked for, when more than one', optional: true },
  notEnough: { description: 'true when the buyer asked for more pieces than are in stock', optional: true },
  availableSizes: { description: 'Sizes in stock, joined with "/"', optional: true },
  availableColors: { description: 'Colours in stock, joined with "/"', optional: true },
  shipBy: { description: 'When it ships if ordered now (ISO), use {{when shipBy}} → 今天 16:00 / 明天 16:00', optional: true },
  recommendedSize: { description: "Size the product's size chart recommends for the buyer's height and weight", optional: true },
  heightCm: { description: "The buyer's height (cm), when told", optional: true },
  weightJin: { description: "The buyer's weight in 斤, when told", optional: true },
  oneSize: { description: 'true when the product comes in one size only (均码)', optional: true },
  colorSizes: { description: 'Sizes in stock for the colour asked about, joined with "/" (color_sizes move)', optional: true },
  missingSizes: { description: 'Sizes of the product not in stock in that colour, joined with "/" (color_sizes move)', optional: true },
};

const PAYMENT_VARIABLES: VariableSet = {
  price: { description: 'Price of the product or order (yuan)', optional: true },
  codPrice: { description: 'Price with the cash-on-delivery surcharge (yuan)', optional: true },
  shipBy: { description: 'When it ships if paid now (ISO)', optional: true },
  cashOnDelivery: { description: 'true when the order is cash on delivery (its total includes the surcharge)', optional: true },
  'invoice.electronic': { description: 'true when electronic invoices are issued' },
  'invoice.paper': { description: 'true when paper invoices are issued' },
  'invoice.days': { description: 'Working days to issue an invoice' },
  title: { description: 'The invoice title the buyer sent (payment.invoice received)', optional: true },
  taxId: { description: 'The tax id the buyer sent (payment.invoice received)', optional: true },
  email: { description: 'The email the buyer sent for the invoice (payment.invoice received)', optional: true },
};

const HAGGLE_VARIABLES: VariableSet = {
  price: { description: 'Current asking price before this reply (yuan)' },
  offer: { description: "The buyer's offer (yuan)", optional: true },
  counter: { description: 'Our counter-offer in this reply (yuan)', optional: true },
  deal: { description: 'Agreed price (yuan)', optional: true },
  atListPrice: {
    description: 'true when the agreed price is the list price (the concession was a gift or free shipping): nothing to reprice',
    optional: true,
  },
  floor: { description: 'Lowest real price (yuan), only in the final move', optional: true },
  freeShipping: { description: 'true when shipping is free in the deal' },
  gift: { description: 'Small gift included, when one was conceded', optional: true },
  roundsLeft: { description: 'Bargaining rounds left' },
  cheaper: { description: 'A cheaper product suggested instead (object)', optional: true },
  'cheaper.name': { description: 'Its name', optional: true },
  'cheaper.price': { description: 'Its price (yuan)', optional: true },
  'cheaper.fits': {
    description: "true when the buyer's offer reaches its lowest price (it fits the budget); else it is only the closest",
    optional: true,
  },
  shipBy: { description: 'When an order paid now ships (ISO), use {{when shipBy}} → 今天 16:00 / 明天 16:00' },
  quantity: { description: 'Pieces the buyer names with their price ("三件一百五" → 3), in the terms move', optional: true },
  total: { description: 'Our price for that quantity (yuan), in the terms move', optional: true },
  courier: { description: 'A courier the buyer asked for that is not the default, in the terms move', optional: true },
  defaultCourier: { description: 'The courier the shop ships with by default', optional: true },
  dealOrder: { description: "The buyer's order the deal reprices (its number), when they already placed one; in the deal move", optional: true },
  dealOrderPaid: { description: 'true when that order is already paid (the difference goes back to the buyer); in the deal move', optional: true },
};

/** When people answer chats; set outside business hours only. */
const HOURS_VARIABLES: VariableSet = {
  hours: { description: 'Business hours, e.g. "09:00-23:00" (outside business hours)', optional: true },
  backAt: { description: 'When people are back (ISO), use {{when backAt}} (outside business hours)', optional: true },
};

const GREETING_VARIABLES: VariableSet = {
  returning: { description: 'true for a returning buyer (greet by name)' },
  ...HOURS_VARIABLES,
};

const HUMAN_VARIABLES: VariableSet = {
  position: { description: "The buyer's place in the queue for a person, 1 = next (human.callback queued)", optional: true },
  ...HOURS_VARIABLES,
};

const SYSTEM_VARIABLES: VariableSet = {
  choice: { description: 'The one topic offered in a clarifying question, when there is exactly one', optional: true },
  choices: { description: 'Two or more topics offered in a clarifying question, as spoken: "A、B还是C"', optional: true },
  topic: {
    description:
      'The topic of the question still open, by its label, e.g. "修改地址" (still_open); what is withdrawn: 退货, 退款, 换货 or 地址修改 (withdraw)',
    optional: true,
  },
};

/** Variables per template file intent (category-wide sets apply to every intent in the category). */
const BY_CATEGORY: Record<string, VariableSet> = {
  haggle: HAGGLE_VARIABLES,
  address: ADDRESS_VARIABLES,
  delivery: DELIVERY_VARIABLES,
  return: RETURN_VARIABLES,
  product: PRODUCT_VARIABLES,
  payment: PAYMENT_VARIABLES,
  greeting: GREETING_VARIABLES,
  human: HUMAN_VARIABLES,
  system: SYSTEM_VARIABLES,
};

/**
 * Moves the engine uses per intent; a template file for one of these intents must define
 * each of them. Intents not listed here (added by a manager) need only `reply`.
 */
export const REQUIRED_MOVES: Record<string, readonly string[]> = {
  'haggle.bargain': [
    'ask_price',
    'concession',
    'counter',
    'final',
    'deal',
    'firm',
    'cheaper',
    'deal_holds',
    'terms',
    'retain',
    'retain_cheaper',
    'goodbye',
    'coupon',
    'free_shipping',
    'ask_offer',
  ],
  'address.confirm': ['show', 'confirmed', 'shipped', 'no_order', 'not_found'],
  'address.change': ['ask_new', 'read_back', 'changed', 'shipped', 'no_order', 'not_found'],
  'delivery.ship_time': ['will_ship', 'late', 'unpaid', 'no_order', 'not_found', 'notify'],
  'delivery.tracking': ['latest', 'overdue', 'delivered', 'no_events'],
  'delivery.signed_not_received': ['apologise', 'checked'],
  'return.refund': [
    'within',
    'not_shipped',
    'unpaid',
    'cancelled',
    'in_transit',
    'outside',
    'disputed',
    'shipping_fee',
    'no_order',
    'not_found',
    'confirm_refund',
    'confirm_return',
    'kept',
    'cod_unshipped',
  ],
  'return.exchange': ['offer', 'ask_size', 'out_of_stock', 'outside', 'no_order', 'not_found', 'confirm'],
  'delivery.remark': ['read_back', 'recorded', 'ask_again', 'shipped', 'no_order', 'not_found'],
  'payment.price_protect': ['explain'],
  'return.damaged': ['apologise', 'disputed', 'no_order', 'not_found'],
  'bad_review.complaint': ['apologise'],
  'product.size_color': [
    'options',
    'in_stock',
    'out_of_stock',
    'recommend',
    'fit_ok',
    'fit_small',
    'fit_large',
    'ask_body',
    'no_chart',
    'color_sizes',
  ],
  'product.stock': ['in_stock', 'out_of_stock', 'options', 'color_sizes'],
  'product.info': ['describe'],
  'payment.cod': ['confirm', 'confirmed', 'unavailable', 'already'],
  'payment.invoice': ['explain'],
  'payment.pay': ['remind', 'how_to', 'paid', 'order_total', 'list_price', 'not_found', 'cod_order', 'go_ahead'],
  'human.request': ['transfer'],
  'human.callback': ['reply', 'saved', 'queued', 'after_hours'],
  'greeting.hello': ['morning', 'noon', 'afternoon', 'evening'],
  'greeting.thanks': ['welcome'],
  'other.fallback': ['reply'],
  system: ['clarify', 'handoff', 'handoff_urgent', 'error'],
};

/**
 * Moves a template file may define and the engine uses when present; scripts written before
 * they existed still load (the engine then does without: no notice, fewer generic suggestions).
 */
export const OPTIONAL_MOVES: Record<string, readonly string[]> = {
  'delivery.ship_time': ['courier'],
  'return.refund': ['policy', 'return_address', 'progress', 'worn', 'refund_only', 'recheck'],
  'payment.invoice': ['received'],
  'payment.cod': ['paid_online'],
  'human.callback': ['hours'],
  'greeting.thanks': ['review'],
  'haggle.bargain': ['bulk'],
  system: [
    'no_agent',
    'agent_greet',
    'agent_hold',
    'agent_apology',
    'ask_order',
    'ask_photos',
    'photo_asked',
    'photo_unasked',
    'again',
    'still_open',
    'withdraw',
  ],
};

const AFTER_HOURS = '_after_hours';

/**
 * Every move may have an after-hours version, said instead of it outside the shop's business
 * hours (policy `businessHours`): `transfer_after_hours` for `transfer`. For the replies that
 * promise a person "马上", which is not true at night. Optional; same variables as the move.
 */
export function afterHoursMove(move: string): string {
  return `${move}${AFTER_HOURS}`;
}

/** The move an after-hours version stands for (`transfer_after_hours` → `transfer`), or undefined for an ordinary move. */
export function dayMoveOf(move: string): string | undefined {
  return move.endsWith(AFTER_HOURS) && move.length > AFTER_HOURS.length ? move.slice(0, -AFTER_HOURS.length) : undefined;
}

/** The variables a template for `intent` may use (common + its category's set). */
export function templateVariables(intent: string): VariableSet {
  const category = intent === 'system' ? 'system' : (intent.split('.')[0] ?? '');
  return { ...COMMON_VARIABLES, ...(BY_CATEGORY[category] ?? {}) };
}

/** Markdown documentation of every intent's variables and moves (templates/README.md). */
export function variablesMarkdown(): string {
  const lines: string[] = [
    '# Reply templates',
    '',
    'Generated from src/replies/variables.ts — do not edit by hand (`npx tsx src/replies/variables.ts > templates/README.md`).',
    '',
    'One file per intent: `intent`, optional `label` (the words offered as a quick reply when the bot asks',
    'what the buyer meant) and `moves`. Each move is a list of variants (picked in turn) or',
    '`{ variants: [...], quickReplies: [...] }`. Variants are Handlebars; output is plain text.',
    '',
    'Outside business hours (policy `businessHours`) a move `<move>_after_hours`, when the file has one, is said instead of',
    '`<move>` (e.g. `transfer_after_hours`: no "马上" at night); it takes the same variables.',
    '',
    'Helpers: `{{money x}}` ¥380.00 · `{{day t}}` 今天/明天/3月12日 · `{{time t}}` 16:00 · `{{when t}}` 今天 16:00 ·',
    '`{{maskPhone p}}` 138****5678 · `{{address a}}` one-line address with masked phone · `{{orderSummary order}}` ·',
    '`{{#if x}}…{{else}}…{{/if}}`, `{{#unless x}}`, `(eq a b)`. Triple braces are not allowed.',
    '',
    '## Variables every template may use',
    '',
    ...docTable(COMMON_VARIABLES),
  ];
  for (const [category, set] of Object.entries(BY_CATEGORY)) {
    lines.push('', `## ${category === 'system' ? 'system (engine moves)' : `${category}.* intents`}`, '');
    const moves = Object.entries(REQUIRED_MOVES).filter(([i]) => (i.split('.')[0] ?? i) === category);
    for (const [intent, ms] of moves) {
      const optional = OPTIONAL_MOVES[intent] ?? [];
      const extra = optional.length > 0 ? `; optional: ${optional.map((m) => `\`${m}\``).join(', ')}` : '';
      lines.push(`- \`${intent}\` moves: ${ms.map((m) => `\`${m}\``).join(', ')}${extra}`);
    }
    lines.push('', ...docTable(set));
  }
  const rest = Object.entries(REQUIRED_MOVES).filter(([i]) => !BY_CATEGORY[i.split('.')[0] ?? '']);
  lines.push('', '## Other intents (common variables only)', '');
  for (const [intent, ms] of rest) lines.push(`- \`${intent}\` moves: ${ms.map((m) => `\`${m}\``).join(', ')}`);
  lines.push('- any other intent: `reply`');
  return lines.join('\n') + '\n';
}

function docTable(set: VariableSet): string[] {
  return [
    '| variable | meaning |',
    '|---|---|',
    ...Object.entries(set).map(([k, v]) => `| \`${k}\` | ${v.description}${v.optional ? ' (optional)' : ''} |`),
  ];
}

if (require.main === module) process.stdout.write(variablesMarkdown());
