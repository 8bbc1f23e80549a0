/**
 * The buyer's build for size advice: height and weight as buyers type them ("身高165 体重110斤",
 * "170/130斤", "1米65 55kg", "一米六 九十斤"), and the size a product's chart recommends for it.
 * Prices are the NLU's entities; body measures matter only to the product flow, so they are
 * read here from the normalized text.
 */
import { parseNumeral } from '../nlu/entities';
import type { SizeChartRow } from '../shop/types';

import type { Body } from '../model/slots';

export type { Body } from '../model/slots';

const CN_DIGITS = '零一二两三四五六七八九';
const NUM = `\\d+(?:\\.\\d+)?|[${CN_DIGITS}十百]+`;
const WEIGHT_UNIT_RE = new RegExp(`(${NUM})\\s*(斤|kg|公斤|千克)`, 'i');
const WEIGHT_WORD_RE = new RegExp(`体重\\D{0,2}?(${NUM})`);
// 1米65, 1.65米, 1m65, 1.65m, 一米六五, 一米6
const METRE_RE = new RegExp(`([1１一])\\s*(?:米|m|\\.)\\s*([\\d${CN_DIGITS}]{1,2})(?![\\d斤]|kg|公斤)`, 'i');
const CM_RE = /(\d{3})\s*(?:cm|厘米|公分)/i;
const HEIGHT_WORD_RE = new RegExp(`(?:身高|个子|高)\\D{0,2}?(${NUM})`);
// A bare 140–199 not followed by a weight unit, e.g. "我170 130斤".
const BARE_HEIGHT_RE = /(?<![\d.])(1[4-9]\d)(?![\d.]|\s*(?:斤|kg|公斤|千克|块|元|码|号))/i;

/** Size talk that makes a lone 140–199 a height: "我170穿L可以吗". */
const SIZE_TALK_RE = /穿|码|身材|个子/;
const plausibleHeight = (cm: number): boolean => cm >= 100 && cm <= 220;
const plausibleWeight = (kg: number): boolean => kg >= 25 && kg <= 150;

const DIGIT_VALUE: Record<string, number> = { 零: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** 一米六五 → the digits after 米: 六五 → 65, 六 → 60, 6 → 60. */
function metreFraction(part: string): number | undefined {
  const digits = [...part].map((ch) => (/\d/.test(ch) ? Number(ch) : (DIGIT_VALUE[ch] ?? NaN)));
  if (digits.some((d) => Number.isNaN(d))) return undefined;
  const [tens, ones] = digits;
  return tens === undefined ? undefined : tens * 10 + (ones ?? 0);
}

/** `bare`: whether a lone 140–199 counts (next to a weight or size talk: "我170 130斤", not "168包邮"). */
function readHeight(text: string, bare: boolean): number | undefined {
  const metre = METRE_RE.exec(text);
  if (metre) {
    const cm = metreFraction(metre[2] ?? '');
    if (cm !== undefined && plausibleHeight(100 + cm)) return 100 + cm;
  }
  for (const re of bare ? [CM_RE, HEIGHT_WORD_RE, BARE_HEIGHT_RE] : [CM_RE, HEIGHT_WORD_RE]) {
    const m = re.exec(text);
    const v = m ? parseNumeral(m[1] ?? '') : undefined;
    if (v !== undefined && plausibleHeight(v)) return v;
  }
  return undefined;
}

function readWeight(text: string): number | undefined {
  const unit = WEIGHT_UNIT_RE.exec(text);
  if (unit) {
    const v = parseNumeral(unit[1] ?? '');
    const kg = v === undefined ? undefined : unit[2] === '斤' ? v / 2 : v;
    if (kg !== undefined && plausibleWeight(kg)) return kg;
  }
  const word = WEIGHT_WORD_RE.exec(text);
  const v = word ? parseNumeral(word[1] ?? '') : undefined;
  if (v === undefined) return undefined;
  // "体重110" without a unit: buyers here count in 斤, so a number above 80 is 斤.
  const kg = v > 80 ? v / 2 : v;
  return plausibleWeight(kg) ? kg : undefined;
}

/**
 * A lone number answering a size question ("100" after "身高168"): the measure still missing,
 * a height when it is 140–200 and none is known, else a weight (above 80 counted in 斤).
 * Empty when it fits neither.
 */
export function bareMeasure(text: string, known: Body): Body {
  const t = text.trim();
  if (!/^[0-9]{2,3}$/.test(t)) return {};
  const n = Number(t);
  if (known.heightCm === undefined && n >= 140 && n <= 200) return { heightCm: n };
  const kg = n > 80 ? n / 2 : n;
  return known.weightKg === undefined && plausibleWeight(kg) ? { weightKg: kg } : {};
}

/** Whether a message names a height or weight with its unit or word ("110斤", "158 45kg", "身高165"). */
export function namesBody(text: string): boolean {
  const told = readBody(text);
  return (told.heightCm !== undefined || told.weightKg !== undefined) && /斤|kg|公斤|cm|厘米|身高|体重|米/iu.test(text);
}

/** Height and weight named in one message (normalized text); empty when neither is there. */
export function readBody(text: string): Body {
  const body: Body = {};
  const weightKg = readWeight(text);
  const heightCm = readHeight(text, weightKg !== undefined || SIZE_TALK_RE.test(text));
  if (heightCm !== undefined) body.heightCm = heightCm;
  if (weightKg !== undefined) body.weightKg = weightKg;
  return body;
}

/** How far a value lies outside [min, max] (0 inside). */
function outside(v: number | undefined, [min, max]: [number, number]): number {
  if (v === undefined) return 0;
  return v < min ? min - v : v > max ? v - max : 0;
}

/**
 * The size whose chart row fits the build best: the smallest distance outside the height and
 * weight ranges (a kilogram counts like two centimetres, so weight decides between two sizes
 * a height fits equally); on a tie the larger size, since a size too small cannot be worn.
 * Undefined when the buyer gave neither measure or the product has no chart.
 */
export function recommendSize(chart: readonly SizeChartRow[] | undefined, body: Body): string | undefined {
  if (!chart || chart.length === 0 || (body.heightCm === undefined && body.weightKg === undefined)) return undefined;
  let best: { size: string; miss: number } | undefined;
  for (const row of chart) {
    const miss = outside(body.heightCm, row.heightCm) + 2 * outside(body.weightKg, row.weightKg);
    if (!best || miss <= best.miss) best = { size: row.size, miss };
  }
  return best?.size;
}

/** Chart position of a size (-1 when the chart does not list it): to say "too small" or "roomy". */
export function chartIndex(chart: readonly SizeChartRow[], size: string): number {
  return chart.findIndex((row) => row.size.toUpperCase() === size.toUpperCase());
}
