/**
 * Reading a short answer to the question the bot just asked. Quick replies match exactly;
 * typed answers ("对的", "不对", "就这个价") are recognised here because the classifier sees
 * them without the question and often cannot tell. Also reads a bare number as an offer
 * while bargaining ("300" alone is a price only in that context).
 */
import { parseNumeral } from '../nlu';
import { toSimplified } from '../nlu/normalize';
import type { MoneyEntity, Understanding } from '../nlu/types';
import { claim } from './claims';
import type { Answer } from './policy';

const NO = /^(不对|不是|不行|不要|不用|错了|不好|不了|算了|no)[啊呀的哦吧了!！。.～~]*$/i;
const YES_WORD =
  '(?:对|对的|是|是的|好|好的|好吧|行|行吧|可以|嗯|嗯嗯|没问题|没错|确认|确定|就这样|就这个价|就这个价格|就按这个价|成交|ok|yes)[啊呀的哦吧了!！。.～~]*';
/** One yes word, or a few in a row ("好的，就这个价", "行，成交"). */
const YES = new RegExp(`^${YES_WORD}(?:[,，、\\s]*${YES_WORD})*$`, 'i');

/** Thanks after the answer ("对的谢谢亲", "没问题 辛苦了"): the answer stands. */
const THANKS_TAIL =
  /[,，、\s]*(?:谢谢(?:亲|你|您|啦|了|哈)?|谢啦|谢了|多谢|感谢|辛苦(?:了|啦|你了|您了)?|麻烦(?:了|你了|您了))[啊呀的哦吧了哈亲!！。.～~\s]*$/u;
/** "对吧", "是吧": a question back, not a yes. */
const ASKING_BACK = /^(?:对|是)吧/u;

/** 'yes' / 'no' for a short typed answer, undefined when it is not one. */
export function readAnswer(u: Understanding): Answer | undefined {
  const said = u.normalized.trim();
  if (ASKING_BACK.test(said)) return undefined;
  const t = said.replace(THANKS_TAIL, '') || said;
  if (t.length === 0 || t.length > 10) return undefined;
  if (NO.test(t)) return 'no';
  if (YES.test(t)) return 'yes';
  return undefined;
}

/**
 * A short message with one number in it ("300", "340吧", "三百五", "最多给你375"): an offer
 * while bargaining, where a number can only be a price.
 */
export function bareOffer(u: Understanding): MoneyEntity | undefined {
  const t = u.normalized.trim();
  const digits = t.match(/\d+(?:\.\d+)?/g);
  if (digits && digits.length === 1 && t.length <= 14) {
    const value = Number(digits[0]);
    const start = t.indexOf(digits[0] as string);
    if (value > 0)
      return {
        kind: 'money',
        text: digits[0] as string,
        span: { start, end: start + (digits[0] as string).length },
        value,
        role: 'offer',
        freeShipping: false,
      };
  }
  const core = t.replace(/[吧呢啊呀哦行不可以怎么样？?!！～~。,，\s]+$/u, '').replace(/(元|块钱|块)$/u, '');
  if (core === '' || core.length > 8) return undefined;
  const value = parseNumeral(core);
  if (value === undefined || !Number.isFinite(value) || value <= 0) return undefined;
  return { kind: 'money', text: core, span: { start: 0, end: core.length }, value, role: 'offer', freeShipping: false };
}

/** What may follow a bare price and still leave it a price: "450吧", "三百八卖不卖", "400行吗". */
const PRICE_TAIL = /(?:卖不卖|卖吗|行不行|行吗|可以吗|可不可以|好不好|好吗|成不成|能不能|怎么样|咋样|包邮)?[吧呢啊呀哦嘛么？?!！～~。,，\s]*$/u;
const PRICE_HEAD = /^(?:那|那就|就|要是|如果|给你|给您|最多)?/u;

/**
 * A message that is nothing but a price ("400", "450吧", "三百八卖不卖", "那250呢"): on a
 * product page this starts bargaining even before anyone said 便宜. Stricter than bareOffer,
 * because without bargaining under way a number could be a size or an order: only a number
 * plausible as a price for `listPrice` (a fifth of it up to half again) counts.
 */
export function priceOnly(u: Understanding, listPrice: number): MoneyEntity | undefined {
  if (u.entities.some((e) => e.kind !== 'money')) return undefined;
  const core = u.normalized
    .trim()
    .replace(PRICE_TAIL, '')
    .replace(PRICE_HEAD, '')
    .replace(/(?:元|块钱|块|rmb)$/iu, '');
  if (core === '' || core.length > 8) return undefined;
  const value = parseNumeral(core);
  if (value === undefined || !Number.isFinite(value) || value < listPrice / 5 || value > listPrice * 1.5) return undefined;
  return { kind: 'money', text: core, span: { start: 0, end: core.length }, value, role: 'offer', freeShipping: /包邮/u.test(u.normalized) };
}

/**
 * Acceptance of the price on the table in the buyer's own words: "那就按你说的吧", "行 我去拍",
 * "好 就这个价 我拍了", "可以 下单了". Not when there is a number (that is an offer), a question
 * ("可以不", "拍了能今天发不", "那你说多少"), a push for more (还能…, 再…, 便宜), or a yes that
 * puts it off ("好的我问问我老公", "ok我再逛逛", "好的 不用了谢谢").
 */
const ACCEPT =
  /按你说的|按您说的|照你|照您|依你|依您|听你的|就按这个|就这个价|就这个吧|就这样吧|那就这样|就它了|成交|我去拍|去拍了|我拍了|拍了|马上拍|这就拍|现在拍|拍下|下单|我要了|要了|买了|就买|那就买|可以的?|行吧?|好吧|好的|好滴|好嘞|没问题|ok/iu;
const NOT_ACCEPT =
  /[0-9]|[吗?？]|不$|还能|再便宜|再少|再低|便宜点|少点|低点|不行|不可以|不要|不买|不用|算了|太贵|考虑|想想|看看|对比|别家|退|问问|商量|老公|老婆|男朋友|女朋友|家里|逛|再说|等等|等下|晚点|回头|的话|多少|你报|报个|报价|几天|什么|怎么|啥/u;

/** Whether the buyer accepts the price the bot named last. */
export function isAcceptance(u: Understanding): boolean {
  const t = u.normalized.trim();
  return t.length > 0 && t.length <= 16 && ACCEPT.test(t) && !NOT_ACCEPT.test(t);
}

/** A quick reply's words, whatever the punctuation, width and script ("對,就換這個" is "对，就换这个"). */
const bareWords = (s: string): string =>
  toSimplified(s)
    .normalize('NFKC')
    .replace(/[\s,，。.!！~～、]+/gu, '')
    .toLowerCase();

/** Which of `choices` the buyer tapped or typed (-1: none): exactly, or the same words in Traditional or full-width. */
export function choiceIndex(choices: readonly string[], text: string, normalized: string): number {
  const tapped = choices.indexOf(text);
  if (tapped >= 0) return tapped;
  const typed = bareWords(normalized);
  return typed === '' ? -1 : choices.findIndex((c) => bareWords(c) === typed);
}

/** The act a read-back asks about, as a buyer repeats it to say yes: "嗯，退吧", "好吧 那就换吧". */
const ACT_ECHO: Record<string, RegExp> = {
  'return.refund': /^(?:(?:嗯+|好吧?|好的|行吧?|可以|对)[，,、\s]*)?(?:那就|就|那)?退(?:吧|了吧|货吧|款吧|掉吧)$/u,
  'return.exchange': /^(?:(?:嗯+|好吧?|好的|行吧?|可以|对)[，,、\s]*)?(?:那就|就|那)?换(?:吧|这个吧|了吧)$/u,
  'address.change': /^(?:(?:嗯+|好吧?|好的|行吧?|可以|对)[，,、\s]*)?(?:那就|就|那)?改(?:吧|这个吧|了吧)$/u,
};

/** Yes said by repeating the act the pending read-back is about ("那就退吧" to "确定申请退货吗"). */
function echoedYes(u: Understanding, owner: string): Answer | undefined {
  const re = ACT_ECHO[owner];
  return re && re.test(u.normalized.trim()) ? 'yes' : undefined;
}

/** A short "thank you"-like word ("好的谢谢") answers a yes/no question with yes. */
const YES_INTENTS = new Set(['greeting.thanks']);

/** Routing claims of the pending question (see stages/route.ts for their order). */
export const claims = {
  /**
   * The message answers the pending question with yes or no: the first or second quick reply,
   * a typed yes/no, or a bare word of thanks ("好的谢谢") that is not an offer. The question's
   * owner handles it.
   */
  pendingAnswer: claim('pending.answer', ({ pending, u, text }) => {
    if (!pending) return undefined;
    const idx = choiceIndex(pending.choices, text, u.normalized);
    const typed = idx < 0 ? (readAnswer(u) ?? echoedYes(u, pending.owner)) : undefined;
    const thanks = idx < 0 && typed === undefined && YES_INTENTS.has(u.intent) && u.entities.length === 0 && text.length <= 4 && !bareOffer(u);
    if (idx === 0 || typed === 'yes' || thanks) return { intent: pending.owner, answer: 'yes', pending };
    if (idx === 1 || typed === 'no') return { intent: pending.owner, answer: 'no', pending };
    return undefined;
  }),
};
