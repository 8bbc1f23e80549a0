/**
 * Delivery addresses: province / city / district / street detail, plus the recipient name
 * (收件人 张三, 收件人换成我妈 李秀英) and phone when given next to it.
 *
 * Buyers wrap an address in command words (改成…, 地址是…, 寄到…) and type it with spaces
 * (中山路 18 号), full-width digits and Traditional characters (the normalizer has already
 * turned those into simplified text and ASCII digits). The parser strips the command words,
 * never takes 地址 or a kinship word (我妈) for a name, and keeps the house number when it
 * is typed apart from the street. Spaces inside the street are dropped: "中山路 18 号" and
 * "中山路18号" are the same address.
 */
import type { AddressEntity } from '../types';
import { extractPhones } from './phone';

const PROVINCES = [
  '北京',
  '天津',
  '上海',
  '重庆',
  '河北',
  '山西',
  '辽宁',
  '吉林',
  '黑龙江',
  '江苏',
  '浙江',
  '安徽',
  '福建',
  '江西',
  '山东',
  '河南',
  '湖北',
  '湖南',
  '广东',
  '海南',
  '四川',
  '贵州',
  '云南',
  '陕西',
  '甘肃',
  '青海',
  '台湾',
  '内蒙古',
  '广西',
  '西藏',
  '宁夏',
  '新疆',
  '香港',
  '澳门',
];
const MUNICIPALITIES = new Set(['北京', '天津', '上海', '重庆']);
const HAN = '\\u4e00-\\u9fff';
const PROVINCE_RE = new RegExp(`(${PROVINCES.join('|')})(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)?`);
// City and district names are open vocabulary: a short run of Han characters ending in the suffix.
// The lazy match would stop at 州 in 杭州市, so the 市/区 forms are tried first.
const CITY_RES = [new RegExp(`^([${HAN}]{1,5}?市)`), new RegExp(`^([${HAN}]{1,6}?(?:自治州|地区|盟|州))`)];
const DISTRICT_RES = [new RegExp(`^([${HAN}]{1,6}?(?:新区|区|县|旗))`), new RegExp(`^([${HAN}]{1,5}?市)`)];
/** A district named without its province and city: "鼓楼区中山路18号". */
/** A Han character that can be part of a place name (not a command or filler word around it). */
const PLACE_CH = `(?:(?![改换成为址到寄发送是的我在要把给帮请新])[${HAN}])`;
const BARE_DISTRICT_RE = new RegExp(`(${PLACE_CH}{1,5}?(?:新区|区|县))(?=[${HAN}]{1,12}?(?:路|街|道|巷|弄|村|镇))`);
const firstMatch = (res: RegExp[], text: string): string | undefined => {
  for (const re of res) {
    const m = re.exec(text);
    if (m?.[1]) return m[1];
  }
  return undefined;
};
/** Words that make a run of text a street address. */
const STREET_WORD = '路|街|道|巷|弄|号|栋|幢|楼|室|村|镇|乡|小区|大厦|公寓|花园|苑|单元|广场|学校|大学|公司|院|座';
const DETAIL_RE = new RegExp(`^([${HAN}A-Za-z0-9\\-#]{0,40}?(?:${STREET_WORD})[${HAN}A-Za-z0-9\\-#]{0,30})`);
/** Another street part after a space: " 华强北路1002号". */
const DETAIL_MORE_RE = new RegExp(`^([\\s,，]+)([${HAN}A-Za-z0-9\\-#]{0,40}?(?:${STREET_WORD})[${HAN}A-Za-z0-9\\-#]{0,30})`);
/** What may stand between the parts of a place: spaces, commas. */
const GAP_RE = /^[\s,，]+/u;
/** The length of the gap (spaces, commas) at `at` in `text`. */
const gapAt = (text: string, at: number): number => GAP_RE.exec(text.slice(at))?.[0].length ?? 0;
const STREET_ONLY_RE = new RegExp(`([${HAN}]{2,12}(?:路|街|大道|巷|弄)(?:[0-9一二三四五六七八九十百]+号)?[${HAN}A-Za-z0-9\\-#]{0,20})`);

/** What buyers say around an address that is not part of it. */
const COMMAND_RE = new RegExp(
  [
    '(?:请|麻烦|帮我|帮忙|给我|把)*',
    '(?:(?:收货|收件|新的?|送货|配送|快递|寄送|发货)?地址)?',
    '(?:要|需要|帮我|给我)?',
    '(?:改成|改为|改到|换成|换到|更改为|变更为|修改为|改一下|改|换|是|为|写|填|:|：)*',
    '(?:寄到|发到|送到|寄去|发去|送去|寄往|发往)?',
  ].join(''),
  'g',
);
/** Leading words of an address message: "不对，是…", "地址改成…", "新地址：…". */
const LEAD_RE = /^(?:不对|不是|错了|对了|哦|噢|嗯|亲|你好|您好|麻烦|请|帮我|那)?[，,。.\s!！]*/u;

/** Labels around the parts of an address: a copied block's field names, the phone's word. */
const LABEL_RE = /(?:所在地区|所在地|地区|详细地址|收货地址|手机号码|手机号|联系电话|电话号码|联系方式|手机|电话|邮编|邮政编码)\s*[:：]?/gu;

/** Who the parcel goes to: after a cue, optionally a command and a kinship word, a 2–4 character name. */
const RECIPIENT_CUE = '(?:收件人|收货人|联系人|收件|收货)(?!地址|地|信息|电话|手机|时间|码)';
const KIN =
  '(?:我妈妈?|我爸爸?|我老公|我老婆|我媳妇|我爱人|我朋友|我同事|我女朋友|我男朋友|我姐姐?|我哥哥?|我弟弟?|我妹妹?|我儿子|我女儿|我婆婆|我奶奶|我爷爷|我外婆|我舅舅|我阿姨|家人|朋友|同事)';
const RECIPIENT_RE = new RegExp(
  `${RECIPIENT_CUE}(?:的?名字|姓名)?(?:要|需要)?(?:改成|改为|换成|换为|更改为|变更为|是|为|写|填|:|：)*[\\s,，:：]*(?:${KIN}[\\s,，:：]*)?([${HAN}]{2,4}?)(?=[\\s,，。;；]|\\d|电话|手机|$|[${HAN}]{0,0}(?:${PROVINCES.join('|')}))`,
);
const RECIPIENT_RE_ALL = new RegExp(RECIPIENT_RE.source, 'g');
/** Words that are never a name, whatever comes before them. */
const NOT_A_NAME = new RegExp(`^(?:地址|电话|手机|号码|信息|改成|换成|改为|换为|是|我妈|我爸|本人|自己|名字|姓名|${KIN.slice(3, -1)})`);
/** "李秀英 13911112222" / "13911112222 李秀英": a name standing next to the phone. */
const NAME_BY_PHONE_RE = new RegExp(`(?:^|[\\s,，:：])([${HAN}]{2,4})[\\s,，:：]*$`);
const NAME_AFTER_PHONE_RE = new RegExp(`^[\\s,，:：]*([${HAN}]{2,4})(?=[\\s,，。]|$)`);
const COMMON_SURNAMES = new Set([
  ...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤',
]);

/** A plausible personal name: a common surname, not an address or command word. */
function isName(s: string): boolean {
  return s.length >= 2 && s.length <= 4 && COMMON_SURNAMES.has(s[0] as string) && !NOT_A_NAME.test(s) && !/[省市区县路街号]$/.test(s);
}

/** Spaces that only separate parts of a street: next to a number or before a unit ("中山路 18 号 2 幢"). */
const INNER_SPACE_RE = /(?<=[0-9A-Za-z#-])\s+|\s+(?=[0-9A-Za-z#\-号栋幢楼室单元弄座院])/g;

/** Removes spaces between the parts of a street ("中山路 18 号 2 幢" → "中山路18号2幢"). */
export function compactDetail(detail: string): string {
  return detail.replace(INNER_SPACE_RE, '').trim();
}

/** `text` compacted as compactDetail does, with the original index of every kept character. */
function compactWithMap(text: string): { out: string; map: number[] } {
  const drop = new Set<number>();
  for (const m of text.matchAll(INNER_SPACE_RE)) for (let i = 0; i < m[0].length; i++) drop.add((m.index ?? 0) + i);
  let out = '';
  const map: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (drop.has(i)) continue;
    out += text[i];
    map.push(i);
  }
  map.push(text.length);
  return { out, map };
}

interface Parts {
  province?: string;
  city?: string;
  district?: string;
  detail?: string;
}

/** Province → city → district → street, from the start of `text` (already stripped of commands). */
function parsePlace(text: string): { parts: Parts; start: number; end: number } | undefined {
  const parts: Parts = {};
  const province = PROVINCE_RE.exec(text);
  let start = -1;
  let cursor = 0;
  if (province) {
    start = province.index;
    parts.province = province[0];
    cursor = province.index + province[0].length;
    if (MUNICIPALITIES.has(province[1] ?? '')) {
      parts.city = `${province[1]}市`;
      if (!parts.province.endsWith('市')) parts.province = `${province[1]}市`;
      // "上海市上海市浦东新区": the city written again.
      if (text.startsWith(parts.city, cursor)) cursor += parts.city.length;
    }
    const rest = (): string => text.slice(cursor);
    // "广东省 深圳市 福田区": the parts may be typed apart.
    cursor += gapAt(text, cursor);
    if (!parts.city) {
      const city = firstMatch(CITY_RES, rest());
      if (city) {
        parts.city = city;
        cursor += city.length;
        cursor += gapAt(text, cursor);
      }
    }
    const district = firstMatch(DISTRICT_RES, rest());
    if (district && !/^[路街]/.test(rest().slice(district.length))) {
      parts.district = district;
      cursor += district.length;
    }
  } else {
    // No province: a city ("南京市鼓楼区…") or a district ("鼓楼区中山路…") may open the address.
    const city = new RegExp(`(${PLACE_CH}{2,4}?市)(?=[\\s,，]*[${HAN}]{1,6}?(?:区|县))`).exec(text);
    if (city) {
      start = city.index;
      parts.city = city[1] as string;
      cursor = city.index + (city[1] as string).length;
      cursor += gapAt(text, cursor);
      const district = firstMatch(DISTRICT_RES, text.slice(cursor));
      if (district) {
        parts.district = district;
        cursor += district.length;
      }
    } else {
      const district = BARE_DISTRICT_RE.exec(text);
      if (district) {
        start = district.index;
        parts.district = district[1] as string;
        cursor = district.index + (district[1] as string).length;
      }
    }
  }
  if (start >= 0) {
    const lead = /^\s*/.exec(text.slice(cursor))?.[0].length ?? 0;
    const { out, map } = compactWithMap(text.slice(cursor + lead));
    const detail = DETAIL_RE.exec(out);
    if (detail?.[1]) {
      let taken = detail[1].length;
      // "华强北街道 华强北路1002号赛格广场3楼": a street part typed after a space belongs to it.
      for (;;) {
        const more = DETAIL_MORE_RE.exec(out.slice(taken));
        if (!more?.[2]) break;
        taken += more[0].length;
      }
      parts.detail = out.slice(0, taken).replace(/\s+/gu, '');
      // Map the compacted length back onto the original text.
      cursor += lead + (map[taken - 1] ?? 0) + 1;
    }
    return { parts, start, end: cursor };
  }
  const { out, map } = compactWithMap(text);
  const street = STREET_ONLY_RE.exec(out);
  if (street?.[1]) {
    const detail = street[1];
    const s = map[street.index] ?? 0;
    return { parts: { detail }, start: s, end: (map[street.index + detail.length - 1] ?? s) + 1 };
  }
  return undefined;
}

/** The recipient the buyer names, by cue ("收件人换成我妈 李秀英") or standing next to the phone. */
function findRecipient(
  text: string,
  phoneSpan: { start: number; end: number } | undefined,
): { name: string; start: number; end: number } | undefined {
  for (const cued of text.matchAll(RECIPIENT_RE_ALL)) {
    if (!cued[1] || NOT_A_NAME.test(cued[1])) continue;
    // "收件人改成张三电话…" may have caught one character too many; a name never ends in these.
    const name = cued[1].replace(/[的了吧呢啊]$/u, '');
    const at = cued.index ?? 0;
    if (name.length >= 2) return { name, start: at, end: at + cued[0].length };
  }
  if (!phoneSpan) return undefined;
  const before = NAME_BY_PHONE_RE.exec(text.slice(0, phoneSpan.start));
  if (before?.[1] && isName(before[1])) {
    const start = phoneSpan.start - before[0].length + before[0].indexOf(before[1]);
    return { name: before[1], start, end: start + before[1].length };
  }
  const after = NAME_AFTER_PHONE_RE.exec(text.slice(phoneSpan.end));
  if (after?.[1] && isName(after[1])) {
    const start = phoneSpan.end + after[0].indexOf(after[1]);
    return { name: after[1], start, end: start + after[1].length };
  }
  return undefined;
}

/** Find one address (buyers give one per message); undefined parts are simply absent. */
export function extractAddresses(text: string): AddressEntity[] {
  const phone = extractPhones(text)[0];
  const recipient = findRecipient(text, phone?.span);
  // The place is read from the text with the phone and the recipient blanked out (same length,
  // so spans stay true), and the command words in front of it skipped.
  let masked = text;
  for (const span of [phone?.span, recipient]) {
    if (span) masked = `${masked.slice(0, span.start)}${' '.repeat(span.end - span.start)}${masked.slice(span.end)}`;
  }
  // The labels of a copied address block ("所在地区：", "详细地址：") and the word before the
  // phone ("手机", "电话") are not part of the place (same length, so spans stay true).
  masked = masked.replace(LABEL_RE, (m) => ' '.repeat(m.length));
  const place = parsePlace(masked);
  let parts: Parts = place?.parts ?? {};
  if (place && !place.parts.province && !place.parts.city && !place.parts.district && place.parts.detail) {
    // A street alone: drop the command words the lazy match may have swallowed ("改成中山路18号").
    const detail = stripCommands(place.parts.detail);
    parts = detail.length >= 2 ? { detail } : {};
  }
  const hasPlace = Boolean(parts.province || parts.city || parts.district || parts.detail);
  if (!hasPlace && !recipient) return [];
  // A province alone ("发广东吗") is not an address; it needs a city, district, detail or recipient.
  if (parts.province && !parts.city && !parts.district && !parts.detail && !recipient) return [];
  if (parts.province && !parts.district && !parts.detail && !recipient && MUNICIPALITIES.has(parts.province.replace(/市$/, ''))) return [];
  const starts = [place && hasPlace ? place.start : Infinity, recipient?.start ?? Infinity];
  const ends = [place && hasPlace ? place.end : 0, recipient?.end ?? 0];
  const spanStart = Math.min(...starts);
  const spanEnd = Math.max(...ends);
  const entity: AddressEntity = { kind: 'address', text: text.slice(spanStart, spanEnd), span: { start: spanStart, end: spanEnd } };
  if (parts.province) entity.province = parts.province;
  if (parts.city) entity.city = parts.city;
  if (parts.district) entity.district = parts.district;
  if (parts.detail) entity.detail = parts.detail;
  if (recipient) entity.recipient = recipient.name;
  if (phone) entity.phone = phone.value;
  return [entity];
}

/** A street with the command and filler words in front of it removed ("不对，是中山北路" → "中山北路"). */
export function stripCommands(detail: string): string {
  let out = compactDetail(detail).replace(LEAD_RE, '');
  for (let i = 0; i < 3; i++) {
    const next = out.replace(
      /^(?:不对|不是|错了|应该是|应该|其实是|是|改成|改为|改到|换成|换到|寄到|发到|送到|地址|收货地址|新地址|详细地址|门牌号?|[，,:：])/u,
      '',
    );
    if (next === out) break;
    out = next;
  }
  COMMAND_RE.lastIndex = 0;
  return out;
}
