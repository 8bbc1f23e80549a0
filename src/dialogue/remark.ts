/**
 * Order remarks (备注): a note the warehouse must follow ("送人的，别放购物清单"). The bot
 * extracts the note, reads it back with the order number and records a remark act only once
 * the buyer confirms. A parcel that has left cannot be repacked: a person follows up.
 * Price protection (价保, "买了两天就降价了 能补差价吗") is answered as what it is: the shop
 * checks the dates and prices, so a person decides; nothing is promised or recorded here.
 */
import type { ActDraft } from '../model/acts';
import { claim } from './claims';
import { move, orderMissing, type PolicyInput, type PolicyResult } from './policy';

export const REMARK = 'delivery.remark';
export const PRICE_PROTECT = 'payment.price_protect';

/** Words that make a message a remark for the parcel or the order. */
const REMARK_CUE =
  /备注|留言|购物清单|发货单|价格单|价签|小票|清单|单据|宣传单|售后卡|送人|送礼|礼物|礼品|别放|不要放|不用放|别夹|包装好|包装仔细|放门口|别放驿站|送货前|打电话/u;
/** The words asking for a note, wherever they stand in the message. */
const REQUEST_RE =
  /(?:再|另外|还有|顺便)?(?:帮我|给我)?(?:加个|加一个|加一下|加|写个|写一下|写|留个|做个)?备注(?:一下|下(?!周|个|午|礼拜|星期|月))?[:：，,]?/u;
/** Price protection: the price fell after the buyer paid. */
const PRICE_PROTECT_CUE = /补差价|退差价|返差价|差价|价保|保价|降价了|便宜了.{0,6}(?:补|退|返)|买贵了/u;

export function isRemark(text: string): boolean {
  return (
    (REMARK_CUE.test(text) && !/[?？]$|吗$/u.test(text.replace(/[～~。!！\s]+$/u, ''))) || /^(?:帮我|麻烦|请)?(?:备注|加个备注|写个备注)/u.test(text)
  );
}

export function isPriceProtection(text: string): boolean {
  return PRICE_PROTECT_CUE.test(text);
}

/**
 * The note itself: the message without the request words around it; undefined when nothing
 * is left ("备注一下", "我要备注": the buyer has not said what to write yet).
 */
export function remarkNote(text: string): string | undefined {
  // "帮我改下地址… 再备注一下不要放快递柜": the note is what follows the request to note it.
  const cue = REQUEST_RE.exec(text);
  const from = cue && cue.index > 0 && text.slice(cue.index + cue[0].length).trim() !== '' ? text.slice(cue.index) : text;
  const t = from
    .replace(/^(?:嗯+|好的|好|对|另外|还有|然后|顺便|再)*[，,\s]*/u, '')
    .replace(
      /^(?:你好|您好|亲|麻烦|请|帮我|帮忙|能不能|可以|能|我要|我想|想|要|另外|还有|顺便|再)*(?:帮我|给我)?(?:在订单上|在订单里|订单)?(?:加个|加一个|加一下|加|写个|写一下|写|留个|做个)?(?:备注|留言)(?:一下|下(?!周|个|午|礼拜|星期|月))?(?:[:：，,]|说)?/u,
      '',
    )
    .replace(/(?:哦|呀|啊|哈|吧|谢谢|谢啦|好吗|可以吗|行吗|吗|嘛)*[～~。!！?？\s]*$/u, '')
    // "再发吗 我出差": the question word is the request's, not the note's.
    .replace(/(?:可以吗|行吗|吗)(?=[\s，,])/gu, '')
    .trim();
  // Read back in shop punctuation (the normalizer made the commas ASCII).
  return t.length > 0 ? t.slice(0, 60).replace(/,/g, '，') : undefined;
}

/** The note, or the whole message when nothing else is left (for a person's summary). */
export function remarkText(text: string): string {
  return remarkNote(text) ?? text.slice(0, 60).replace(/,/g, '，');
}

export function remarkPolicy(input: PolicyInput): PolicyResult {
  const { order } = input;
  if (!order || order.status === 'cancelled') return { moves: [orderMissing(input, REMARK)] };
  const pending = input.pending?.owner === REMARK ? input.pending : undefined;
  const pendingText = pending?.data?.remark;
  if (order.status !== 'unpaid' && order.status !== 'paid') {
    return {
      moves: [move(input, REMARK, 'shipped')],
      handoff: { reason: 'after_sale', priority: 'normal', note: `已发货后要求备注（${order.number}）：${remarkText(input.u.normalized)}` },
    };
  }
  if (input.answer === 'yes' && pendingText !== undefined) {
    const act: ActDraft = { kind: 'remark', orderNumber: order.number, text: pendingText };
    return { moves: [move(input, REMARK, 'recorded', { remark: pendingText })], acts: [act], pending: null };
  }
  const text = input.answer === 'no' ? undefined : remarkNote(input.u.normalized);
  // Turned down, or nothing said yet ("备注一下"): ask what to write; the next message is the note.
  if (text === undefined) return { moves: [move(input, REMARK, 'ask_again')], pending: { owner: REMARK, kind: 'text', choices: [] } };
  return {
    moves: [move(input, REMARK, 'read_back', { remark: text })],
    pending: { owner: REMARK, kind: 'read_back', choices: [], data: { remark: text } },
  };
}

export function priceProtectPolicy(input: PolicyInput): PolicyResult {
  const note = input.order ? `买家要求补差价（${input.order.number}，实付 ¥${input.order.total}）` : '买家要求补差价';
  return {
    moves: [move(input, PRICE_PROTECT, 'explain')],
    handoff: { reason: 'policy_limit', priority: 'normal', note, announced: true },
  };
}

/** Routing claims of remarks and price protection (see stages/route.ts for their order). */
export const claims = {
  /** The remark asked for again after a "no": whatever the buyer says next is the note. */
  text: claim('remark.text', ({ pending }) => (pending?.owner === REMARK && pending.kind === 'text' ? { intent: REMARK } : undefined)),
  /** "买了两天就降价了 能补差价吗": price protection, whatever the classifier says (never a refund). */
  priceProtect: claim('priceProtect.cue', ({ u }) => (isPriceProtection(u.normalized) ? { intent: PRICE_PROTECT } : undefined)),
  /** "是送人的，包裹里别放购物清单": a note for the order. */
  remark: claim('remark.cue', ({ u }) => (isRemark(u.normalized) ? { intent: REMARK } : undefined)),
};
