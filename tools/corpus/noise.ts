/**
 * How buyers really type: greetings in front, particles and punctuation at the end, typos
 * (劵/卷 for 券, 发或 for 发货, 神马 for 什么), dialect and casual spellings (咋, 木有, 啥子, 伐),
 * Traditional characters (opencc-js cn→tw), emoji and full-width digits. A variant replaces
 * the clean line (it is not added beside it), so a line and its noisy copy never both appear.
 * Nothing here changes what the message asks: the label stays the clean line's.
 */
import { Rng } from './rng';

type Convert = (text: string) => string;
let toTraditionalFn: Convert | undefined;
/** Simplified → Traditional (Taiwan), the reverse of what src/nlu/normalize.ts undoes. */
export function toTraditional(text: string): string {
  if (!toTraditionalFn) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const opencc = require('opencc-js') as { Converter(o: { from: string; to: string }): Convert };
    toTraditionalFn = opencc.Converter({ from: 'cn', to: 'tw' });
  }
  return toTraditionalFn(text);
}

// [from, to]: each a spelling buyers use; applied once, to the first occurrence.
const TYPOS: Array<[string, string]> = [
  ['券', '劵'],
  ['券', '卷'],
  ['发货', '发或'],
  ['发货', '发获'],
  ['什么', '神马'],
  ['什么', '啥'],
  ['怎么', '咋'],
  ['怎么', '怎莫'],
  ['没有', '木有'],
  ['没有', '没得'],
  ['吗', '嘛'],
  ['吗', '么'],
  ['一下', '一哈'],
  ['退款', '退宽'],
  ['快递', '快地'],
  ['收到', '收倒'],
  ['知道', '造'],
  ['这个', '介个'],
  ['这样', '酱紫'],
  ['可以', '阔以'],
  ['地址', '地扯'],
  ['订单', '定单'],
  ['质保', '质宝'],
  ['尺码', '尺马'],
  ['颜色', '颜涩'],
  ['物流', '物留'],
  ['签收', '签手'],
  ['包邮', '包油'],
  ['客服', '客付'],
  ['的', '滴'],
  ['怎么办', '咋整'],
  ['什么', '啥子'],
  ['不是', '不四'],
  ['好的', '好滴'],
  ['喜欢', '稀饭'],
  ['有没有', '有木有'],
  ['是不是', '系唔系'],
  ['多少', '几多'],
  ['能不能', '能伐'],
  ['东西', '东东'],
];
const OPENINGS = [
  '亲，',
  '你好，',
  '您好 ',
  '请问',
  '在吗？',
  '客服，',
  '老板，',
  '哈喽，',
  '麻烦问下，',
  '你好 ',
  '亲 ',
  '在吗 ',
  'hi，',
  '掌柜的，',
  '小姐姐，',
  '客服你好，',
];
const ENDINGS = [
  '？',
  '？？',
  '。',
  '！',
  '!!',
  '?',
  '。。',
  '…',
  '～',
  ' ',
  '呀',
  '啊',
  '哈',
  '呢',
  '哦',
  '嘛',
  '啦',
  '噻',
  '撒',
  '嘞',
  '咧',
  '哇',
  '伐',
  '急',
  '，谢谢',
  '，麻烦了',
  '，在线等',
  '，急用',
  '，辛苦',
];
const EMOJI = [
  '😭',
  '😡',
  '🙏',
  '😊',
  '👍',
  '😂',
  '🤔',
  '😤',
  '💢',
  '😅',
  '🥲',
  '😓',
  '❤️',
  '[捂脸]',
  '[微笑]',
  '[流泪]',
  '[发怒]',
  '[抱拳]',
  '/:^_^',
  '#E-s12',
  '[表情]',
  '🙂',
  '😒',
];
const PARTICLE_END = /[吗呢吧啊呀哈哦嘛啦么伐？?！!。.…～~\]]$/u;

function typo(text: string, rng: Rng): string {
  const options = TYPOS.filter(([a, b]) => a !== b && text.includes(a));
  if (options.length === 0) return text;
  const [a, b] = rng.pick(options);
  return text.replace(a, b);
}
function fullWidthDigits(text: string): string {
  return text.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));
}

export interface NoiseOptions {
  /** The label: greetings go only in front of actionable messages (guide rule 4). */
  actionable: boolean;
  /** Pasted cards: only full-width digits and Traditional characters, no chat decorations. */
  plain?: boolean;
  /** Angry messages get no polite endings (谢谢, 辛苦) or friendly openings. */
  angry?: boolean;
}
const POLITE = /谢谢|辛苦|麻烦|亲|小姐姐|哈喽|hi/;

/** One noisy rendering of a clean line (often the line itself). */
export function addNoise(text: string, rng: Rng, opt: NoiseOptions): { text: string; kinds: string[] } {
  const kinds: string[] = [];
  let t = text;
  if (opt.plain) {
    if (/[0-9]/.test(t) && rng.chance(0.2)) t = fullWidthDigits(t);
    if (rng.chance(0.05)) t = toTraditional(t);
    return { text: t, kinds };
  }
  if (opt.actionable && rng.chance(0.14)) {
    t = rng.pick(opt.angry ? OPENINGS.filter((o) => !POLITE.test(o)) : OPENINGS) + t;
    kinds.push('opening');
  }
  // The coupon character is mistyped so often (劵, 卷) that it gets its own chance.
  if (t.includes('券') && rng.chance(0.35)) {
    t = t.replace('券', rng.chance(0.5) ? '劵' : '卷');
    kinds.push('typo');
  } else if (rng.chance(0.12)) {
    const u = typo(t, rng);
    if (u !== t) kinds.push('typo');
    t = u;
  }
  if (rng.chance(0.3)) {
    // Urgency endings (急, 在线等) only on messages that ask for something.
    const e = rng.pick(
      opt.angry ? ENDINGS.filter((x) => !POLITE.test(x)) : opt.actionable ? ENDINGS : ENDINGS.filter((x) => !/急|在线等|谢谢|麻烦/.test(x)),
    );
    // A particle after a particle reads wrong (吗啊); punctuation after one is fine.
    if (!(PARTICLE_END.test(t) && /^[\u4e00-\u9fff]/u.test(e))) {
      t += e;
      kinds.push('ending');
    }
  }
  if (/[0-9]/.test(t) && rng.chance(0.3)) {
    t = fullWidthDigits(t);
    kinds.push('fullwidth');
  }
  if (rng.chance(0.08)) {
    const e = rng.pick(EMOJI);
    t = rng.chance(0.8) ? t + e : e + t;
    if (rng.chance(0.2)) t += e;
    kinds.push('emoji');
  }
  if (rng.chance(0.03)) {
    t = t.replace(/[，,]/g, ' ');
    kinds.push('spaces');
  }
  if (rng.chance(0.06)) {
    const u = toTraditional(t);
    if (u !== t) kinds.push('traditional');
    t = u;
  }
  return { text: t, kinds };
}
