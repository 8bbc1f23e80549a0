/**
 * Shared slot values (places, names, numbers, couriers …) and the slot filler. Everything here
 * is made up: addresses are assembled from common place names, numbers are random.
 */
import { Rng } from './rng';
import { Family, L } from './types';

export const CITIES = L(
  '北京|上海|广州|深圳|杭州|南京|苏州|成都|重庆|武汉|西安|长沙|郑州|济南|青岛|沈阳|大连|哈尔滨|长春|石家庄|太原|合肥|南昌|福州|厦门|南宁|昆明|贵阳|兰州|银川|西宁|乌鲁木齐|拉萨|呼和浩特|海口|三亚|宁波|温州|无锡|常州|徐州|佛山|东莞|珠海|惠州|泉州|烟台|潍坊|洛阳|宜昌|襄阳|株洲|绵阳|遵义|大理|桂林|赣州|芜湖|扬州|台州',
);
const PROVINCE_CITY = L(
  '浙江省杭州市|江苏省南京市|广东省广州市|广东省深圳市|四川省成都市|湖北省武汉市|湖南省长沙市|河南省郑州市|山东省济南市|山东省青岛市|福建省厦门市|陕西省西安市|辽宁省沈阳市|安徽省合肥市|江西省南昌市|云南省昆明市|贵州省贵阳市|广西南宁市|河北省石家庄市|山西省太原市|黑龙江省哈尔滨市|吉林省长春市|甘肃省兰州市|北京市|上海市|天津市|重庆市',
);
const DISTRICTS = L(
  '朝阳区|海淀区|西湖区|江干区|天河区|越秀区|南山区|福田区|武侯区|锦江区|江汉区|洪山区|岳麓区|雨花区|金水区|历下区|市南区|思明区|雁塔区|和平区|蜀山区|东湖区|五华区|南明区|青秀区|长安区|小店区|南岗区|朝阳区|城关区|浦东新区|徐汇区|河西区|渝中区|鼓楼区|玄武区|滨江区|余杭区',
);
const ROADS = L(
  '人民路|解放路|中山路|建设路|长江路|黄河路|新华街|文化路|光明路|幸福路|学院路|科技路|和平大道|湖滨路|朝阳路|青年路|东风路|友谊路|南京路|北京路|胜利街|兴业路|创业大道|金桥路|滨河路',
);
const PLACES = L(
  '阳光小区|幸福家园|金色家园|绿城花园|碧水湾|世纪花园|翠苑一区|锦绣华庭|御景湾|东方明珠苑|丽景公寓|星河湾|学府小区|滨江花园|和谐家园',
);
const SURNAMES = L('王|李|张|刘|陈|杨|黄|赵|吴|周|徐|孙|马|朱|胡|郭|何|林|罗|高');
const GIVEN = L('伟|芳|娜|敏|静|强|磊|洋|艳|勇|军|杰|娟|涛|明|超|秀英|丽|霞|平|刚|桂英|小红|晓东|雨婷|子涵|浩然|思远|佳怡|梓萱');
export const COURIERS = L('顺丰|中通|圆通|韵达|申通|极兔|京东快递|邮政|EMS|德邦|百世');
const COURIER_PREFIX: Record<string, string> = {
  顺丰: 'SF',
  中通: '7',
  圆通: 'YT',
  韵达: '4',
  申通: '77',
  极兔: 'JT',
  京东快递: 'JD',
  邮政: '98',
  EMS: 'E',
  德邦: 'DPK',
  百世: '55',
};
export const DURATIONS = L('两天|三天|一周|一个星期|半个月|一个月|没几天|三四天|十来天|一次|两次|几次|一晚上|两个月|不到一周');
const COMPANIES = L(
  '某某科技有限公司|星河贸易有限公司|远航电子有限公司|蓝天文化传媒有限公司|华信商贸有限公司|启明教育咨询有限公司|恒泰建材有限公司|青禾餐饮管理有限公司',
);
const WHEN = L('前天|上周|上个月|双十一|618的时候|大前天|月初|昨天|上礼拜|半个月前|年前|周末');
const ARRIVE = L('今天刚到|昨天到的|到了有一周了|刚拆开|收到第二天|用了没两次|今天拆开一看|刚装好|放了几天没用，今天打开');
const ASK_FIX = L('怎么处理|给个方案吧|能换一个吗|你们看看怎么办|这个怎么弄|能不能给解决一下|要我寄回去吗|麻烦尽快处理|是不是有问题啊|要拍照吗');
const WHOM = L('我妈|我爸|老婆|老公|孩子|家里老人|朋友|同事|闺蜜|男朋友|女朋友|自己');
const CN_NUM = L('一|两|三|四|五|六|七|八|九|十');

function digits(rng: Rng, n: number): string {
  let s = String(rng.int(1, 9));
  while (s.length < n) s += String(rng.int(0, 9));
  return s;
}
export const phone = (rng: Rng): string => rng.pick(['13', '15', '17', '18', '19']) + digits(rng, 9);
export const person = (rng: Rng): string => rng.pick(SURNAMES) + rng.pick(GIVEN);
export const orderId = (rng: Rng): string => digits(rng, rng.pick([12, 13, 16]));
export function address(rng: Rng): string {
  const pc = rng.pick(PROVINCE_CITY);
  const tail = rng.chance(0.5)
    ? `${rng.pick(ROADS)}${rng.int(1, 999)}号`
    : `${rng.pick(PLACES)}${rng.int(1, 30)}栋${rng.int(1, 6)}单元${rng.int(1, 32)}0${rng.int(1, 4)}`;
  return `${pc}${rng.chance(0.8) ? rng.pick(DISTRICTS) : ''}${tail}`;
}
export function tracking(rng: Rng, courier: string): string {
  return (COURIER_PREFIX[courier] ?? '') + digits(rng, 12);
}
export function taxId(rng: Rng): string {
  const chars = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  let s = '91';
  while (s.length < 18) s += chars.charAt(rng.int(0, chars.length - 1));
  return s;
}

/** An entry without its product restriction. */
export const bare = (item: string): string => {
  const at = item.indexOf('@');
  return at < 0 ? item : item.slice(0, at);
};

/**
 * A predicate written with its own noun (枕头睡一晚就塌了@枕头,乳胶枕) follows a product already
 * named in the frame: the noun goes (乳胶枕 + 睡一晚就塌了). Only a noun the entry is about is
 * dropped, so 键盘灯不亮@笔记本 keeps its 键盘.
 */
export function withoutNoun(item: string, products: readonly string[]): string {
  const text = bare(item);
  const at = item.indexOf('@');
  const about = at < 0 ? products : item.slice(at + 1).split(',');
  const noun = [...about].sort((a, b) => b.length - a.length).find((p) => products.includes(p) && text.startsWith(p) && text.length > p.length + 1);
  return noun === undefined ? text : text.slice(noun.length).replace(/^的/, '');
}

/** A price inside the family's range, rounded the way shops price things. */
export function price(rng: Rng, fam: Family): number {
  const [lo, hi] = fam.price;
  const raw = lo + (hi - lo) * rng.next() ** 2;
  if (raw < 30) return Math.round(raw * 10) / 10 > 9 ? Math.round(raw) : Math.round(raw * 10) / 10;
  if (raw < 200) return Math.round(raw) - (rng.chance(0.5) ? 1 : 0);
  if (raw < 2000) return Math.round(raw / 10) * 10 - (rng.chance(0.6) ? 1 : 0);
  return Math.round(raw / 100) * 100 - (rng.chance(0.6) ? 1 : 0);
}
/** An offer below a price: 70–92% of it, rounded like a buyer would say it. */
export function offer(rng: Rng, p: number): string {
  const x = p * (0.7 + 0.22 * rng.next());
  if (x < 20) return String(Math.max(1, Math.round(x)));
  if (x < 200) return String(Math.round(x / 5) * 5);
  if (x < 2000) return String(Math.round(x / 10) * 10);
  return String(Math.round(x / 50) * 50);
}

/**
 * Fills `{slot}` markers. Unknown slots throw, so a typo in a frame fails the run. Slots that
 * depend on each other ({c} and {c2}, {n} and {lo}) are drawn once per line.
 */
export function fill(template: string, fam: Family, rng: Rng): string {
  const drawn = new Map<string, string>();
  const n = price(rng, fam);
  const courier = rng.pick(COURIERS);
  // An entry may be limited to some products: "煮出来的饭夹生@电饭煲,电压力锅".
  const forProduct = (items: readonly string[]): string => {
    const prod = drawn.get('p');
    const fit =
      prod === undefined
        ? items
        : items.filter((x) => {
            const at = x.indexOf('@');
            return (
              at < 0 ||
              x
                .slice(at + 1)
                .split(',')
                .includes(prod)
            );
          });
    const item = rng.pick(fit.length ? fit : items.filter((x) => !x.includes('@')).concat(items.slice(0, 1)));
    return prod === undefined ? bare(item) : withoutNoun(item, fam.products);
  };
  const get = (slot: string): string => {
    const have = drawn.get(slot);
    if (have !== undefined) return have;
    let v: string;
    switch (slot) {
      case 'p':
        v = rng.pick(fam.products);
        break;
      case 'p2': {
        const a = get('p');
        const rest = fam.products.filter((x) => x !== a);
        v = rest.length ? rng.pick(rest) : a;
        break;
      }
      case 'part':
        v = forProduct(fam.parts);
        break;
      case 'fault':
        v = forProduct(fam.faults);
        break;
      case 'use':
        v = forProduct(fam.use);
        break;
      case 'care':
        v = forProduct(fam.care);
        break;
      case 'size':
        v = forProduct(fam.size);
        break;
      case 'good':
        v = forProduct(fam.good);
        break;
      case 'c':
        v = rng.pick(fam.colours);
        break;
      case 'c2': {
        const a = get('c');
        const rest = fam.colours.filter((x) => x !== a);
        v = rest.length ? rng.pick(rest) : a;
        break;
      }
      case 'v':
        v = forProduct(fam.variants);
        break;
      case 'v2': {
        const a = get('v');
        let b = forProduct(fam.variants);
        for (let i = 0; i < 6 && b === a; i++) b = forProduct(fam.variants);
        v = b;
        break;
      }
      case 'n':
        v = String(n);
        break;
      case 'lo':
        v = offer(rng, n);
        break;
      case 'k':
        v = rng.pick(CN_NUM.slice(1, 6));
        break;
      case 'when':
        v = rng.pick(WHEN);
        break;
      case 'arrive':
        v = rng.pick(ARRIVE);
        break;
      case 'askfix':
        v = rng.pick(ASK_FIX);
        break;
      case 'whom':
        v = rng.pick(WHOM);
        break;
      case 'diff':
        v = String(rng.pick([5, 8, 10, 15, 20, 30, 50, 100].filter((d) => d < n).concat([1])));
        break;
      case 'days':
        v = rng.chance(0.5) ? String(rng.int(3, 12)) : rng.pick(CN_NUM.slice(2));
        break;
      case 'dur':
        v = rng.pick(DURATIONS);
        break;
      case 'city':
        v = rng.pick(CITIES);
        break;
      case 'addr':
        v = address(rng);
        break;
      case 'name':
        v = person(rng);
        break;
      case 'phone':
        v = phone(rng);
        break;
      case 'order':
        v = orderId(rng);
        break;
      case 'courier':
        v = courier;
        break;
      case 'track':
        v = tracking(rng, courier);
        break;
      case 'tax':
        v = taxId(rng);
        break;
      case 'company':
        v = rng.pick(COMPANIES);
        break;
      default:
        throw new Error(`unknown slot {${slot}} in "${template}"`);
    }
    drawn.set(slot, v);
    return v;
  };
  // A variant or a second variant follows the product even when the frame does not name it.
  if (template.includes('{p}') || template.includes('{v}')) get('p');
  // Faults may end in 了 and frames may add one: 开胶了了 → 开胶了.
  return template.replace(/\{(\w+)\}/g, (_m, slot: string) => get(slot)).replace(/了了/g, '了');
}
