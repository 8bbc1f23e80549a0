/**
 * Reading numbers the way buyers write prices: 380, 1.5k, 2w, 三百八 (380, the trailing digit
 * takes the next lower unit), 两百五, 3百6, 一千二, 九十九.
 */

const DIGITS: Record<string, number> = {
  零: 0,
  〇: 0,
  一: 1,
  幺: 1,
  二: 2,
  两: 2,
  俩: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};
const UNITS: Record<string, number> = { 十: 10, 拾: 10, 百: 100, 佰: 100, 千: 1000, 仟: 1000, k: 1000, K: 1000, 万: 10000, w: 10000, W: 10000 };

/** Characters a mixed Chinese/Arabic numeral may contain. */
export const NUMERAL_CHARS = '零〇一幺二两俩三四五六七八九十拾百佰千仟万0-9';

/**
 * Value of a numeral such as 三百八, 3百6, 两千五百, 1.5k, 十五. Undefined when it is not one.
 * Units below 万 are summed inside each 万 group (一万二千 = 12000).
 */
export function parseNumeral(input: string): number | undefined {
  const s = input.trim();
  if (s === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  const kw = /^(\d+(?:\.\d+)?)([kKwW千万])$/.exec(s);
  if (kw) return Number(kw[1]) * (UNITS[kw[2] ?? ''] ?? 1);
  let total = 0; // completed 万 groups
  let group = 0; // inside the current 万 group
  let digit: number | undefined; // pending digit (Chinese or Arabic run)
  let lastUnit = 0;
  let i = 0;
  const chars = [...s];
  while (i < chars.length) {
    const ch = chars[i] ?? '';
    if (/\d/.test(ch)) {
      let j = i;
      let run = '';
      while (j < chars.length && /[\d.]/.test(chars[j] ?? '')) run += chars[j++];
      if (digit !== undefined || !/^\d+(\.\d+)?$/.test(run)) return undefined;
      digit = Number(run);
      i = j;
      continue;
    }
    if (ch in DIGITS) {
      if (digit !== undefined && digit !== 0) return undefined; // 三四 is not a number here
      digit = DIGITS[ch];
      i++;
      continue;
    }
    const unit = UNITS[ch];
    if (unit === undefined) return undefined;
    if (unit === 10000) {
      total = (total + group + (digit ?? (group === 0 ? 1 : 0))) * 10000;
      group = 0;
      lastUnit = 10000;
    } else {
      // 十五: a bare 十 means one ten.
      group += (digit ?? 1) * unit;
      lastUnit = unit;
    }
    digit = undefined;
    i++;
  }
  if (digit !== undefined) {
    // 三百八 → the 8 counts in tens; 一万二 → 2000; 3百6 → 60.
    if (lastUnit >= 100 && digit < 10 && /[一二两三四五六七八九\d]$/.test(s) && !/零/.test(s)) group += digit * (lastUnit / 10);
    else group += digit;
  }
  const value = total + group;
  return Number.isFinite(value) ? value : undefined;
}
