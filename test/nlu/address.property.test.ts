/**
 * Property: an address the buyer types comes back field for field, however it is wrapped and
 * typed: command words in front (改成…, 地址是…, 寄到…), the recipient and phone before or
 * after it, spaces between the street and its numbers, full-width digits. The read-back of
 * the parsed address (province, city, district, street) equals what was typed.
 */
import fc from 'fast-check';
import { extractEntities } from '../../src/nlu/entities';
import { compactDetail } from '../../src/nlu/entities/address';
import { normalize } from '../../src/nlu/normalize';
import type { AddressEntity } from '../../src/nlu/types';

const PLACES = [
  { province: '江苏省', city: '南京市', district: '鼓楼区' },
  { province: '浙江省', city: '杭州市', district: '西湖区' },
  { province: '广东省', city: '深圳市', district: '南山区' },
  { province: '四川省', city: '成都市', district: '武侯区' },
  { province: '湖北省', city: '武汉市', district: '洪山区' },
  { province: '山东省', city: '青岛市', district: '市南区' },
  { province: '上海市', city: '上海市', district: '浦东新区' },
  { province: '北京市', city: '北京市', district: '朝阳区' },
  { province: '福建省', city: '厦门市', district: '思明区' },
  { province: '河南省', city: '郑州市', district: '金水区' },
];
const STREET_HEADS = ['中山', '人民', '解放', '建设', '长江', '黄河', '文化', '和平', '新华', '东风', '光明', '学府'];
const STREET_TAILS = ['路', '北路', '南路', '东路', '街', '大道'];
const SURNAMES = [...'王李张刘陈杨赵吴周徐孙马朱胡郭林'];
const GIVEN = [...'秀英小明建国丽娜伟强静敏磊洋婷刚爽华'];

const fullWidth = (s: string): string => s.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));

const addressArb = fc.record({
  place: fc.constantFrom(...PLACES),
  street: fc.tuple(fc.constantFrom(...STREET_HEADS), fc.constantFrom(...STREET_TAILS)).map(([h, t]) => `${h}${t}`),
  number: fc.integer({ min: 1, max: 2999 }),
  building: fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
  room: fc.option(fc.integer({ min: 101, max: 2808 }), { nil: undefined }),
  name: fc
    .tuple(fc.constantFrom(...SURNAMES), fc.constantFrom(...GIVEN), fc.option(fc.constantFrom(...GIVEN), { nil: undefined }))
    .map(([s, g1, g2]) => `${s}${g1}${g2 ?? ''}`),
  phone: fc
    .tuple(fc.constantFrom('13', '15', '17', '18', '19'), fc.integer({ min: 0, max: 999_999_999 }))
    .map(([p, n]) => `${p}${String(n).padStart(9, '0')}`),
  lead: fc.constantFrom('', '改成', '地址改成', '地址是', '新地址：', '寄到', '麻烦改为', '收货地址换成'),
  spaced: fc.boolean(),
  wide: fc.boolean(),
  who: fc.constantFrom('none', 'before', 'after', 'cued'),
});

type Typed = typeof addressArb extends fc.Arbitrary<infer T> ? T : never;

function typed(a: Typed): { text: string; detail: string } {
  const sp = a.spaced ? ' ' : '';
  const parts = [`${a.street}${sp}${a.number}${sp}号`];
  if (a.building !== undefined) parts.push(`${a.building}${sp}栋`);
  if (a.room !== undefined) parts.push(`${a.room}${sp}室`);
  const detail = parts.join(sp);
  const city = a.place.city === a.place.province ? '' : a.place.city;
  let place = `${a.place.province}${city}${a.place.district}${detail}`;
  if (a.wide) place = fullWidth(place);
  const person = `${a.name} ${a.phone}`;
  const text =
    a.who === 'before'
      ? `${person} ${a.lead}${place}`
      : a.who === 'after'
        ? `${a.lead}${place} ${person}`
        : a.who === 'cued'
          ? `${a.lead}${place}，收件人${a.name}，电话${a.phone}`
          : `${a.lead}${place}`;
  return { text, detail: compactDetail(detail) };
}

test('a typed address round-trips: every field back as typed, command words and spaces gone', () => {
  fc.assert(
    fc.property(addressArb, (a) => {
      const { text, detail } = typed(a);
      const found = extractEntities(normalize(text).text).filter((e): e is AddressEntity => e.kind === 'address');
      expect(found).toHaveLength(1);
      const e = found[0]!;
      expect(e.province).toBe(a.place.province);
      expect(e.city).toBe(a.place.city);
      expect(e.district).toBe(a.place.district);
      expect(compactDetail(e.detail ?? '')).toBe(detail);
      if (a.who !== 'none') {
        expect(e.recipient).toBe(a.name);
        expect(e.phone).toBe(a.phone);
      } else {
        expect(e.recipient).toBeUndefined();
      }
      // Never a command word or 地址 in any field.
      for (const v of [e.province, e.city, e.district, e.detail, e.recipient]) expect(v ?? '').not.toMatch(/改成|改为|换成|地址|寄到/);
    }),
    { numRuns: 400 },
  );
});

describe('address parsing by example', () => {
  const parse = (text: string): AddressEntity | undefined =>
    extractEntities(normalize(text).text).find((e): e is AddressEntity => e.kind === 'address');

  it('takes a new recipient after a kinship word, never the command', () => {
    expect(parse('收件人换成我妈 李秀英 13911112222')).toMatchObject({ recipient: '李秀英', phone: '13911112222' });
    expect(parse('收货人改为我老公，张建国')).toMatchObject({ recipient: '张建国' });
  });

  it('never takes 地址 for a name', () => {
    expect(parse('收货地址改成浙江省杭州市西湖区文三路12号')?.recipient).toBeUndefined();
  });

  it('keeps the house number typed apart from the street', () => {
    expect(parse('改成江苏省南京市鼓楼区中山路 18 号')).toMatchObject({ district: '鼓楼区', detail: '中山路18号' });
  });

  it('reads Traditional characters and full-width digits', () => {
    expect(parse('地址：廣東省深圳市南山區科技園南路１６號')).toMatchObject({
      province: '广东省',
      city: '深圳市',
      district: '南山区',
      detail: '科技园南路16号',
    });
  });

  it('reads a district and street without the province', () => {
    expect(parse('地址改成鼓楼区中山路18号')).toMatchObject({ district: '鼓楼区', detail: '中山路18号' });
  });

  it('does not call a province named in passing an address', () => {
    expect(parse('发广东几天到')).toBeUndefined();
    expect(parse('快递在路上了吗')).toBeUndefined();
  });
});
