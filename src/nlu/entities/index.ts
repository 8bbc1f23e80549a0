/**
 * Stage 3 of understanding: facts the dialogue needs, each with its span in the normalized
 * text. Extractors are independent; overlaps are resolved here (a phone is not also an order,
 * digits inside a tracking number are not a price).
 */
import type { Entity } from '../types';
import { extractAddresses } from './address';
import { extractCodes, extractCouriers } from './logistics';
import { extractMoney } from './money';
import { extractPhones } from './phone';
import { extractColors, extractSizes } from './product';

export { parseNumeral } from './numbers';
export { carrierFromNumber } from './logistics';
export { maskPhone } from './phone';

const HAS_DIGIT_RE = /\d/;
const LONG_CODE_RE = /\d{8}/;
const COURIER_HINT_RE = /顺丰|圆通|中通|韵达|申通|百世|汇通|极兔|德邦|邮政|京东|天天快递|宅急送|EMS|ems/;
// A Chinese numeral is a price only with 十/百/千/万 in it or a money unit after it (五块).
const CN_NUMERAL_RE = /[十百千万]|[一二两三四五六七八九][块元]/;
const SIZE_HINT_RE = /[A-Za-z码]/;
const COLOR_HINT_RE = /色|藏青|卡其/;
const ADDRESS_HINT_RE = /[省市区县街]|路\d|收件|收货|联系人/;

// One pass over the text with a per-character table says which gate regexes can match at all:
// each needs one of its characters, and most messages have none of them (7 regex scans saved).
const G_DIGIT = 1;
const G_COURIER = 2;
const G_CN_NUMERAL = 4;
const G_SIZE = 8;
const G_COLOR = 16;
const G_ADDRESS = 32;
const gates = new Uint8Array(0x10000);
const mark = (chars: string, bit: number): void => {
  for (const ch of chars) gates[ch.charCodeAt(0)] = (gates[ch.charCodeAt(0)] as number) | bit;
};
mark('0123456789', G_DIGIT);
mark('顺圆中韵申百汇极德邮京天宅Ee', G_COURIER); // first characters of COURIER_HINT_RE's words
mark('十百千万一二两三四五六七八九', G_CN_NUMERAL);
mark('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz码', G_SIZE);
mark('色藏卡', G_COLOR);
mark('省市区县街路收联', G_ADDRESS);
function gateMask(text: string): number {
  let m = 0;
  for (let i = 0; i < text.length; i++) m |= gates[text.charCodeAt(i)] as number;
  return m;
}

const overlaps = (a: Entity, b: Entity): boolean => a.span.start < b.span.end && b.span.start < a.span.end;

/** All entities in the text, ordered by position. Never throws. */
export function extractEntities(text: string): Entity[] {
  try {
    // Cheap gates first: most messages have no digits, no address words, no colours, and then
    // nothing is allocated beyond the empty result.
    const gate = gateMask(text);
    if (gate === 0) return [];
    const digits = (gate & G_DIGIT) !== 0 && HAS_DIGIT_RE.test(text);
    let strong: Entity[] | undefined;
    if (digits) strong = extractPhones(text);
    if (digits && LONG_CODE_RE.test(text)) strong = (strong ?? []).concat(extractCodes(text));
    if (gate & G_COURIER && COURIER_HINT_RE.test(text)) strong = (strong ?? []).concat(extractCouriers(text));
    let weak: Entity[] | undefined;
    if (digits || (gate & G_CN_NUMERAL && CN_NUMERAL_RE.test(text))) weak = extractMoney(text);
    if (gate & G_SIZE && SIZE_HINT_RE.test(text)) weak = (weak ?? []).concat(extractSizes(text));
    if (gate & G_COLOR && COLOR_HINT_RE.test(text)) weak = (weak ?? []).concat(extractColors(text));
    const addresses = gate & G_ADDRESS && ADDRESS_HINT_RE.test(text) ? extractAddresses(text) : undefined;
    if (strong === undefined && weak === undefined && addresses === undefined) return [];
    const all: Entity[] = strong ? [...strong] : [];
    if (weak) for (const e of weak) if (!strong || !strong.some((s) => overlaps(s, e))) all.push(e);
    if (addresses) all.push(...addresses);
    return all.length > 1 ? all.sort((a, b) => a.span.start - b.span.start) : all;
  } catch {
    // A regex edge case must never take the buyer's message down with it.
    return [];
  }
}
