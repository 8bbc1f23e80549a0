/**
 * Prices and discounts in a buyer's message: "380包邮" is an offer of 380 plus a free-shipping
 * ask, "便宜50" asks for 50 off (a discount, not a price), "三百六十块" is 360. A vague amount
 * ("几十块", "一百多") is none: the bot asks for a price rather than acting on a guess.
 */
import type { MoneyEntity } from '../types';
import { NUMERAL_CHARS, parseNumeral } from './numbers';

// A numeral: Arabic (optionally 1.5k / 2w), Chinese, or mixed (3百6).
const NUMERAL = `(?:[${NUMERAL_CHARS}]*[零〇一二两俩三四五六七八九十百千万][${NUMERAL_CHARS}]*|\\d+(?:\\.\\d+)?[kKwW千万]?(?![\\d.]))`;
const MONEY_RE = new RegExp(
  `(?<pre>[¥￥]\\s*)?(?<num>${NUMERAL})(?<unit>\\s*(?:块钱|块|元|rmb|RMB|米(?![a-z0-9零一二两三四五六七八九]))?)(?<after>\\s*包邮)?`,
  'g',
);
// What follows a number when it is not money: sizes, counts, dates, times, weights …
const NOT_MONEY_AFTER_RE =
  /^\s*(?:码|号|件|个|双|条|套|只|台|盒|包(?!邮)|瓶|袋|次|天|日|周|月|年|岁|点|分|秒|小时|h|cm|mm|m|kg|g|斤|公斤|斤|克|米|寸|毫|%|折|楼|层|单元|室|栋|人|位|家|种|款|颜色|色|倍|级|代|寸|G|T|L|ml|w|期|轮|遍|分钟|星|颗|张|页|本|部|辆|度|斤)/;
// A vague amount is no price: 几十块, 好几百, 二十几块, 一百多, 十来块, 300多 (the buyer named none).
const VAGUE_BEFORE_RE = /几$/;
const VAGUE_AFTER_RE = /^(?:几|多(?!少)|来(?=\s*(?:块|元|钱)))/;
const DISCOUNT_BEFORE_RE = /(?:便宜|少|减|降|优惠|抹|让|打折|砍)(?:个|点|些|一点|了)?\s*$/;
const PRICE_CONTEXT_RE = /(?:便宜|优惠|包邮|价|钱|卖|出|贵|行不|行吗|可以吗|可以不|能不能|给我|成交|拿|元|块|少|降|砍|减|折扣|最低|底价)/;

/** Find money amounts; `context` (the whole text) decides whether bare numbers are prices. */
export function extractMoney(text: string): MoneyEntity[] {
  const found: MoneyEntity[] = [];
  const priceTalk = PRICE_CONTEXT_RE.test(text);
  for (const m of text.matchAll(MONEY_RE)) {
    const g = m.groups ?? {};
    const num = g.num ?? '';
    const value = parseNumeral(num);
    if (value === undefined || value <= 0 || value > 1_000_000) continue;
    const start = m.index ?? 0;
    const before = text.slice(Math.max(0, start - 6), start);
    const afterText = text.slice(start + (g.pre?.length ?? 0) + num.length);
    const hasUnit = (g.unit ?? '').trim() !== '' || g.pre !== undefined;
    const freeShipping = g.after !== undefined;
    // Digits glued to letters or more digits are codes, not prices (SF123, 订单123456789).
    if (/[A-Za-z0-9]$/.test(text.slice(0, start)) || /^\d{7,}/.test(num)) continue;
    if (!hasUnit && !freeShipping && NOT_MONEY_AFTER_RE.test(afterText)) continue;
    if (VAGUE_BEFORE_RE.test(before) || VAGUE_AFTER_RE.test(afterText)) continue;
    const chinese = /[一二两三四五六七八九十百千万]/.test(num);
    const discount = DISCOUNT_BEFORE_RE.test(before);
    // Bare numbers count only in price talk; Chinese numerals need a unit or a hundred+ size.
    if (!hasUnit && !freeShipping && !discount) {
      if (chinese && value < 100) continue;
      if (!chinese && !priceTalk) continue;
      if (!priceTalk && value < 100) continue;
    }
    if (/[年月日号点]/.test(afterText.slice(0, 1))) continue;
    found.push({
      kind: 'money',
      text: m[0].trimEnd(),
      span: { start, end: start + m[0].trimEnd().length },
      value,
      role: discount ? 'discount' : 'offer',
      freeShipping,
    });
  }
  return found;
}
