/**
 * Delivery addresses: province / city / district / street detail, plus the recipient name
 * (收件人 张三) and phone when given next to it.
 */
import type { AddressEntity } from '../types';
import { extractPhones } from './phone';

const PROVINCES = [
  '北京', '天津', '上海', '重庆', '河北', '山西', '辽宁', '吉林', '黑龙江', '江苏', '浙江', '安徽', '福建', '江西', '山东',
  '河南', '湖北', '湖南', '广东', '海南', '四川', '贵州', '云南', '陕西', '甘肃', '青海', '台湾', '内蒙古', '广西', '西藏',
  '宁夏', '新疆', '香港', '澳门',
];
const MUNICIPALITIES = new Set(['北京', '天津', '上海', '重庆']);
const HAN = '\\u4e00-\\u9fff';
const PROVINCE_RE = new RegExp(`(${PROVINCES.join('|')})(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)?`);
// City and district names are open vocabulary: a short run of Han characters ending in the suffix.
// The lazy match would stop at 州 in 杭州市, so the 市/区 forms are tried first.
const CITY_RES = [new RegExp(`^([${HAN}]{1,5}?市)`), new RegExp(`^([${HAN}]{1,6}?(?:自治州|地区|盟|州))`)];
const DISTRICT_RES = [new RegExp(`^([${HAN}]{1,6}?(?:区|县|旗))`), new RegExp(`^([${HAN}]{1,5}?市)`)];
const firstMatch = (res: RegExp[], text: string): string | undefined => {
  for (const re of res) {
    const m = re.exec(text);
    if (m?.[1]) return m[1];
  }
  return undefined;
};
// Street detail: runs until punctuation and must contain a typical street or building word.
const DETAIL_RE = new RegExp(`^([${HAN}A-Za-z0-9\\-#]{2,40}?(?:路|街|道|巷|弄|号|栋|幢|楼|室|村|镇|乡|小区|大厦|公寓|花园|苑|单元|广场|学校|大学|公司)[${HAN}A-Za-z0-9\\-#]{0,20})`);
const STREET_ONLY_RE = new RegExp(`([${HAN}]{2,12}(?:路|街|大道)[0-9一二三四五六七八九十百]+号[${HAN}A-Za-z0-9\\-#]{0,20})`);
const RECIPIENT_RE = new RegExp(`(?:收件人|收货人|联系人|收件|收货)(?:是|为|改成|改为|写)?[:\\s]*([${HAN}]{2,4}?)(?=[,，\\s\\d]|电话|手机|$)`);

/** Find one address (buyers give one per message); undefined parts are simply absent. */
export function extractAddresses(text: string): AddressEntity[] {
  const province = PROVINCE_RE.exec(text);
  let start = -1;
  let cursor = 0;
  const parts: { province?: string; city?: string; district?: string; detail?: string } = {};
  if (province) {
    start = province.index;
    parts.province = province[0];
    cursor = province.index + province[0].length;
    if (MUNICIPALITIES.has(province[1] ?? '')) parts.city = `${province[1]}市`;
  }
  const rest = (): string => text.slice(cursor);
  if (start >= 0) {
    if (!parts.city) {
      const city = firstMatch(CITY_RES, rest());
      if (city) {
        parts.city = city;
        cursor += city.length;
      }
    }
    const district = firstMatch(DISTRICT_RES, rest());
    if (district) {
      parts.district = district;
      cursor += district.length;
    }
    const detail = DETAIL_RE.exec(rest());
    if (detail?.[1]) {
      parts.detail = detail[1];
      cursor += detail[1].length;
    }
  } else {
    const street = STREET_ONLY_RE.exec(text);
    if (street?.[1]) {
      start = street.index;
      parts.detail = street[1];
      cursor = street.index + street[1].length;
    }
  }
  const recipient = RECIPIENT_RE.exec(text);
  if (start < 0 && !recipient) return [];
  // A province alone ("发广东吗") is not an address; it needs a city, district, detail or recipient.
  if (start >= 0 && !parts.city && !parts.district && !parts.detail && !recipient) return [];
  if (start >= 0 && parts.province && !parts.district && !parts.detail && !recipient && MUNICIPALITIES.has(parts.province.replace(/市$/, ''))) return [];
  const phone = extractPhones(text)[0];
  const spanStart = start >= 0 ? start : (recipient?.index ?? 0);
  const spanEnd = Math.max(cursor, recipient ? recipient.index + recipient[0].length : 0);
  return [
    {
      kind: 'address',
      text: text.slice(spanStart, spanEnd),
      span: { start: spanStart, end: spanEnd },
      ...parts,
      ...(recipient?.[1] ? { recipient: recipient[1] } : {}),
      ...(phone ? { phone: phone.value } : {}),
    },
  ];
}
