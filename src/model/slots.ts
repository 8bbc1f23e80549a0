/**
 * Conversation slots: the per-flow memory kept on a ConversationState, one typed key per
 * concern (bargaining, the address being changed, the question the bot is waiting on …).
 * The dialogue flows own what goes in them; the shapes live here, below storage and policy,
 * so a store can keep them without importing a flow. Everything is plain JSON.
 *
 * States stored by older versions may lack `slots`, lack keys, or carry keys and shapes this
 * version does not know: {@link readSlots} keeps what it can read and drops a malformed value
 * of a known key (its flow then starts afresh) rather than letting a turn fail on it.
 */
import type { Address } from '../shop/types';
import type { Understanding } from '../nlu/types';

/** Bargaining memory for one product (slots.haggle). */
export interface HaggleSlot {
  productId: string;
  /** Current asking price: the list price, then each counter. */
  price: number;
  /** Rounds with a money offer or push handled so far. */
  rounds: number;
  offers: number[];
  counters: number[];
  freeShipping: boolean;
  gift?: string;
  /** True once the firm lowest price was quoted. */
  final: boolean;
  /** The price the bot called its lowest real price, once it did: no later price goes below it. */
  lowest?: number;
  /** True once the bot asked the buyer's price. */
  asked?: boolean;
  /** A cheaper product suggested instead: a follow-up price near it bargains on that product. */
  suggested?: string;
  deal?: number;
  /** Pushes without progress (after the firm lowest price). */
  pushes: number;
  /** Pushes without a number that moved the price or terms; after one, the bot asks the buyer's price. */
  numberless?: number;
  /** True once the buyer walked away and got the retention line (said once only). */
  retained?: boolean;
  /** Pieces the buyer bargains for ("三件一百五"), when more than one. */
  quantity?: number;
}

/** What a pending question carries to the turn that answers it. */
export interface PendingData {
  /** address.change read-back: the new address being confirmed. */
  address?: Address;
  /** delivery.remark read-back: the note being confirmed. */
  remark?: string;
  /** return.exchange confirmation: the size and colour being confirmed. */
  size?: string;
  color?: string;
}

/** A question the bot is waiting on (slots.pending); the next message may answer it. */
export interface PendingQuestion {
  /** The intent whose policy handles the answer. */
  owner: string;
  kind: string;
  /** Quick-reply texts offered; index 0 means yes, index 1 means no / the alternative. */
  choices: string[];
  data?: PendingData;
  /** Kept open over one side question already (stages/policy.ts): the next one closes it. */
  reminded?: boolean;
}

/** slots.clarify: how many clarifying questions in a row, and the choices offered (label → intent). */
export interface ClarifySlot {
  asked: number;
  choices: Record<string, string>;
}

/** What the engine remembers of the last buyer turn (slots.last), for routing and suggestions later. */
export interface LastTurn {
  text: string;
  /** The flow that handled it. */
  handled: string;
  u: Understanding;
}

/** One of the bot's last messages (slots.botSaid): replies never repeat them. */
export interface BotSaid {
  text?: string;
  templateId?: string;
}

/** A change of address the buyer confirmed (slots.addressChange), noted for the order remark. */
export interface AddressChangeRecord {
  orderNumber: string;
  address: Address;
  at: string;
}

/** A request recorded on the conversation (slots.returnRequests) for the after-sale team. */
export interface ReturnRequest {
  orderNumber: string;
  kind: 'refund' | 'return' | 'exchange' | 'damaged';
  at: string;
  size?: string;
  color?: string;
}

/** Confirmed cash on delivery (slots.cod), for the agent and the order remark. */
export interface CodRecord {
  /** The unpaid order it was priced on; unset when priced on the product before ordering. */
  orderNumber?: string;
  price: number;
  codPrice: number;
  at: string;
}

/** What the buyer told us of their build (slots.body). Either may be missing. */
export interface Body {
  heightCm?: number;
  weightKg?: number;
}

/** A callback contact the buyer left while waiting for a person (slots.callback). */
export type CallbackSlot = {
  at: string;
  phone?: string;
  wechat?: string;
};

/** The slots, one key per concern; every key is optional. */
export interface Slots {
  // The engine's own memory.
  /** The question the bot is waiting on. */
  pending?: PendingQuestion;
  /** The clarifying question asked, while it is open. */
  clarify?: ClarifySlot;
  last?: LastTurn;
  /** The bot's last two messages. */
  botSaid?: BotSaid[];
  /** The next variant to use per template move ("intent/move" → index). */
  variants?: Record<string, number>;
  /** The chat was opened from a product page: a bare price question is about that product. */
  productPage?: boolean;
  // Flows.
  haggle?: HaggleSlot;
  /** address.change asked for the new address. */
  awaitingAddress?: boolean;
  addressChange?: AddressChangeRecord;
  returnRequests?: ReturnRequest[];
  cod?: CodRecord;
  body?: Body;
  /** The size in focus for product follow-ups (as the catalogue writes it). */
  wantedSize?: string;
  /** The colours in focus for product follow-ups. */
  wantedColors?: string[];
  // Waiting for a person (src/handoff, src/conversation).
  callback?: CallbackSlot;
  /** The handoff (its `at`) whose buyer was told where they stand after a bot answer. */
  waitToldFor?: string;
  /** The handoff (its `at`) whose buyer was already told nobody is online. */
  noAgentToldFor?: string;
}

/** Slot values to set: whole values per key; a key set to undefined is deleted. */
export type SlotUpdate = Partial<Slots>;

type Guard<T> = (v: unknown) => v is T;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
const optional = (v: unknown, guard: (x: unknown) => boolean): boolean => v === undefined || guard(v);
const arrayOf =
  <T>(guard: (x: unknown) => boolean): Guard<T[]> =>
  (v): v is T[] =>
    Array.isArray(v) && v.every(guard);
const isAddress = (v: unknown): v is Address =>
  isObject(v) && ['recipient', 'phone', 'province', 'city', 'district', 'detail'].every((k) => isString(v[k]));

/** One guard per key: the shape a value must have to be used. */
const GUARDS: { [K in keyof Slots]-?: Guard<NonNullable<Slots[K]>> } = {
  pending: (v): v is PendingQuestion =>
    isObject(v) &&
    isString(v['owner']) &&
    isString(v['kind']) &&
    arrayOf<string>(isString)(v['choices']) &&
    optional(v['data'], isObject) &&
    optional(v['reminded'], isBoolean),
  clarify: (v): v is ClarifySlot => isObject(v) && isNumber(v['asked']) && isObject(v['choices']) && Object.values(v['choices']).every(isString),
  last: (v): v is LastTurn =>
    isObject(v) &&
    isString(v['text']) &&
    isString(v['handled']) &&
    isObject(v['u']) &&
    isString(v['u']['intent']) &&
    Array.isArray(v['u']['ranking']) &&
    Array.isArray(v['u']['entities']),
  botSaid: arrayOf<BotSaid>((x) => isObject(x) && optional(x['text'], isString) && optional(x['templateId'], isString)),
  variants: (v): v is Record<string, number> => isObject(v) && Object.values(v).every(isNumber),
  productPage: isBoolean,
  haggle: (v): v is HaggleSlot =>
    isObject(v) &&
    isString(v['productId']) &&
    isNumber(v['price']) &&
    isNumber(v['rounds']) &&
    arrayOf<number>(isNumber)(v['offers']) &&
    arrayOf<number>(isNumber)(v['counters']) &&
    isBoolean(v['freeShipping']) &&
    isBoolean(v['final']) &&
    isNumber(v['pushes']) &&
    optional(v['deal'], isNumber) &&
    optional(v['lowest'], isNumber),
  awaitingAddress: isBoolean,
  addressChange: (v): v is AddressChangeRecord => isObject(v) && isString(v['orderNumber']) && isAddress(v['address']) && isString(v['at']),
  returnRequests: arrayOf<ReturnRequest>((x) => isObject(x) && isString(x['orderNumber']) && isString(x['kind']) && isString(x['at'])),
  cod: (v): v is CodRecord => isObject(v) && isNumber(v['price']) && isNumber(v['codPrice']) && isString(v['at']),
  body: (v): v is Body => isObject(v) && optional(v['heightCm'], isNumber) && optional(v['weightKg'], isNumber),
  wantedSize: isString,
  wantedColors: arrayOf<string>(isString),
  callback: (v): v is CallbackSlot => isObject(v) && isString(v['at']),
  waitToldFor: isString,
  noAgentToldFor: isString,
};

/** Every slot key this version knows. */
export const SLOT_KEYS = Object.keys(GUARDS) as readonly (keyof Slots)[];

function copyIfValid<K extends keyof Slots>(from: Record<string, unknown>, to: Slots, key: K): void {
  const value = from[key];
  // TypeScript cannot correlate GUARDS[key] with Slots[key] for a generic key; the map's type does.
  const guard = GUARDS[key] as Guard<NonNullable<Slots[K]>>;
  if (guard(value)) to[key] = value;
}

/**
 * The slots of a stored state, safe to use: missing or not an object → none; a known key
 * whose value has the wrong shape → dropped; keys this version does not know → kept as they
 * are (a newer version may have written them).
 */
export function readSlots(raw: unknown): Slots {
  if (!isObject(raw)) return {};
  // A frozen stored value (src/model/frozen.ts) never changes: read it once.
  if (Object.isFrozen(raw)) {
    const known = readFrozen.get(raw);
    if (known) return known;
    const read = Object.freeze(readSlotsOnce(raw));
    readFrozen.set(raw, read);
    return read;
  }
  return readSlotsOnce(raw);
}

/** What readSlots gave for each frozen slots object (kept as long as that object is). */
const readFrozen = new WeakMap<object, Slots>();

function readSlotsOnce(raw: Record<string, unknown>): Slots {
  const unknownKeys = Object.fromEntries(Object.entries(raw).filter(([k]) => !Object.hasOwn(GUARDS, k)));
  const out: Slots = {};
  for (const key of SLOT_KEYS) if (Object.hasOwn(raw, key)) copyIfValid(raw, out, key);
  return Object.assign(unknownKeys, out);
}

/** `slots` with `update` applied: new values replace old ones whole, undefined deletes (a new object). */
export function withSlots(slots: Slots, update: SlotUpdate): Slots {
  const next: Slots = { ...slots, ...update };
  for (const key of SLOT_KEYS) if (Object.hasOwn(update, key) && update[key] === undefined) delete next[key];
  return next;
}

/** `slots` without the keys given (a new object). */
export function withoutSlots(slots: Slots, ...keys: (keyof Slots)[]): Slots {
  const next: Slots = { ...slots };
  for (const key of keys) delete next[key];
  return next;
}
